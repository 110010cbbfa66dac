#!/usr/bin/env bash
# idmap.sh - idmapped binds (host filesystems as root, the sandbox's own tmpfs
# as anyone), the unprivileged refusal, and --userns isolated.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1

has_ranges() { # has_ranges USER: both subuid and subgid ranges
	grep -qE "^($1|$(id -u "$1")):" /etc/subuid 2>/dev/null &&
		grep -qE "^($1|$(id -u "$1")):" /etc/subgid 2>/dev/null
}
ME=$(id -un)

# --- the sandbox's own tmpfs: works for everyone ------------------------------
# Files the tmpfs stores as 4242 appear as 0 through the idmapped bind, and
# what the sandbox's root creates through it is stored as 4242.
run_sbx --root --cap-add CHOWN --tmpfs /data --bind /data:/d2:idmap=4242:0:1,sandbox-src -- sh -c \
	'chown 4242:4242 /data; stat -c "%u:%g" /d2; touch /d2/new; stat -c "%u:%g" /data/new /d2/new'
expect_run "own tmpfs: stored as 4242, seen as 0; created through it, stored as 4242" 0 \
	"$(printf '0:0\n4242:4242\n0:0')"
# (the kernel refuses writes to an inode whose owner is unmapped in the
# mount, hence the chown: the directory must be stored as 4242 too)

run_sbx --perms 0777 --tmpfs /data --bind "/data:/d2:uidmap=$MY_UID:0:1,gidmap=$MY_GID:7:1,sandbox-src" -- sh -c \
	'touch /data/f; stat -c "%u:%g" /data/f /d2/f'
expect_run "own tmpfs: uidmap= and gidmap= separately" 0 "$(printf '%s:%s\n0:7' "$MY_UID" "$MY_GID")"

run_sbx --tmpfs /data --bind /data:/d2:idmap=0:4000000000:1,sandbox-src -- true
expect_error "own tmpfs: a sandbox id the sandbox does not have" 125 '^sbx: --bind /data:/d2'

# --- host filesystems ------------------------------------------------------------
mkdir -p "$WORK/h"
touch "$WORK/h/f"
if [ "$MY_UID" = 0 ]; then
	chown -R 1234:1234 "$WORK/h"
	run_sbx --bind "$WORK/h:/h:idmap=1234:0:1" -- sh -c 'stat -c "%u:%g" /h /h/f; touch /h/new; stat -c %u /h/new'
	expect_run "root: host files of 1234 appear as 0" 0 "$(printf '0:0\n0:0\n0')"
	expect_eq "root: a file created inside lands as 1234 on the host" 1234:1234 \
		"$(stat -c %u:%g "$WORK/h/new" 2>&1)"
	run_sbx --uid 1000 --gid 1000 --ro-bind "$WORK/h:/h:uidmap=1234:1000:1,gidmap=1234:5:1" -- sh -c \
		'stat -c "%u:%g" /h/f; touch /h/x 2>&1'
	expect_match "root: --ro-bind with uidmap=/gidmap=, still read-only" \
		'^1000:5' "$OUT"
	expect_match "root: --ro-bind ...:idmap is read-only" 'Read-only file system' "$OUT"
	run_sbx --bind "$WORK/h:/h:idmap=1234:70000:1" -- true
	expect_error "root: a sandbox id outside the sandbox's map" 125 'uid 70000 is not mapped in the sandbox'
	run_sbx --bind-try "$WORK/nonexistent:/h:idmap" -- sh -c 'test -e /h || echo skipped'
	expect_run "root: --bind-try with idmap skips a missing source" 0 skipped
else
	run_sbx --bind "$WORK/h::idmap" -- true
	expect_error "unprivileged: the kernel's refusal in one line, exit 125" 125 \
		"^sbx: --bind $WORK/h:$WORK/h:idmap: the kernel refuses idmapped mounts of host filesystems to unprivileged users; .*keep-id"
	run_sbx --ro-bind "$WORK/h:/x:idmap=$MY_UID:0:1" -- true
	expect_error "unprivileged: the same for --ro-bind with ranges" 125 'the kernel refuses idmapped mounts'
	run_sbx --bind "$WORK/h" -- stat -c %u "$WORK/h/f"
	expect_run "unprivileged: keep-id shows the caller's files as the sandbox user's" 0 "$MY_UID"
fi

# --- --userns isolated --------------------------------------------------------------
if has_ranges "$ME"; then
	echo mine >"$WORK/h/mine"
	chmod 0644 "$WORK/h/mine"
	run_sbx --userns isolated --bind "$WORK/h:/h" -- sh -c \
		'id -u; stat -c %u /h/mine; echo x 2>/dev/null >> /h/mine || echo denied; awk "{print \$2, \$3}" /proc/self/uid_map'
	line1=$(printf '%s\n' "$OUT" | sed -n 1,3p)
	expect_eq "isolated: same numeric uid, the caller's files unmapped and not writable" \
		"$(printf '%s\n65534\ndenied' "$MY_UID")" "$line1"
	covered=no
	while read -r start count; do
		[ -n "$start" ] || continue
		if [ "$MY_UID" -ge "$start" ] && [ "$MY_UID" -lt $((start + count)) ]; then covered=yes; fi
	done < <(printf '%s\n' "$OUT" | sed -n '4,$p')
	expect_eq "isolated: the caller's uid is in no line of the map" no "$covered"
	[ "$(cat "$WORK/h/mine")" = mine ]
	ok $? "isolated: the caller's file is unchanged"

	run_sbx --userns isolated -- sh -c 'touch /tmp/t ~/h; stat -c %u /tmp/t ~/h'
	expect_run "isolated: the sandbox user can create its own files" 0 "$(printf '%s\n%s' "$MY_UID" "$MY_UID")"

	run_sbx --userns isolated --root --cap-add CHOWN --tmpfs /data --bind /data:/d2:idmap=4242:0:1,sandbox-src \
		-- sh -c 'chown 4242:4242 /data; touch /d2/n; stat -c %u /data/n'
	expect_run "isolated: idmapped binds of the sandbox's tmpfs" 0 4242
else
	run_sbx --userns isolated -- true
	expect_error "isolated without subordinate ids: one line, exit 125" 125 \
		"^sbx: --userns isolated needs subordinate ids: no range for $ME"
fi

run_sbx --userns bogus -- true
expect_error "--userns with an unknown mode" 125 '^sbx: --userns bogus: unknown mode'

done_testing
