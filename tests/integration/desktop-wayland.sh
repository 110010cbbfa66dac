#!/usr/bin/env bash
# --wayland under a real compositor (weston, headless backend): wayland-info
# inside lists its globals, a client draws frames; without --wayland
# nothing connects; the runtime directory inside is the sandbox's own.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
. "$TESTS_SRCDIR/integration/desktop-lib.sh"
require_userns
need_tools weston wayland-info weston-simple-shm

export XDG_RUNTIME_DIR=$WORK/rt WAYLAND_DISPLAY=wl-sbxtest
mkdir -m 0700 "$XDG_RUNTIME_DIR"
# Another socket of the host's runtime directory, which must stay outside.
$PY3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$XDG_RUNTIME_DIR/other"
weston --backend=headless-backend.so --socket="$WAYLAND_DISPLAY" --idle-time=0 \
	--no-config >"$WORK/weston.log" 2>&1 </dev/null &
track_pid $!
if ! wait_until 60 test -S "$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY"; then
	fail "weston started" "$(cat "$WORK/weston.log")"
	done_testing
fi
# The socket appears at bind(), before listen(): wait for an answer.
wait_until 60 wayland-info >/dev/null 2>&1

run_sbx --wayland wayland-info
[ "$RC" = 0 ] && printf '%s\n' "$OUT" | grep -q "interface: 'wl_compositor'" &&
	printf '%s\n' "$OUT" | grep -q "interface: 'wl_shm'"
ok $? "--wayland: wayland-info inside lists the compositor's globals (wl_compositor, wl_shm)"

# weston-simple-shm draws until it is stopped; WAYLAND_DEBUG shows its
# buffers attached and the compositor's frame callbacks done (it painted).
run_sbx --wayland sh -c 'WAYLAND_DEBUG=1 timeout 2 weston-simple-shm 2>&1; echo "status $?"'
printf '%s\n' "$OUT" | grep -q 'wl_surface@[0-9]*\.attach(wl_buffer@' &&
	[ "$(printf '%s\n' "$OUT" | grep -c 'wl_callback@[0-9]*\.done(')" -ge 2 ] &&
	printf '%s\n' "$OUT" | grep -q '^status 124$'
ok $? "--wayland: weston-simple-shm attaches buffers and gets frame callbacks until stopped"

run_sbx --wayland sh -c 'echo "$XDG_RUNTIME_DIR $WAYLAND_DISPLAY"; ls -A "$XDG_RUNTIME_DIR"; stat -c %a "$XDG_RUNTIME_DIR"'
expect_out "a private runtime dir (0700) holding wayland-0 alone" \
	"/run/user/$(id -u) wayland-0" wayland-0 700

run_sbx wayland-info
[ "$RC" -ne 0 ]
ok $? "without --wayland the client cannot connect"

env -u WAYLAND_DISPLAY XDG_RUNTIME_DIR="$WORK" "$SBX" --wayland true >/dev/null 2>"$WORK/err"
RC=$? ERR=$(cat "$WORK/err") OUT=
expect_error "no compositor: --wayland says so in one line" 125 '^sbx: --wayland: no compositor: '

done_testing
