#!/usr/bin/env bash
# The D-Bus options on a real bus (dbus-daemon) with a Python service owning
# org.sbxtest.Allowed and org.sbxtest.Secret: only xdg-dbus-proxy's
# filtered socket is inside; talk, own and see rules; the proxy runs in a
# sandbox of its own and is gone after the sandbox ends, and after SIGKILL
# of sbx; no D-Bus option, no bus.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
. "$TESTS_SRCDIR/integration/desktop-lib.sh"
require_userns
need_tools dbus-daemon dbus-send xdg-dbus-proxy
$PY3 -c 'import dbus, gi' 2>/dev/null || need_tools python3-dbus-and-gi

mkfifo "$WORK/bus.fifo" "$WORK/svc.fifo"
dbus-daemon --session --nofork --address="unix:path=$WORK/bus" --print-address=3 \
	3>"$WORK/bus.fifo" >"$WORK/bus.log" 2>&1 </dev/null &
track_pid $!
read -r -t 20 addr <"$WORK/bus.fifo"
$PY3 "$TESTS_SRCDIR/helpers/dbus-service.py" "$addr" >"$WORK/svc.fifo" 2>"$WORK/svc.log" </dev/null &
track_pid $!
read -r -t 20 ready <"$WORK/svc.fifo"
if [ "$ready" != ready ]; then
	fail "the test service started" "$(cat "$WORK/svc.log")"
	done_testing
fi
export DBUS_SESSION_BUS_ADDRESS=$addr
# The proxy's directories go there (a SIGKILLed sbx leaves its own behind).
export XDG_RUNTIME_DIR=$WORK/rt
mkdir -m 0700 "$XDG_RUNTIME_DIR"
dirs() { ls -d "${XDG_RUNTIME_DIR:-/tmp}"/sbx-dbus-* 2>/dev/null | wc -l; }

call() { # call BUS NAME: Hello() on NAME
	echo "dbus-send --$1 --print-reply=literal --dest=$2 /org/sbxtest org.sbxtest.Iface.Hello"
}
list_names="dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames"
own() { # own NAME: RequestName(NAME)
	echo "dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.RequestName string:$1 uint32:4"
}

run_sbx --dbus-talk org.sbxtest.Allowed $(call session org.sbxtest.Allowed)
expect_run "--dbus-talk Allowed: its first call succeeds (the proxy listened before the start)" 0 "   hello"
# With sbx's stdin (and a free fd 3) closed, the proxy's pipe is fds 0 and 3.
# shellcheck disable=SC2046
run_cmd bash -c 'exec "$@" <&- 3>&-' _ "$SBX" --dbus-talk org.sbxtest.Allowed $(call session org.sbxtest.Allowed)
expect_run "... and with sbx's stdin closed" 0 "   hello"
run_sbx --dbus-talk org.sbxtest.Allowed $(call session org.sbxtest.Secret)
[ "$RC" -ne 0 ] && [ -z "$OUT" ]
ok $? "... a call to Secret fails"
run_sbx --dbus-talk org.sbxtest.Allowed $list_names
printf '%s\n' "$OUT" | grep -q 'org\.sbxtest\.Allowed' && ! printf '%s\n' "$OUT" | grep -q Secret
ok $? "... ListNames shows Allowed, not Secret"
run_sbx --dbus-talk org.sbxtest.Allowed $(own org.sbxtest.Mine)
[ "$RC" -ne 0 ]
ok $? "... owning a name fails"
run_sbx --dbus-talk org.sbxtest.Allowed --dbus-own org.sbxtest.Mine $(own org.sbxtest.Mine)
expect_run "--dbus-own org.sbxtest.Mine: owning it succeeds (primary owner)" 0 "   uint32 1"
run_sbx --dbus-see org.sbxtest.Secret $list_names
printf '%s\n' "$OUT" | grep -q Secret
ok $? "--dbus-see Secret: ListNames shows it"
run_sbx --dbus-talk 'org.sbxtest.*' $(call session org.sbxtest.Secret)
expect_run "--dbus-talk org.sbxtest.*: a wildcard reaches Secret" 0 "   hello"
run_sbx --dbus-call 'org.sbxtest.Secret=org.sbxtest.Iface.Hello@/org/sbxtest' $(call session org.sbxtest.Secret)
expect_run "--dbus-call NAME=METHOD@PATH: that call goes through" 0 "   hello"

run_sbx --dbus-talk org.sbxtest.Allowed sh -c 'echo "$DBUS_SESSION_BUS_ADDRESS"; cd "$XDG_RUNTIME_DIR"; ls -A; readlink bus; ls -A .dbus-proxy'
expect_out "the proxy's socket is the only bus inside" "unix:path=/run/user/$(id -u)/bus" \
	.dbus-proxy bus .dbus-proxy/bus bus

# --- no option, no bus; unfiltered ---------------------------------------------
run_sbx $list_names
[ "$RC" -ne 0 ]
ok $? "no D-Bus option: no bus at all"
run_sbx --x11-trusted true 2>/dev/null
run_sbx --dbus-session-unfiltered $(call session org.sbxtest.Secret)
[ "$RC" = 0 ] && [ "$OUT" = "   hello" ] && [ "$(echo "$ERR" | grep -c .)" = 1 ]
ok $? "--dbus-session-unfiltered: the real bus, Secret too, with one warning line"
expect_match "... the warning" '^sbx: --dbus-session-unfiltered: ' "$ERR"

# --- the system bus ------------------------------------------------------------
DBUS_SYSTEM_BUS_ADDRESS=$addr run_sbx --dbus-system-talk org.sbxtest.Allowed sh -c \
	"$(call system org.sbxtest.Allowed) && ! $(call system org.sbxtest.Secret) 2>/dev/null && ! $list_names 2>/dev/null"
expect_run "--dbus-system-talk: the system bus filtered, and no session bus" 0 "   hello"

# --- the proxy's sandbox and its end ---------------------------------------------
before=$(dirs)
marker
"$SBX" --dbus-talk org.sbxtest.Allowed sleep "$MARKER" </dev/null >/dev/null 2>"$WORK/bg.err" &
sbx_pid=$!
track_pid "$sbx_pid"
# comm, not /proc/PID/exe: another user namespace's process is not ours
# to inspect unless we are root.
proxy_pids() { pids_with_arg "unix:path=$WORK/bus" | while read -r p; do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = xdg-dbus-proxy ] && echo "$p"; done; }
# The command itself (sbx's own arguments hold the marker too): it starts
# once the proxy listens.
has_marker() { [ -n "$(pids_with_cmdline "sleep $MARKER")" ]; }
wait_until 60 has_marker
proxy=$(proxy_pids)
[ -n "$proxy" ]
ok $? "the proxy runs while the sandbox does (pid ${proxy:-none})" || diag "$(cat "$WORK/bg.err")"
# NSpid lists one pid per pid namespace: two or more, a namespace of its own.
[ -n "$proxy" ] && [ "$(awk '/^NSpid:/ { print NF - 1 }' "/proc/$proxy/status")" -ge 2 ]
ok $? "... in a pid namespace of its own"
if [ "$(id -u)" = 0 ]; then
	[ -n "$proxy" ] && [ "$(readlink "/proc/$proxy/ns/net")" != "$(readlink /proc/self/ns/net)" ] &&
		[ "$(readlink "/proc/$proxy/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]
	ok $? "... and network and mount namespaces of its own"
	[ -n "$proxy" ] && [ -d "/proc/$proxy/root$HOME" ] && [ -z "$(ls -A "/proc/$proxy/root$HOME")" ]
	ok $? "... with an empty \$HOME"
else
	skip "the proxy's network, mount namespaces and \$HOME" "only root may look into them"
fi
{
	kill -KILL "$sbx_pid"
	wait "$sbx_pid"
} 2>/dev/null
no_proxy() { [ -z "$(proxy_pids)" ]; }
wait_until 10 no_proxy
ok $? "after SIGKILL of sbx the proxy is gone"
wait_for_no_arg "$MARKER" 10
ok $? "... and the sandbox too"
dirs_as_before() { [ "$(dirs)" = "$before" ]; }
wait_until 10 dirs_as_before
ok $? "... and its socket directory is removed (by the proxy's sbx)" || diag "$(ls -A "$XDG_RUNTIME_DIR")"

# --- what sbx and the proxy's sbx killed at once leave, the next start removes ---
# Not a directory another sbx still holds, nor one with more in it than the
# proxy's sockets, nor another name.
mkdir "$XDG_RUNTIME_DIR/sbx-dbus-more00" "$XDG_RUNTIME_DIR/sbx-dbus-x"
touch "$XDG_RUNTIME_DIR/sbx-dbus-more00/file"
ls -d "$XDG_RUNTIME_DIR"/sbx-dbus-* >"$WORK/dirs.before"
marker
"$SBX" --dbus-talk org.sbxtest.Allowed sleep "$MARKER" </dev/null >/dev/null 2>"$WORK/bg.err" &
sbx_pid=$!
track_pid "$sbx_pid"
wait_until 60 has_marker
proxy=$(proxy_pids)
ppid_of() { awk '/^PPid:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
psbx=$(ppid_of "$(ppid_of "${proxy:-0}")")
held=$(ls -d "$XDG_RUNTIME_DIR"/sbx-dbus-* | grep -vxF -f "$WORK/dirs.before")
if [ -z "$psbx" ] || [ "$(printf '%s\n' "$held" | wc -l)" != 1 ]; then
	fail "a sandbox with a proxy runs, one new directory there" "$(cat "$WORK/bg.err")" "$held"
else
	run_sbx --dbus-talk org.sbxtest.Allowed $(call session org.sbxtest.Allowed)
	expect_run "a second sandbox with a proxy, while one runs" 0 "   hello"
	[ -S "$held/bus" ] && [ -n "$(proxy_pids)" ]
	ok $? "... which leaves the running one's directory and socket alone"
	# The proxy's sbx first: once SIGKILLed it runs no more code, so
	# sbx's end, its PR_SET_PDEATHSIG, finds nobody to remove the directory.
	kill -KILL "$psbx" "$sbx_pid"
	wait "$sbx_pid" 2>/dev/null
	wait_until 10 no_proxy
	[ -d "$held" ]
	ok $? "sbx and the proxy's sbx SIGKILLed at once leave the directory"
	run_sbx --dbus-talk org.sbxtest.Allowed true
	[ "$RC" = 0 ] && [ ! -e "$held" ]
	ok $? "... which the next sbx with a proxy removes" || diag "$ERR"
	[ -e "$XDG_RUNTIME_DIR/sbx-dbus-more00/file" ] && [ -d "$XDG_RUNTIME_DIR/sbx-dbus-x" ]
	ok $? "... and not one with another file in it, nor another name"
fi
kill -KILL "$sbx_pid" 2>/dev/null && wait "$sbx_pid" 2>/dev/null
wait_until 10 no_proxy
rm -r "$XDG_RUNTIME_DIR"/sbx-dbus-*

# --- the proxy's sbx is a fork: only what an exec'ed sbx would have -------------
# With sbx's stdin and fd 3 closed the proxy's pipe is fds 0 (read end,
# close-on-exec) and 3; an exec closed the read end, a fork keeps it unless
# told: the proxy's sbx held it, the proxy never saw its pipe close and sbx
# waited for it, then SIGKILLed it. A file on a free fd (7) is sbx's alone.
echo secret >"$WORK/secret"
marker
bash -c 'exec "$@" <&- 3>&- 7<"$0"' "$WORK/secret" "$SBX" --dbus-talk org.sbxtest.Allowed \
	sleep "$MARKER" >/dev/null 2>"$WORK/bg.err" &
sbx_pid=$!
track_pid "$sbx_pid"
wait_until 60 has_marker
proxy=$(proxy_pids)
# The proxy's sbx: the parent of the proxy's pid 1.
psbx=$(ppid_of "$(ppid_of "${proxy:-0}")")
pipe=$(readlink "/proc/${psbx:-0}/fd/3" 2>/dev/null)
if [ -z "$proxy" ] || [ -z "$psbx" ]; then
	fail "the proxy and its sbx found" "$(cat "$WORK/bg.err")"
elif [ -z "$pipe" ]; then
	skip "the proxy's sbx's fds" "its /proc/PID/fd cannot be read here"
else
	held=$(for f in "/proc/$psbx/fd/"*; do readlink "$f"; done)
	expect_eq "the proxy's sbx holds its pipe once (the write end), with sbx's stdin closed" \
		1 "$(printf '%s\n' "$held" | grep -cxF "$pipe")"
	! printf '%s\n' "$held" | grep -q "$WORK/secret"
	ok $? "... and no fd of sbx's (a file on fd 7)"
fi
if [ -n "$proxy" ] && [ "$(id -u)" = 0 ]; then
	pfds=$(for f in "/proc/$proxy/fd/"*; do readlink "$f"; done)
	! printf '%s\n' "$pfds" | grep -vE '^(socket|pipe|anon_inode):|^/dev/null$' |
		grep -vxF "$WORK/bg.err" | grep -q .
	ok $? "the proxy itself: sockets, its pipe, anonymous inodes, /dev/null and sbx's stderr only" ||
		diag "$pfds"
	st=$(cat "/proc/$proxy/status")
	printf '%s\n' "$st" | grep -qx 'NoNewPrivs:[[:space:]]1' &&
		printf '%s\n' "$st" | grep -qx 'Seccomp:[[:space:]]2' &&
		printf '%s\n' "$st" | grep -qx 'CapEff:[[:space:]]0*' &&
		printf '%s\n' "$st" | grep -qx 'CapBnd:[[:space:]]0*' &&
		printf '%s\n' "$st" | grep -qx 'SigBlk:[[:space:]]0*'
	ok $? "... no new privileges, a seccomp filter, no capabilities, no blocked signal" ||
		diag "$(printf '%s\n' "$st" | grep -E '^(NoNew|Seccomp|Cap|Sig)')"
	# The proxy directory's lock (a host directory: its ".." is the host's
	# $XDG_RUNTIME_DIR) was fd 0 here, which the app's pid 1 keeps.
	cmd=$(pids_with_cmdline "sleep $MARKER")
	pid1=$(ppid_of "${cmd:-0}")
	p1fds=$(for f in "/proc/${pid1:-0}/fd/"*; do readlink "$f"; done)
	[ -n "$cmd" ] && [ -n "$p1fds" ] && ! printf '%s\n' "$p1fds" | grep -q "/sbx-dbus-"
	ok $? "the app's pid 1 holds no fd of the proxy's host directory, with sbx's stdin closed" \
		"pid 1's fds:" "$p1fds"
else
	skip "the proxy's own fds and status" "only root may look into them"
	skip "the app's pid 1's fds" "only root may look into them"
fi
{
	kill -TERM "$sbx_pid"
	wait "$sbx_pid"
} 2>/dev/null
wait_until 10 no_proxy
ok $? "after SIGTERM of sbx the proxy is gone"

before=$(dirs)
run_sbx --dbus-talk org.sbxtest.Allowed true
[ "$RC" = 0 ] && [ -z "$(proxy_pids)" ]
ok $? "after a sandbox's normal end the proxy is gone when sbx returns"
expect_eq "... and its socket directory is removed" "$before" "$(dirs)"

# --- --detach: the proxy is the detached sbx's, not its parent's -----------------
# Its parent prints the name and exits; the command calls the bus only then.
before=$(dirs)
name=dbus-detach-$$
run_sbx -d --name "$name" --bind "$WORK" --dbus-talk org.sbxtest.Allowed sh -c \
	"while [ ! -e '$WORK/go' ]; do sleep 0.05; done; $(call session org.sbxtest.Allowed) >'$WORK/detached.out' 2>&1"
expect_run "--detach with a D-Bus option: the name" 0 "$name"
touch "$WORK/go"
detached_done() { ! "$SBX" ls 2>/dev/null | grep -q "^$name "; }
wait_until 20 detached_done
expect_eq "... the command's call after sbx's parent has exited is answered" "   hello" \
	"$(cat "$WORK/detached.out" 2>&1)"
wait_until 10 dirs_as_before
ok $? "... and the proxy's directory is removed when it ends"
# What sbx says before the sandbox starts reaches the terminal, as in the
# foreground; nothing of the command's (that goes to its log).
name=dbus-detach-w-$$
run_sbx -d --name "$name" --dbus-session-unfiltered sh -c 'echo out; echo err >&2'
[ "$RC" = 0 ] && [ "$OUT" = "$name" ] &&
	[ "$(printf '%s\n' "$ERR" | grep -c .)" = 1 ] && [[ $ERR == "sbx: --dbus-session-unfiltered: "* ]]
ok $? "--detach: sbx's warning reaches the terminal, the command's output does not" ||
	diag "stdout: $OUT" "stderr: $ERR"
wait_until 20 detached_done

# --- bad arguments ---------------------------------------------------------------
run_sbx --dbus-talk 'not a name' true
expect_error "--dbus-talk with a bad name: one line" 125 "^sbx: --dbus-talk not a name: not a valid bus name"
run_sbx --dbus-call org.sbxtest.Allowed true
expect_error "--dbus-call without =RULE: one line" 125 "^sbx: --dbus-call org.sbxtest.Allowed: expected NAME=RULE"
DBUS_SESSION_BUS_ADDRESS="unix:abstract=/tmp/x" run_sbx --dbus-talk org.a.b true
expect_error "an abstract bus address: one line" 125 "^sbx: the session bus address unix:abstract=/tmp/x has no socket path"
DBUS_SESSION_BUS_ADDRESS="unix:path=$WORK/nobus" run_sbx --dbus-talk org.a.b true
expect_error "a bus socket that does not exist: one line" 125 "^sbx: the session bus socket $WORK/nobus: No such file"
run_sbx --dbus-talk org.sbxtest.Allowed --bind "$WORK/nothing" /x true
expect_error "a sandbox that fails after the proxy's start: one line, none of the proxy's" 125 \
	"^sbx: --bind $WORK/nothing: No such file"
expect_eq "... and no proxy directory is left" "$before" "$(dirs)"
# The proxy starts before the other desktop resources are looked at: one
# that is missing after it has started ends it too.
DISPLAY= run_sbx --dbus-talk org.sbxtest.Allowed --x11 true
expect_error "--x11 failing after the proxy's start: one line, none of the proxy's" 125 \
	"^sbx: --x11: DISPLAY is not set"
[ -z "$(proxy_pids)" ] && [ "$before" = "$(dirs)" ]
ok $? "... and neither the proxy nor its directory is left"

# --- SIGTERM, SIGINT while the desktop is prepared, after the proxy's start -----
# An X server that accepts and never answers holds sbx in --x11's set-up
# (seconds) with the proxy and its directory there: the signal waits, and
# sbx ends the proxy and removes the directory before it exits (128+N, no
# message, as a setup interrupted later).
n=4100
while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
at_exit "rm -f /tmp/.X11-unix/X$n"
mkdir -p /tmp/.X11-unix 2>/dev/null
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(8)
print("ready", flush=True)
held = []
while True:
    held.append(s.accept()[0])
' "/tmp/.X11-unix/X$n" >"$WORK/silent-x.ready" 2>&1 &
track_pid $!
if ! wait_until 20 grep -q ready "$WORK/silent-x.ready"; then
	fail "a silent X server started" "$(cat "$WORK/silent-x.ready")"
else
	for sig in TERM INT; do
		before=$(dirs)
		marker
		# Not a background job's SIGINT ignored: bash -c resets it.
		DISPLAY=:$n bash -c 'trap - INT; exec "$@"' _ "$SBX" --dbus-talk org.sbxtest.Allowed --x11 \
			sleep "$MARKER" </dev/null >/dev/null 2>"$WORK/sig.err" &
		sbx_pid=$!
		track_pid "$sbx_pid"
		started() { [ "$(dirs)" != "$before" ] && [ -n "$(proxy_pids)" ]; }
		wait_until 30 started
		kill -"$sig" "$sbx_pid"
		wait "$sbx_pid"
		RC=$? ERR=$(cat "$WORK/sig.err") OUT=
		[ "$RC" = $((128 + $(kill -l "$sig"))) ] && [ -z "$ERR" ] &&
			wait_until 10 no_proxy && [ "$(dirs)" = "$before" ]
		ok $? "SIG$sig while --x11 waits after the proxy's start: neither the proxy nor its directory is left" ||
			diag "status $RC, $(dirs) directories (before: $before), stderr: $ERR"
	done
fi

done_testing
