#!/usr/bin/env bash
# Landlock: the command writes only where the sandbox's view is writable
# (not through an fd to a host directory), TCP ports, scoping.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns

# landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION): the ABI.
abi=$(python3 -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))')
if ! [ "$abi" -ge 1 ] 2>/dev/null; then
	if [ "${SBX_MUST_WORK:-0}" = 1 ]; then
		fail "this kernel has Landlock (SBX_MUST_WORK=1)" "landlock_create_ruleset answered: $abi"
		done_testing
	fi
	echo "1..0 # SKIP this kernel has no Landlock"
	exit 77
fi

D=$WORK
mkdir "$D/outside" "$D/rw" "$D/ro"
echo secret >"$D/outside/file"

# --- filesystem --------------------------------------------------------------
write_via_fd='import os, errno
try:
    os.close(os.open("new", os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=3)); print("written")
except OSError as e:
    print(errno.errorcode[e.errno])'
run_sbx --pass-fd 3 -- python3 -c "$write_via_fd" 3<"$D/outside"
expect_out "no file created through a passed fd to a host directory" EACCES
[ ! -e "$D/outside/new" ]
ok $? "... nothing appeared on the host"
run_sbx --pass-fd 3 -- python3 -c 'import os; print(open("file", opener=lambda p, f: os.open(p, f, dir_fd=3)).read().strip())' 3<"$D/outside"
expect_out "reading through the passed fd still works" secret
run_sbx --pass-fd 3 -- sh -c 'echo x > /proc/self/fd/3/viaproc' 3<"$D/outside"
[ "$RC" -ne 0 ] && [ ! -e "$D/outside/viaproc" ]
ok $? "nor through /proc/self/fd/N/..."
# The same write with Landlock's filesystem rules off (--allow-userns turns
# them off, see sbx(1)) succeeds: Landlock is what refused it above.
run_sbx --allow-userns --pass-fd 3 -- python3 -c "$write_via_fd" 3<"$D/outside"
expect_out "control: without filesystem rules the write goes through" written
rm -f "$D/outside/new"
# A rule goes to a mount itself, never to wherever its path leads when the
# command starts: /w/sub, covered by the second bind of /w, now leads through
# a link in that bound directory to fd 3, a host directory outside the view.
# Landlock once gave that directory /w/sub's rule, writable.
mkdir "$D/h1" "$D/h2" "$D/x"
ln -s /proc/self/fd/3 "$D/h2/sub"
run_sbx --bind "$D/h1:/w" --bind "$D/x:/w/sub" --bind "$D/h2:/w" --pass-fd 3 -- \
	python3 -c "$write_via_fd" 3<"$D/outside"
expect_out "a link in a bound directory does not carry a mount's rule out of the view" EACCES
[ ! -e "$D/outside/new" ]
ok $? "... nothing appeared on the host"
rm -f "$D/outside/new"

run_sbx --bind "$D/rw" --ro-bind "$D/ro" -- sh -c "
	for d in /tmp /var/tmp /run /dev/shm \$HOME $D/rw; do touch \$d/f && echo \$d ok; done
	echo x > /dev/null && echo null ok
	touch $D/ro/f 2>/dev/null || echo ro refused"
expect_out "writable: tmpfs dirs, home, --bind, /dev/null; not --ro-bind" "/tmp ok" "/var/tmp ok" \
	"/run ok" "/dev/shm ok" "$HOME ok" "$D/rw ok" "null ok" "ro refused"
[ -e "$D/rw/f" ]
ok $? "--bind writes reach the host"
# A read-only mount below a writable one gets no rule of its own (the
# parent's already covers the path, rights are a union along it): writing
# into it must still fail, file, directory or a file bound on its own.
echo keep >"$D/ro/file"
run_sbx --bind "$D/rw:/w" --ro-bind "$D/ro:/w/ro" --ro-bind "$D/ro/file:/w/file" -- sh -c '
	touch /w/ro/new 2>/dev/null || echo new refused
	(echo x >/w/ro/file) 2>/dev/null || echo file refused
	(echo x >/w/file) 2>/dev/null || echo bound file refused
	rm /w/ro/file 2>/dev/null || echo rm refused
	touch /w/ok && echo parent ok'
expect_out "--ro-bind below a --bind: still read-only" "new refused" "file refused" \
	"bound file refused" "rm refused" "parent ok"
[ "$(cat "$D/ro/file")" = keep ] && [ ! -e "$D/ro/new" ]
ok $? "... the host's read-only directory is untouched"
run_sbx --tmpfs /srv -- sh -c 'mkdir /srv/d && ln -s d /srv/l && mv /srv/d /srv/e && echo done'
expect_out "--tmpfs: mkdir, symlink, rename" "done"
run_sbx -- sh -c 'ls /usr/bin/sh >/dev/null && /usr/bin/true && echo ran'
expect_out "read and execute everywhere" ran

# Thousands of binds: every mount gets its rule, however many (Landlock once
# kept the first 4096 mount points and refused the default view's /tmp,
# /proc, $HOME... which come later; a mountinfo over 1 MiB was an error).
mkdir "$D/many"
check_writable="for d in /tmp /dev/shm /run \$HOME; do touch \$d/f && echo \$d ok; done
	head -c0 /proc/self/status && echo proc ok"
desc1="4,100 binds: /tmp, /dev/shm, /run, \$HOME writable, /proc readable"
desc2="6,000 binds, a mountinfo over 1 MiB: the same"
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt 6100 ]; then
	# sbx holds one fd per bind source (viewops.sh checks the message).
	skip "$desc1" "the hard open-file limit ($hard) is below 6,100"
	skip "$desc2" "the hard open-file limit ($hard) is below 6,100"
else
	many=()
	for i in $(seq 4100); do many+=(--ro-bind "$D/many:/m/$i"); done
	run_sbx "${many[@]}" -- sh -c "$check_writable"
	expect_out "$desc1" "/tmp ok" "/dev/shm ok" "/run ok" "$HOME ok" "proc ok"
	long=$(printf 'd%.0s' $(seq 200))
	many=()
	for i in $(seq 6000); do many+=(--ro-bind "$D/many:/m/$long/$i"); done
	run_sbx "${many[@]}" -- sh -c "$check_writable; [ \$(wc -c </proc/self/mountinfo) -gt 1048576 ] && echo big"
	expect_out "$desc2" "/tmp ok" "/dev/shm ok" "/run ok" "$HOME ok" "proc ok" big
	unset many
fi

# Covering /proc (bwrap allows it) hides the sandbox's mountinfo from the
# command: Landlock reads the view before.
mkdir "$D/fakeproc" && touch "$D/fakeproc/marker"
run_sbx --bind "$D/fakeproc:/proc" -- sh -c 'touch /tmp/f && ls /proc'
expect_out "--bind DIR:/proc: the command runs, the view's rules hold" marker
run_sbx --tmpfs /proc -- sh -c 'touch /tmp/f && ls /proc | wc -l'
expect_out "--tmpfs /proc: the same" 0
# /proc/1 is pid 1's own directory, what /proc/self named during setup:
# covering it once hid the view ("landlock: /proc/self/mountinfo: No such
# file"), and a bound directory's own "mountinfo" was read as the view.
run_sbx --tmpfs /proc/1 -- sh -c 'touch /tmp/f && ls /proc/1 | wc -l'
expect_out "--tmpfs /proc/1: the view's rules hold" 0
mkdir "$D/fake1" && printf '1 0 0:1 / / rw - tmpfs none rw\n' >"$D/fake1/mountinfo"
run_sbx --bind "$D/fake1:/proc/1" -- sh -c 'touch /tmp/f && cat /proc/1/mountinfo | wc -l'
expect_out "--bind DIR:/proc/1: a planted mountinfo is not read as the view" 1
run_cmd "$SBX" --ro-bind-data 3 /proc/1/mountinfo -- true 3<"$D/fake1/mountinfo"
expect_error "a file bound over /proc/1/mountinfo: refused in one line" 125 \
	'^sbx: landlock: a mount covers the sandbox.s /proc/self/mountinfo, which Landlock reads$'
# Before Linux 5.12 (no mount_setattr) making / read-only reads mountinfo
# too: it must happen while /proc is still in sight. The helper's filter
# means a single-id map (a warning on stderr), so only stdout is checked.
run_cmd "$(dirname "$SBX")/tests/helpers/no-mount-setattr" "$SBX" --tmpfs /proc -- \
	sh -c 'touch /tmp/f && echo ok; touch /f 2>/dev/null || echo ro'
expect_run "--tmpfs /proc without mount_setattr: runs, / still read-only" 0 "$(printf 'ok\nro')"

# --- TCP ports (ABI 4) --------------------------------------------------------
if [ "$abi" -ge 4 ]; then
	python3 - "$D" <<'PY' &
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
	track_pid $!
	wait_for_file "$D/ready" 10 || diag "the test's TCP listener did not start"
	allowed=$(cat "$D/allowed") denied=$(cat "$D/denied")
	connect='import socket, sys, errno
for port in sys.argv[1:]:
    s = socket.socket()
    try: s.connect(("127.0.0.1", int(port))); print("ok")
    except OSError as e: print(errno.errorcode[e.errno])'
	run_sbx --share-net --allow-connect "$allowed" -- python3 -c "$connect" "$allowed" "$denied"
	expect_out "--allow-connect: only the listed port" ok EACCES
	run_sbx --share-net -- python3 -c "$connect" "$allowed" "$denied"
	expect_out "control: without --allow-connect both connect" ok ok
	bind='import socket, sys, errno
for port in sys.argv[1:]:
    s = socket.socket()
    try: s.bind(("127.0.0.1", int(port))); print("ok")
    except OSError as e: print(errno.errorcode[e.errno])'
	free=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	run_sbx --allow-bind "$free" -- python3 -c "$bind" "$free" "$((free == 65535 ? 65534 : free + 1))"
	expect_out "--allow-bind: only the listed port" ok EACCES
else
	skip "--allow-connect: only the listed port" "Landlock ABI $abi < 4: no TCP rules"
	skip "control: without --allow-connect both connect" "Landlock ABI $abi < 4: no TCP rules"
	skip "--allow-bind: only the listed port" "Landlock ABI $abi < 4: no TCP rules"
fi
run_sbx --allow-connect 80,abc -- true
msg="sbx: --allow-connect 80,abc: not a port or LOW-HIGH range (0-65535)"
if [ "$RC" = 125 ] && [ -z "$OUT" ] && [ "$ERR" = "$msg" ]; then
	pass "a bad port list: exit 125 and one exact message"
else
	fail "a bad port list: exit 125 and one exact message" "expected exit status 125, no stdout and stderr: $msg"
fi
run_sbx --allow-bind 1-5000 -- true
expect_error "a range too wide" 125 'more than'

# --- scoping (ABI 6) ----------------------------------------------------------
if [ "$abi" -ge 6 ]; then
	name="sbx-test-$$-$RANDOM"
	python3 - "$name" "$D" <<'PY' &
import socket, sys, os
s = socket.socket(socket.AF_UNIX); s.bind("\0" + sys.argv[1]); s.listen(8)
open(os.path.join(sys.argv[2], "abstract-ready"), "w").close()
while True: s.accept()[0].close()
PY
	track_pid $!
	wait_for_file "$D/abstract-ready" 10 || diag "the test's abstract socket listener did not start"
	unix='import socket, sys, errno
s = socket.socket(socket.AF_UNIX)
try: s.connect("\0" + sys.argv[1]); print("ok")
except OSError as e: print(errno.errorcode[e.errno])'
	run_cmd python3 -c "$unix" "$name"
	expect_out "control: the host reaches its abstract socket" ok
	run_sbx --share-net -- python3 -c "$unix" "$name"
	expect_out "--share-net: a host abstract unix socket is unreachable" EPERM
	run_sbx --share-net -- sh -c "python3 -c 'import socket,time; s=socket.socket(socket.AF_UNIX); s.bind(\"\\0inner-$name\"); s.listen(1); time.sleep(3)' & sleep 0.5; python3 -c '$unix' inner-$name"
	expect_out "... while the sandbox's own abstract sockets work" ok
	sleep 300 &
	victim=$!
	track_pid "$victim"
	run_sbx --share-pid -- sh -c "kill -0 $victim 2>/dev/null && echo reached || echo refused; sleep 60 & kill \$! && echo own"
	expect_out "signals do not leave the sandbox (--share-pid), they work inside" refused own
else
	for d in "control: the host reaches its abstract socket" \
		"--share-net: a host abstract unix socket is unreachable" \
		"... while the sandbox's own abstract sockets work" \
		"signals do not leave the sandbox (--share-pid), they work inside"; do
		skip "$d" "Landlock ABI $abi < 6: no scoping"
	done
fi

done_testing
