#!/usr/bin/env bash
# exec-start.sh - the command inherits exactly the same state whichever way
# pid 1 starts it: shared (clone CLONE_VM|CLONE_VFORK after pid 1 gave up its
# privileges, src/exec_start.c) or forked (fork, then a gate that opens once
# pid 1 has given them up). The expected values are those of the fork-only
# sbx before the shared start existed: capability sets, no_new_privs,
# seccomp, signal mask and dispositions, dumpability after exec, fds.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1

# An ASan build always forks (exec_start_can_share() says why).
if grep -q __asan_init "$SBX" 2>/dev/null; then
	asan=1
else
	asan=0
fi

FIELDS='^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp|Seccomp_filters|SigBlk|SigIgn|SigCgt):'
ZERO=0000000000000000

# status_fields FILE: the fields above as "Name=value" words on one line.
status_fields() {
	grep -E "$FIELDS" "$1" | tr -d ' \t' | tr ':' '=' | tr '\n' ' ' | sed 's/ $//'
}

# hex_or A B: A | B (hex) as status prints it.
hex_or() { printf '%016x' $((0x$1 | 0x$2)); }

# What the caller's command ignores, without sbx between (the harness's,
# and SIGUSR2), run as the checks run theirs: run_cmd's timeout(1) catches
# SIGINT and SIGQUIT, so a caller that ignores them (a background job, as
# in .ci/run) does not pass that on.
run_cmd bash -c 'trap "" USR2; exec cat /proc/self/status'
CALLER_IGN=$(printf '%s\n' "$OUT" | awk '/^SigIgn:/ { print $2 }')
# pid 1's bounding set in a new user namespace: every capability.
FULL_BND=$(printf '%016x' $(((1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1)))

# expected_command CAPS: what the command's status said before the shared
# start existed (CAPS: its capability sets, hex). SIGUSR2, ignored by the
# caller (below), stays ignored; SIGPIPE, ignored in pid 1, is not.
expected_command() {
	echo "SigBlk=$ZERO SigIgn=$CALLER_IGN SigCgt=$ZERO CapInh=$1 CapPrm=$1" \
		"CapEff=$1 CapBnd=$1 CapAmb=$1 NoNewPrivs=1 Seccomp=2 Seccomp_filters=1"
}

# check_command DESC CAPS SBX-OPTION...: the command's own status.
check_command() {
	local desc=$1 caps=$2
	shift 2
	run_cmd bash -c 'trap "" USR2; exec "$@"' bash "$SBX" "$@" -- cat /proc/self/status
	printf '%s\n' "$OUT" >"$WORK/status"
	OUT=$(status_fields "$WORK/status") # only these in a failure's report
	expect_eq "$desc: the command's capabilities, no_new_privs, seccomp, signals" \
		"$(expected_command "$caps")" "$OUT"
}

# check_pid1 DESC SHARED SBX-OPTION...: pid 1's status seen from outside.
# SHARED=1: the shared start, whose pid 1 gave up the bounding set and set
# no_new_privs before the clone (the fork's pid 1 kept them: stricter now);
# it must have no signal handler, which the command would run in its memory
# if a signal came between its unblocking and its exec.
check_pid1() {
	local desc=$1 shared=$2 bg cmd pid1 bnd nnp ign cgt
	shift 2
	marker
	"$SBX" "$@" -- sleep "$MARKER" </dev/null >/dev/null 2>&1 &
	bg=$!
	track_pid "$bg"
	_last_cmd="sbx $* -- sleep $MARKER &"
	RC='' OUT='' ERR=''
	for _ in $(seq 200); do
		cmd=$(pids_with_cmdline "sleep $MARKER")
		[ -n "$cmd" ] && break
		sleep 0.05
	done
	if [ -z "$cmd" ]; then
		fail "$desc: the command started"
		kill_arg_leftovers "$MARKER"
		return
	fi
	pid1=$(awk '/^PPid:/ { print $2 }' "/proc/$cmd/status")
	# Not cp: it would copy the mode (0444), and the next cp could not
	# write over it (but as root), comparing the first pid 1 again.
	cat "/proc/$pid1/status" >"$WORK/pid1"
	# What the background job's command ignores (SIGINT, SIGQUIT too).
	ign=$(awk '/^SigIgn:/ { print $2 }' "/proc/$cmd/status")
	kill -KILL "$cmd"
	wait "$bg" 2>/dev/null
	if [ "$shared" = 1 ]; then
		bnd=$ZERO nnp=1 cgt=$ZERO
	else
		# A forked command runs in its own memory: a handler (ASan's)
		# in pid 1 is no matter.
		bnd=$FULL_BND nnp=0 cgt=$(awk '/^SigCgt:/ { print $2 }' "$WORK/pid1")
	fi
	# sigwaitinfo() shows an empty mask; pid 1 also ignores SIGPIPE.
	OUT=$(status_fields "$WORK/pid1")
	expect_eq "$desc: pid 1 holds no capability, no handler (shared start: $shared)" \
		"SigBlk=$ZERO SigIgn=$(hex_or "$ign" 1000) SigCgt=$cgt CapInh=$ZERO CapPrm=$ZERO CapEff=$ZERO CapBnd=$bnd CapAmb=$ZERO NoNewPrivs=$nnp Seccomp=0 Seccomp_filters=0" \
		"$OUT"
}

# --- the shared start: defaults and options that keep it -----------------------------
shared=$((1 - asan))
for opts in "" "--share-net" "--bind /tmp" "--ro-bind /tmp" "--userns single" "--share-pid" \
	"--pass-fd 0" "--setenv X 1 --unsetenv HOME --clearenv"; do
	# shellcheck disable=SC2086 # the options are words
	check_command "[${opts:-defaults}]" "$ZERO" $opts
	# shellcheck disable=SC2086
	check_pid1 "[${opts:-defaults}]" "$shared" $opts
done

# --- the forked start: pid 1 keeps what the command raises until it has --------------
check_command "[--cap-add CAP_NET_RAW]" 0000000000002000 --cap-add CAP_NET_RAW
check_pid1 "[--cap-add CAP_NET_RAW]" 0 --cap-add CAP_NET_RAW

# --- what no /proc/self/status shows ---------------------------------------------------
# Dumpable again after exec (pid 1, which the shared command runs in until
# then, is not), and only 0, 1, 2 and --pass-fd open.
if command -v python3 >/dev/null; then
	run_sbx --pass-fd 0 -- python3 -c \
		'import ctypes, os; print(ctypes.CDLL(None).prctl(3, 0, 0, 0, 0), sorted(os.listdir("/proc/self/fd")))'
	expect_out "the command is dumpable after exec and has only fds 0-2 (+ the listing's own)" \
		"1 ['0', '1', '2', '3']"
else
	skip "the command is dumpable after exec" "no python3"
fi
# The environment the options make, and the caller's, reach the command.
run_cmd env SBXTEST_KEEP=kept "$SBX" --setenv SBXTEST_SET set --unsetenv SBXTEST_GONE -- \
	sh -c 'echo "$SBXTEST_KEEP $SBXTEST_SET ${SBXTEST_GONE-unset}"'
expect_out "--setenv/--unsetenv and the caller's environment reach the command" "kept set unset"
# An exec failure is still reported by the command itself, once.
run_sbx -- /nonexistent-exec-start
expect_error "a missing command: 127 and one line" 127 "^sbx: cannot run '/nonexistent-exec-start': No such file or directory$"
run_sbx -- /
expect_error "a directory as the command: 126 and one line" 126 "^sbx: cannot run '/': Permission denied$"

# A script without "#!": execvp() runs it with /bin/sh, copying argv onto
# the stack, which the shared start's stack of its own must hold too.
printf 'echo ran "$#"\n' >"$WORK/noshebang"
chmod 755 "$WORK/noshebang"
# shellcheck disable=SC2046 # 100000 words
run_sbx --ro-bind "$WORK:/w" -- /w/noshebang $(seq 100000)
expect_out "a script without #! and 100000 arguments runs (execvp's argv copy fits)" "ran 100000"

# A command stuck on its way to exec: pid 1 sleeps until the shared command
# has exec'd and cannot pass a signal on, so until then a signal to sbx must
# end the setup (sbx: 128+N), as it did with the fork (whose pid 1 passed
# SIGTERM on to the command waiting in execve()). The stuck file system
# answers only interrupts, like a hard NFS mount whose server is gone.
STALL=$WORK/stall
mkdir -p "$STALL/mnt"
if command -v fusermount3 >/dev/null && [ -c /dev/fuse ]; then
	exec {stall_fd}< <(exec python3 "$TESTS_SRCDIR/helpers/fuse-stall.py" "$STALL/mnt" "$WORK/stall-report")
	stall_pid=$!
	track_pid "$stall_pid"
	at_exit "kill $stall_pid 2>/dev/null; fusermount3 -u -z '$STALL/mnt' 2>/dev/null"
	read -r -t 10 -u "$stall_fd" stall_state || stall_state=none
else
	stall_state=none
fi
if [ "$stall_state" = mounted ]; then
	"$SBX" --bind "$STALL:/w" -- /w/mnt/prog </dev/null >"$WORK/stall-out" 2>&1 &
	stall_sbx=$!
	track_pid "$stall_sbx"
	_last_cmd="sbx --bind STALL:/w -- /w/mnt/prog & kill -TERM \$sbx_pid (execve stuck in a lookup)"
	if wait_for_file "$WORK/stall-report" 10 && [ "$(cat "$WORK/stall-report")" = "1 prog" ]; then
		kill -TERM "$stall_sbx"
		wait_pid_timeout "$stall_sbx" 10
		expect_status "SIGTERM to sbx ends a command stuck before its exec (143)" 143
	else
		fail "SIGTERM to sbx ends a command stuck before its exec (143)" \
			"the command never looked up prog: $(cat "$WORK/stall-report" "$WORK/stall-out" 2>&1)"
	fi
else
	skip "SIGTERM to sbx ends a command stuck before its exec (143)" "no FUSE mount here (fusermount3)"
fi

done_testing
