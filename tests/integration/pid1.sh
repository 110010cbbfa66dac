#!/usr/bin/env bash
# pid1.sh - the sandbox's pid 1 keeps nothing it does not need: not the
# caller's open files, not its capabilities (or the sandbox does not start);
# under --share-pid it kills what the command left, and nothing else.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1

CAPFAIL=$(dirname "$SBX")/tests/helpers/capfail.so

# wait_for_cmdline "ARGS" SECONDS: wait until a process runs exactly ARGS.
wait_for_cmdline() {
	local end=$((SECONDS + $2))
	while [ -z "$(pids_with_cmdline "$1")" ]; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.05
	done
	return 0
}

# --- the caller's fds ----------------------------------------------------------
# A pipe the caller left open (not --pass-fd) reaches sbx as fd 7. The command
# never had it; once sbx itself is gone (--no-die-with-parent, SIGKILL), pid 1
# is the only other process that could hold it: its reader must see EOF while
# the sandbox still runs.
marker
mkfifo "$WORK/fifo"
cat "$WORK/fifo" >/dev/null &
reader=$!
track_pid "$reader"
"$SBX" --no-die-with-parent -- sleep "$MARKER" 7>"$WORK/fifo" </dev/null >/dev/null 2>&1 &
bg=$!
track_pid "$bg"
_last_cmd="sbx --no-die-with-parent -- sleep $MARKER 7>FIFO & kill -KILL \$sbx_pid"
RC='' OUT='' ERR=''
if wait_for_cmdline "sleep $MARKER" 10; then
	kill -KILL "$bg"
	wait "$bg" 2>/dev/null
	wait_pid_timeout "$reader" 10
	expect_status "pid 1 closed the caller's pipe: its reader gets EOF once sbx is gone" 0
	[ -n "$(pids_with_cmdline "sleep $MARKER")" ]
	ok $? "...while the sandbox still runs"
else
	fail "the sandbox's command started"
	skip "...while the sandbox still runs" "it did not start"
fi
kill_arg_leftovers "$MARKER"

# The same fd, passed with --pass-fd: the command has it, pid 1 does not need it.
run_sbx --pass-fd 7 -- sh -c 'echo via-7 >&7' 7>"$WORK/passed"
expect_eq "--pass-fd 7 still reaches the command" "via-7" "$(cat "$WORK/passed")"

# --- sbx's own files on fds 0-2 ----------------------------------------------------
# With the caller's stdin and stdout closed, sbx's own files take fds 0 and 1
# (--name: its control socket, its state directory: a host directory whose
# ".." leads out). pid 1 keeps 0-2 for the terminal, but not those.
if [ "$(id -u)" = 0 ]; then
	mkdir -m 0700 "$WORK/rt"
	marker
	XDG_RUNTIME_DIR=$WORK/rt bash -c 'exec "$@" <&- >&-' _ "$SBX" --name "fds-$$" \
		sleep "$MARKER" 2>/dev/null &
	bg=$!
	track_pid "$bg"
	if wait_for_cmdline "sleep $MARKER" 10; then
		cmd=$(pids_with_cmdline "sleep $MARKER")
		p1=$(awk '/^PPid:/ { print $2 }' "/proc/$cmd/status")
		sbx_fds=$(for f in "/proc/$bg/fd/"*; do readlink "$f"; done)
		bad=
		for fd in 0 1 2; do
			t=$(readlink "/proc/$p1/fd/$fd" 2>/dev/null) || continue
			case $t in "$WORK/rt"*) bad="$bad $fd:$t" ;; esac
			[[ $t == socket:* ]] && printf '%s\n' "$sbx_fds" | grep -qxF "$t" && bad="$bad $fd:$t"
		done
		expect_eq "pid 1 keeps none of sbx's own files that took fds 0-2 (state directory, control socket)" \
			"" "$bad"
	else
		fail "the sandbox with stdin and stdout closed started"
	fi
	kill "$bg" 2>/dev/null
	wait "$bg" 2>/dev/null
	kill_arg_leftovers "$MARKER"
else
	skip "sbx's own files on pid 1's fds 0-2" "only root may read pid 1's fds"
fi

# --- capabilities ----------------------------------------------------------------
# capfail.so makes capset() fail in the process whose pid is 1: pid 1
# must not go on with capabilities it meant to drop, nor let the command run.
if [ -e "$CAPFAIL" ]; then
	run_cmd env LD_PRELOAD="$CAPFAIL" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"$SBX" --bind "$WORK:/w" --unsetenv LD_PRELOAD -- sh -c "echo the-command-ran; touch /w/ran"
	expect_error "pid 1 cannot drop its capabilities: 125, one line" 125 \
		'^sbx: pid 1: cannot drop its capabilities: Operation not permitted$'
	[ ! -e "$WORK/ran" ]
	ok $? "...and the command never ran"
	run_cmd env LD_PRELOAD="$CAPFAIL" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"$SBX" --share-pid --unsetenv LD_PRELOAD -- echo shim-not-pid-1
	expect_out "the shim fails nothing where pid 1 is not 1 (--share-pid)" shim-not-pid-1
else
	for t in 1 2 3; do skip "capability drop failure $t" "no $CAPFAIL"; done
fi

# --- --share-pid ---------------------------------------------------------------------
# What the command leaves behind, even a daemon in its own session, ends
# with it; a process of the same user outside the sandbox does not.
marker
sleep "$MARKER" </dev/null >/dev/null 2>&1 &
outsider=$!
track_pid "$outsider"
run_sbx --share-pid -- sh -c "setsid sleep $MARKER </dev/null >/dev/null 2>&1 & sleep $MARKER & exit 4"
# sbx returns once pid 1 has killed them and seen them end.
if [ "$RC" = 4 ] && [ "$(pids_with_cmdline "sleep $MARKER")" = "$outsider" ]; then
	pass "--share-pid: what the command left is killed, the caller's own process is not"
else
	fail "--share-pid: what the command left is killed, the caller's own process is not" \
		"left running: $(pids_with_cmdline "sleep $MARKER" | tr '\n' ' ') (outsider: $outsider)"
fi
kill_arg_leftovers "$MARKER"

# pid 1 finds what is left in /proc, which is in the sandbox's mount
# namespace: the command must not be able to show it a /proc of its own
# making that names a process of the caller as one of the sandbox's.
run_sbx --share-pid --tmpfs /proc -- sh -c 'echo the-command-ran'
expect_error "--share-pid with /proc covered: 125, one line, before the command runs" 125 \
	'^sbx: --share-pid: /proc is not procfs: pid 1 could not end what the command leaves behind$'

# forge_stat DIR: a stat file in DIR that names the outsider as pid 1's child.
forge='mkdir -p "$1" && echo "$2 (sleep) S $PPID 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 4242 0 0" >"$1/stat"'
marker
sleep "$MARKER" </dev/null >/dev/null 2>&1 &
outsider=$!
track_pid "$outsider"
run_sbx --share-pid --cap-add CAP_SYS_ADMIN -- sh -c \
	"forge() { $forge; }; mount -t tmpfs none /proc && forge /proc/$outsider $outsider && echo forged"
expect_run "--share-pid: the command mounts a /proc of its own naming a caller's process" 0 forged
kill -0 "$outsider" 2>/dev/null
ok $? "...which pid 1 does not kill"
kill_arg_leftovers "$MARKER"
marker
sleep "$MARKER" </dev/null >/dev/null 2>&1 &
outsider=$!
track_pid "$outsider"
run_sbx --share-pid --cap-add CAP_SYS_ADMIN -- sh -c \
	"forge() { $forge; }; mount -t tmpfs none /proc/$outsider && forge /proc/$outsider $outsider && echo forged"
expect_run "--share-pid: the command mounts a forged stat over /proc/PID of a caller's process" 0 forged
kill -0 "$outsider" 2>/dev/null
ok $? "...which pid 1 does not kill either"
kill_arg_leftovers "$MARKER"

done_testing
