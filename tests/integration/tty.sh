#!/usr/bin/env bash
# Terminal safety without setsid(): TIOCSTI from inside cannot type into the
# user's shell, and job control inside the sandbox still works.
. "$(dirname "$0")/hardening-lib.sh"
require_sandbox
drive="python3 $TESTS_SRCDIR/helpers/tty-drive.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
plan 3

# The command pushes "echo INJECTED" into the terminal's input queue. Were it
# accepted, the outer shell would read and run it once sbx is gone.
cat >"$tmp/inject.py" <<'PY'
import fcntl, termios, errno
try:
    for ch in b"echo INJECTED\n":
        fcntl.ioctl(0, termios.TIOCSTI, bytes([ch]))
    print("injected")
except OSError as e:
    print("refused", errno.errorcode[e.errno])
PY
$drive <<EOF2
	\\$ 
$SBX --ro-bind $tmp -- python3 $tmp/inject.py; read -t 1 line; echo "next:[\$line]"\\r	refused EPERM
	next:\\[\\]
EOF2
ok $? "TIOCSTI refused: nothing typed into the outer shell"

# Job control inside: background a job, bring it back with fg, stop one with
# ^Z and resume it, interrupt with ^C, then leave.
$drive <<EOF2
	\\$ 
$SBX -- bash --norc --noprofile -i\\r	\\$ 
(sleep 1; echo back-from-bg) &\\r	\\$ 
fg\\r	back-from-bg
sleep 30\\r	sleep 30
\\x1a	Stopped
fg\\r	sleep 30
\\x03	\\$ 
echo still-\$((20+22))\\r	still-42
exit\\r	\\$ 
echo outer-ok\\r	outer-ok
EOF2
ok $? "job control in a shell inside: &, fg, ^Z, fg, ^C"

# sbx itself as a job of the outer shell: ^Z stops it, fg resumes it.
$drive <<EOF2
	\\$ 
$SBX -- sleep 30\\r	sleep 30
\\x1a	Stopped
fg\\r	sbx
\\x03	\\$ 
echo outer-ok\\r	outer-ok
EOF2
ok $? "sbx is a normal job of the outer shell (^Z, fg, ^C)"

done_testing
