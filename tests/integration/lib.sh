# lib.sh - a small TAP library for sbx's integration tests (bash).
#
# A test script does:
#   . "$(dirname "$0")/lib.sh"      (or "$TESTS_SRCDIR/integration/lib.sh")
#   require_userns
#   run_sbx ARGS...;  expect_status "what" 0;  expect_eq "what" "$expected" "$OUT"
#   ...
#   done_testing
#
# Environment: SBX (absolute path of the sbx binary under test), TESTS_SRCDIR
# (the source tree's tests/ directory), SBX_MUST_WORK=1 to turn "user
# namespaces do not work here" into a failure instead of a skip.
# The plan is printed at the end (done_testing), so a script that dies half
# way is reported as an error by the TAP driver.

set -u
export LC_ALL=C

: "${SBX:?SBX must name the sbx binary under test}"
case $SBX in
/*) ;;
*) SBX=$(cd "$(dirname "$SBX")" && pwd)/$(basename "$SBX") ;;
esac
export SBX
: "${TESTS_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export TESTS_SRCDIR
FDCHECK=$(dirname "$SBX")/tests/helpers/fdcheck
PTY_RUN=$TESTS_SRCDIR/helpers/pty-run.py
# Longest a single sbx run may take before the test gives up on it.
SBX_TIMEOUT=${SBX_TIMEOUT:-20}

_tap_n=0
_tap_failed=0
_tap_cleanup_dirs=()
_tap_cleanup_pids=()
_tap_cleanup_cmds=()

# --- output ------------------------------------------------------------------

# diag TEXT...: print TEXT as TAP comment lines (each line gets "# ").
diag() {
	local line
	while IFS= read -r line || [ -n "$line" ]; do
		printf '# %s\n' "$line"
	done <<<"$*"
}

# diag_value NAME VALUE: a labelled, possibly multi-line value.
diag_value() {
	if [ -z "$2" ]; then
		printf '#   %s: (empty)\n' "$1"
	elif [ "$(printf '%s' "$2" | wc -l)" -eq 0 ]; then
		printf '#   %s: %s\n' "$1" "$2"
	else
		printf '#   %s:\n' "$1"
		local line
		while IFS= read -r line || [ -n "$line" ]; do
			printf '#     | %s\n' "$line"
		done <<<"$2"
	fi
}

pass() {
	_tap_n=$((_tap_n + 1))
	printf 'ok %d - %s\n' "$_tap_n" "$1"
}

# fail DESCRIPTION [DIAGNOSTIC...]
fail() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	printf 'not ok %d - %s\n' "$_tap_n" "$1"
	shift
	local d
	for d in "$@"; do
		diag "  $d"
	done
	_diag_last_run
}

# skip DESCRIPTION REASON
skip() {
	_tap_n=$((_tap_n + 1))
	printf 'ok %d - %s # SKIP %s\n' "$_tap_n" "$1" "$2"
}

# ok CONDITION-STATUS DESCRIPTION: pass if the status is 0, as in
#   [ -e file ]; ok $? "file exists"
ok() {
	local st=$1
	shift
	if [ "$st" -eq 0 ]; then pass "$1"; else fail "$@"; fi
}

done_testing() {
	printf '1..%d\n' "$_tap_n"
	if [ "$_tap_failed" -gt 0 ]; then
		diag "$_tap_failed of $_tap_n tests failed"
		exit 1
	fi
	exit 0
}

# --- cleanup -----------------------------------------------------------------

_tap_cleanup() {
	local pid d c
	for c in "${_tap_cleanup_cmds[@]+"${_tap_cleanup_cmds[@]}"}"; do
		eval "$c" || true
	done
	for pid in "${_tap_cleanup_pids[@]+"${_tap_cleanup_pids[@]}"}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
		fi
	done
	for d in "${_tap_cleanup_dirs[@]+"${_tap_cleanup_dirs[@]}"}"; do
		[ -d "$d" ] && rm -rf -- "$d"
	done
	return 0
}
trap _tap_cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# make_temp_dir: make a new temporary directory, removed at exit, and set
# TMPD to its path (not printed: a $(...) subshell could not register it).
make_temp_dir() {
	TMPD=$(mktemp -d "${TMPDIR:-/tmp}/sbx-test.XXXXXX") || {
		echo "Bail out! mktemp failed"
		exit 1
	}
	# Readable by everyone so another user (a single-id test) can use it too.
	chmod 755 "$TMPD"
	_tap_cleanup_dirs+=("$TMPD")
}

# track_pid PID: kill (by pid) and reap it at exit if it is still running.
track_pid() { _tap_cleanup_pids+=("$1"); }

# at_exit COMMAND: run this shell command at exit.
at_exit() { _tap_cleanup_cmds+=("$1"); }

# --- running sbx -------------------------------------------------------------

make_temp_dir
WORK=$TMPD
_last_cmd=
OUT=
ERR=
RC=

# run_sbx ARG...: run "$SBX" ARG... with a timeout; stdin is /dev/null.
# Sets OUT (stdout), ERR (stderr) and RC (exit status; 124 on timeout).
run_sbx() {
	run_cmd "$SBX" "$@"
}

# run_cmd COMMAND [ARG]...: the same for any command (e.g. env X=1 "$SBX" ...).
run_cmd() {
	_last_cmd=$(printf '%q ' "$@")
	timeout -k 5 "$SBX_TIMEOUT" "$@" >"$WORK/.out" 2>"$WORK/.err" </dev/null
	RC=$?
	OUT=$(cat "$WORK/.out")
	ERR=$(cat "$WORK/.err")
	return 0
}

# Print what the last run_sbx/run_cmd did; called for every failure.
_diag_last_run() {
	[ -n "$_last_cmd" ] || return 0
	diag "  last command: $_last_cmd"
	diag "  its exit status: $RC"
	diag_value "  its stdout" "$OUT"
	diag_value "  its stderr" "$ERR"
}

# --- checks ------------------------------------------------------------------

# expect_eq DESCRIPTION EXPECTED GOT
expect_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected: $(printf '%q' "$2")" "got:      $(printf '%q' "$3")"
	fi
}

# expect_ne DESCRIPTION UNEXPECTED GOT
expect_ne() {
	if [ "$2" != "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected anything but: $(printf '%q' "$2")" "got: $(printf '%q' "$3")"
	fi
}

# expect_match DESCRIPTION EXTENDED-REGEX GOT
expect_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		pass "$1"
	else
		fail "$1" "expected a line matching: $2" "got: $(printf '%q' "$3")"
	fi
}

# expect_status DESCRIPTION EXPECTED: compare with $RC of the last run.
expect_status() {
	if [ "$RC" = "$2" ]; then
		pass "$1"
	else
		fail "$1" "expected exit status $2, got $RC"
	fi
}

# expect_run DESCRIPTION EXPECTED-STATUS EXPECTED-STDOUT: both must match.
expect_run() {
	if [ "$RC" = "$2" ] && [ "$OUT" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected exit status $2 and stdout $(printf '%q' "$3")" \
			"got exit status $RC and stdout $(printf '%q' "$OUT")"
	fi
}

# expect_out DESCRIPTION LINE...: the last run exited 0, wrote nothing on
# stderr, and its stdout is exactly LINE... (one per line).
expect_out() {
	local desc=$1 want
	shift
	want=$(printf '%s\n' "$@")
	if [ "$RC" = 0 ] && [ "$OUT" = "$want" ] && [ -z "$ERR" ]; then
		pass "$desc"
	else
		fail "$desc" "expected exit status 0, no stderr and stdout $(printf '%q' "$want")"
	fi
}

# expect_error DESCRIPTION EXPECTED-STATUS MESSAGE-ERE: sbx failed with that
# status and printed exactly one line on stderr, matching the pattern, and
# nothing on stdout.
expect_error() {
	local lines
	lines=$(printf '%s' "$ERR" | grep -c '')
	if [ "$RC" = "$2" ] && [ "$lines" -eq 1 ] && printf '%s\n' "$ERR" | grep -Eq -- "$3" &&
		[ -z "$OUT" ]; then
		pass "$1"
	else
		fail "$1" "expected exit status $2, no stdout and one stderr line matching: $3" \
			"got exit status $RC and $lines stderr line(s)"
	fi
}

# --- helpers -----------------------------------------------------------------

# require_userns: skip the whole file when sbx cannot create its namespaces
# here, unless SBX_MUST_WORK=1, which makes that a failure.
require_userns() {
	local out st
	if [ ! -x "$SBX" ]; then
		echo "1..0 # SKIP $SBX is not an executable file"
		exit 77
	fi
	out=$(cd / && timeout -k 5 "$SBX_TIMEOUT" "$SBX" true 2>&1 </dev/null)
	st=$?
	[ "$st" -eq 0 ] && return 0
	if [ "${SBX_MUST_WORK:-0}" = 1 ]; then
		echo "not ok 1 - sbx can create its namespaces here (SBX_MUST_WORK=1)"
		diag "  '$SBX true' exited with status $st"
		diag_value "  its output" "$out"
		echo "1..1"
		echo "Bail out! user namespaces do not work, and SBX_MUST_WORK=1"
		exit 1
	fi
	echo "1..0 # SKIP sbx cannot create namespaces here (status $st: $(printf '%s' "$out" | head -n 1))"
	exit 77
}

# require_slirp: skip the whole file when "sbx -v --net slirp true" fails here
# (no /dev/net/tun, no libslirp), unless SBX_MUST_WORK=1, which makes that a
# failure. Leaves that run's OUT/ERR/RC for the caller (-v names the helper
# and says whether the TCP bypass is on).
require_slirp() {
	run_sbx -v --net slirp true
	[ "$RC" -eq 0 ] && return 0
	if [ "${SBX_MUST_WORK:-0}" = 1 ]; then
		fail "sbx --net slirp works here (SBX_MUST_WORK=1)"
		done_testing
	fi
	echo "1..0 # SKIP --net slirp does not work here: $ERR"
	exit 77
}

# pids_with_arg WORD: pids of the live processes that have WORD (a unique
# marker) in one of their arguments, found without starting a process that
# would have WORD in its own command line.
pids_with_arg() { _scan_procs arg "$1"; }

# pids_with_cmdline "ARG ARG...": pids of the live processes whose arguments,
# joined by spaces, are exactly that.
pids_with_cmdline() { _scan_procs exact "$1"; }

_scan_procs() {
	local f pid a args
	for f in /proc/[0-9]*/cmdline; do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		[ "$pid" = "$BASHPID" ] && continue
		args=()
		mapfile -d '' -t args 2>/dev/null <"$f" || continue
		# Zombies and kernel threads have an empty cmdline.
		[ "${#args[@]}" -gt 0 ] || continue
		if [ "$1" = exact ]; then
			[ "${args[*]}" = "$2" ] && echo "$pid"
			continue
		fi
		for a in "${args[@]}"; do
			if [[ $a == *"$2"* ]]; then
				echo "$pid"
				break
			fi
		done
	done
}

# wait_for_no_arg WORD SECONDS: wait until no process carries WORD; 0 if so.
wait_for_no_arg() {
	local end=$((SECONDS + $2))
	while [ -n "$(pids_with_arg "$1")" ]; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
	return 0
}

# kill_arg_leftovers WORD: SIGKILL, by pid, the processes a test started that
# carry the marker WORD (used to clean up after a failure).
kill_arg_leftovers() {
	local pid
	for pid in $(pids_with_arg "$1"); do
		kill -KILL "$pid" 2>/dev/null
	done
}

# marker: a number unique to this test run, usable as "sleep $(marker)".
_marker_n=0
marker() {
	_marker_n=$((_marker_n + 1))
	MARKER=$((700000000 + ($$ % 100000) * 100 + _marker_n))
	# Whatever carries it is ours: kill it at exit if it is still around.
	at_exit "kill_arg_leftovers $MARKER"
}

# wait_for_file PATH SECONDS: wait until PATH exists; 0 if it does.
wait_for_file() {
	local end=$((SECONDS + $2))
	while [ ! -e "$1" ]; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.02
	done
	return 0
}

# wait_pid_timeout PID SECONDS: wait for a background job; sets RC (124 on
# timeout, after killing it by pid).
wait_pid_timeout() {
	local end=$((SECONDS + $2))
	while kill -0 "$1" 2>/dev/null; do
		if [ "$SECONDS" -ge "$end" ]; then
			kill -KILL "$1" 2>/dev/null
			wait "$1" 2>/dev/null
			RC=124
			return 0
		fi
		# Reaped already? kill -0 also succeeds for our zombies.
		if [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; then
			break
		fi
		sleep 0.02
	done
	wait "$1"
	RC=$?
	return 0
}

# The caller's ids, which keep-id should show inside.
MY_UID=$(id -u)
MY_GID=$(id -g)
