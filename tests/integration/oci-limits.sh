#!/usr/bin/env bash
# oci-limits.sh - sbx oci's linux.resources on a real cgroup v2 (tests/vm/:
# Debian 12, kernel 6.1, systemd; as root and as a user in a delegated
# scope): the container gets a cgroup of its own (sbx-oci-ID next to the
# caller's leaf), a fork loop stops at pids.limit, a memory hog is killed at
# memory.limit, exec joins the cgroup, and delete leaves nothing behind.
# On a host whose controllers are in cgroup v1 (this build machine's hybrid
# layout) it is not applicable and says so, with SBX_MUST_WORK=1 too;
# oci.sh covers the fallback there.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/oci-lib.sh"

if grep -Eq '^[1-9][0-9]*:([^:]*,)?(memory|pids|cpu)(,[^:]*)?:' /proc/self/cgroup ||
	[ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" != cgroup2fs ]; then
	echo "1..0 # SKIP not applicable: no pure cgroup v2 here (v1 or hybrid host); tests/vm/ runs this file"
	exit 77
fi
require_userns
oci_setup sh cat echo sleep true
mkdir -p "$B/rootfs/tmp" "$B/rootfs/dev"
chmod -R a+rX "$WORK"
# write_config ARGS-JSON RESOURCES-JSON
write_config() {
	cat >"$B/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": { "args": $1, "cwd": "/", "env": ["PATH=/bin"], "user": {"uid": 0, "gid": 0} },
  "root": {"path": "rootfs"},
  "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
  "linux": {
    ${MAPS:-}
    "resources": $2,
    "namespaces": [{"type": "pid"}, {"type": "mount"} $USERNS]
  }
}
EOF
}
# The cgroup the caller's leaf is next to, and the one sbx oci makes.
PARENT=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
PARENT=${PARENT%/*}

write_config '["/bin/sleep", "1000"]' '{"pids": {"limit": 5}, "memory": {"limit": 33554432, "swap": 33554432}, "cpu": {"quota": 50000, "period": 100000}}'
oci create --bundle "$B" --pid-file "$WORK/pid" lim1
expect_status "create with pids, memory and cpu limits" 0
CG=$PARENT/sbx-oci-lim1
[ "$(cat "$CG/pids.max" 2>/dev/null)" = 5 ] && [ "$(cat "$CG/memory.max" 2>/dev/null)" = 33554432 ] &&
	[ "$(cat "$CG/memory.swap.max" 2>/dev/null)" = 0 ] && [ "$(cat "$CG/cpu.max" 2>/dev/null)" = "50000 100000" ]
ok $? "the container's cgroup sbx-oci-lim1 holds the limits"
grep -qx "$(cat "$WORK/pid" 2>/dev/null)" "$CG/cgroup.procs" 2>/dev/null
ok $? "the container's process is in it before start"
oci start lim1
oci exec lim1 /bin/sh -c 'n=0; while [ $n -lt 20 ]; do sleep 1000 & n=$((n+1)); done; echo made $n'
[ "$RC" != 0 ] && [ -z "$OUT" ] && printf '%s\n' "$ERR" | grep -q "can't fork"
ok $? "a fork loop in exec stops at pids.limit"
[ "$(sed -n 's/^max //p' "$CG/pids.events" 2>/dev/null)" -gt 0 ] 2>/dev/null
ok $? "... refused by the cgroup (pids.events max)"
oci delete --force lim1
[ ! -e "$CG" ]
ok $? "delete removes the container's cgroup"

# linux.cgroupsPath inside the delegated subtree is used as it is; the
# caller's own cgroup never is (delete would kill the caller).
write_config '["/bin/sleep", "1000"]' '{"pids": {"limit": 7}}'
sed -i "s|\"linux\": {|\"linux\": { \"cgroupsPath\": \"${PARENT#/sys/fs/cgroup}/sbx-test-cg$$\",|" "$B/config.json"
oci create --bundle "$B" lim3
[ "$RC" = 0 ] && [ "$(cat "$PARENT/sbx-test-cg$$/pids.max" 2>/dev/null)" = 7 ]
ok $? "linux.cgroupsPath names the container's cgroup"
oci delete --force lim3
[ ! -e "$PARENT/sbx-test-cg$$" ]
ok $? "... removed at delete"
OWN=$(sed -n 's/^0:://p' /proc/self/cgroup)
sed -i "s|\"cgroupsPath\": \"[^\"]*\"|\"cgroupsPath\": \"$OWN\"|" "$B/config.json"
oci create --bundle "$B" lim4
[ "$RC" = 0 ] && [ -e "$PARENT/sbx-oci-lim4" ] && [ "$(cat "/sys/fs/cgroup$OWN/pids.max" 2>/dev/null)" != 7 ]
ok $? "a cgroupsPath naming the caller's own cgroup is not used"
oci delete --force lim4

# One process doubling a string to 128M: the one the kernel's OOM killer
# picks, so the container's status says it.
write_config '["/bin/sh", "-c", "x=a; n=0; while [ $n -lt 27 ]; do x=$x$x; n=$((n+1)); done; echo survived"]' '{"memory": {"limit": 33554432, "swap": 33554432}}'
oci run --bundle "$B" lim2
[ "$RC" = 137 ] && [ -z "$OUT" ]
ok $? "a memory hog is killed at memory.limit (status $RC)"
[ ! -e "$PARENT/sbx-oci-lim2" ] && [ -z "$(ls -A "$ROOT")" ]
ok $? "run leaves no cgroup and no state behind"

done_testing
