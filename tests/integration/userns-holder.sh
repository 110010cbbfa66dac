#!/usr/bin/env bash
# userns-holder.sh - the per-user parent user namespace and its holder: found
# and joined, a stale socket replaced, a planted or wrongly mapped holder
# refused, sandboxes apart from each other and from the parent namespace, the
# way to run without it, and (as root, with a temporary user) a changed
# /etc/subuid.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1

# A fake holder: listens at the path; sbx checks the namespace of the
# listening process (/proc/PID/ns/user), here the one it runs in.
PY_LISTEN='
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(sys.argv[1])
s.listen(8)
while True:
    s.accept()[0].close()
'

# holder_of: "PATH PID HOW" from the -v line of the last run.
holder_of() {
	printf '%s\n' "$ERR" | sed -n 's/.*parent namespace of holder \([^ ]*\) pid \([0-9]*\) (\([a-z]*\) in .*/\1 \2 \3/p'
}

# kill_holder PID: end a holder this test started (by its pid, and only
# while that pid is still a holder), and wait until it is gone.
kill_holder() {
	[ -n "$1" ] || return 0
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = sbx-userns-hold ] || return 0
	kill -KILL "$1" 2>/dev/null
	timeout 10 tail --pid="$1" -f /dev/null
}

# As the caller (no argument) or, as root, as user $1: run sbx with the
# holder directory under $RT.
as_user() {
	local user=$1
	shift
	if [ -z "$user" ]; then
		run_cmd env XDG_RUNTIME_DIR="$RT" "$SBX" "$@"
	else
		run_cmd runuser -u "$user" -- env -i PATH=/usr/bin:/bin HOME="$UHOME" \
			XDG_RUNTIME_DIR="$RT" "$SBX" "$@"
	fi
}

holder_tests() { # USER (empty: the caller)
	local u=$1 who=${1:-caller} path pid how pid2 fake
	as_user "$u" -v cat /proc/self/uid_map
	read -r path pid how <<<"$(holder_of)"
	expect_eq "$who: the first start starts a holder" started "$how"
	at_exit "kill_holder $pid"
	expect_match "$who: the sandbox has the full map" '^ +0 +[0-9]+ +[0-9]+$' "$OUT"

	as_user "$u" -v true
	read -r _ pid2 how <<<"$(holder_of)"
	expect_eq "$who: the next start joins the same holder" "joined $pid" "$how $pid2"
	ok "$(test "$(stat -c %a "$(dirname "$path")")" = 700; echo $?)" \
		"$who: the holder's directory is private (0700)"

	# Each sandbox is a child namespace of its own, not the holder's.
	local holder_ns first
	holder_ns=$(readlink "/proc/$pid/ns/user")
	as_user "$u" readlink /proc/self/ns/user
	first=$OUT
	as_user "$u" readlink /proc/self/ns/user
	ok "$(test -n "$OUT" && test "$OUT" != "$holder_ns" && test "$OUT" != "$first"; echo $?)" \
		"$who: each sandbox has a user namespace of its own, not the parent namespace"

	# While a sandbox runs, the holder holds its mount namespace (so that
	# the teardown happens after sbx exits); once sbx is gone, it lets go.
	if [ -z "$u" ]; then
		local D=$WORK/handover
		mkdir -p "$D" && mkfifo "$D/fifo"
		env XDG_RUNTIME_DIR="$RT" "$SBX" --bind "$D" sh -c \
			"readlink /proc/self/ns/mnt > $D/mnt; read x < $D/fifo" </dev/null &
		local sb=$!
		track_pid "$sb"
		wait_for_file "$D/mnt" 10
		while [ ! -s "$D/mnt" ]; do sleep 0.02; done
		local held
		held=$(ls -l "/proc/$pid/fd" 2>/dev/null | grep -cF "$(cat "$D/mnt")")
		expect_eq "$who: the holder holds the running sandbox's mount namespace" 1 "$held"
		echo > "$D/fifo"
		wait "$sb"
		local tries=0
		while ls -l "/proc/$pid/fd" 2>/dev/null | grep -qF "$(cat "$D/mnt")" &&
			[ $((tries += 1)) -lt 250 ]; do
			sleep 0.02 # the holder closes it when it sees sbx's connection end
		done
		held=$(ls -l "/proc/$pid/fd" 2>/dev/null | grep -cF "$(cat "$D/mnt")")
		expect_eq "$who: ...and lets it go once sbx has exited" 0 "$held"

		# A sandbox does not need the holder once it runs: kill it meanwhile.
		rm -f "$D/mnt"
		env XDG_RUNTIME_DIR="$RT" "$SBX" --bind "$D" sh -c \
			"id -u > $D/mnt; read x < $D/fifo; echo still here" </dev/null >"$D/out" &
		sb=$!
		track_pid "$sb"
		wait_for_file "$D/mnt" 10
		while [ ! -s "$D/mnt" ]; do sleep 0.02; done
		kill_holder "$pid"
		echo > "$D/fifo"
		wait "$sb"
		expect_eq "$who: a sandbox outlives a holder killed under it" "0 still here" "$? $(cat "$D/out")"
	fi

	# A stale socket (the holder killed) is replaced.
	kill_holder "$pid"
	as_user "$u" -v true
	read -r _ pid2 how <<<"$(holder_of)"
	at_exit "kill_holder $pid2"
	expect_eq "$who: a stale socket is replaced by a new holder" "0 started" "$RC $how"
	ok "$(test "$pid2" != "$pid"; echo $?)" "$who: ...with a new pid ($pid2, was $pid)"

	# A listener of our own uid whose namespace has the wrong map
	# (unshare -Ur: only "0 UID 1") is refused and replaced.
	kill_holder "$pid2"
	rm -f "$path"
	if [ -z "$u" ]; then
		unshare -Ur python3 -c "$PY_LISTEN" "$path" &
	else
		setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups \
			unshare -Ur python3 -c "$PY_LISTEN" "$path" &
	fi
	fake=$!
	track_pid "$fake"
	wait_for_file "$path" 10
	as_user "$u" -v cat /proc/self/uid_map
	read -r _ pid2 how <<<"$(holder_of)"
	at_exit "kill_holder $pid2"
	expect_eq "$who: a holder with a wrong map is refused, a new one started" "0 started" \
		"$RC $how"
	expect_match "$who: ...and the sandbox still has the full map" '^ +0 +[0-9]+ +[0-9]+$' "$OUT"
	kill -KILL "$fake" 2>/dev/null
	wait "$fake" 2>/dev/null
	kill_holder "$pid2"
}

# A holder out of file descriptors (the hard limit of the sbx that started
# it: 24 here) waits for a connection to close instead of being woken at
# once, forever, by the starts in its backlog: it used to spin at full CPU.
PY_CONNECT='
import os, signal, socket, sys
cs = []
for i in range(int(sys.argv[2])):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    c.connect(sys.argv[1])
    cs.append(c)
open(sys.argv[3] + ".new", "w").write("%d\n" % len(cs))
os.rename(sys.argv[3] + ".new", sys.argv[3])
signal.pause()
'
holder_fd_limit() { # USER (empty: the caller) DIR (of that user)
	local u=$1 who=${1:-caller} RT=$2/rt-fds path pid how st tries=0 conn sbx py
	sbx=(prlimit --nofile=24:24 env XDG_RUNTIME_DIR="$RT") py=()
	if [ -n "$u" ]; then
		sbx=(runuser -u "$u" -- prlimit --nofile=24:24 env -i PATH=/usr/bin:/bin HOME="$UHOME"
			XDG_RUNTIME_DIR="$RT")
		py=(setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups env PATH=/usr/bin:/bin)
	fi
	mkdir -m 700 "$RT" && [ -z "$u" ] || chown "$u:" "$RT"
	run_cmd "${sbx[@]}" "$SBX" -v true
	read -r path pid how <<<"$(holder_of)"
	at_exit "kill_holder $pid"
	expect_eq "$who: a holder started with 24 fds at most" "0 started" "$RC $how"
	"${py[@]}" python3 -c "$PY_CONNECT" "$path" 40 "$2/conns" &
	conn=$!
	track_pid "$conn"
	wait_for_file "$2/conns" 10
	while st=$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null) && [ "$st" != S ] &&
		[ $((tries += 1)) -lt 500 ]; do
		sleep 0.02 # until it waits (a spinning holder never does)
	done
	expect_eq "$who: ...out of fds with 40 connections, it waits instead of spinning" \
		"40 S" "$(cat "$2/conns") $st"
	kill "$conn" 2>/dev/null
	wait "$conn" 2>/dev/null
	as_user "$u" -v true
	expect_eq "$who: ...and, those closed, serves the next start" "0 joined $pid" \
		"$RC $(holder_of | awk '{print $3, $2}')"
	kill_holder "$pid"
}

# The lock that serialises the replacing of a holder, held for good (a
# stopped start, or a sandbox given the directory): a start that needs it
# gives up after a while and uses newuidmap/newgidmap. It used to wait
# forever.
holder_lock_held() { # USER (empty: the caller) DIR (of that user)
	local u=$1 who=${1:-caller} RT=$2/rt-lock path pid locker sbx
	sbx=(env XDG_RUNTIME_DIR="$RT")
	[ -z "$u" ] || sbx=(runuser -u "$u" -- env -i PATH=/usr/bin:/bin HOME="$UHOME" XDG_RUNTIME_DIR="$RT")
	mkdir -m 700 "$RT" && [ -z "$u" ] || chown "$u:" "$RT"
	as_user "$u" -v true
	read -r path pid _ <<<"$(holder_of)"
	kill_holder "$pid" # its socket stays: stale, to be replaced under the lock
	# One process, the lock on its own fd 9: killing it releases the lock.
	(exec 9<>"$RT/sbx/lock" && flock -x 9 && echo >"$2/locked" && exec sleep 600 </dev/null >/dev/null 2>&1) &
	locker=$!
	track_pid "$locker"
	wait_for_file "$2/locked" 10
	run_cmd timeout 60 "${sbx[@]}" "$SBX" -v cat /proc/self/uid_map
	expect_eq "$who: with the holder's lock held for good, a start does not wait forever" 0 "$RC"
	expect_match "$who: ...it uses newuidmap/newgidmap and says why" \
		'via newuidmap/newgidmap \(holder .*: Connection timed out\)' "$ERR"
	expect_match "$who: ...with the full map" '^ +0 +[0-9]+ +[0-9]+$' "$OUT"
	kill "$locker" 2>/dev/null
	wait "$locker" 2>/dev/null
}

# --- the caller ------------------------------------------------------------------

make_temp_dir
RT=$TMPD/rt
mkdir -m 700 "$RT"

if [ "$MY_UID" -eq 0 ]; then
	run_sbx -v true
	expect_match "root writes its maps itself (no holder)" 'via /proc \(root\)' "$ERR"
elif ! grep -q "^$(id -un):\|^$MY_UID:" /etc/subuid /etc/subgid 2>/dev/null ||
	[ ! -x /usr/bin/newuidmap ]; then
	skip "holder" "no subordinate ranges or no newuidmap for $(id -un)"
else
	holder_tests ""
	holder_fd_limit "" "$WORK"
	holder_lock_held "" "$WORK"

	run_cmd env XDG_RUNTIME_DIR="$RT" SBX_USERNS_HOLDER=0 "$SBX" -v true
	expect_match "SBX_USERNS_HOLDER=0: newuidmap/newgidmap" 'via newuidmap/newgidmap \(holder off\)' "$ERR"
	run_cmd env XDG_RUNTIME_DIR="$RT" "$SBX" -v --no-userns-holder cat /proc/self/uid_map
	expect_match "--no-userns-holder: newuidmap/newgidmap, full map" '^ +0 +[0-9]+ +[0-9]+$' "$OUT"
	run_cmd env XDG_RUNTIME_DIR="$RT" "$SBX" -v --userns single true
	expect_eq "--userns single uses no holder" "" "$(holder_of)"

	# Eight first starts at once: the lock lets one start the holder, the
	# others join it.
	RT2=$WORK/rt-many bgs=()
	mkdir -m 700 "$RT2"
	for i in 1 2 3 4 5 6 7 8; do
		env XDG_RUNTIME_DIR="$RT2" "$SBX" -v true </dev/null 2>"$WORK/many.$i" &
		bgs+=($!)
	done
	for i in "${bgs[@]}"; do wait "$i"; done
	started=$(cat "$WORK"/many.* | grep -c '(started in ')
	expect_eq "eight concurrent first starts start one holder" 1 "$started"
	expect_eq "...and the seven others join it" 7 "$(cat "$WORK"/many.* | grep -c '(joined in ')"
	for i in $(cat "$WORK"/many.* | sed -n 's/.* pid \([0-9]*\) (started in .*/\1/p'); do
		at_exit "kill_holder $i"
	done

	# A directory of the holder's that others could write is not used.
	chmod 755 "$RT/sbx"
	run_cmd env XDG_RUNTIME_DIR="$RT" "$SBX" -v cat /proc/self/uid_map
	expect_match "a holder directory open to others is refused (helpers used)" \
		'holder: .*Operation not permitted' "$ERR"
	expect_match "...and the sandbox still has the full map" '^ +0 +[0-9]+ +[0-9]+$' "$OUT"
	chmod 700 "$RT/sbx"

	# A sandbox that can see the holder (--share-pid, no seccomp filter)
	# cannot join its namespace: opening it is refused (Landlock, the
	# ptrace check) or, if it were not, setns() is (no capability there).
	run_cmd env XDG_RUNTIME_DIR="$RT" "$SBX" -v true
	read -r path pid _ <<<"$(holder_of)"
	at_exit "kill_holder $pid"
	run_cmd env XDG_RUNTIME_DIR="$RT" "$SBX" --share-pid --seccomp unconfined python3 -c '
import ctypes, os, sys
try:
    fd = os.open("/proc/%s/ns/user" % sys.argv[1], os.O_RDONLY)
except OSError as e:
    print("open:", e.strerror)
    sys.exit(0)
libc = ctypes.CDLL(None, use_errno=True)
r = libc.setns(fd, 0x10000000)
print("setns:", os.strerror(ctypes.get_errno()) if r else "JOINED")' "$pid"
	expect_match "inside a sandbox the parent namespace cannot be joined" \
		'^(open: Permission denied|setns: Operation not permitted)$' "$OUT"
	kill_holder "$pid"
fi

# --- as root: another user's holder, a planted one, a changed /etc/subuid ------------

TMPUSER=sbxhold$$
# The temporary user's holders, ended before usermod/userdel (which refuse
# a user with processes).
kill_user_holders() {
	local p
	for p in $(pgrep -u "$TMPUSER" -x sbx-userns-hold); do
		kill_holder "$p"
	done
}
if [ "$MY_UID" -ne 0 ]; then
	skip "as root: a holder planted by another uid is refused" "not root"
	skip "as root: a changed /etc/subuid leads to a new holder" "not root"
elif ! command -v useradd >/dev/null || ! command -v usermod >/dev/null; then
	skip "as root: a temporary user" "no useradd/usermod"
else
	make_temp_dir
	UHOME=$TMPD
	# A system account gets no subordinate ids of its own: only ours, which
	# userdel removes with it.
	useradd -r -M -d "$UHOME" -s /bin/sh "$TMPUSER"
	at_exit "kill_user_holders; userdel $TMPUSER 2>/dev/null"
	usermod --add-subuids 3100000-3165535 --add-subgids 3100000-3165535 "$TMPUSER"
	chown "$TMPUSER:" "$UHOME"
	RT=$UHOME/rt
	install -d -m 700 -o "$TMPUSER" "$RT"

	holder_tests "$TMPUSER"
	holder_fd_limit "$TMPUSER" "$UHOME"
	holder_lock_held "$TMPUSER" "$UHOME"

	# Planted by root (another uid) at the right name: refused, replaced.
	as_user "$TMPUSER" -v true
	read -r path pid _ <<<"$(holder_of)"
	kill_holder "$pid"
	rm -f "$path"
	python3 -c "$PY_LISTEN" "$path" &
	fake=$!
	track_pid "$fake"
	wait_for_file "$path" 10
	as_user "$TMPUSER" -v cat /proc/self/uid_map
	read -r _ pid2 how <<<"$(holder_of)"
	at_exit "kill_holder $pid2"
	expect_eq "a holder planted by another uid (root) is refused, a new one started" \
		"0 started" "$RC $how"
	expect_eq "...which runs as the user" "$(id -u "$TMPUSER")" "$(stat -c %u "/proc/$pid2" 2>&1)"
	kill -KILL "$fake" 2>/dev/null
	wait "$fake" 2>/dev/null
	expect_match "the map comes from the user's range (3100000)" '^ +0 +3100000 ' "$OUT"

	# /etc/subuid changes: a new holder (another socket name) with the new map.
	kill_user_holders
	usermod --del-subuids 3100000-3165535 --add-subuids 3200000-3265535 "$TMPUSER"
	as_user "$TMPUSER" -v cat /proc/self/uid_map
	read -r path2 pid3 how <<<"$(holder_of)"
	at_exit "kill_holder $pid3"
	expect_eq "a changed /etc/subuid starts a new holder" "0 started" "$RC $how"
	ok "$(test "$path2" != "$path"; echo $?)" "...under another name"
	expect_match "...and the sandbox gets the new range" '^ +0 +3200000 ' "$OUT"
	kill_holder "$pid2"
	kill_holder "$pid3"

	# Issue 10: 400 separate one-id ranges (sbx used to read 64, silently):
	# as many as one map holds are mapped, and one line says so.
	kill_user_holders
	usermod --del-subuids 3200000-3265535 "$TMPUSER"
	args=()
	for i in $(seq 0 399); do
		args+=(--add-subuids "$((3300000 + 2 * i))-$((3300000 + 2 * i))")
	done
	usermod "${args[@]}" "$TMPUSER"
	as_user "$TMPUSER" cat /proc/self/uid_map
	lines=$(printf '%s\n' "$OUT" | grep -c .)
	expect_eq "400 one-id ranges: the sandbox starts" 0 "$RC"
	ok "$(test "$lines" -gt 200; echo $?)" "...with far more than 64 of them mapped ($lines lines)"
	expect_match "...and one line says the map is full" \
		'^sbx: warning: the ranges of sbxhold[0-9]+ in /etc/subuid need more than one id map holds' "$ERR"
	expect_eq "...only that line" 1 "$(printf '%s\n' "$ERR" | grep -c .)"
	kill_user_holders
fi

done_testing
