#!/usr/bin/env bash
# options.sh - environment options, file descriptors (--pass-fd, no leaks),
# time offsets, --verbose, --version, --help and command-line parsing.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1

make_temp_dir
D=$TMPD

# --- environment ---------------------------------------------------------------

run_cmd env SBX_TEST_HOSTVAR=from-host "$SBX" sh -c 'echo "$SBX_TEST_HOSTVAR"'
expect_run "the caller's environment reaches the command" 0 "from-host"

run_sbx --setenv SBX_A 'two words=and equals' sh -c 'printf "%s\n" "$SBX_A"'
expect_run "--setenv VAR VALUE (VALUE with spaces and =)" 0 "two words=and equals"

run_cmd env SBX_A=old "$SBX" --setenv SBX_A new sh -c 'echo "$SBX_A"'
expect_run "--setenv overrides the caller's value" 0 "new"

run_sbx --setenv SBX_E '' sh -c 'echo "${SBX_E-unset}|${#SBX_E}"'
expect_run "--setenv VAR '' sets an empty value" 0 "|0"

run_cmd env SBX_U=1 SBX_KEEP=2 "$SBX" --unsetenv SBX_U sh -c 'echo "${SBX_U-unset} ${SBX_KEEP-unset}"'
expect_run "--unsetenv VAR removes it, and only it" 0 "unset 2"

run_cmd env SBX_U=1 "$SBX" --setenv SBX_U 2 --unsetenv SBX_U sh -c 'echo "${SBX_U-unset}"'
expect_run "--setenv then --unsetenv: applied in order" 0 "unset"

run_cmd env SBX_U=1 "$SBX" --clearenv /usr/bin/env
expect_run "--clearenv: the command's environment is empty" 0 ""

run_cmd env SBX_U=1 "$SBX" --clearenv --setenv ONLY 1 --setenv PATH /usr/bin:/bin env
expect_run "--clearenv --setenv: only what is set after it" 0 "ONLY=1
PATH=/usr/bin:/bin"

run_cmd env SBX_U=1 "$SBX" --setenv EARLY 1 --clearenv /usr/bin/env
expect_run "--clearenv cancels an earlier --setenv" 0 ""

run_sbx --root sh -c 'echo "$HOME|$PATH"'
expect_run "HOME and PATH stay the caller's, also with --root" 0 "$HOME|$PATH"

run_sbx --setenv PATH /nonexistent sh -c true
expect_error "the command is looked up in the final PATH" 127 "sh"

run_cmd env SHELL=/bin/sh "$SBX"
expect_run "no command: \$SHELL is run (here /bin/sh, stdin /dev/null => exits 0)" 0 ""
out=$(echo 'echo from-$((40+2))' | SHELL=/bin/sh timeout 20 "$SBX" 2>&1)
expect_eq "no command: \$SHELL reads its commands from stdin" "from-42" "$out"

# --- file descriptors ------------------------------------------------------------

if [ -x "$FDCHECK" ]; then
	FD=(--ro-bind "$FDCHECK:/tmp/fdcheck")
	fds_line() { printf '%s\n' "$OUT" | sort -n | tr '\n' ' ' | sed 's/ $//'; }

	run_sbx "${FD[@]}" /tmp/fdcheck
	expect_eq "only fds 0 1 2 reach the command" "0 1 2" "$(fds_line)"

	echo pass-me >"$D/fdfile"
	exec 7<"$D/fdfile" 100<"$D/fdfile"
	run_sbx "${FD[@]}" /tmp/fdcheck
	expect_eq "fds 7 and 100 open in the caller do not leak in" "0 1 2" "$(fds_line)"

	run_sbx --pass-fd 7 "${FD[@]}" /tmp/fdcheck
	expect_eq "--pass-fd 7 lets fd 7 through (and only it)" "0 1 2 7" "$(fds_line)"

	run_sbx --pass-fd 7 --pass-fd 100 bash -c 'cat <&7; cat <&100'
	expect_run "--pass-fd 7 --pass-fd 100: both are the caller's open files" 0 "pass-me
pass-me"
	exec 7<&- 100<&-

	run_sbx --pass-fd 9 true
	expect_error "--pass-fd 9 when fd 9 is not open => 125, one line" 125 '^sbx: --pass-fd 9'

	exec 8>"$D/fd8"
	run_sbx "${FD[@]}" --pass-fd 8 sh -c '/tmp/fdcheck; echo via-8 >&8'
	expect_eq "--pass-fd 8 with a writable fd: the command can write to it" "via-8" "$(cat "$D/fd8")"
	exec 8>&-
else
	for t in 1 2 3 4 5 6; do skip "fd test $t" "no fdcheck helper at $FDCHECK"; done
fi

# --- time namespace ------------------------------------------------------------

norm() { printf '%s\n' "$1" | awk '{ print $1, $2, $3 }'; }
run_sbx cat /proc/self/timens_offsets
expect_eq "without --time-offset the offsets are 0" "monotonic 0 0
boottime 0 0" "$(norm "$OUT")"

run_sbx --time-offset monotonic=86400,boottime=172800 sh -c 'cat /proc/self/timens_offsets; cat /proc/uptime'
outside=$(cut -d' ' -f1 /proc/uptime)
got=$(norm "$(printf '%s\n' "$OUT" | head -n 2)")
if [ "$RC" = 0 ] && [ "$got" = "monotonic 86400 0
boottime 172800 0" ]; then
	pass "--time-offset monotonic=86400,boottime=172800 shows in timens_offsets"
else
	fail "--time-offset monotonic=86400,boottime=172800 shows in timens_offsets" \
		"expected 'monotonic 86400 0' and 'boottime 172800 0', got: $got"
fi
inside=$(printf '%s\n' "$OUT" | sed -n 3p | cut -d' ' -f1)
if awk -v i="$inside" -v o="$outside" 'BEGIN { d = i - o; exit !(d >= 172800 - 1 && d < 172800 + 60) }'; then
	pass "/proc/uptime inside is 172800 s ahead ($inside vs $outside)"
else
	fail "/proc/uptime inside is 172800 s ahead" "inside: $inside, outside: $outside"
fi

if [ -x /usr/bin/python3 ]; then
	clock='import time; print(int(time.clock_gettime(time.CLOCK_MONOTONIC)), int(time.clock_gettime(time.CLOCK_BOOTTIME)))'
	run_sbx --time-offset monotonic=86400,boottime=172800 /usr/bin/python3 -c "$clock"
	read -r om ob < <(/usr/bin/python3 -c "$clock")
	read -r im ib <<<"$OUT"
	if [ "$RC" = 0 ] && [ $((im - om)) -ge 86399 ] && [ $((im - om)) -le 86460 ] &&
		[ $((ib - ob)) -ge 172799 ] && [ $((ib - ob)) -le 172860 ]; then
		pass "CLOCK_MONOTONIC and CLOCK_BOOTTIME read shifted inside"
	else
		fail "CLOCK_MONOTONIC and CLOCK_BOOTTIME read shifted inside" \
			"outside: $om $ob, inside: ${im:-?} ${ib:-?}"
	fi
else
	skip "CLOCK_MONOTONIC and CLOCK_BOOTTIME read shifted inside" "no /usr/bin/python3"
fi

run_sbx --time-offset boottime=100 --time-offset monotonic=-5 cat /proc/self/timens_offsets
expect_eq "--time-offset repeated, one clock each, negative allowed" "monotonic -5 0
boottime 100 0" "$(norm "$OUT")"

run_sbx --share-time --time-offset monotonic=86400 true
expect_error "--share-time with --time-offset => 125, one line" 125 '^sbx: .*time'
run_sbx --time-offset monotonic=86400 --share-time true
expect_error "--time-offset then --share-time => 125 too" 125 '^sbx: .*time'

# --- --verbose -----------------------------------------------------------------

run_sbx true
expect_eq "without -v sbx prints nothing" "" "$ERR"
run_sbx -v true
if [ "$RC" = 0 ] && printf '%s\n' "$ERR" | grep -q '^sbx: .*uid map' &&
	! printf '%s\n' "$ERR" | grep -vq '^sbx: '; then
	pass "-v prints the id maps, every line starting with 'sbx:'"
else
	fail "-v prints the id maps, every line starting with 'sbx:'"
fi
run_sbx -v -v --share-net true
if [ "$RC" = 0 ] && printf '%s\n' "$ERR" | grep -q '^sbx: net namespace: host' &&
	printf '%s\n' "$ERR" | grep -q '^sbx: pid namespace: new'; then
	pass "-v -v also says which namespaces are new and which are the host's"
else
	fail "-v -v also says which namespaces are new and which are the host's"
fi

# --- --version, --help, parsing ----------------------------------------------------

run_sbx --version
expect_run "--version prints 'sbx 0.1.0'" 0 "sbx 0.1.0"
run_sbx --version --bogus
expect_run "--version acts at once: later options are not looked at" 0 "sbx 0.1.0"

run_sbx --help
help=$OUT
missing=
for o in bind ro-bind tmpfs chdir hostname setenv unsetenv clearenv net share-net share-pid \
	share-ipc share-uts share-cgroup share-time time-offset uid gid root cap-add pass-fd \
	die-with-parent no-die-with-parent home profile print-config verbose version help; do
	printf '%s\n' "$help" | grep -q -- "--$o\b" || missing="$missing --$o"
done
if [ "$RC" = 0 ] && [ -z "$ERR" ] && [ -z "$missing" ] && printf '%s\n' "$help" | grep -q '^Usage: sbx'; then
	pass "--help exits 0, prints usage on stdout and mentions every option"
else
	fail "--help exits 0, prints usage on stdout and mentions every option" "missing:${missing:- none}"
fi
run_sbx -h
expect_run "-h is --help" 0 "$help"

run_sbx -- sh -c 'echo after-dashes'
expect_run "-- ends the options" 0 "after-dashes"
run_sbx echo --help --bogus -v
expect_run "words after the command are its own, not sbx's" 0 "--help --bogus -v"
run_sbx --hostname=eqform hostname
expect_run "--opt=VALUE form" 0 "eqform"
run_sbx --uid 10 --uid 20 id -u
expect_run "an option given twice: the last one wins" 0 "20"

# --- the verb rule: a verb only as the very first argument --------------------

run_sbx run -- sh -c 'echo explicit'
expect_out "sbx run -- COMMAND: the explicit form" explicit
run_sbx run --hostname r hostname
expect_out "sbx run OPTION... COMMAND: options after run are sbx's" r
run_sbx run
expect_run "sbx run alone: the shell, as sbx alone" 0 ""
run_sbx ls -l /usr/src
expect_error "sbx ls -l DIR: the verb ls, which refuses the arguments of the command ls with a one-line hint" \
	125 "sbx ls: unexpected argument '-l'; to run the command ls in a sandbox, write: sbx -- ls -l /usr/src"
for v in ps enter stop kill logs doctor; do
	run_sbx "$v" --bogus-for-sure
	case $RC/$ERR in
	"125/sbx $v: unexpected argument '--bogus-for-sure'; to run the command $v in a sandbox, write: sbx -- $v --bogus-for-sure")
		pass "sbx $v --bogus: the verb, with the one-line hint to write sbx -- $v" ;;
	*) fail "sbx $v --bogus: the verb, with the one-line hint to write sbx -- $v" "$RC/$ERR" ;;
	esac
done
run_sbx -- ls -d /usr
expect_out "sbx -- ls: the command ls, no hint" /usr
run_sbx -v ls -d /usr
expect_match "sbx -v ls: a verb only as the first argument, no hint" '^/usr$' "$OUT"
expect_eq "... and no hint on stderr" "" "$(printf '%s\n' "$ERR" | grep reserved)"
run_sbx run ls -d /usr
expect_out "sbx run ls: the command ls, no hint" /usr
run_sbx -- run
expect_error "sbx -- run: the command named run (not found: 127)" 127 'run'
comp() { # the bash completions for the words "$@", the last being completed
	bash --norc --noprofile -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _sbx; printf "%s\n" "${COMPREPLY[@]}"' \
		comp "$TESTS_SRCDIR/../completions/sbx" "$@" 2>&1
}
expect_match "completion: the first word can be the verb run" '^run$' "$(comp sbx ru)"
expect_eq "completion: run only as the first word" "" "$(comp sbx -v ru | grep -x run)"
expect_match "completion: the first word can be the verb enter" '^enter$' "$(comp sbx ent)"
expect_eq "completion: enter only as the first word" "" "$(comp sbx -v ent | grep -x enter)"

# A deleted working directory: --version and --help never need it, a run
# starts in $HOME (sbx(1)); only a relative path cannot be resolved.
mkdir "$D/gone"
cd "$D/gone" && rmdir "$D/gone"
run_sbx --version
expect_run "deleted cwd: --version works" 0 "sbx 0.1.0"
run_sbx --help
expect_run "deleted cwd: --help works" 0 "$help"
run_sbx -- pwd
expect_run "deleted cwd: the command starts in \$HOME" 0 "$HOME"
run_sbx --bind data -- true
expect_error "deleted cwd: a relative path is refused, naming it" 125 \
	'^sbx: --bind data: a relative path, but the current directory cannot be found: '
run_sbx --ro-bind /usr:/usr2 -- ls -d /usr2
expect_run "deleted cwd: absolute paths work" 0 /usr2
cd / || exit 1

# Empty arguments and list items are refused (once silently ignored, or
# named the caller's directory instead of the argument).
run_sbx --chdir "" -- true
expect_error '--chdir "": one line naming the empty argument' 125 '^sbx: --chdir: empty path$'
for bad in "--time-offset monotonic=5," "--time-offset ,monotonic=5" "--cap-add ," \
	"--cap-add net_raw,,chown" "--cap-add=" "--allow-connect 80,"; do
	# shellcheck disable=SC2086 # split into option and value on purpose
	run_sbx $bad -- true
	expect_error "$bad: refused, one line" 125 "^sbx: --(time-offset|cap-add|allow-connect)"
done

done_testing
