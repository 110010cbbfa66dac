#!/usr/bin/env bash
# doctor.sh - `sbx doctor`: its verdict where sbx works, with user namespaces
# off (user.max_user_namespaces=0 set inside a user namespace made here: the
# sysctl is per namespace, the host's is untouched) and refused with EACCES as
# by Ubuntu's AppArmor restriction (a seccomp filter simulates it); --json.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1
# doctor starts several sandboxes (one with --net slirp): give it time.
SBX_TIMEOUT=$((SBX_TIMEOUT * 6))
EACCES=$(dirname "$SBX")/tests/helpers/userns-eacces

run_sbx doctor
expect_status "doctor exits 0 where sbx's defaults work" 0
expect_match "the user namespace line is ok" '^user namespaces +ok ' "$OUT"
expect_match "the default sandbox line is ok" '^sandbox \(defaults\) +ok ' "$OUT"
expect_match "the verdict" "defaults work on this host" "$OUT"
for what in seccomp Landlock mount_setattr 'subuid range' newuidmap /dev/net/tun libslirp 'cgroup v2' \
	'systemd user manager' xdg-dbus-proxy display audio 'overlay in a userns' 'idmapped bind' '--net slirp'; do
	expect_match "a line for $what" "^$what +(ok|warn|FAIL|n/a) " "$OUT"
done

run_sbx doctor --json
expect_status "doctor --json exits 0 too" 0
printf '%s' "$OUT" >"$WORK/doctor.json"
run_cmd python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["defaults_work"] is True
assert all(set(c) == {"what", "state", "meaning", "fix"} for c in d["checks"])
assert all(c["state"] in ("ok", "warn", "fail", "n/a") for c in d["checks"])
print(len(d["checks"]))' "$WORK/doctor.json"
expect_match "--json: valid JSON, defaults_work true, what/state/meaning/fix per check" '^[0-9]+$' "$OUT"

# A display socket whose listener never accepts and whose backlog is full:
# a blocking connect() would hang doctor; it must answer "no display".
mkfifo "$WORK/wl.ready"
python3 -c '
import signal, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(0)
held = []
while True:
    c = socket.socket(socket.AF_UNIX)
    c.setblocking(False)
    try:
        c.connect(sys.argv[1])
    except BlockingIOError:
        break
    held.append(c)
open(sys.argv[2], "w").write("ready\n")
signal.pause()' "$WORK/wl" "$WORK/wl.ready" &
track_pid $!
read -r _ <"$WORK/wl.ready"
run_cmd env -u DISPLAY WAYLAND_DISPLAY="$WORK/wl" "$SBX" doctor
expect_status "a display socket that never accepts: doctor still ends, exit 0" 0
expect_match "a display socket that never accepts: no display" '^display +n/a ' "$OUT"

# An xdg-dbus-proxy (found through PATH) that never ends: doctor kills it.
mkdir "$WORK/bin"
printf '#!/bin/sh\nexec sleep 100000\n' >"$WORK/bin/xdg-dbus-proxy"
chmod +x "$WORK/bin/xdg-dbus-proxy"
run_cmd env PATH="$WORK/bin:$PATH" "$SBX" doctor
expect_status "an xdg-dbus-proxy that hangs: doctor still ends, exit 0" 0
expect_match "an xdg-dbus-proxy that hangs: not runnable" '^xdg-dbus-proxy +n/a ' "$OUT"

# A path that is not UTF-8 (XDG_RUNTIME_DIR shows in the meanings): still JSON.
run_cmd env XDG_RUNTIME_DIR="$WORK/"$'\xff\xc3(\xed\xa0\x80' "$SBX" doctor --json
printf '%s' "$OUT" >"$WORK/doctor.json"
run_cmd python3 -c '
import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
print(ascii([c["meaning"] for c in d["checks"] if c["what"] == "systemd user manager"][0]))' "$WORK/doctor.json"
expect_match "--json with a non-UTF-8 path: valid UTF-8 JSON, bad bytes as U+FFFD" '\\ufffd\\ufffd\(\\ufffd\\ufffd\\ufffd/' "$OUT"

run_sbx doctor --frobnicate
expect_error "an unknown doctor option: one line, exit 125, the hint to run a command named doctor" 125 \
	"^sbx doctor: unexpected argument '--frobnicate'; to run the command doctor in a sandbox, write: sbx -- doctor --frobnicate\$"

# User namespaces off: the kernel's answer is ENOSPC.
if unshare -Ur true 2>/dev/null; then
	run_cmd unshare -Ur sh -c 'echo 0 >/proc/sys/user/max_user_namespaces && exec "$0" doctor' "$SBX"
	expect_status "max_user_namespaces=0: doctor exits 1" 1
	expect_match "max_user_namespaces=0: user namespaces FAIL, saying why" \
		'^user namespaces +FAIL +creating one failed: No space left on device \(user.max_user_namespaces=0' "$OUT"
	expect_match "max_user_namespaces=0: the fix names the sysctl" 'fix: sudo sysctl -w user.max_user_namespaces=' "$OUT"
	expect_match "max_user_namespaces=0: the default sandbox FAILs" '^sandbox \(defaults\) +FAIL ' "$OUT"
	expect_match "max_user_namespaces=0: the verdict" 'do NOT work' "$OUT"
else
	skip "unshare -Ur does not work here: no run with user namespaces off"
fi

# Refused with EACCES, as an AppArmor profile-less program is on Ubuntu.
run_cmd "$EACCES" "$SBX" doctor --json
expect_status "EACCES: doctor exits 1" 1
printf '%s' "$OUT" >"$WORK/doctor.json"
run_cmd python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
u = [c for c in d["checks"] if c["what"] == "user namespaces"][0]
print(d["defaults_work"], u["state"], u["meaning"].split(" (")[0], "|", u["fix"])' "$WORK/doctor.json"
expect_match "EACCES: user namespaces fail with the LSM's hint" \
	'^False fail creating one failed: Permission denied \| a security module refused' "$OUT"

# A holder already running (another test's) would hand over namespaces it
# made before the refusal: this start must make its own, as the first start
# on a restricted host does (its holder is refused in the same way).
run_cmd env SBX_USERNS_HOLDER=0 "$EACCES" "$SBX" -- true
expect_error "EACCES: sbx itself says in one line what refused it" 125 \
	'^sbx: cannot create the namespaces \(a security module refused .*userns,.*\): Permission denied$'

done_testing
