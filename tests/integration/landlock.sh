#!/usr/bin/env bash
# Landlock: the command writes only where the sandbox's view is writable
# (not through an fd to a host directory), TCP ports, scoping.
. "$(dirname "$0")/hardening-lib.sh"
require_sandbox
abi=$(python3 -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))')
[ "$abi" -ge 1 ] 2>/dev/null || skip_all "this kernel has no Landlock"

tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
mkdir "$tmp/outside" "$tmp/rw" "$tmp/ro"
echo secret >"$tmp/outside/file"
plan 18

py() { sbx_h "$@"; }

# --- filesystem --------------------------------------------------------------
write_via_fd='import os, errno
try:
    os.close(os.open("new", os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=3)); print("written")
except OSError as e:
    print(errno.errorcode[e.errno])'
out=$("$SBX" --pass-fd 3 -- python3 -c "$write_via_fd" 3<"$tmp/outside" 2>&1)
is "$out" EACCES "no file created through a passed fd to a host directory"
[ ! -e "$tmp/outside/new" ]; ok $? "... nothing appeared on the host"
out=$("$SBX" --pass-fd 3 -- python3 -c 'import os; print(open("file", opener=lambda p, f: os.open(p, f, dir_fd=3)).read().strip())' 3<"$tmp/outside" 2>&1)
is "$out" secret "reading through the passed fd still works"
out=$("$SBX" --pass-fd 3 -- sh -c 'echo x > /proc/self/fd/3/viaproc' 3<"$tmp/outside" 2>&1)
[ $? -ne 0 ] && [ ! -e "$tmp/outside/viaproc" ]; ok $? "nor through /proc/self/fd/N/..."
# The same write with Landlock's filesystem rules off (--allow-userns turns
# them off, see sbx(1)) succeeds: Landlock is what refused it above.
out=$("$SBX" --allow-userns --pass-fd 3 -- python3 -c "$write_via_fd" 3<"$tmp/outside" 2>&1)
is "$out" written "control: without filesystem rules the write goes through"
rm -f "$tmp/outside/new"

out=$("$SBX" --bind "$tmp/rw" --ro-bind "$tmp/ro" -- sh -c "
	for d in /tmp /var/tmp /run /dev/shm \$HOME $tmp/rw; do touch \$d/f && echo \$d ok; done
	echo x > /dev/null && echo null ok
	touch $tmp/ro/f 2>/dev/null || echo ro refused" 2>&1 | paste -sd' ')
is "$out" "/tmp ok /var/tmp ok /run ok /dev/shm ok $HOME ok $tmp/rw ok null ok ro refused" \
	"writable: tmpfs dirs, home, --bind, /dev/null; not --ro-bind"
[ -e "$tmp/rw/f" ]; ok $? "--bind writes reach the host"
out=$("$SBX" --tmpfs /srv -- sh -c 'mkdir /srv/d && ln -s d /srv/l && mv /srv/d /srv/e && echo done' 2>&1)
is "$out" done "--tmpfs: mkdir, symlink, rename"
out=$("$SBX" -- sh -c 'ls /usr/bin/sh >/dev/null && /usr/bin/true && echo ran' 2>&1)
is "$out" ran "read and execute everywhere"

# --- TCP ports (ABI 4) --------------------------------------------------------
if [ "$abi" -ge 4 ]; then
	python3 - "$tmp" <<'PY' &
import socket, sys, os
socks = []
for name in ("allowed", "denied"):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8); socks.append(s)
    open(os.path.join(sys.argv[1], name), "w").write(str(s.getsockname()[1]))
open(os.path.join(sys.argv[1], "ready"), "w").close()
import time
while True:
    for s in socks:
        s.settimeout(0.2)
        try: s.accept()[0].close()
        except OSError: pass
PY
	pids+=($!)
	for _ in $(seq 100); do [ -e "$tmp/ready" ] && break; sleep 0.05; done
	allowed=$(cat "$tmp/allowed") denied=$(cat "$tmp/denied")
	connect='import socket, sys, errno
for port in sys.argv[1:]:
    s = socket.socket()
    try: s.connect(("127.0.0.1", int(port))); print("ok")
    except OSError as e: print(errno.errorcode[e.errno])'
	out=$("$SBX" --share-net --allow-connect "$allowed" -- python3 -c "$connect" "$allowed" "$denied" 2>&1 | paste -sd' ')
	is "$out" "ok EACCES" "--allow-connect: only the listed port"
	out=$("$SBX" --share-net -- python3 -c "$connect" "$allowed" "$denied" 2>&1 | paste -sd' ')
	is "$out" "ok ok" "control: without --allow-connect both connect"
	bind='import socket, sys, errno
for port in sys.argv[1:]:
    s = socket.socket()
    try: s.bind(("127.0.0.1", int(port))); print("ok")
    except OSError as e: print(errno.errorcode[e.errno])'
	free=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	out=$("$SBX" --allow-bind "$free" -- python3 -c "$bind" "$free" "$((free == 65535 ? 65534 : free + 1))" 2>&1 | paste -sd' ')
	is "$out" "ok EACCES" "--allow-bind: only the listed port"
else
	for i in 1 2 3; do ok 0 "# SKIP Landlock ABI $abi < 4: no TCP rules"; done
fi
out=$("$SBX" --allow-connect 80,abc -- true 2>&1)
is "$?:$out" "125:sbx: --allow-connect 80,abc: not a port or LOW-HIGH range (0-65535)" "a bad port list"
out=$("$SBX" --allow-bind 1-5000 -- true 2>&1)
[ $? -eq 125 ] && [[ $out == *"more than"* ]]; ok $? "a range too wide: $out"

# --- scoping (ABI 6) ----------------------------------------------------------
if [ "$abi" -ge 6 ]; then
	name="sbx-test-$$-$RANDOM"
	python3 - "$name" "$tmp" <<'PY' &
import socket, sys, os
s = socket.socket(socket.AF_UNIX); s.bind("\0" + sys.argv[1]); s.listen(8)
open(os.path.join(sys.argv[2], "abstract-ready"), "w").close()
while True: s.accept()[0].close()
PY
	pids+=($!)
	for _ in $(seq 100); do [ -e "$tmp/abstract-ready" ] && break; sleep 0.05; done
	unix='import socket, sys, errno
s = socket.socket(socket.AF_UNIX)
try: s.connect("\0" + sys.argv[1]); print("ok")
except OSError as e: print(errno.errorcode[e.errno])'
	is "$(python3 -c "$unix" "$name")" ok "control: the host reaches its abstract socket"
	is "$("$SBX" --share-net -- python3 -c "$unix" "$name" 2>&1)" EPERM \
		"--share-net: a host abstract unix socket is unreachable"
	out=$("$SBX" --share-net -- sh -c "python3 -c 'import socket,time; s=socket.socket(socket.AF_UNIX); s.bind(\"\\0inner-$name\"); s.listen(1); time.sleep(3)' & sleep 0.5; python3 -c '$unix' inner-$name" 2>&1)
	is "$out" ok "... while the sandbox's own abstract sockets work"
	sleep 300 & victim=$!
	pids+=($victim)
	out=$("$SBX" --share-pid -- sh -c "kill -0 $victim 2>/dev/null && echo reached || echo refused; sleep 60 & kill \$! && echo own" 2>&1 | paste -sd' ')
	is "$out" "refused own" "signals do not leave the sandbox (--share-pid), they work inside"
else
	for i in 1 2 3 4; do ok 0 "# SKIP Landlock ABI $abi < 6: no scoping"; done
fi

done_testing
