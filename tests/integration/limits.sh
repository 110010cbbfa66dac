#!/usr/bin/env bash
# limits.sh - --memory, --memory-swap, --pids, --cpus, --limits: the options,
# the messages, and the limits themselves through whichever mechanism this
# host offers (here: the rlimit fallback; in tests/vm/: cgroup v2, where
# limits-cgroup.sh runs the cgroup-only checks). SBX_LIMITS_NO_CGROUP=1
# makes sbx take the fallback on any host.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1

PROBE=$TESTS_SRCDIR/helpers/limits-probe.py
cp "$PROBE" "$WORK/probe.py" && chmod 755 "$WORK" && chmod 644 "$WORK/probe.py"
probe() { run_sbx --ro-bind "$WORK/probe.py:/probe.py" "$@"; }

# --- the arguments -----------------------------------------------------------
run_sbx --memory 12X true
expect_error "--memory 12X is refused" 125 '^sbx: --memory 12X: expected a size such as 512M or 1.5G$'
run_sbx --memory 1M true
expect_error "--memory below 4M is refused" 125 '^sbx: --memory 1M: out of range'
run_sbx --memory 18446744073709552G true
expect_error "--memory far above 1024P is refused, not wrapped to a small size" 125 '^sbx: --memory 18446744073709552G: out of range'
run_sbx --memory-swap 1.2345G true
expect_error "--memory-swap with 4 decimals is refused" 125 '^sbx: --memory-swap 1.2345G: expected a size'
run_sbx --pids 1 true
expect_error "--pids 1 is refused (pid 1 and the command are two)" 125 '^sbx: --pids 1: expected 2 to '
run_sbx --cpus 0 true
expect_error "--cpus 0 is refused" 125 '^sbx: --cpus 0: expected 0.01 to 1024'
run_sbx --limits=sometimes true
expect_error "--limits with an unknown mode is refused" 125 '^sbx: --limits sometimes: expected strict or auto$'
run_sbx --memory 1.5G --pids 100 --cpus 0.5 --limits strict --print-config
expect_match "--print-config keeps the limits" '^memory 1.5G$' "$OUT"
expect_match "--print-config keeps --limits" '^limits strict$' "$OUT"

comp() { # the bash completions for the words "$@", the last being completed
	bash --norc --noprofile -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _sbx; printf "%s\n" "${COMPREPLY[@]}"' \
		comp "$TESTS_SRCDIR/../completions/sbx" "$@" 2>&1
}
expect_eq "completion: --limits offers strict and auto" "$(printf 'strict\nauto')" "$(comp sbx --limits '')"
expect_eq "completion: the limit options" "$(printf -- '--memory\n--memory-swap')" "$(comp sbx --memo)"
expect_eq "completion: --pids takes a value" "" "$(comp sbx --pids '')"
run_sbx --help
expect_match "--help lists --memory" '^ *--memory SIZE ' "$OUT"

# --- which mechanism ---------------------------------------------------------
run_sbx -v --memory 256M true
mech=$(printf '%s\n' "$ERR" | sed -n 's/^sbx: limits: .* via \(cgroup v2 in systemd scope\|cgroup v2\|rlimit\).*/\1/p')
case $mech in
"cgroup v2" | "cgroup v2 in systemd scope" | rlimit) pass "-v says which mechanism is in force: $mech" ;;
*) fail "-v says which mechanism is in force" ;;
esac
run_sbx -v true
expect_eq "no limit asked, no limits line" "" "$(printf '%s\n' "$ERR" | grep '^sbx: limits:')"

# --info-fd/--json-status-fd: an "sbx-limits" member of our own (bwrap's
# readers ignore unknown ones); bwrap.sh checks bwrap mode has none.
name=$mech
[ "$mech" = "cgroup v2 in systemd scope" ] && name="systemd scope"
run_cmd bash -c "\"$SBX\" --memory 256M --info-fd 5 --json-status-fd 6 -- true 5>'$WORK/info' 6>'$WORK/status'"
expect_match "--info-fd: \"sbx-limits\": \"$name\", last, bwrap's layout" \
	"^    \"sbx-limits\": \"$name\"\$" "$(cat "$WORK/info")"
expect_match "--json-status-fd: the start line ends with \"sbx-limits\"" \
	"^\\{ \"child-pid\": [0-9]+, .*, \"sbx-limits\": \"$name\" \\}\$" "$(cat "$WORK/status")"
python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["sbx-limits"] == sys.argv[2]' "$WORK/info" "$name"
ok $? "... and the --info-fd object parses as JSON"
run_cmd bash -c "\"$SBX\" --info-fd 5 --json-status-fd 6 -- true 5>'$WORK/info' 6>'$WORK/status'"
expect_eq "no limit asked: no \"sbx-limits\" member" "" "$(cat "$WORK/info" "$WORK/status" | grep sbx-limits)"

hybrid=0
grep -Eq '^[1-9][0-9]*:([^:]*,)?(memory|pids|cpu)(,[^:]*)?:' /proc/self/cgroup && hybrid=1
if [ "$hybrid" = 1 ]; then
	run_sbx --limits=strict --pids 50 true
	expect_error "--limits=strict on a v1/hybrid host: refused, says why and what to do" 125 \
		'^sbx: --limits=strict: no cgroup v2 to enforce the limits: cgroup v1 host: .*systemd.unified_cgroup_hierarchy=1'
	run_sbx --cpus 0.5 true
	expect_error "--cpus without cgroup v2 is refused" 125 '^sbx: --cpus needs cgroup v2, which is not usable here: cgroup v1 host'
else
	skip "messages of a cgroup v1 host" "this host has no v1 controllers"
	skip "--cpus refused on a cgroup v1 host" "this host has no v1 controllers"
fi
run_cmd env SBX_LIMITS_NO_CGROUP=1 "$SBX" --limits=strict --memory 64M true
expect_error "--limits=strict refuses the fallback" 125 '^sbx: --limits=strict: no cgroup v2 to enforce the limits: SBX_LIMITS_NO_CGROUP is set$'

# --- the fallback: RLIMIT_DATA, RLIMIT_NPROC ----------------------------------
nofb() { run_cmd env SBX_LIMITS_NO_CGROUP=1 "$SBX" --ro-bind "$WORK/probe.py:/probe.py" "$@"; }
nofb --memory 64M -- python3 /probe.py hog 256
expect_eq "fallback: a 256M hog under --memory 64M is refused its memory" "3 MemoryError" "$RC $OUT"
expect_match "fallback: the user is told the limit is weaker" \
	'^sbx: --memory: no usable cgroup v2, so each process of the sandbox is limited to 64M of data instead \(RLIMIT_DATA\), a weaker limit' "$ERR"
nofb --memory-swap 1G true
expect_match "fallback: --memory-swap alone is said not to be enforced" \
	'^sbx: --memory-swap: no usable cgroup v2, and no rlimit limits swap: not enforced' "$ERR"
nofb -- python3 /probe.py hog 256
expect_eq "fallback: the same hog without --memory gets its memory" "0 allocated" "$RC $OUT"
nofb --cpus 1 true
expect_error "fallback: --cpus is refused" 125 '^sbx: --cpus needs cgroup v2, which is not usable here: SBX_LIMITS_NO_CGROUP is set$'

if [ "$(id -u)" = 0 ]; then
	# Linux exempts the host's uid 0 from RLIMIT_NPROC in every user namespace.
	nofb --pids 20 true
	expect_error "fallback as root: --pids is refused, as it could not be enforced" 125 \
		'^sbx: --pids: no cgroup v2 \(SBX_LIMITS_NO_CGROUP is set\), and RLIMIT_NPROC does not apply to the sandbox of root'
else
	nofb --pids 20 -- python3 /probe.py forks 100
	if [ "$RC" = 0 ] && [ "$OUT" -ge 5 ] && [ "$OUT" -le 18 ]; then
		pass "fallback: a fork loop stops at --pids 20 ($OUT forks besides pid 1 and the command)"
	else
		fail "fallback: a fork loop stops at --pids 20"
	fi
	# Counted per user namespace (Linux >= 5.14): 25 processes of ours
	# outside do not use up the sandbox's 20.
	for i in $(seq 25); do
		sleep 60 &
		track_pid $!
	done
	nofb --pids 20 -- python3 /probe.py forks 100
	if [ "$RC" = 0 ] && [ "$OUT" -ge 5 ] && [ "$OUT" -le 18 ]; then
		pass "fallback: --pids counts the sandbox's processes, not the user's 25 others ($OUT forks)"
	else
		fail "fallback: --pids counts per sandbox"
	fi
	nofb -v --pids 20 true
	expect_match "fallback: -v says rlimit" '^sbx: limits: pids 20 via rlimit \(cgroup v2: SBX_LIMITS_NO_CGROUP is set\)$' "$ERR"
fi

# --- whatever this host uses ---------------------------------------------------
if [ "$mech" != rlimit ] || [ "$(id -u)" != 0 ]; then
	probe --pids 20 -- python3 /probe.py forks 100
	if [ "$RC" = 0 ] && [ "$OUT" -ge 5 ] && [ "$OUT" -le 18 ]; then
		pass "a fork loop stops at --pids 20 ($mech)"
	else
		fail "a fork loop stops at --pids 20 ($mech)"
	fi
else
	skip "a fork loop stops at --pids ($mech)" "root has no --pids without cgroup v2"
fi
probe --memory 64M -- python3 /probe.py hog 256
case $mech in
rlimit) expect_eq "a memory hog is stopped at --memory ($mech)" "3 MemoryError" "$RC $OUT" ;;
*)
	expect_eq "a memory hog is killed at --memory ($mech)" 137 "$RC"
	expect_match "the user is told" '^sbx: killed: out of memory \(limit 64M\)$' "$ERR"
	;;
esac

done_testing
