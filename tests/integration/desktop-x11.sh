#!/usr/bin/env bash
# --x11 under a real X server (Xvfb): a window appears and draws; without
# --x11 nothing connects; the default untrusted cookie can neither read a
# host window nor inject input, --x11-trusted can (so the test sees the
# difference); a server without SECURITY, or one that lets anyone in, is
# refused in one line; the cookie is revoked when the sandbox ends.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
. "$TESTS_SRCDIR/integration/desktop-lib.sh"
require_userns
need_tools Xvfb xauth xeyes xwininfo xwd xev xdotool xdpyinfo convert

start_xvfb main
export DISPLAY=$XVFB_DISPLAY XAUTHORITY=$XVFB_AUTH
num=${DISPLAY#:}

# The window whose name is $1: xwininfo prints 0xID "NAME": ("res" "class") ...
window_id() { xwininfo -root -tree 2>/dev/null | grep -F " \"$1\": " | awk '{ print $1; exit }'; }
has_window() { [ -n "$(window_id "$1")" ]; }

# --- a window, drawn -----------------------------------------------------------
marker
title=sbxeyes-$MARKER
"$SBX" --x11 xeyes -name "$title" </dev/null >"$WORK/eyes.out" 2>&1 &
eyes_pid=$!
track_pid "$eyes_pid"
wait_until 60 has_window "$title"
ok $? "--x11: xeyes inside maps a window the host's xwininfo -root -tree lists" || diag "$(cat "$WORK/eyes.out")"
win=$(window_id "$title")
sd=$(xwd -silent -id "$win" 2>/dev/null | convert xwd:- -format '%[fx:standard_deviation]' info: 2>/dev/null)
[ -n "$sd" ] && awk -v s="$sd" 'BEGIN { exit !(s > 0) }'
ok $? "... and a screenshot of it is not blank (standard deviation $sd)"
kill "$eyes_pid" 2>/dev/null
wait "$eyes_pid" 2>/dev/null

run_sbx --x11 sh -c 'ls -A /tmp/.X11-unix; echo "$DISPLAY"'
expect_out "--x11: /tmp/.X11-unix holds X$num alone, DISPLAY is set" "X$num" "$DISPLAY"

run_sbx xdpyinfo
[ "$RC" -ne 0 ]
ok $? "without --x11 the program cannot connect (DISPLAY and XAUTHORITY passed on)"

# The abstract socket @/tmp/.X11-unix/XN: no network namespace of its own
# with --share-net, so Landlock's scoping (ABI 6) must close it.
abstract='import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect("\0/tmp/.X11-unix/X" + sys.argv[1]); print("connected")
except OSError as e:
    print("refused")'
if [ "$(landlock_abi)" -ge 6 ]; then
	run_cmd python3 -c "$abstract" "$num"
	expect_out "control: the host reaches the abstract X socket" connected
	run_sbx --share-net -- python3 -c "$abstract" "$num"
	expect_out "--share-net: the abstract X socket is closed (Landlock scoping)" refused
else
	skip "the abstract X socket under --share-net" "Landlock ABI 6 missing"
fi

# --- untrusted by default -------------------------------------------------------
# The host window's id and its mapping come from xev itself ("Outer window
# is 0xID", then its MapNotify), and an xev that could not start says why
# here instead of failing the checks below that need its window.
xev -name "hostev-$MARKER" >"$WORK/xev.log" 2>&1 </dev/null &
track_pid $!
host_win=
xev_mapped() {
	host_win=$(sed -n 's/^Outer window is \(0x[0-9a-f]*\),.*/\1/p' "$WORK/xev.log")
	# One event a paragraph; the outer window's own MapNotify.
	[ -n "$host_win" ] && awk -v w="$host_win" 'BEGIN { RS = "" }
		/^MapNotify/ && index($0, "event " w ", window " w ",") { f = 1 } END { exit !f }' \
		"$WORK/xev.log"
}
wait_until 60 xev_mapped
ok $? "control: the host's own window ($host_win) is mapped" || diag "$(head -c 2000 "$WORK/xev.log")"
xdotool windowfocus --sync "$host_win" 2>/dev/null

run_sbx --x11 xwd -silent -id "$host_win"
[ "$RC" -ne 0 ] && [ -z "$OUT" ]
ok $? "untrusted: xwd -id of a host window fails inside"
run_sbx --x11 sh -c 'xdpyinfo -queryExtensions | grep -c "XTEST\|RECORD"'
expect_eq "untrusted: no XTEST or RECORD extension inside" 0 "$OUT"
run_sbx --x11 xdotool key x
[ "$RC" -ne 0 ]
ok $? "untrusted: xdotool key (XTEST) is refused"
# Then a key from the host: once it arrived, the one from inside would have.
xdotool key y
wait_until 10 grep -q 'keysym 0x79, y' "$WORK/xev.log"
ok $? "control: a key from the host reaches the host window"
! grep -q 'keysym 0x78, x' "$WORK/xev.log"
ok $? "untrusted: the host window saw no key from inside"

run_sbx --x11-trusted sh -c "xwd -silent -id $host_win | wc -c"
[ "$RC" = 0 ] && [ "${OUT:-0}" -gt 0 ] && [ "$(echo "$ERR" | grep -c .)" = 1 ]
ok $? "--x11-trusted: xwd -id of the host window works (one warning line)"
expect_match "... the warning names what it gives" '^sbx: --x11-trusted: .*keystroke' "$ERR"
run_sbx --x11-trusted xdotool key x
expect_status "--x11-trusted: xdotool key works" 0
wait_until 10 grep -q 'keysym 0x78, x' "$WORK/xev.log"
ok $? "--x11-trusted: the host window got the key from inside"

# --- the cookie dies with the sandbox ------------------------------------------------
run_sbx --x11 sh -c 'xauth -f "$XAUTHORITY" list'
cookie=$(echo "$OUT" | awk '{ print $3 }')
expect_match "the sandbox's Xauthority holds one wildcard cookie for the display" "^#ffff#.*:$num +MIT-MAGIC-COOKIE-1 +[0-9a-f]{32}$" "$OUT"
[ "$cookie" != "$(xauth -f "$XAUTHORITY" list | awk '{ print $3 }')" ]
ok $? "... not the user's own"
xauth -q -f "$WORK/old.xauth" add "$DISPLAY" . "${cookie:-00}" 2>/dev/null
run_cmd env XAUTHORITY="$WORK/old.xauth" xdpyinfo
[ "$RC" -ne 0 ]
ok $? "the sandbox's cookie no longer opens the display once sbx has ended"
# --detach: the cookie is the detached sbx's, revoked at its end, not when
# its parent exits; the command connects only once the parent has gone.
name=x11-detach-$$
mkdir -m 0700 "$WORK/rt"
XDG_RUNTIME_DIR=$WORK/rt run_sbx -d --name "$name" --bind "$WORK" --x11 sh -c \
	"while [ ! -e '$WORK/x-go' ]; do sleep 0.05; done; xdpyinfo >/dev/null 2>&1; echo \$? >'$WORK/x-detached'"
expect_run "--detach --x11: the name" 0 "$name"
touch "$WORK/x-go"
detached_done() { ! XDG_RUNTIME_DIR=$WORK/rt "$SBX" ls 2>/dev/null | grep -q "^$name "; }
wait_until 20 detached_done
expect_eq "... the command opens the display after sbx's parent has exited" 0 \
	"$(cat "$WORK/x-detached" 2>&1)"

# --- servers sbx refuses --------------------------------------------------------------
start_xvfb nosec -extension SECURITY
DISPLAY=$XVFB_DISPLAY XAUTHORITY=$XVFB_AUTH run_sbx --x11 true
expect_error "no SECURITY extension: --x11 refuses, naming --x11-trusted" 125 \
	'^sbx: --x11: .*no SECURITY extension.*--x11-trusted'
DISPLAY=$XVFB_DISPLAY XAUTHORITY=$XVFB_AUTH run_sbx --x11-trusted xdpyinfo
expect_status "... and --x11-trusted connects there" 0

start_xvfb open -noauth
DISPLAY=$XVFB_DISPLAY run_sbx --x11 true
expect_error "a server that lets clients in without a cookie: --x11 refuses" 125 \
	'^sbx: --x11: .*without a cookie.*--x11-trusted'

# A hung server: its listen queue full (it accepts no more), it accepts and
# never answers, or it trickles an endless reply a byte a second. sbx gives
# up with one line instead of waiting for ever.
# $1: "full", "silent" or "trickle"; sets HUNG to the display number once
# the socket is there. The number is the first from 4000 whose socket the
# fake server could bind: another run of this test (root and rootless, or
# another developer's) may be choosing one in /tmp/.X11-unix at the same time.
start_hung_x() {
	# shellcheck disable=SC2016
	python3 -c '
import errno, os, socket, sys, time
mode = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
n = 4000
while True:
    path = "/tmp/.X11-unix/X%d" % n
    if not os.path.exists("/tmp/.X%d-lock" % n):
        try:
            s.bind(path)
            break
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise
    n += 1
held = []
if mode == "full":
    s.listen(0)
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(path)  # the queue (of one) is full now
    held.append(c)
else:
    s.listen(8)
print("ready", n, flush=True)
while mode == "silent":
    held.append(s.accept()[0])
if mode == "trickle":
    a = s.accept()[0]
    a.send(bytes([1, 0, 11, 0, 0, 0, 0xff, 0xff]))  # success, 256 KiB follow
    try:
        while True:
            time.sleep(1)
            a.send(b"\0")
    except OSError:
        pass
time.sleep(3600)
' "$1" >"$WORK/hung-$1.ready" 2>&1 &
	track_pid $!
	wait_until 20 grep -qs ready "$WORK/hung-$1.ready" || fail "fake X server ($1) started"
	HUNG=$(awk '/^ready/ { print $2 }' "$WORK/hung-$1.ready")
	# Run before the server is killed: the socket is still ours then.
	at_exit "rm -f /tmp/.X11-unix/X$HUNG"
}
for mode in full silent trickle; do
	start_hung_x "$mode"
	DISPLAY=:$HUNG run_sbx --x11 true
	expect_error "a hung X server ($mode): --x11 gives up with one line" 125 \
		"^sbx: --x11: cannot connect to :$HUNG: Connection timed out"
done

mkfifo "$WORK/xauth-fifo"
XAUTHORITY=$WORK/xauth-fifo run_sbx --x11 true
expect_error "a FIFO as XAUTHORITY: one line, not a wait for a writer" 125 \
	"^sbx: --x11: $WORK/xauth-fifo: not an Xauthority file"

DISPLAY=tcphost:3 run_sbx --x11 true
expect_error "a TCP display is refused" 125 '^sbx: --x11: DISPLAY=tcphost:3 is not a local display'
env -u DISPLAY "$SBX" --x11 true >/dev/null 2>"$WORK/err"
RC=$? ERR=$(cat "$WORK/err") OUT=
expect_error "DISPLAY unset: --x11 says so" 125 '^sbx: --x11: DISPLAY is not set'

done_testing
