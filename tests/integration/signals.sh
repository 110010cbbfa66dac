#!/usr/bin/env bash
# signals.sh - signals sent to sbx reach the command; killing sbx leaves
# nothing behind; pid 1 reaps; job control on a terminal (through a pty).
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1

# A background job of a script starts with SIGINT and SIGQUIT ignored (and a
# command cannot trap a signal ignored at its start): start sbx through
# "env --default-signal" where env has it, else as a job of its own (set -m).
DEFSIG=()
if env --default-signal true 2>/dev/null; then
	DEFSIG=(env --default-signal)
fi

make_temp_dir
D=$TMPD

# start_sbx ARG...: start sbx in the background with the test directory $D
# bound at /w; stdout and stderr go to $D/out. Sets BG.
start_sbx() {
	rm -f "$D/ready" "$D/out"
	[ "${#DEFSIG[@]}" -gt 0 ] || set -m
	"${DEFSIG[@]+"${DEFSIG[@]}"}" "$SBX" --bind "$D:/w" "$@" >"$D/out" 2>&1 </dev/null &
	BG=$!
	set +m
	track_pid "$BG"
}

# --- forwarding ------------------------------------------------------------------

for sig in USR1 USR2 HUP TERM INT QUIT WINCH; do
	start_sbx sh -c "trap 'echo got-$sig; exit 3' $sig; touch /w/ready; while :; do sleep 0.05; done"
	if wait_for_file "$D/ready" 10; then
		kill -s "$sig" "$BG"
		wait_pid_timeout "$BG" 10
	else
		RC=none
	fi
	OUT=$(cat "$D/out" 2>/dev/null)
	_last_cmd="sbx sh -c 'trap ... $sig; ...' & kill -$sig \$sbx_pid"
	if [ "$RC" = 3 ] && [ "$OUT" = "got-$sig" ]; then
		pass "SIG$sig sent to sbx reaches the command (trap ran, status 3)"
	else
		fail "SIG$sig sent to sbx reaches the command (trap ran, status 3)" \
			"expected output got-$sig and status 3"
	fi
done

for sig in TERM:15 INT:2 HUP:1 USR2:12; do
	name=${sig%:*} num=${sig#*:}
	start_sbx sh -c 'touch /w/ready; while :; do sleep 0.05; done'
	if wait_for_file "$D/ready" 10; then
		kill -s "$name" "$BG"
		wait_pid_timeout "$BG" 10
	else
		RC=none
	fi
	OUT=$(cat "$D/out" 2>/dev/null)
	ERR=
	_last_cmd="sbx sh -c 'while :; do sleep 0.05; done' & kill -$name \$sbx_pid"
	expect_status "SIG$name not trapped by the command: sbx exits $((128 + num))" $((128 + num))
done

# --- nothing outlives sbx ----------------------------------------------------------

# kill_test DESCRIPTION SBX-OPTION...: start a command with two background
# sleeps carrying a marker, SIGKILL sbx, then no process may carry the marker.
kill_test() {
	local desc=$1 n seen=0
	shift
	marker
	start_sbx "$@" sh -c "sleep $MARKER & sleep $MARKER & touch /w/ready; wait"
	_last_cmd="sbx $* sh -c 'sleep $MARKER & sleep $MARKER & ...; wait' & kill -KILL \$sbx_pid"
	RC='' OUT='' ERR=''
	if ! wait_for_file "$D/ready" 10; then
		fail "$desc" "the sandbox never got ready: $(cat "$D/out")"
		return
	fi
	# Positive control: both sleeps are there before the kill.
	for n in $(seq 100); do
		seen=$(pids_with_cmdline "sleep $MARKER" | grep -c '')
		[ "$seen" -ge 2 ] && break
		sleep 0.02
	done
	kill -KILL "$BG"
	wait_pid_timeout "$BG" 10
	if [ "$seen" -ge 2 ] && [ "$RC" = 137 ] && wait_for_no_arg "$MARKER" 5; then
		pass "$desc"
	else
		fail "$desc" "sleeps seen before the kill: $seen (expected 2)" \
			"sbx status $RC (expected 137); processes left after 5 s:" \
			"$(for p in $(pids_with_arg "$MARKER"); do
				printf '    %s: %s\n' "$p" "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
			done)"
	fi
	kill_arg_leftovers "$MARKER"
}

kill_test "SIGKILL of sbx leaves no process of the sandbox behind"
kill_test "SIGKILL of sbx with --share-pid leaves no process behind" --share-pid

marker
run_sbx sh -c "sleep $MARKER & sleep $MARKER & exit 5"
if [ "$RC" = 5 ] && wait_for_no_arg "$MARKER" 5; then
	pass "when the command exits, what it left running is killed and sbx returns"
else
	fail "when the command exits, what it left running is killed and sbx returns" \
		"expected status 5 at once and no process left"
fi
kill_arg_leftovers "$MARKER"

marker
start_sbx --no-die-with-parent sh -c 'touch /w/ready; while [ ! -e /w/stop ]; do sleep 0.05; done; echo survived >/w/done' sh "$MARKER"
_last_cmd="sbx --no-die-with-parent sh -c 'wait for /w/stop' & kill -KILL \$sbx_pid"
RC='' OUT='' ERR=''
if wait_for_file "$D/ready" 10; then
	kill -KILL "$BG"
	wait_pid_timeout "$BG" 10
	sleep 0.3
	alive=$(pids_with_arg "$MARKER" | grep -c '')
	touch "$D/stop"
	wait_for_file "$D/done" 5
	if [ "$alive" -ge 1 ] && [ "$(cat "$D/done" 2>/dev/null)" = survived ] && wait_for_no_arg "$MARKER" 5; then
		pass "--no-die-with-parent: the sandbox outlives a killed sbx, and ends with its command"
	else
		fail "--no-die-with-parent: the sandbox outlives a killed sbx, and ends with its command" \
			"processes alive after the kill: $alive; done file: $(cat "$D/done" 2>&1)"
	fi
else
	fail "--no-die-with-parent: the sandbox outlives a killed sbx" "never ready: $(cat "$D/out")"
fi
kill_arg_leftovers "$MARKER"
rm -f "$D/stop" "$D/done"

# --userns isolated: pid 1's change of uid clears its parent-death signal,
# which it then sets again. sbx killed in between (held open here: strace
# delays the setresuid()'s return) must still end it before the command
# runs. As root (strace -u lets newuidmap stay setuid), for a user with
# subordinate ids; pid 1 is found stopped in that system call.
case $(uname -m) in
x86_64) NR_SETRESUID=117 ;;
aarch64) NR_SETRESUID=147 ;;
*) NR_SETRESUID= ;;
esac
TU=${SBX_TEST_USER:-sbxci}
if [ "$(id -u)" -ne 0 ] || ! command -v strace >/dev/null || [ -z "$NR_SETRESUID" ] ||
	! id "$TU" >/dev/null 2>&1 || ! grep -q "^$TU:" /etc/subuid; then
	skip "sbx killed while pid 1 changes its uid (--userns isolated) leaves nothing" \
		"needs root, strace, x86_64 or aarch64 and a user with subordinate ids"
else
	marker
	chown "$TU:" "$D"
	install -d -m 700 -o "$TU" "$D/rt"
	# No id-map holder: strace would trace it too, and wait for its end.
	env -i PATH=/usr/bin:/bin HOME=/ XDG_RUNTIME_DIR="$D/rt" SBX_USERNS_HOLDER=0 \
		strace -u "$TU" -f -o /dev/null -e trace=setresuid \
		-e inject=setresuid:delay_exit=2000000 \
		"$SBX" --userns isolated sh -c "echo ran; sleep $MARKER" >"$D/out" 2>&1 </dev/null &
	BG=$!
	track_pid "$BG"
	sbx_pid='' p1=''
	for _ in $(seq 500); do
		[ -n "$sbx_pid" ] || sbx_pid=$(pgrep -P "$BG" -x sbx)
		for p in $( [ -z "$sbx_pid" ] || pgrep -P "$sbx_pid"); do
			[ "$(cut -d' ' -f1 "/proc/$p/syscall" 2>/dev/null)" = "$NR_SETRESUID" ] && p1=$p
		done
		[ -n "$p1" ] && break
		sleep 0.02
	done
	_last_cmd="strace -u $TU -f -e inject=setresuid:delay_exit=2s sbx --userns isolated sh -c 'echo ran; sleep $MARKER' & kill -KILL sbx"
	RC='' OUT='' ERR=''
	if [ -z "$p1" ]; then
		fail "sbx killed while pid 1 changes its uid (--userns isolated) leaves nothing" \
			"pid 1 never seen in setresuid(): $(cat "$D/out")"
	else
		kill -KILL "$sbx_pid"
		# strace ends with the last process it traces.
		wait_pid_timeout "$BG" 20
		if [ "$RC" != 124 ] && [ -z "$(pids_with_arg "$MARKER")" ] && ! grep -q '^ran$' "$D/out"; then
			pass "sbx killed while pid 1 changes its uid (--userns isolated) leaves nothing"
		else
			fail "sbx killed while pid 1 changes its uid (--userns isolated) leaves nothing" \
				"strace status $RC; left: $(pids_with_arg "$MARKER" | tr '\n' ' ')" \
				"output: $(cat "$D/out")"
		fi
	fi
	kill_arg_leftovers "$MARKER"
	chown root: "$D"
fi

# Orphans are adopted and reaped by pid 1: no zombie stays around.
run_sbx sh -c '( sleep 0.05 & sleep 0.05 & ); sleep 0.5; for f in /proc/[0-9]*/stat; do read -r l <"$f"; set -- ${l##*) }; [ "$1" = Z ] && echo "zombie: $l"; done; echo checked'
expect_run "pid 1 reaps orphaned processes (no zombies left)" 0 "checked"

# --- the setup can be interrupted ------------------------------------------------

# A --file whose fd never reaches EOF (a FIFO sbx itself holds open for
# writing) blocks the sandbox's setup for ever. A signal must still end sbx
# at once with 128+N, and take the half-built sandbox with it.
mkfifo "$D/fifo"
for sig in TERM:15 INT:2 HUP:1 QUIT:3; do
	name=${sig%:*} num=${sig#*:}
	marker
	[ "${#DEFSIG[@]}" -gt 0 ] || set -m
	"${DEFSIG[@]+"${DEFSIG[@]}"}" "$SBX" --file 3 /x -- true "$MARKER" 3<>"$D/fifo" >"$D/out" 2>&1 </dev/null &
	BG=$!
	set +m
	track_pid "$BG"
	_last_cmd="sbx --file 3 /x -- true 3<>FIFO & kill -$name \$sbx_pid (during the setup)"
	RC='' OUT='' ERR=''
	# The sandbox's first process, blocked reading the FIFO (its wchan says
	# so; "0" while it runs, or when we may not look: then go on after 5 s).
	child='' blocked=unknown
	for _ in $(seq 250); do
		child=$(cat "/proc/$BG/task/$BG/children" 2>/dev/null)
		child=${child%% *}
		case $(cat "/proc/${child:-none}/wchan" 2>/dev/null) in
		*pipe_read* | *pipe_wait*) blocked=yes && break ;;
		esac
		sleep 0.02
	done
	kill -s "$name" "$BG"
	wait_pid_timeout "$BG" 10
	OUT=$(cat "$D/out")
	if [ -n "$child" ] && [ "$RC" = $((128 + num)) ] && [ -z "$OUT" ] && wait_for_no_arg "$MARKER" 5; then
		pass "SIG$name during the setup ($blocked blocked) ends sbx with $((128 + num)), nothing left"
	else
		fail "SIG$name during the setup ends sbx with $((128 + num)), nothing left" \
			"sandbox process: ${child:-none} (blocked: $blocked); output: $OUT" \
			"left: $(pids_with_arg "$MARKER" | tr '\n' ' ')"
	fi
	kill_arg_leftovers "$MARKER"
done

# --- job control on a terminal -------------------------------------------------

PY=$(command -v python3 || true)
if [ -z "$PY" ] || ! "$PY" -c 'import pty, select' 2>/dev/null; then
	skip "job control in an interactive bash inside sbx" "no python3 with pty"
	skip "^Z stops sbx itself, fg resumes it" "no python3 with pty"
elif ! [ -x /bin/bash ] && ! [ -x /usr/bin/bash ]; then
	skip "job control in an interactive bash inside sbx" "no bash under /usr"
	skip "^Z stops sbx itself, fg resumes it" "no bash under /usr"
else
	# The sleeps carry their own number so that only ours are waited for.
	S=$((300 + $$ % 1000))
	# Quoted here-documents: pty-run reads them as written; @S@ is the number.
	sed "s/@S@/$S/g" >"$WORK/inner.pty" <<'EOF'
expect sbx-pty\$ $
send sleep @S@\r
running sleep @S@
send \x03
noproc sleep @S@
expect sbx-pty\$ $
alive
send echo alive-$((6*7))\r
expect alive-42\r\n
expect sbx-pty\$ $
send sleep @S@\r
running sleep @S@
send \x1a
expect \[1\]\+\s+Stopped\s+sleep @S@\r\n
expect sbx-pty\$ $
proc sleep @S@
send jobs\r
expect jobs\r\n[\s\S]*?\[1\]\+\s+Stopped\s+sleep @S@\r\n
expect sbx-pty\$ $
send fg\r
expect fg\r\n[\s\S]*?sleep @S@\r\n
running sleep @S@
send \x03
noproc sleep @S@
expect sbx-pty\$ $
send echo back-$((1+1))\r
expect back-2\r\n
expect sbx-pty\$ $
send exit 7\r
exit 7
EOF
	out=$(cd / && timeout -k 5 60 "$PY" "$PTY_RUN" -t 10 -f "$WORK/inner.pty" -- \
		"$SBX" --setenv PS1 'sbx-pty$ ' bash --norc --noprofile -i 2>&1)
	st=$?
	_last_cmd=
	if [ "$st" = 0 ] && printf '%s\n' "$out" | grep -qx '# pty-run: exit status 7'; then
		pass "job control in an interactive bash inside sbx (^C, ^Z, jobs, fg, exit 7)"
	else
		fail "job control in an interactive bash inside sbx (^C, ^Z, jobs, fg, exit 7)" \
			"pty-run status $st" "$out"
	fi

	# sbx run from an interactive shell: ^Z at a plain command stops sbx
	# too; fg gives the terminal back to the command.
	cat >"$WORK/outer.pty" <<'EOF'
expect outer\$ $
send "$SBX" cat\r
running cat
send \x1a
expect \[1\]\+\s+Stopped\s+"\$SBX" cat\r\n
expect outer\$ $
proc cat
send jobs -l\r
expect jobs -l\r\n[\s\S]*?\[1\]\+\s+[0-9]+ Stopped.*"\$SBX" cat\r\n
expect outer\$ $
send fg\r
expect fg\r\n[\s\S]*?"\$SBX" cat\r\n
running cat
send hello-cat\r
expect hello-cat\r\nhello-cat\r\n
send \x03
noproc cat
expect outer\$ $
send echo st=$?\r
expect st=130\r\n
send exit 5\r
exit 5
EOF
	out=$(cd / && timeout -k 5 60 "$PY" "$PTY_RUN" -t 10 -f "$WORK/outer.pty" -- \
		env PS1='outer$ ' bash --norc --noprofile -i 2>&1)
	st=$?
	if [ "$st" = 0 ] && printf '%s\n' "$out" | grep -qx '# pty-run: exit status 5'; then
		pass "^Z stops sbx itself, fg resumes it with the terminal, ^C => 130"
	else
		fail "^Z stops sbx itself, fg resumes it with the terminal, ^C => 130" \
			"pty-run status $st" "$out"
	fi
fi

done_testing
