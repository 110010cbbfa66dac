#!/usr/bin/env bash
# ids.sh - identity inside the sandbox: user and group ids, id maps, chown,
# capabilities, and the single-id fallback.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1

ME=$(id -un 2>/dev/null || echo "$MY_UID")

# subid_ranges FILE NAME ID: "start:count ..." of the ranges FILE gives to
# NAME or to the numeric ID, in file order (the way sbx reads them).
subid_ranges() {
	[ -r "$1" ] || return 0
	awk -F: -v name="$2" -v id="$3" '
		/^[ \t]*#/ || NF != 3 { next }
		{ sub(/^[ \t]+/, "", $1) }
		($1 == name || $1 == id) && $2 ~ /^[0-9]+$/ && $3 ~ /^[1-9][0-9]*$/ {
			printf "%s:%s ", $2, $3
		}' "$1"
}

# canon_idmap: read id map lines "inside outside count" and print them sorted
# by inside id, adjacent lines merged, so equal maps print equally.
canon_idmap() {
	awk 'NF == 3 { printf "%d %d %d\n", $1, $2, $3 }' | sort -n -k1,1 | awk '
		NR > 1 && $1 == in_ + n && $2 == out + n { n += $3; next }
		NR > 1 { printf "%d %d %d\n", in_, out, n }
		{ in_ = $1; out = $2; n = $3 }
		END { if (NR) printf "%d %d %d\n", in_, out, n }'
}

# expected_idmap INSIDE HOST "start:count ...": the documented map: INSIDE is
# the caller's HOST id, and the other ids 0..65535, in increasing order, take
# the subordinate ids one after another, range by range. With no ranges,
# only the single line.
expected_idmap() {
	awk -v I="$1" -v H="$2" -v R="$3" 'BEGIN {
		n = split(R, rr, " ")
		next_in = 0
		span = 65536
		for (i = 1; i <= n && next_in < span; i++) {
			split(rr[i], p, ":")
			out = p[1] + 0
			left = p[2] + 0
			while (left > 0 && next_in < span) {
				if (next_in == I) { next_in++; continue }
				chunk = left
				if (next_in < I && next_in + chunk > I) chunk = I - next_in
				if (next_in + chunk > span) chunk = span - next_in
				printf "%d %d %d\n", next_in, out, chunk
				next_in += chunk; out += chunk; left -= chunk
			}
		}
		printf "%d %d %d\n", I, H, 1
	}' | canon_idmap
}

# map_id MAP ID: the host id that inside ID maps to in MAP (empty if none).
map_id() {
	printf '%s\n' "$1" | awk -v id="$2" 'NF == 3 && id >= $1 && id < $1 + $3 {
		printf "%d\n", $2 + id - $1 }'
}

# inside_id_of MAP HOSTID: the inside id for HOSTID, or 65534 (overflow id)
# when it is not mapped.
inside_id_of() {
	local r
	r=$(printf '%s\n' "$1" | awk -v id="$2" 'NF == 3 && id >= $2 && id < $2 + $3 {
		printf "%d\n", $1 + id - $2 }')
	echo "${r:-65534}"
}

# Which map should sbx use? root writes full maps itself (its own ranges or
# host ids 1..65535); others need ranges for both and newuidmap/newgidmap.
UID_RANGES=$(subid_ranges /etc/subuid "$ME" "$MY_UID")
GID_RANGES=$(subid_ranges /etc/subgid "$ME" "$MY_UID")
if [ "$MY_UID" -eq 0 ]; then
	FULL_MAPS=yes
	[ -n "$UID_RANGES" ] || UID_RANGES="1:65535"
	[ -n "$GID_RANGES" ] || GID_RANGES="1:65535"
elif [ -n "$UID_RANGES" ] && [ -n "$GID_RANGES" ] && [ -x /usr/bin/newuidmap ] &&
	[ -x /usr/bin/newgidmap ]; then
	FULL_MAPS=yes
else
	FULL_MAPS=no
	UID_RANGES=
	GID_RANGES=
fi
diag "caller uid $MY_UID gid $MY_GID ($ME); full maps expected: $FULL_MAPS; subuid: ${UID_RANGES:-none}; subgid: ${GID_RANGES:-none}"

# --- ids -----------------------------------------------------------------------

run_sbx sh -c 'id -u; id -g'
expect_run "keep-id: uid and gid inside are the caller's ($MY_UID $MY_GID)" 0 "$MY_UID
$MY_GID"

run_sbx --uid 1234 --gid 4321 sh -c 'id -u; id -g'
expect_run "--uid 1234 --gid 4321 sets both ids" 0 "1234
4321"

run_sbx --uid 2345 sh -c 'id -u; id -g'
expect_run "--uid alone keeps the caller's gid" 0 "2345
$MY_GID"

run_sbx --root sh -c 'id -u; id -g'
expect_run "--root runs as 0/0 inside" 0 "0
0"

run_sbx sh -c 'id -G'
expect_run "the command has only its own group (supplementary groups dropped)" 0 "$MY_GID"

# --- id maps -------------------------------------------------------------------

check_map() { # DESCRIPTION FILE INSIDE HOST RANGES [SBX-OPTION...]
	local desc=$1 file=$2 inside=$3 host=$4 ranges=$5 want got
	shift 5
	run_sbx "$@" cat "/proc/self/$file"
	want=$(expected_idmap "$inside" "$host" "$ranges")
	got=$(printf '%s\n' "$OUT" | canon_idmap)
	if [ "$RC" = 0 ] && [ "$want" = "$got" ]; then
		pass "$desc"
	else
		fail "$desc" "expected (sorted, merged):" "$(printf '%s\n' "$want" | sed 's/^/    /')" \
			"got (sorted, merged):" "$(printf '%s\n' "$got" | sed 's/^/    /')"
	fi
}

check_map "uid_map: caller's uid $MY_UID is itself, the rest from the subordinate range" \
	uid_map "$MY_UID" "$MY_UID" "$UID_RANGES"
check_map "gid_map: caller's gid $MY_GID is itself, the rest from the subordinate range" \
	gid_map "$MY_GID" "$MY_GID" "$GID_RANGES"
check_map "uid_map with --root: inside 0 is the caller's uid" \
	uid_map 0 "$MY_UID" "$UID_RANGES" --root
check_map "gid_map with --uid 1234 --gid 4321: inside 4321 is the caller's gid" \
	gid_map 4321 "$MY_GID" "$GID_RANGES" --uid 1234 --gid 4321

if [ "$MY_UID" -eq 0 ] && [ "$UID_RANGES" = "1:65535" ]; then
	run_sbx cat /proc/self/uid_map
	got=$(printf '%s\n' "$OUT" | canon_idmap)
	expect_eq "as root without subordinate ranges, the uid map is 0-65535 onto 0-65535" \
		"0 0 65536" "$got"
else
	skip "as root without subordinate ranges, the uid map is the identity" \
		"not root, or root has subordinate uid ranges"
fi

run_sbx cat /proc/self/uid_map
if [ "$FULL_MAPS" = yes ]; then
	# Every id 0..65535 is mapped exactly once (no hole, no overlap).
	got=$(printf '%s\n' "$OUT" | awk 'NF == 3 { print $1, $3 }' | sort -n | awk '
		BEGIN { next_ = 0; bad = 0; total = 0 }
		{ if ($1 < 65536 && $1 != next_) bad = 1; total += $2; if ($1 < 65536) next_ = $1 + $2 }
		END { print (bad || next_ < 65536) ? "gaps or overlaps" : "contiguous", total }')
	case $got in
	"contiguous "*) [ "${got#contiguous }" -ge 65536 ] && st=0 || st=1 ;;
	*) st=1 ;;
	esac
	ok "$st" "uid map covers all 65536 ids 0..65535 inside" "expected: contiguous 0..65535, got: $got"
else
	skip "uid map covers all 65536 ids 0..65535 inside" "no subordinate ranges or no newuidmap"
fi

# --- files and owners ----------------------------------------------------------

make_temp_dir
D=$TMPD
UMAP=$(expected_idmap "$MY_UID" "$MY_UID" "$UID_RANGES")
GMAP=$(expected_idmap "$MY_GID" "$MY_GID" "$GID_RANGES")

run_sbx --bind "$D" sh -c "touch '$D/keep'"
got=$(stat -c %u:%g "$D/keep" 2>&1)
expect_eq "a file created inside (keep-id) is the caller's on the host" "$MY_UID:$MY_GID" "$got"

run_sbx --root --bind "$D" sh -c "touch '$D/root'; stat -c %u:%g '$D/root'"
got=$(stat -c %u:%g "$D/root" 2>&1)
expect_eq "a file created by root inside (--root) is the caller's on the host" \
	"0:0 $MY_UID:$MY_GID" "$OUT $got"

want="$(inside_id_of "$UMAP" "$(stat -c %u /usr)"):$(inside_id_of "$GMAP" "$(stat -c %g /usr)")"
run_sbx stat -c %u:%g /usr
expect_run "the owner of /usr shows as its mapped id (65534 when unmapped)" 0 "$want"

run_sbx sh -c 'touch /tmp/f && chown 1234:1234 /tmp/f'
ok $((RC == 0 || RC >= 124)) "without --cap-add chown, chown to another id fails" \
	"expected a non-zero status from chown"

run_sbx --root --cap-add chown sh -c 'touch /tmp/f; chown 1234:1234 /tmp/f && stat -c %u:%g /tmp/f'
if [ "$FULL_MAPS" = yes ]; then
	expect_run "--root --cap-add chown: chown 1234:1234 works" 0 "1234:1234"
else
	skip "--root --cap-add chown: chown 1234:1234 works" "single-id map here"
fi

run_sbx --cap-add chown sh -c 'touch /tmp/f; chown 1234:1234 /tmp/f && stat -c %u:%g /tmp/f'
if [ "$FULL_MAPS" = yes ]; then
	expect_run "--cap-add chown (keep-id): chown 1234:1234 works" 0 "1234:1234"
else
	skip "--cap-add chown (keep-id): chown 1234:1234 works" "single-id map here"
fi

if [ "$FULL_MAPS" = yes ]; then
	want="$(map_id "$UMAP" 1234):$(map_id "$GMAP" 1234)"
	run_sbx --cap-add chown --bind "$D" sh -c "touch '$D/owned' && chown 1234:1234 '$D/owned'"
	got=$(stat -c %u:%g "$D/owned" 2>&1)
	if [ "$RC" = 0 ] && [ "$got" = "$want" ]; then
		pass "a file chowned to 1234 inside belongs to the mapped host ids ($want)"
	else
		fail "a file chowned to 1234 inside belongs to the mapped host ids" \
			"expected host owner $want, got $got"
	fi
	# The bind dir now holds a file of a subordinate id: let root inside
	# remove it, as the caller on the host may not be able to.
	run_sbx --root --cap-add chown,fowner,dac_override --bind "$D" rm -f "$D/owned"
else
	skip "a file chowned to 1234 inside belongs to the mapped host ids" "single-id map here"
fi

# --- capabilities --------------------------------------------------------------

# caps_of: "CapInh=... CapPrm=... ... NoNewPrivs=..." from $OUT (a status file).
caps_of() {
	printf '%s\n' "$OUT" | awk '$1 ~ /^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):$/ {
		printf "%s%s=%s", sep, substr($1, 1, length($1) - 1), $2; sep = " " }'
}
caps_line() { # MASK-FOR-INH MASK-FOR-OTHERS
	echo "CapInh=$1 CapPrm=$2 CapEff=$2 CapBnd=$2 CapAmb=$2 NoNewPrivs=1"
}
ZERO=0000000000000000

run_sbx cat /proc/self/status
expect_eq "no capabilities in any set, and NoNewPrivs: 1" "$(caps_line $ZERO $ZERO)" "$(caps_of)"

run_sbx --root cat /proc/self/status
expect_eq "--root alone gives no capabilities either" "$(caps_line $ZERO $ZERO)" "$(caps_of)"

NETADMIN=0000000000001000
for spelling in net_admin CAP_NET_ADMIN Net_Admin; do
	run_sbx --cap-add "$spelling" cat /proc/self/status
	expect_eq "--cap-add $spelling keeps only bit 12 in Prm/Eff/Bnd/Amb (and Inh)" \
		"$(caps_line $NETADMIN $NETADMIN)" "$(caps_of)"
done

run_sbx --cap-add chown --cap-add kill,net_admin cat /proc/self/status
expect_eq "--cap-add repeated and with a list adds them all (bits 0, 5, 12)" \
	"$(caps_line 0000000000001021 0000000000001021)" "$(caps_of)"

last=$(cat /proc/sys/kernel/cap_last_cap 2>/dev/null)
if [ -n "$last" ]; then
	all=$(printf '%016x' $(((1 << (last + 1)) - 1)))
	run_sbx --cap-add ALL cat /proc/self/status
	expect_eq "--cap-add ALL keeps every capability the kernel knows (0..$last)" \
		"$(caps_line "$all" "$all")" "$(caps_of)"
else
	skip "--cap-add ALL keeps every capability" "no /proc/sys/kernel/cap_last_cap"
fi

run_sbx --uid 1234 --cap-add net_admin cat /proc/self/status
expect_eq "a non-root id inside keeps --cap-add capabilities across exec (ambient)" \
	"$(caps_line $NETADMIN $NETADMIN)" "$(caps_of)"

# --- single-id fallback --------------------------------------------------------

if [ "$MY_UID" -ne 0 ]; then
	for t in "a user without subordinate ranges gets one 'single-id map' warning and runs" \
		"single-id map: the uid map is the caller's id alone" \
		"single-id map: chown to another id fails even with --root --cap-add chown"; do
		skip "$t" "needs root to run as a user without subordinate ranges"
	done
elif ! command -v setpriv >/dev/null; then
	for t in 1 2 3; do skip "single-id map test $t" "setpriv (util-linux) not installed"; done
else
	# A uid with no passwd entry and no subordinate ranges: sbx has to fall
	# back to mapping that one id.
	nu=54321
	while getent passwd "$nu" >/dev/null || getent group "$nu" >/dev/null ||
		grep -q "^$nu:" /etc/subuid /etc/subgid 2>/dev/null; do
		nu=$((nu + 1))
	done
	as_nosub() {
		run_cmd setpriv --reuid="$nu" --regid="$nu" --clear-groups \
			env HOME=/home/sbx-nosub-$nu "$SBX" "$@"
	}
	as_nosub --version
	if [ "$RC" != 0 ]; then
		for t in 1 2 3; do
			skip "single-id map test $t" "uid $nu cannot run $SBX (its directory is not searchable?)"
		done
	else
		as_nosub sh -c 'id -u; id -g'
		nl=$(printf '%s' "$ERR" | grep -c '')
		if [ "$RC" = 0 ] && [ "$OUT" = "$nu
$nu" ] && [ "$nl" = 1 ] && printf '%s\n' "$ERR" | grep -q 'single-id map'; then
			pass "a user without subordinate ranges gets one 'single-id map' warning and runs"
		else
			fail "a user without subordinate ranges gets one 'single-id map' warning and runs" \
				"expected status 0, ids '$nu $nu' and exactly one stderr line with 'single-id map'"
		fi
		as_nosub cat /proc/self/uid_map /proc/self/gid_map
		got=$(printf '%s\n' "$OUT" | awk 'NF == 3 { printf "%s%d %d %d", sep, $1, $2, $3; sep = "; " }')
		expect_eq "single-id map: the uid map is the caller's id alone" "$nu $nu 1; $nu $nu 1" "$got"
		as_nosub --root --cap-add chown sh -c 'touch /tmp/f && chown 1234:1234 /tmp/f'
		ok $((RC == 0 || RC >= 124)) "single-id map: chown to another id fails even with --root --cap-add chown" \
			"expected chown to fail: no other id is mapped"
	fi
fi

# --- --userns single: only the caller's own ids, no helper, no warning ------
run_sbx --userns single -- sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g'
want=$(printf '%s %s 1\n%s %s 1\n%s\n%s' "$(id -u)" "$(id -u)" "$(id -g)" "$(id -g)" "$(id -u)" "$(id -g)")
got=$(printf '%s\n' "$OUT" | awk 'NR<=2 {print $1, $2, $3; next} {print}')
expect_eq "--userns single: one-line uid and gid maps of the caller's own ids" "$want" "$got"
expect_eq "--userns single: no warning" "" "$ERR"

run_sbx --userns single --root -- sh -c 'cat /proc/self/uid_map; id -u'
got=$(printf '%s\n' "$OUT" | awk 'NR==1 {print $1, $2, $3; next} {print}')
expect_eq "--userns single --root: the caller is 0 inside, nothing else mapped" \
	"$(printf '0 %s 1\n0' "$(id -u)")" "$got"

run_sbx --userns bogus -- true
expect_error "--userns with an unknown mode" 125 '^sbx: --userns bogus: unknown mode'

done_testing
