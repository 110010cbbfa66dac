#!/usr/bin/env bash
# userns-spare.sh - the holder's spare namespaces (userns_spare.h): a start
# runs in the spare (user, net, ipc, uts) the holder made ahead, every sandbox
# in namespaces of its own (never the same inode twice, never the host's),
# mapped exactly as without the holder, lo up, no IPC object of another
# sandbox visible, its hostname set; --share-* still share; a start with
# other maps, or the first one, unshares its own; the spare goes with the
# holder. As root, with a temporary user (root has no holder).
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1

# holder_of: "PID SPARE" from the -v line of the last run: the holder's pid
# and what happened to the spare (taken, none ready, ...).
holder_of() {
	printf '%s\n' "$ERR" | sed -n 's/.*parent namespace of holder [^ ]* pid \([0-9]*\) (.*; spare \(.*\) in [0-9.]* ms.*/\1 \2/p'
}

kill_holder() {
	[ -n "$1" ] || return 0
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = sbx-userns-hold ] || return 0
	kill -KILL "$1" 2>/dev/null
	timeout 10 tail --pid="$1" -f /dev/null
}

# The namespaces (ipc:[I] net:[N] user:[U] uts:[T]) the holder PID holds as
# its spare.
spare_of() {
	# shellcheck disable=SC2012 # the links' targets are what is looked for
	ls -l "/proc/$1/fd" 2>/dev/null | sed -n 's/.* -> \(user\|net\|ipc\|uts\):\[\([0-9]*\)\]$/\1:[\2]/p' |
		sort | tr '\n' ' '
}

# Wait (at most 10 s) until the holder PID holds a spare: it is made in the
# background, after the start that asked for it.
await_spare() {
	local tries=0
	while [ -z "$(spare_of "$1")" ] && [ $((tries += 1)) -lt 500 ]; do
		sleep 0.02
	done
}

as_user() {
	if [ -z "$U" ]; then
		run_cmd env XDG_RUNTIME_DIR="$RT" "$SBX" "$@"
	else
		run_cmd runuser -u "$U" -- env -i PATH=/usr/bin:/bin HOME="$UHOME" \
			XDG_RUNTIME_DIR="$RT" "$SBX" "$@"
	fi
}

NSES='ipc net user uts'
# shellcheck disable=SC2016 # expanded by the sandbox's shell
IDS='for n in '$NSES'; do readlink "/proc/self/ns/$n"; done | sort | tr "\n" " "'
HOST_IDS=$(for n in $NSES; do readlink "/proc/self/ns/$n"; done)
MAPS='cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups'
# lo is up: a TCP connection to 127.0.0.1 inside the sandbox's own network.
LO='import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
socket.create_connection(s.getsockname()).close(); print("lo up")'
# IPC objects: a POSIX message queue (librt's mq_open through ctypes), and
# SysV shared memory, a message queue and a semaphore (ipcmk); MQ_MAKE
# makes them, MQ_SEEN says whether the queue exists.
MQ='import ctypes, os, sys
rt = ctypes.CDLL("librt.so.1", use_errno=True)
fd = rt.mq_open(b"/sbx-spare-test", os.O_RDWR | (os.O_CREAT if sys.argv[1] == "make" else 0), 0o600, None)
print("mq", "made" if sys.argv[1] == "make" else "seen" if fd >= 0 else os.strerror(ctypes.get_errno()))'
# shellcheck disable=SC2016 # expanded by the sandbox's shell
IPC_MAKE='python3 -c "$0" make && ipcmk -M 4096 >/dev/null && ipcmk -Q >/dev/null && ipcmk -S 1 >/dev/null && ipcs -m -q -s | grep -c "^0x"'
# shellcheck disable=SC2016 # expanded by the sandbox's shell
IPC_SEEN='python3 -c "$0" seen; ipcs -m -q -s | grep -c "^0x"; true'

spare_tests() {
	local who=${U:-caller} pid pid2 how held seen i
	as_user -v sh -c "$IDS"
	read -r pid how <<<"$(holder_of)"
	at_exit "kill_holder $pid"
	expect_eq "$who: the first start (a new holder) has no spare yet, and unshares" \
		"0 none ready" "$RC $how"

	await_spare "$pid"
	held=$(spare_of "$pid")
	ok "$(test -n "$held"; echo $?)" "$who: the holder then holds a spare ($held)"
	as_user -v sh -c "$IDS"
	read -r pid2 how <<<"$(holder_of)"
	expect_eq "$who: the next start takes it" "0 $pid taken" "$RC $pid2 $how"
	expect_eq "$who: ...and runs in exactly those namespaces" "$held" "$OUT"

	# Back to back, all alive at once (a namespace's inode number is
	# reused once it is gone): no two share a user or network namespace.
	local D=$TMPD/alive bgs=() again=0
	mkdir -p "$D" && mkfifo "$D/fifo"
	[ -z "$U" ] || chown -R "$U:" "$D"
	for i in 1 2 3 4 5 6; do
		if [ -z "$U" ]; then
			env XDG_RUNTIME_DIR="$RT" "$SBX" --bind "$D" sh -c "$IDS > $D/ids.$i; read x < $D/fifo" \
				</dev/null &
		else
			runuser -u "$U" -- env -i PATH=/usr/bin:/bin HOME="$UHOME" XDG_RUNTIME_DIR="$RT" \
				"$SBX" --bind "$D" sh -c "$IDS > $D/ids.$i; read x < $D/fifo" </dev/null &
		fi
		bgs+=($!)
		track_pid "$!"
		wait_for_file "$D/ids.$i" 10
		while [ ! -s "$D/ids.$i" ]; do sleep 0.02; done
		# While it runs, its namespaces are not the holder's spare.
		[ "$(spare_of "$pid")" != "$(cat "$D/ids.$i")" ] || again=$((again + 1))
	done
	expect_eq "$who: ...each one's namespaces no longer the holder's spare once handed over" 0 "$again"
	seen=$(cat "$D"/ids.* | tr ' ' '\n' | grep .)
	expect_eq "$who: 6 sandboxes started back to back, alive at once: 24 namespaces, all different" \
		"24 24" "$(printf '%s\n' "$seen" | wc -l) $(printf '%s\n' "$seen" | sort -u | wc -l)"
	expect_eq "$who: ...none of them the host's" "" \
		"$(printf '%s\n' "$seen" | grep -xF "$HOST_IDS")"
	# No process (pid 1, the command, sbx) holds a handed-over spare's
	# namespaces as an fd: they go with the sandbox's last process.
	# (Rootless, pid 1's fds are not readable: the command's and sbx's are.)
	expect_eq "$who: ...none of them held as an fd by any process" "" \
		"$(for f in /proc/[0-9]*/fd/*; do readlink "$f"; done 2>/dev/null | grep -xF "$seen" | sort -u)"
	echo >"$D/fifo"
	for i in "${bgs[@]}"; do wait "$i"; done

	# The maps are exactly those sbx writes without the holder.
	await_spare "$pid"
	as_user -v sh -c "$MAPS"
	read -r _ how <<<"$(holder_of)"
	local spare_maps=$OUT
	as_user --no-userns-holder sh -c "$MAPS"
	expect_eq "$who: a spare's maps and setgroups are those of a start without the holder" \
		"taken $OUT" "$how $spare_maps"
	await_spare "$pid"
	as_user -v python3 -c "$LO"
	read -r _ how <<<"$(holder_of)"
	expect_eq "$who: in a spare, lo is up" "0 taken lo up" "$RC $how $OUT"

	# IPC: what one sandbox makes, the next (in the next spare) cannot see.
	await_spare "$pid"
	as_user -v sh -c "$IPC_MAKE" "$MQ"
	read -r _ how <<<"$(holder_of)"
	expect_eq "$who: in a spare, a POSIX queue and SysV shm, queue, semaphore made" \
		"0 taken mq made 3" "$RC $how ${OUT//$'\n'/ }"
	await_spare "$pid"
	as_user -v sh -c "$IPC_SEEN" "$MQ"
	read -r _ how <<<"$(holder_of)"
	expect_eq "$who: ...the next sandbox, in the next spare, sees none of them" \
		"0 taken mq No such file or directory 0" "$RC $how ${OUT//$'\n'/ }"

	# UTS: the host is named as without a spare.
	await_spare "$pid"
	as_user -v sh -c 'hostname; domainname'
	read -r _ how <<<"$(holder_of)"
	expect_eq "$who: in a spare, the host is named sbx, no domain" "0 taken sbx (none)" \
		"$RC $how ${OUT//$'\n'/ }"
	await_spare "$pid"
	as_user -v --hostname spare-name hostname
	read -r _ how <<<"$(holder_of)"
	expect_eq "$who: ...--hostname names it" "0 taken spare-name" "$RC $how $OUT"

	# --share-ipc, --share-uts: the spare's user namespace, the host's IPC
	# and UTS namespaces (and its name).
	await_spare "$pid"
	as_user -v --share-ipc --share-uts sh -c 'readlink /proc/self/ns/ipc /proc/self/ns/uts; hostname'
	read -r _ how <<<"$(holder_of)"
	expect_eq "$who: --share-ipc --share-uts with a spare: the host's namespaces and name" \
		"0 taken $(readlink /proc/self/ns/ipc) $(readlink /proc/self/ns/uts) $(hostname)" \
		"$RC $how ${OUT//$'\n'/ }"
	await_spare "$pid"
	as_user -v --share-uts sh -c 'readlink /proc/self/ns/ipc /proc/self/ns/uts'
	read -r _ how <<<"$(holder_of)"
	expect_eq "$who: --share-uts alone: the spare's IPC namespace, the host's UTS one" \
		"0 taken" "$RC $how"
	expect_eq "$who: ...(their ids)" "yes $(readlink /proc/self/ns/uts)" \
		"$([ "$(sed -n 1p <<<"$OUT")" != "$(readlink /proc/self/ns/ipc)" ] && echo yes) $(sed -n 2p <<<"$OUT")"

	# Eight starts at once: each is answered (the spare, or none: the
	# holder makes the next spare only once nobody waits), none is refused,
	# and each has the full map.
	local bgs2=() outcomes
	for i in 1 2 3 4 5 6 7 8; do
		if [ -z "$U" ]; then
			env XDG_RUNTIME_DIR="$RT" "$SBX" -v cat /proc/self/uid_map </dev/null \
				>"$D/many.out.$i" 2>"$D/many.err.$i" &
		else
			runuser -u "$U" -- env -i PATH=/usr/bin:/bin HOME="$UHOME" XDG_RUNTIME_DIR="$RT" \
				"$SBX" -v cat /proc/self/uid_map </dev/null >"$D/many.out.$i" 2>"$D/many.err.$i" &
		fi
		bgs2+=($!)
	done
	for i in "${bgs2[@]}"; do wait "$i"; done
	outcomes=$(sed -n 's/.*; spare \(.*\) in [0-9.]* ms.*/\1/p' "$D"/many.err.* | sort | uniq -c | tr -s ' ' | tr '\n' ',')
	expect_eq "$who: 8 starts at once: all answered, taken or none ready ($outcomes)" 8 \
		"$(grep -hE '; spare (taken|none ready|no answer) in' "$D"/many.err.* | wc -l)"
	expect_eq "$who: ...all with the full map" 8 "$(grep -lE '^ +0 +[0-9]+ +[0-9]+$' "$D"/many.out.* | wc -l)"

	# Other maps (--uid): no spare of those yet, so this start unshares its
	# own, with its own maps; the next such start takes one made for it.
	as_user -v --uid 1234 sh -c 'id -u; cat /proc/self/uid_map | head -n1'
	read -r _ how <<<"$(holder_of)"
	local other=$OUT
	expect_eq "$who: --uid 1234: the spare has other maps: not used" "0 none ready" "$RC $how"
	await_spare "$pid"
	as_user -v --uid 1234 sh -c 'id -u; cat /proc/self/uid_map | head -n1'
	read -r _ how <<<"$(holder_of)"
	expect_eq "$who: ...the next --uid 1234 start takes one made with its maps" \
		"0 taken $other" "$RC $how $OUT"

	# --share-net: the spare's user namespace, the host's network.
	as_user -v readlink /proc/self/ns/net
	await_spare "$pid"
	as_user -v --share-net readlink /proc/self/ns/net
	read -r _ how <<<"$(holder_of)"
	expect_eq "$who: --share-net with a spare: the host's network namespace" \
		"0 taken $(readlink /proc/self/ns/net)" "$RC $how $OUT"

	# The spare goes with the holder: while it lives nothing but the holder
	# holds it (no keeper is left), so its exit lets it go. (Looked at
	# before the exit: a namespace's inode number is reused at once.)
	await_spare "$pid"
	held=$(spare_of "$pid")
	local holders="" ns p
	for ns in $held; do
		for p in /proc/[0-9]*; do
			# shellcheck disable=SC2010 # the links' targets are what is looked for
			if ls -l "$p/fd" "$p/ns" 2>/dev/null | grep -qF -- "$ns"; then
				holders="$holders ${p#/proc/}"
			fi
		done
	done
	expect_eq "$who: the spare ($held) is held by the holder alone" " $pid $pid $pid $pid" "$holders"
	kill_holder "$pid"
	ok "$(test ! -e "/proc/$pid"; echo $?)" "$who: ...which is gone once killed"

	# A new holder: the first start after it unshares again (fallback).
	as_user -v true
	read -r pid how <<<"$(holder_of)"
	at_exit "kill_holder $pid"
	expect_eq "$who: a new holder has no spare: the start unshares its own" "0 none ready" \
		"$RC $how"
	kill_holder "$pid"
}

make_temp_dir
RT=$TMPD/rt
mkdir -m 700 "$RT"
U=

if [ "$MY_UID" -ne 0 ]; then
	if ! grep -q "^$(id -un):\|^$MY_UID:" /etc/subuid /etc/subgid 2>/dev/null ||
		[ ! -x /usr/bin/newuidmap ]; then
		skip "spare" "no subordinate ranges or no newuidmap for $(id -un)"
	else
		spare_tests
	fi
elif ! command -v useradd >/dev/null || ! command -v usermod >/dev/null; then
	skip "spare as a temporary user" "no useradd/usermod"
else
	U=sbxspare$$
	make_temp_dir
	UHOME=$TMPD
	useradd -r -M -d "$UHOME" -s /bin/sh "$U"
	at_exit "for p in \$(pgrep -u $U -x sbx-userns-hold); do kill_holder \$p; done; userdel $U 2>/dev/null"
	usermod --add-subuids 3400000-3465535 --add-subgids 3400000-3465535 "$U"
	chown "$U:" "$UHOME"
	RT=$UHOME/rt
	install -d -m 700 -o "$U" "$RT"
	spare_tests
fi

done_testing
