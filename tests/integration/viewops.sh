#!/usr/bin/env bash
# viewops.sh - the ordered filesystem operations: --dir, --symlink, --file,
# --bind-data, --ro-bind-data, --chmod, --perms, --size, --remount-ro,
# --*-bind-try, --dev-bind, SRC:DEST:OPTIONS, recursive read-only binds and
# symlinks that try to lead a destination out of the new root.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1

printf 'hello\n' >"$WORK/data"

# --- --dir, --perms, --chmod ------------------------------------------------
run_sbx --dir /a/b --perms 0700 --dir /p/q --perms 0750 --dir /g/h --chmod 0711 /a \
	-- stat -c '%n %a' /a /a/b /p /p/q /g /g/h
expect_run "--dir makes directories, --perms sets the mode (and closes parents), --chmod" 0 \
	"$(printf '/a 711\n/a/b 755\n/p 700\n/p/q 700\n/g 750\n/g/h 750')"

run_sbx --tmpfs /x --perms 0700 --dir /x -- stat -c %a /x
expect_run "--dir keeps an existing directory's mode" 0 755

run_sbx --chmod 0700 /nonexistent -- true
expect_error "--chmod of a missing path fails" 125 '^sbx: --chmod 0700 /nonexistent: No such file'

# --- --tmpfs with --perms and --size ----------------------------------------
run_sbx --perms 1777 --size 1m --tmpfs /t --tmpfs /u -- sh -c \
	'stat -c %a /t /u; grep -E " /(t|u) " /proc/self/mountinfo | sed "s/.* - //"'
if [ "$RC" = 0 ] && printf '%s\n' "$OUT" | sed -n 1p | grep -qx 1777 &&
	printf '%s\n' "$OUT" | sed -n 2p | grep -qx 755 &&
	printf '%s\n' "$OUT" | grep -q 'size=1024k' &&
	[ "$(printf '%s\n' "$OUT" | grep -c 'size=1024k')" = 1 ]; then
	pass "--perms and --size apply to the next --tmpfs only"
else
	fail "--perms and --size apply to the next --tmpfs only"
fi

run_sbx --size 64k --tmpfs /t -- sh -c 'head -c 200000 /dev/zero > /t/big 2>/dev/null; echo $?'
expect_run "--size limits the tmpfs" 0 1

run_sbx --perms 0700 --bind /tmp:/x -- true
expect_error "--perms before an option it does not apply to" 125 '^sbx: --perms must be followed by'
run_sbx --size 10 --dir /x -- true
expect_error "--size before something other than --tmpfs" 125 '^sbx: --size must be followed by --tmpfs'
run_sbx --perms 0700 -- true
expect_error "--perms at the end" 125 '^sbx: --perms must be followed'
run_sbx --perms 0800 --tmpfs /x -- true
expect_error "--perms with a non-octal mode" 125 '^sbx: --perms 0800: not an octal mode'
run_sbx --size 0 --tmpfs /x -- true
expect_error "--size 0" 125 '^sbx: --size 0: not a size'

# --- --symlink ---------------------------------------------------------------
run_sbx --symlink ../usr/bin /deep/lnk --symlink /usr /u -- sh -c 'readlink /deep/lnk /u; ls /u/bin/sh'
expect_run "--symlink creates links (parents made)" 0 "$(printf '../usr/bin\n/usr\n/u/bin/sh')"
run_sbx --symlink /a /x --symlink /a /x -- readlink /x
expect_run "--symlink: the same link twice is fine" 0 /a
run_sbx --symlink /a /x --symlink /b /x -- true
expect_error "--symlink over a different existing link fails" 125 '^sbx: --symlink /b /x: File exists'

# --- --file, --bind-data, --ro-bind-data --------------------------------------
run_cmd "$SBX" --file 3 /etc2/f --bind-data 4 /bd --ro-bind-data 5 /rbd -- sh -c \
	'cat /etc2/f /bd /rbd; stat -c "%a %F" /etc2/f /bd /rbd
	 echo w > /bd && cat /bd; echo w 2>/dev/null > /rbd || echo rbd-ro
	 grep -c "sbx-data" /proc/self/mountinfo; ls -a / | grep -c sbx-data; true' \
	3<"$WORK/data" 4<"$WORK/data" 5<"$WORK/data"
expect_run "--file copies, --bind-data binds (rw), --ro-bind-data binds read-only" 0 \
	"$(printf 'hello\nhello\nhello\n666 regular file\n600 regular file\n600 regular file\nw\nrbd-ro\n2\n0')"

run_cmd "$SBX" --perms 0640 --file 3 /f --perms 0444 --ro-bind-data 4 /g -- stat -c %a /f /g \
	3<"$WORK/data" 4<"$WORK/data"
expect_run "--perms applies to --file and --ro-bind-data" 0 "$(printf '640\n444')"

piped=$(printf 'piped\n' | timeout 20 "$SBX" --file 0 /p -- cat /p 2>&1)
expect_eq "--file reads a pipe" piped "$piped"

run_sbx --file 9 /x -- true
expect_error "--file with a closed fd" 125 '^sbx: --file 9 /x: Bad file descriptor'
# A closed FD is refused before sbx opens fds of its own: the setup once read
# whatever sbx had put at that number (fd 4, its sync socket, hung forever;
# others copied a directory's or a pipe's content).
bad=
for fd in $(seq 3 12); do
	for op in file ro-bind-data; do
		run_cmd bash -c 'for f in $(seq 3 20); do eval "exec $f<&-"; done; exec "$@"' _ \
			"$SBX" --"$op" "$fd" /x -- true
		[ "$RC" = 125 ] && [ "$ERR" = "sbx: --$op $fd /x: Bad file descriptor" ] ||
			bad+=" --$op $fd: exit $RC, $ERR;"
	done
done
expect_eq "--file, --ro-bind-data with each closed fd 3-12: refused at once, in one line" "" "$bad"
run_cmd bash -c 'exec 3<&-; exec "$@"' _ "$SBX" --bind "$WORK:/w" --file 3 /w/nofd/f -- true
expect_error "... before creating anything" 125 '^sbx: --file 3 /w/nofd/f: Bad file descriptor$'
[ ! -e "$WORK/nofd" ]
ok $? "... so no directory for DEST appeared on the host"
run_sbx --file x /x -- true
expect_error "--file with a non-number" 125 '^sbx: --file x: not a file descriptor number'

# The data options copy at most 16 MiB each (sbx(1)): more is refused in one
# line before anything is written, instead of filling memory (a </dev/zero
# once ran until the tmpfs held half of RAM).
limit=$((16 << 20))
head -c "$limit" /dev/zero >"$WORK/16m"
head -c "$((limit + 1))" /dev/zero >"$WORK/16m+1"
run_cmd "$SBX" --file 3 /a --bind-data 4 /b --ro-bind-data 5 /c -- stat -c %s /a /b /c \
	3<"$WORK/16m" 4<"$WORK/16m" 5<"$WORK/16m"
expect_run "16 MiB: --file, --bind-data and --ro-bind-data take it" 0 \
	"$(printf '%s\n' "$limit" "$limit" "$limit")"
mkdir "$WORK/out"
echo keep >"$WORK/out/kept"
for op in file bind-data ro-bind-data; do
	run_cmd "$SBX" --bind "$WORK/out:/out" --"$op" 3 /out/new -- true 3<"$WORK/16m+1"
	expect_error "--$op, 16 MiB + 1 byte: refused, naming the option and the limit" 125 \
		"^sbx: --$op 3 /out/new: more than 16 MiB of data \(the limit of --file, --bind-data and --ro-bind-data\)\$"
done
run_cmd "$SBX" --bind "$WORK/out:/out" --file 3 /out/kept -- true 3<"$WORK/16m+1"
expect_error "--file over an existing host file: refused too" 125 'more than 16 MiB'
# The data is read before DEST's missing parents are made (they once stayed).
run_cmd "$SBX" --bind "$WORK/out:/out" --file 3 /out/sub/dir/new -- true 3<"$WORK/16m+1"
expect_error "--file into new directories of a bound host directory: refused" 125 \
	'^sbx: --file 3 /out/sub/dir/new: more than 16 MiB'
expect_eq "... leaving nothing: no new file or directory, the old file untouched" "kept: keep" \
	"$(ls -A "$WORK/out"): $(cat "$WORK/out/kept")"
rm -f "$WORK/16m" "$WORK/16m+1"
# A pipe that never ends (bounded here, so that an sbx without the limit
# cannot fill the machine's memory).
run_cmd "$SBX" --ro-bind-data 3 /x -- true 3< <(head -c 256M /dev/zero)
expect_error "--ro-bind-data from an endless pipe: refused" 125 '^sbx: --ro-bind-data 3 /x: more than 16 MiB'

# --- many binds -----------------------------------------------------------------
# Each bind's source is held as an fd until the new root exists: sbx raises
# the soft open-file limit to the hard one for that while, and gives the
# command the caller's back; past the hard limit it says so in one line.
mkdir "$WORK/src1"
many=()
for i in $(seq 300); do many+=(--ro-bind "$WORK/src1:/m/$i"); done
run_cmd bash -c 'ulimit -Sn 256; exec "$0" "$@"' "$SBX" "${many[@]}" -- sh -c 'ls /m | wc -l; ulimit -Sn'
expect_run "300 binds under a soft limit of 256 fds; the command gets 256 back" 0 "$(printf '300\n256')"
run_cmd bash -c 'ulimit -n 256; exec "$0" "$@"' "$SBX" "${many[@]}" -- true
expect_error "300 binds under a hard limit of 256 fds: one line" 125 \
	"^sbx: --ro-bind $WORK/src1: more binds than the open-file limit allows \(ulimit -Hn: 256\)\$"
unset many
# Idmapped binds of host directories are made by sbx itself (as root), which
# held their fds under the caller's soft limit ("Too many open files").
d1="root: 300 idmapped binds under a soft limit of 256 fds; the command gets 256 back"
d2="root: the same under a hard limit of 256: one line"
if [ "$(id -u)" = 0 ]; then
	many=()
	for i in $(seq 300); do many+=(--ro-bind "$WORK/src1:/m/$i:idmap"); done
	run_cmd bash -c 'ulimit -Sn 256; exec "$0" "$@"' "$SBX" "${many[@]}" -- sh -c 'ls /m | wc -l; ulimit -Sn'
	expect_run "$d1" 0 "$(printf '300\n256')"
	run_cmd bash -c 'ulimit -n 256; exec "$0" "$@"' "$SBX" "${many[@]}" -- true
	expect_error "$d2" 125 \
		"^sbx: --ro-bind $WORK/src1: more binds than the open-file limit allows \(ulimit -Hn: 256\)\$"
	unset many
else
	skip "$d1" "idmapped binds of host directories need root"
	skip "$d2" "idmapped binds of host directories need root"
fi

# --- --bind-try, --ro-bind-try, --dev-bind ------------------------------------
run_sbx --bind-try /nonexistent-sbx:/x --ro-bind-try /nonexistent-sbx --dev-bind-try /nope:/y -- \
	sh -c 'test -e /x || test -e /nonexistent-sbx || test -e /y || echo none'
expect_run "--*-bind-try skip missing sources" 0 none
run_sbx --bind /nonexistent-sbx:/x -- true
expect_error "--bind of a missing source fails" 125 '^sbx: --bind /nonexistent-sbx: No such file'

run_sbx --dev-bind /dev/null:/dn --bind /dev/null:/bn -- sh -c \
	'echo x > /dn && echo dev-ok; echo x 2>/dev/null > /bn || echo bind-nodev'
expect_run "--dev-bind allows device access, --bind does not" 0 "$(printf 'dev-ok\nbind-nodev')"

# --- SRC::OPTIONS (empty DEST means SRC) and option errors --------------------
mkdir -p "$WORK/src"
run_sbx --bind "$WORK/src::sandbox-src" -- true
expect_error "sandbox-src names a path in the sandbox" 125 "No such file"
run_sbx --bind "$WORK/src:/x:bogus" -- true
expect_error "unknown bind option" 125 "unknown option 'bogus'"
run_sbx --bind "$WORK/src:/x:idmap=1:2" -- true
expect_error "malformed idmap range" 125 "'1:2' is not HOSTID:SANDBOXID:COUNT"
run_sbx --bind "$WORK/src:/x:idmap=0:0:10,5:20:1" -- true
expect_error "overlapping idmap ranges" 125 "id ranges overlap"

# --- --remount-ro ------------------------------------------------------------
run_sbx --tmpfs /t --tmpfs /t/sub --remount-ro /t -- sh -c \
	'touch /t/x 2>/dev/null || echo t-ro; touch /t/sub/x && echo sub-rw'
expect_run "--remount-ro: that mount only, not the ones below" 0 "$(printf 't-ro\nsub-rw')"
run_sbx --remount-ro /usr/bin -- true
expect_error "--remount-ro of a non-mount-point" 125 '^sbx: --remount-ro /usr/bin: not a mount point'

# --- ordering follows the command line -----------------------------------------
run_sbx --tmpfs /o --dir /o/a --tmpfs /o --dir /o/b -- ls /o
expect_run "operations apply in command-line order" 0 b

# --- recursive read-only ---------------------------------------------------------
# /dev of the host has sub-mounts (/dev/shm, /dev/pts, /dev/mqueue...).
sub=$(awk '$5 ~ "^/dev/" { print $5; exit }' /proc/self/mountinfo)
if [ -n "$sub" ] && [ -d "$sub" ]; then
	run_sbx --ro-bind /dev:/hostdev -- sh -c "awk -v p=/hostdev${sub#/dev} '\$5 == p { print \$6 }' /proc/self/mountinfo; touch /hostdev${sub#/dev}/sbx-ro-test 2>&1"
	if [ "$RC" = 1 ] && printf '%s\n' "$OUT" | sed -n 1p | grep -q '^ro' &&
		printf '%s\n' "$OUT" | grep -q 'Read-only file system' && [ ! -e "$sub/sbx-ro-test" ]; then
		pass "--ro-bind: the sub-mount $sub is read-only too"
	else
		fail "--ro-bind: the sub-mount $sub is read-only too"
	fi
else
	skip "--ro-bind: sub-mounts read-only" "the host /dev has no sub-mounts"
fi

# --- symlinks cannot lead a destination out of the new root ---------------------
# A bound host directory holds links that point outside: absolute, relative
# with many "..", and to a directory (/tmp) that exists on both sides.
outside=$WORK/outside
mkdir -p "$outside" "$WORK/planted"
ln -s "$outside" "$WORK/planted/abs"
ln -s "../../../../../../../..$outside" "$WORK/planted/rel"
ln -s /tmp "$WORK/planted/tmp"
name=sbx-escape-$$
for op in "--tmpfs /pl/abs/t" "--dir /pl/rel/d" "--symlink x /pl/abs/l" "--bind-data 0 /pl/abs/f" \
	"--file 0 /pl/rel/f" "--bind /usr:/pl/abs/b" "--perms 0755 --dir /pl/tmp/$name"; do
	# shellcheck disable=SC2086
	run_sbx --bind "$WORK/planted:/pl" $op -- true
	if [ -z "$(ls -A "$outside")" ] && [ ! -e "/tmp/$name" ]; then
		pass "links in a destination stay inside the new root: $op (status $RC)"
	else
		fail "links in a destination stay inside the new root: $op" \
			"outside now holds: $(ls -A "$outside" | tr '\n' ' ')"
	fi
	rm -rf "${outside:?}"/* "/tmp/$name"
done
run_sbx --bind "$WORK/planted:/pl" --dir "/pl/tmp/$name" -- ls -d "/tmp/$name"
expect_run "... they are followed from the new root (into the sandbox's /tmp)" 0 "/tmp/$name"

done_testing
