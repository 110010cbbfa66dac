#!/usr/bin/env bash
# limits-cgroup.sh - the limits on a real cgroup v2 (tests/vm/: Debian 12,
# kernel 6.1, systemd, a user with a session): the delegated path (sbx
# alone in a scope with Delegate=yes, made by systemd-run) and the D-Bus
# path (sbx asks the user manager for its scope itself), each with: a fork
# loop stopped at --pids, a memory hog killed at --memory and the user told,
# --cpus 0.5 measured over 2 s, the sandbox's cgroup namespace, and nothing
# left in the cgroup tree afterwards.
# On a host whose controllers are in cgroup v1 (this build machine's hybrid
# layout) it is not applicable and says so, with SBX_MUST_WORK=1 too.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"

if grep -Eq '^[1-9][0-9]*:([^:]*,)?(memory|pids|cpu)(,[^:]*)?:' /proc/self/cgroup ||
	[ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" != cgroup2fs ]; then
	echo "1..0 # SKIP not applicable: no pure cgroup v2 here (v1 or hybrid host); tests/vm/ runs this file"
	exit 77
fi
require_userns
cd / || exit 1

PROBE=$TESTS_SRCDIR/helpers/limits-probe.py
cp "$PROBE" "$WORK/probe.py" && chmod 755 "$WORK" && chmod 644 "$WORK/probe.py"

# unavailable WHAT: skip the path, or fail it under SBX_MUST_WORK=1.
unavailable() {
	if [ "${SBX_MUST_WORK:-0}" = 1 ]; then fail "$1 (SBX_MUST_WORK=1)"; else skip "$1" "$2"; fi
}

# The cgroup sbx made, from its -v line; "" if none.
made_cgroup() { printf '%s\n' "$ERR" | sed -n 's/^sbx: limits: .* via cgroup v2[^:]*: \(\/.*\)$/\1/p'; }

# check_path NAME WANT-MECH RUNNER...: the whole set through one path.
check_path() {
	local name=$1 want=$2 cg ratio
	shift 2
	local -a run=("$@")

	run_cmd "${run[@]}" "$SBX" -v --pids 20 --ro-bind "$WORK/probe.py:/probe.py" -- python3 /probe.py forks 100
	if ! printf '%s\n' "$ERR" | grep -q "^sbx: limits: pids 20 via $want"; then
		unavailable "$name: sbx uses $want" "$(printf '%s\n' "$ERR" | grep '^sbx: limits:' | head -1)"
		return
	fi
	pass "$name: -v says '$want'"
	if [ "$RC" = 0 ] && [ "$OUT" -ge 5 ] && [ "$OUT" -le 18 ]; then
		pass "$name: a fork loop stops at --pids 20 ($OUT forks)"
	else
		fail "$name: a fork loop stops at --pids 20"
	fi
	expect_match "$name: the user is told once" '^sbx: fork refused: the sandbox reached --pids 20$' "$ERR"
	cg=$(made_cgroup)
	if [ -n "$cg" ] && [ ! -e "$cg" ] && [ ! -e "$cg.supervisor" ]; then
		pass "$name: nothing left in the cgroup tree ($cg)"
	else
		fail "$name: nothing left in the cgroup tree" "cgroup: '$cg'"
	fi

	run_cmd "${run[@]}" "$SBX" --memory 64M --ro-bind "$WORK/probe.py:/probe.py" -- python3 /probe.py hog 512
	expect_status "$name: a 512M hog is killed at --memory 64M" 137
	expect_match "$name: the user is told" '^sbx: killed: out of memory \(limit 64M\)$' "$ERR"

	run_cmd "${run[@]}" "$SBX" --cpus 0.5 --ro-bind "$WORK/probe.py:/probe.py" -- python3 /probe.py spin 2
	ratio=${OUT:-9}
	diag "$name: --cpus 0.5: $ratio CPU-seconds per second over 2 s"
	if [ "$RC" = 0 ] && awk -v r="$ratio" 'BEGIN { exit !(r <= 0.65) }'; then
		pass "$name: --cpus 0.5 holds two spinning processes to about half a CPU ($ratio)"
	else
		fail "$name: --cpus 0.5 holds two spinning processes to about half a CPU ($ratio)"
	fi

	run_cmd "${run[@]}" "$SBX" --pids 50 -- cat /proc/self/cgroup
	expect_eq "$name: the sandbox's cgroup namespace is rooted at its own cgroup" "0::/" "$OUT"

	# The host's cgroup2 bound writable: the namespace does not hide it.
	run_cmd "${run[@]}" "$SBX" --pids 50 --bind /sys -- true
	expect_match "$name: --bind /sys: the user is warned that the sandbox could raise its limits" \
		'^sbx: --bind /sys: the host.s cgroup2 is writable in the sandbox' "$ERR"
	run_cmd "${run[@]}" "$SBX" --pids 50 --ro-bind /sys -- true
	expect_eq "$name: --ro-bind /sys: no such warning" "0 " "$RC $(printf '%s\n' "$ERR" | grep writable)"

	# A setup that fails after the cgroups were made, and a signal while
	# the command runs: nothing left either.
	run_cmd "${run[@]}" "$SBX" -v --pids 50 --ro-bind /nonexistent-limits-test -- true
	cg=$(made_cgroup)
	if [ "$RC" = 125 ] && [ -n "$cg" ] && [ ! -e "$cg" ] && [ ! -e "$cg.supervisor" ]; then
		pass "$name: a failed setup leaves no cgroup behind"
	else
		fail "$name: a failed setup leaves no cgroup behind" "cgroup: '$cg'"
	fi
	"${run[@]}" "$SBX" -v --pids 50 -- sleep 60 2>"$WORK/term.err" &
	local pid=$! end=$((SECONDS + 20))
	track_pid "$pid"
	until cg=$(sed -n 's/^sbx: limits: .* via cgroup v2[^:]*: \(\/.*\)$/\1/p' "$WORK/term.err") &&
		[ -n "$cg" ] && [ -n "$(cat "$cg/sandbox/cgroup.procs" 2>/dev/null)" ]; do
		[ "$SECONDS" -ge "$end" ] && break
		sleep 0.1
	done
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	local st=$?
	if [ "$st" = 143 ] && [ -n "$cg" ] && [ ! -e "$cg" ] && [ ! -e "$cg.supervisor" ]; then
		pass "$name: SIGTERM to sbx: the sandbox ends (143) and its cgroups go"
	else
		fail "$name: SIGTERM to sbx: the sandbox ends (143) and its cgroups go" "status $st, cgroup '$cg'"
	fi

	# A sandbox that may mount its cgroup2 (CAP_SYS_ADMIN) nests cgroups
	# 20 deep: it stops at cgroup.max.depth (sandbox is level 1 of 16),
	# deeper than which the end could not remove them; nothing is left.
	run_cmd "${run[@]}" "$SBX" -v --pids 50 --cap-add SYS_ADMIN -- sh -c 'mkdir /tmp/cg &&
		mount -t cgroup2 none /tmp/cg && d=/tmp/cg && i=0 &&
		while [ $i -lt 20 ] && mkdir $d/n 2>/dev/null; do d=$d/n; i=$((i + 1)); done; echo $i'
	cg=$(made_cgroup)
	if [ "$RC" = 0 ] && [ "$OUT" = 15 ] && [ -n "$cg" ] && [ ! -e "$cg" ] && [ ! -e "$cg.supervisor" ]; then
		pass "$name: cgroups nested by the sandbox stop at 15 below its own and all go"
	else
		fail "$name: cgroups nested by the sandbox stop at 15 below its own and all go" \
			"status $RC, nested $OUT, cgroup '$cg' $(find "$cg" -type d 2>/dev/null | wc -l) dirs left"
	fi
}

# 1. delegated: sbx alone in a scope systemd made for it (no userns holder
# forked into it, which would make it not sbx's alone).
# root asks the system manager (as sbx itself does), a user their own.
manager=--user
[ "$(id -u)" = 0 ] && manager=--system
if command -v systemd-run >/dev/null && systemd-run $manager --scope --quiet true 2>/dev/null; then
	check_path delegated "cgroup v2:" systemd-run $manager --scope --quiet -p Delegate=yes -- \
		env SBX_USERNS_HOLDER=0
else
	unavailable "delegated: systemd-run $manager --scope works" "no systemd manager here"
fi

# 2. D-Bus: sbx in the session's cgroup, which is not its alone.
check_path "D-Bus scope" "cgroup v2 in systemd scope" env

# 3. Nothing left, looked at before systemd removes the scope (which takes
# whatever sbx left with it, so the checks above cannot see a leftover):
# sbx alone in a cgroup of its own in a scope whose shell, in a sibling
# leaf, outlives it; the sandbox nests cgroups as deep as it can.
if [ "$manager" = --system ] || systemd-run $manager --scope --quiet true 2>/dev/null; then
	cat >"$WORK/outlive.sh" <<'EOF'
cg=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
mkdir "$cg/sh" "$cg/sbx" && echo $$ >"$cg/sh/cgroup.procs" &&
	echo "+memory +pids" >"$cg/cgroup.subtree_control" || exit 99
sh -c 'echo $$ >"$1/cgroup.procs" && exec "$SBX" --pids 50 --cap-add SYS_ADMIN -- sh -c "
	mkdir /tmp/cg && mount -t cgroup2 none /tmp/cg && cd /tmp/cg &&
	for i in \$(seq 20); do mkdir n && cd n || break; done 2>/dev/null"' sh "$cg/sbx" || exit 98
cd "$cg/sbx" || exit 97
for d in sbx-*; do [ -e "$d" ] && echo "left: $d"; done
cat cgroup.subtree_control cgroup.procs
EOF
	chmod 644 "$WORK/outlive.sh"
	run_cmd systemd-run $manager --scope --quiet -p Delegate=yes -- \
		env SBX_USERNS_HOLDER=0 SBX="$SBX" sh "$WORK/outlive.sh"
	expect_eq "nothing left in a cgroup that outlives sbx, after nested cgroups (no sbx-PID, no controllers)" \
		"0 " "$RC $OUT"
fi

done_testing
