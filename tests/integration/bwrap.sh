#!/usr/bin/env bash
# bwrap.sh - sbx speaking bubblewrap's command line (`sbx bwrap`, sbx run as
# "bwrap"), and the --info-fd/--json-status-fd options of the native one.
# bubblewrap's own suite runs from tests/bwrap/run-bubblewrap-tests.sh (.ci/run).
. "$(dirname "$0")/lib.sh"
require_userns

BW=$WORK/bin/bwrap
mkdir -p "$WORK/bin"
ln -s "$SBX" "$BW"
# An empty root with just enough to run /bin/sh.
ROOT=(--ro-bind /usr /usr)
for d in /bin /sbin /lib /lib64; do
	if [ -L "$d" ]; then ROOT+=(--symlink "$(readlink "$d")" "$d")
	elif [ -d "$d" ]; then ROOT+=(--ro-bind "$d" "$d"); fi
done

run_cmd "$BW" --help
expect_match "bwrap --help: usage with the name it was run as" "^usage: $BW " "$OUT"
run_sbx bwrap --help
expect_match "sbx bwrap --help: the same usage" "^usage: bwrap " "$OUT"
run_cmd "$BW"
expect_status "bwrap without a command: usage, status 1" 1
run_cmd "$BW" --bogus true
expect_error "an unknown option: one bwrap: line, status 1" 1 '^bwrap: Unknown option --bogus$'
run_cmd "$BW" --bind /nonexistent-source /x true
expect_error "a missing bind source: bwrap's wording, status 1" 1 \
	"^bwrap: Can't find source path /nonexistent-source: No such file or directory$"

run_cmd "$BW" "${ROOT[@]}" /bin/sh -c 'ls /'
expect_eq "the root holds only what the options made" \
	"$(for d in usr bin sbin lib lib64; do [ -e "/$d" ] && echo "$d"; done | sort | tr '\n' ' ')" \
	"$(printf '%s\n' "$OUT" | sort | tr '\n' ' ')"
run_cmd "$BW" "${ROOT[@]}" /bin/sh -c 'echo x > /newfile && cat /newfile'
expect_out "the root is a writable tmpfs, as bwrap's" x
run_cmd "$BW" "${ROOT[@]}" /bin/sh -c 'exit 7'
expect_status "the command's exit status" 7

# The host's root bound at / (bubblewrap's tests' $RUN), with stdin: the
# plan of a bwrap start once held fd 0 as a "spare namespace" and closed it.
run_cmd bash -c "echo through-stdin | \"$BW\" --bind / / --tmpfs /tmp cat"
expect_out "--bind / /: the host's root, and stdin reaches the command" through-stdin

# The caller's fds reach the command (xdg-dbus-proxy --args=N relies on it).
run_cmd bash -c "exec 9<<<inherited; \"$BW\" ${ROOT[*]} /bin/sh -c 'cat <&9'"
expect_out "an fd nobody named on the command line reaches the command" inherited
run_cmd bash -c "\"$BW\" ${ROOT[*]} --file 8 /f /bin/sh -c 'cat /f; { cat <&8; } 2>&- || echo closed' 8<<<data"
expect_out "... but not one bwrap consumed (--file)" data closed

printf -- '--setenv\0A\0one\0--args\0%s\0' 4 >"$WORK/args1"
printf -- '--setenv\0B\0two\0' >"$WORK/args2"
run_cmd bash -c "\"$BW\" ${ROOT[*]} --args 3 /bin/sh -c 'echo \$A\$B' 3<'$WORK/args1' 4<'$WORK/args2'"
expect_out "--args FD, nested" onetwo

run_cmd "$BW" "${ROOT[@]}" --unshare-pid --as-pid-1 /bin/sh -c 'echo $$'
expect_out "--as-pid-1: the command is pid 1" 1
run_cmd "$BW" "${ROOT[@]}" --unshare-pid /bin/sh -c 'echo $$'
expect_out "--unshare-pid: sbx's pid 1, the command is 2" 2
run_cmd "$BW" "${ROOT[@]}" --as-pid-1 true
expect_error "--as-pid-1 without --unshare-pid: refused as bwrap does" 1 'requires --unshare-pid'
run_cmd "$BW" "${ROOT[@]}" /bin/sh -c 'test -e /proc/self && echo proc || echo noproc'
expect_out "no /proc unless asked for (and no filter of sbx's own)" noproc
run_cmd "$BW" "${ROOT[@]}" --proc /proc /bin/sh -c 'grep ^Seccomp: /proc/self/status'
expect_match "no seccomp filter of sbx's own" '^Seccomp:[[:space:]]+0$' "$OUT"

run_cmd "$BW" "${ROOT[@]}" --proc /proc --new-session /bin/sh -c 'read -r pid c s pp pg sid rest </proc/$$/stat; [ "$sid" = "$$" ] && echo leader'
expect_out "--new-session: the command leads a session of its own" leader
run_cmd "$BW" "${ROOT[@]}" --proc /proc --unshare-pid --as-pid-1 --new-session /bin/sh -c 'read -r pid c s pp pg sid rest </proc/1/stat; [ "$sid" = 1 ] && echo leader'
expect_out "... with --as-pid-1 too" leader

# --userns-block-fd: the caller maps the ids (pid from --info-fd), then says so.
mkfifo "$WORK/info-fifo" "$WORK/block-fifo"
"$BW" "${ROOT[@]}" --unshare-user --info-fd 5 --userns-block-fd 6 /usr/bin/id -u \
	5>"$WORK/info-fifo" 6<"$WORK/block-fifo" >"$WORK/ub-out" 2>&1 &
ub=$!
track_pid $ub
# Opened in the order the background job opens them, or both would wait.
exec 8<"$WORK/info-fifo" 7>"$WORK/block-fifo"
pid=$(sed -n 's/.*"child-pid": \([0-9]*\).*/\1/p' <&8)
exec 8<&-
echo deny >"/proc/$pid/setgroups"
echo "4242 $(id -u) 1" >"/proc/$pid/uid_map"
echo "4242 $(id -g) 1" >"/proc/$pid/gid_map"
# bwrap's callers join the sandbox's namespaces by its child-pid (flatpak
# enter, bwrap --userns FD): /proc/PID/ns must be theirs to open.
if readlink "/proc/$pid/ns/user" >/dev/null; then
	pass "the caller can open the child-pid's /proc/PID/ns"
else
	fail "the caller can open the child-pid's /proc/PID/ns"
fi
echo go >&7
exec 7>&-
wait $ub
expect_eq "--userns-block-fd: the ids the caller mapped" 4242 "$(cat "$WORK/ub-out")"

# Waiting on --block-fd / --userns-block-fd may last for ever (bwrap's
# contract), but a SIGTERM to sbx must still end it. The info line says the
# sandbox exists (a SIGTERM before sbx blocks signals would prove nothing).
# No --unshare-pid: then nothing ends the command but the signal itself.
# bwrap_sigterm_during NAME OPTION...: the wait on a fifo nobody writes to.
bwrap_sigterm_during() {
	local name=$1 bg
	shift
	rm -f "$WORK/st-info" "$WORK/st-block"
	mkfifo "$WORK/st-info" "$WORK/st-block"
	"$BW" "${ROOT[@]}" --info-fd 5 "$@" 6 /bin/true \
		5>"$WORK/st-info" 6<"$WORK/st-block" >/dev/null 2>&1 &
	bg=$!
	track_pid $bg
	exec 8<"$WORK/st-info" 7>"$WORK/st-block"
	cpid=$(sed -n '/"child-pid"/{s/.*"child-pid": \([0-9]*\).*/\1/p;q}' <&8)
	# The wait itself: a read(2) on fd 6, by sbx or by the command (pid 1's child).
	waiting=no
	for _ in $(seq 1500); do
		for p in $bg $(cat "/proc/$cpid/task/$cpid/children" 2>/dev/null); do
			case $(cat "/proc/$p/syscall" 2>/dev/null) in "0 0x6 "*) waiting=yes ;; esac
		done
		[ $waiting = yes ] && break
		sleep 0.02
	done
	kill -TERM $bg
	wait_pid_timeout $bg 30
	exec 8<&- 7>&-
	expect_eq "SIGTERM during $name ends sbx (status 143)" 143 "$RC"
}
bwrap_sigterm_during --block-fd --block-fd
bwrap_sigterm_during --userns-block-fd --unshare-user --userns-block-fd

# --info-fd is sbx's to write: its reader sees EOF once the info is out,
# not when the sandbox ends (here the command still waits on --block-fd).
rm -f "$WORK/eof-info" "$WORK/eof-block"
mkfifo "$WORK/eof-info" "$WORK/eof-block"
"$BW" "${ROOT[@]}" --unshare-pid --info-fd 5 --block-fd 6 /bin/true \
	5>"$WORK/eof-info" 6<"$WORK/eof-block" >/dev/null 2>&1 &
eof_bg=$!
track_pid $eof_bg
exec 8<"$WORK/eof-info" 7>"$WORK/eof-block"
# A reader left waiting would hang here: the command's exit ends it instead.
(cat <&8 >/dev/null; echo eof >"$WORK/eof-seen") &
eof_reader=$!
track_pid $eof_reader
exec 8<&-
wait_pid_timeout $eof_reader 30
expect_eq "--info-fd: EOF while the command still waits (--block-fd)" eof "$(cat "$WORK/eof-seen" 2>/dev/null)"
echo go >&7
exec 7>&-
wait $eof_bg

# The fds sbx consumed or owns never reach the command; the rest do.
printf -- '--setenv\0A\0b\0' >"$WORK/args-fds"
run_cmd bash -c "\"$BW\" ${ROOT[*]} --tmpfs /x --unshare-pid --info-fd 5 --json-status-fd 6 \
	--sync-fd 7 --args 8 --file 9 /x/f --bind-data 11 /x/g --block-fd 12 --proc /proc \
	/bin/sh -c 'cd /proc/self/fd && echo *' 5>/dev/null 6>/dev/null 7</dev/null \
	8<'$WORK/args-fds' 9</dev/null 11</dev/null 12</dev/null 14</dev/null"
expect_eq "only fds the caller passed on (14) reach the command" "" \
	"$(printf '%s\n' $OUT | grep -xE '5|6|7|8|9|11|12')"
expect_match "... and those do" '(^| )14( |$)' "$OUT"

# sbx never runs setuid, under the name bwrap either (bwrap is often
# installed setuid: a copy of sbx in its place must refuse).
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	mkdir -p "$WORK/suid"
	cp "$SBX" "$WORK/suid/bwrap"
	chown nobody "$WORK/suid/bwrap"
	chmod 4755 "$WORK/suid/bwrap"
	run_cmd "$WORK/suid/bwrap" "${ROOT[@]}" true
	expect_error "a setuid sbx run as bwrap refuses to run" 125 \
		'^sbx: refusing to run setuid, setgid or with file capabilities$'
else
	skip "a setuid sbx run as bwrap refuses to run" "needs root to make a setuid copy"
fi

run_cmd "$BW" --level-prefix --bogus true
expect_error "--level-prefix: syslog's error level on messages" 1 '^<3>bwrap: Unknown option --bogus$'

# --info-fd and --json-status-fd, through bwrap and natively.
run_cmd bash -c "\"$BW\" ${ROOT[*]} --unshare-net --info-fd 5 --json-status-fd 6 /bin/sh -c 'exit 3' 5>'$WORK/info' 6>'$WORK/status'"
expect_status "bwrap --json-status-fd: the command's status" 3
expect_match "--info-fd: child-pid and the new namespaces, bwrap's layout" \
	'^    "net-namespace": [0-9]+$' "$(cat "$WORK/info")"
expect_match "--json-status-fd: the start line" '^\{ "child-pid": [0-9]+, .*"mnt-namespace": [0-9]+' \
	"$(cat "$WORK/status")"
expect_match "--json-status-fd: the exit-code line" '^\{ "exit-code": 3 \}$' "$(cat "$WORK/status")"
expect_eq "bwrap mode: bwrap's members only (no \"sbx-limits\" or other of sbx's own)" "" \
	"$(grep -Eho '"[a-z-]+":' "$WORK/info" "$WORK/status" | grep -Ev '^"(child-pid|[a-z]+-namespace|exit-code)":$')"
run_cmd bash -c "\"$SBX\" --info-fd 5 --json-status-fd 6 -- sh -c 'readlink /proc/self/ns/pid; exit 4' 5>'$WORK/info' 6>'$WORK/status'"
expect_status "sbx --json-status-fd: the command's status" 4
ns=$(printf '%s' "$OUT" | sed 's/.*\[\([0-9]*\)\]/\1/')
expect_match "sbx --info-fd: the pid namespace the command is in" "\"pid-namespace\": $ns" "$(cat "$WORK/info")"
expect_match "sbx --json-status-fd: the exit code" '^\{ "exit-code": 4 \}$' "$(cat "$WORK/status")"
run_cmd bash -c "\"$SBX\" --json-status-fd 6 -- /nonexistent 6>'$WORK/status'"
expect_eq "sbx --json-status-fd: no exit-code when the command could not run" "" \
	"$(grep exit-code "$WORK/status")"
n=0
for i in 1 2 3 4 5; do
	"$SBX" --info-fd 5 -- true 5>"$WORK/info" && grep -q '"net-namespace"' "$WORK/info" && n=$((n + 1))
	"$BW" "${ROOT[@]}" --unshare-net --info-fd 5 true 5>"$WORK/info" &&
		grep -q '"net-namespace"' "$WORK/info" && n=$((n + 1))
done
expect_eq "--info-fd: the namespace ids even when the command ends at once" 10 "$n"
run_sbx --info-fd 77 true
expect_error "sbx --info-fd: a closed fd is refused" 125 '^sbx: --info-fd 77: Bad file descriptor$'

done_testing
