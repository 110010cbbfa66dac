#!/usr/bin/env bash
# exit-codes.sh - sbx's exit status: the command's, 128+signal, 125 for its
# own failures (with one line on stderr), 126 cannot execute, 127 not found;
# a failed setup leaves no process behind.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1

# --- the command's status ------------------------------------------------------

for st in 0 1 42 125 126 127 255; do
	run_sbx sh -c "exit $st"
	if [ "$RC" = "$st" ] && [ -z "$ERR" ]; then
		pass "exit $st of the command is sbx's status, with nothing on stderr"
	else
		fail "exit $st of the command is sbx's status, with nothing on stderr"
	fi
done

run_sbx true
expect_status "true => 0" 0
run_sbx false
expect_status "false => 1" 1

for sig in KILL:9 TERM:15 SEGV:11 HUP:1; do
	name=${sig%:*} num=${sig#*:}
	run_sbx sh -c "kill -$name \$\$"
	expect_status "the command killed by SIG$name => $((128 + num))" $((128 + num))
done

run_sbx sh -c 'echo to-out; echo to-err >&2; exit 3'
[ "$RC" = 3 ] && [ "$OUT" = to-out ] && [ "$ERR" = to-err ]
ok $? "the command's stdout and stderr pass through unchanged"

got=$(printf 'line1\nline2\n' | timeout 20 "$SBX" sh -c 'cat; echo end')
expect_eq "the command's stdin is the caller's" "line1
line2
end" "$got"

# --- cannot execute, not found -------------------------------------------------

make_temp_dir
D=$TMPD
printf '#!/bin/sh\necho should-not-run\n' >"$D/noexec"
chmod 644 "$D/noexec"
mkdir "$D/dir"

run_sbx --ro-bind "$D:/w" /w/noexec
expect_error "a file without execute permission => 126" 126 "/w/noexec"
run_sbx --ro-bind "$D:/w" /w/dir
expect_error "a directory as the command => 126" 126 "/w/dir"
run_sbx --ro-bind "$D:/w" --chdir /w ./noexec
expect_error "./noexec relative to the start directory => 126" 126 "noexec"

run_sbx sbx-no-such-command-xyz
expect_error "a command not in PATH => 127" 127 "sbx-no-such-command-xyz"
run_sbx /nonexistent/cmd
expect_error "an absolute path that does not exist => 127" 127 "/nonexistent/cmd"
run_sbx --ro-bind "$D:/w" /w/noexec/x
expect_error "a path through a non-directory => 127" 127 "/w/noexec/x"

# The exec error travels from the command's process to sbx while pid 1 reports
# that it started the command: run it many times so that an ordering race
# between the two shows up as a failure, not as a rare flake.
repeat_status() { # DESCRIPTION COUNT EXPECTED-STATUS SBX-ARG...
	local desc=$1 count=$2 want=$3 i
	shift 3
	_last_cmd=$(printf '%q ' "$SBX" "$@")
	OUT=
	for i in $(seq "$count"); do
		timeout -k 5 "$SBX_TIMEOUT" "$SBX" "$@" >/dev/null 2>"$WORK/.err" </dev/null
		RC=$?
		ERR=$(cat "$WORK/.err")
		if [ "$RC" != "$want" ] || [ "$(printf '%s' "$ERR" | grep -c '')" != 1 ]; then
			fail "$desc" "run $i of $count: expected status $want and one stderr line"
			return
		fi
	done
	pass "$desc"
}
repeat_status "100 runs of a missing command: always 127 and one line" 100 127 /nonexistent/cmd
repeat_status "50 runs of a non-executable file: always 126 and one line" 50 126 \
	--ro-bind "$D:/w" /w/noexec

# --- sbx's own errors: 125 and exactly one line --------------------------------

run_sbx --bind /nope true
expect_error "--bind /nope => 125 and exactly 'sbx: --bind /nope: No such file or directory'" 125 \
	'^sbx: --bind /nope: No such file or directory$'
run_sbx --ro-bind /nope:/x true
expect_error "--ro-bind /nope:/x => 125, one line naming it" 125 '^sbx: --ro-bind /nope.*: No such file or directory$'
run_sbx --bind "$D/noexec:/usr/sbx-test-new" true
expect_error "a new DEST inside read-only /usr => 125, one line" 125 '^sbx: --bind .*/usr/sbx-test-new.*: Read-only file system$'
run_sbx --bind "$D:/" true
expect_error "DEST / => 125, one line" 125 '^sbx: --bind '
run_sbx --chdir /nonexistent true
expect_error "--chdir to a missing directory => 125, one line" 125 '^sbx: --chdir /nonexistent: No such file or directory$'
run_sbx --tmpfs /proc/sbx-test true
expect_error "--tmpfs where no directory can be made => 125, one line" 125 '^sbx: --tmpfs /proc/sbx-test: '

bad_opts=(
	"--bogus"
	"-x"
	"-vx"
	"--uid abc"
	"--uid 65535"
	"--uid 4294967295"
	"--uid -1"
	"--gid 65535"
	"--net foo"
	"--cap-add bogus"
	"--cap-add chown,bogus"
	"--time-offset foo=1"
	"--time-offset monotonic=abc"
	"--time-offset monotonic"
	"--time-offset="
	"--hostname="
	"--hostname $(printf 'h%.0s' $(seq 65))"
	"--share-time --time-offset monotonic=1"
	"--share-uts --hostname x"
	"--setenv A=B c"
	"--setenv"
	"--unsetenv ="
	"--pass-fd x"
	"--bind :/x"
	"--bind /tmp:"
	"--bind="
	"--clearenv=1"
)
for o in "${bad_opts[@]}"; do
	# Word splitting of $o is intended: each entry is an option and its words.
	# shellcheck disable=SC2086
	run_sbx $o true
	expect_error "bad option '$o' => 125 and one line" 125 '^sbx: '
done

for o in --uid --bind --setenv --chdir; do
	run_sbx $o
	expect_error "'$o' with its argument missing at the end => 125 and one line" 125 "^sbx: $o"
done

# --- a failed setup leaves nothing behind ---------------------------------------

for args in "--bind /nope" "--bind $D/noexec:/usr/sbx-test-new" "--chdir /nonexistent"; do
	marker
	# shellcheck disable=SC2086
	run_sbx $args sleep "$MARKER"
	if [ "$RC" = 125 ] && wait_for_no_arg "$MARKER" 3; then
		pass "after a failed setup ($args) no process is left"
	else
		fail "after a failed setup ($args) no process is left" \
			"left: $(for p in $(pids_with_arg "$MARKER"); do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done)"
	fi
done

marker
run_sbx sbx-no-such-command-xyz "$MARKER"
if [ "$RC" = 127 ] && wait_for_no_arg "$MARKER" 3; then
	pass "after a command that is not found no process is left"
else
	fail "after a command that is not found no process is left"
fi

done_testing
