#!/usr/bin/env bash
# Terminal safety without setsid(): TIOCSTI from inside cannot type into the
# user's shell, and job control inside the sandbox still works.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns

# The sleeps carry their own number so that only ours are waited for.
S=$((300 + $$ % 1000))

# pty_session DESCRIPTION STATUS: run the pty-run script on stdin (@S@ stands
# for $S) against the user's "outer" interactive bash on a new terminal; pass
# if every step matched and that shell finally exited with STATUS. The shell
# sees $SBX, $D (the test directory) and $IPS1 (the prompt for shells inside).
pty_session() {
	sed "s/@S@/$S/g" >"$WORK/script.pty"
	run_cmd python3 "$PTY_RUN" -t 10 -f "$WORK/script.pty" -- \
		env PS1='outer$ ' IPS1='inner$ ' TERM=dumb HISTFILE= D="$WORK" SBX="$SBX" \
		bash --norc --noprofile -i
	expect_run "$1" 0 "# pty-run: exit status $2"
}

# The command pushes "echo INJECTED" into the terminal's input queue. Were it
# accepted, the outer shell would read and run it once sbx is gone: the read
# after sbx would get that line instead of timing out empty.
cat >"$WORK/inject.py" <<'PY'
import fcntl, termios, errno
try:
    for ch in b"echo INJECTED\n":
        fcntl.ioctl(0, termios.TIOCSTI, bytes([ch]))
    print("injected")
except OSError as e:
    print("refused", errno.errorcode[e.errno])
PY
pty_session "TIOCSTI refused: nothing typed into the outer shell" 3 <<'EOF'
expect outer\$ $
send "$SBX" --ro-bind "$D" -- python3 "$D/inject.py"; read -t 1 line; echo "next:[$line]"\r
expect \r\nrefused EPERM\r\n
expect next:\[\]\r\n
expect outer\$ $
send exit 3\r
exit 3
EOF

# Job control inside: background a job, bring it back with fg, stop one with
# ^Z and resume it, interrupt with ^C, then leave.
pty_session "job control in a shell inside: &, fg, ^Z, fg, ^C" 4 <<'EOF'
expect outer\$ $
send "$SBX" --setenv PS1 "$IPS1" -- bash --norc --noprofile -i\r
expect inner\$ $
send (sleep 2.@S@; echo back-from-bg) &\r
expect \[1\] [0-9]+\r\n
expect inner\$ $
running sleep 2\.@S@
send fg\r
expect fg\r\n\(\s*sleep 2\.@S@; echo back-from-bg\s*\)\r\nback-from-bg\r\n
expect inner\$ $
send sleep @S@\r
running sleep @S@
send \x1a
expect \[1\]\+\s+Stopped\s+sleep @S@\r\n
expect inner\$ $
proc sleep @S@
send fg\r
expect fg\r\nsleep @S@\r\n
running sleep @S@
send \x03
noproc sleep @S@
expect inner\$ $
send echo still-$((20+22))\r
expect still-42\r\n
expect inner\$ $
send exit\r
expect outer\$ $
send echo st=$?\r
expect st=0\r\n
expect outer\$ $
send echo outer-ok\r
expect outer-ok\r\n
expect outer\$ $
send exit 4\r
exit 4
EOF

# sbx itself as a job of the outer shell: ^Z stops it, fg resumes it, ^C
# ends it.
pty_session "sbx is a normal job of the outer shell (^Z, fg, ^C)" 5 <<'EOF'
expect outer\$ $
send "$SBX" -- sleep @S@\r
running sleep @S@
send \x1a
expect \[1\]\+\s+Stopped\s+"\$SBX" -- sleep @S@\r\n
expect outer\$ $
proc sleep @S@
send fg\r
expect fg\r\n"\$SBX" -- sleep @S@\r\n
running sleep @S@
send \x03
noproc sleep @S@
expect outer\$ $
send echo st=$?\r
expect st=130\r\n
expect outer\$ $
send echo outer-ok\r
expect outer-ok\r\n
expect outer\$ $
send exit 5\r
exit 5
EOF

# sbx stopped from elsewhere (kill -STOP), then continued in the background
# (bg): when its command ends, the terminal stays with the outer shell. (sbx
# used to take it back on its way out, so the shell's next read failed with
# EIO and the interactive shell exited.)
mkfifo "$WORK/go"
pty_session "sbx ending as a background job leaves the terminal to the shell" 6 <<'EOF'
expect outer\$ $
send "$SBX" --ro-bind "$D" -- sh -c 'read x <"$D/go"; echo got-$x'\r
running sh -c read x .*/go.*
signal STOP .*sbx --ro-bind .*
expect \[1\]\+\s+Stopped\s
expect outer\$ $
send bg\r
expect outer\$ $
send echo ready-@S@ >"$D/go"\r
expect got-ready-@S@
noproc .*sbx --ro-bind .*
send echo alive-$((40+2))\r
expect alive-42\r\n
expect outer\$ $
send exit 6\r
exit 6
EOF

# ^Z stops the command inside, then bg continues sbx in the background: the
# command must run on in the background and end, and the outer shell keep its
# terminal. (pid 1 used to try to give the terminal back to the command from
# the background; the kernel answered with SIGTTOU, which pid 1 as init never
# gets, and restarted the call for ever: pid 1 spun and sbx stopped again.)
mkfifo "$WORK/go2"
pty_session "^Z then bg: the command goes on in the background and ends; the shell keeps the terminal" 7 <<'EOF'
expect outer\$ $
send "$SBX" --ro-bind "$D" -- sh -c 'read x <"$D/go2"; echo got-$x'\r
running sh -c read x .*/go2.*
send \x1a
expect \[1\]\+\s+Stopped\s
expect outer\$ $
send bg\r
expect outer\$ $
running sh -c read x .*/go2.*
send echo ready-@S@ >"$D/go2"\r
expect got-ready-@S@
noproc .*sbx --ro-bind .*
send echo alive-$((40+2))\r
expect alive-42\r\n
expect outer\$ $
send exit 7\r
exit 7
EOF

# --- the caller's terminal modes come back -------------------------------------

# pty_direct DESCRIPTION STATUS COMMAND...: run COMMAND (sbx) itself as the
# session leader of a new terminal, driven by the pty-run script on stdin
# (@S@ stands for $S); pass if every step matched and it exited with STATUS.
pty_direct() {
	local desc=$1 st=$2
	shift 2
	sed "s/@S@/$S/g" >"$WORK/script.pty"
	run_cmd python3 "$PTY_RUN" -t 10 -f "$WORK/script.pty" -- env TERM=dumb "$@"
	expect_run "$desc" 0 "# pty-run: exit status $st"
}

# A command that breaks the terminal (no echo, no line editing, no ^C) and
# exits normally: sbx puts the modes back before it returns to the caller.
pty_direct "terminal modes restored after a normal exit" 0 "$SBX" -- stty -echo -icanon intr undef <<'EOF'
exit 0
sameterm
EOF

pty_direct "terminal modes restored when the command is killed by a signal" 137 \
	"$SBX" -- sh -c 'stty raw -echo intr undef; kill -KILL $$' <<'EOF'
exit 137
sameterm
EOF

pty_direct "terminal modes restored when sbx is ended by SIGTERM" 143 \
	"$SBX" -- sh -c "stty raw -echo -isig; echo broken; exec sleep $S" <<'EOF'
expect broken
running sleep @S@
signal TERM
exit 143
sameterm
EOF

done_testing
