#!/usr/bin/env bash
# legacy-mount.sh - sbx on a kernel without mount_setattr() (before 5.12).
# tests/helpers/no-mount-setattr makes the call fail with ENOSYS, so sbx must
# fall back to remounting every mount of a read-only tree one by one.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1

NOMS=$(dirname "$SBX")/tests/helpers/no-mount-setattr
# The filter sets no_new_privs, so newuidmap cannot work under it: sbx falls
# back to a single-id map and warns; these tests are about mounts only.
legacy_sbx() { run_cmd "$NOMS" "$SBX" "$@"; }

legacy_sbx -- sh -c 'touch /usr/x 2>/dev/null; echo usr=$?; touch /x 2>/dev/null; echo root=$?; touch /tmp/x && echo tmp=0'
expect_run "without mount_setattr: /usr and / read-only, /tmp writable" 0 "$(printf 'usr=1\nroot=1\ntmp=0')"

# Host /dev has sub-mounts (/dev/shm is a writable tmpfs): they must turn
# read-only too, one remount each.
legacy_sbx --ro-bind /dev:/hostdev -- sh -c 'touch /hostdev/shm/sbx-legacy-$$ 2>/dev/null; echo $?'
expect_run "without mount_setattr: a sub-mount of a --ro-bind is read-only" 0 1

legacy_sbx --ro-bind /dev:/hostdev -- sh -c 'grep " /hostdev/shm " /proc/self/mountinfo | cut -d" " -f6'
expect_match "the sub-mount keeps its locked flags and gains ro" '^ro,nosuid,nodev' "$OUT"

mkdir -p "$WORK/rw"
legacy_sbx --bind "$WORK/rw:/rw" -- sh -c 'echo hi > /rw/f && cat /rw/f'
expect_run "without mount_setattr: --bind stays writable" 0 hi

legacy_sbx --tmpfs /t --remount-ro /t -- sh -c 'touch /t/x 2>/dev/null; echo $?'
expect_run "without mount_setattr: --remount-ro" 0 1

printf 'data\n' >"$WORK/data"
legacy_sbx --ro-bind-data 5 /d -- sh -c 'cat /d; if echo x 2>/dev/null >>/d; then echo rw; else echo ro; fi' 5<"$WORK/data"
expect_run "without mount_setattr: --ro-bind-data is read-only" 0 "$(printf 'data\nro')"

done_testing
