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
