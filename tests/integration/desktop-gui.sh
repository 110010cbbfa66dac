#!/usr/bin/env bash
# --gui and the gui profile: what exists is taken (X11 under Xvfb, the
# session bus with the portal front ends only), the user's font and theme
# settings read-only and nothing else of $HOME, the locale kept even after
# --clearenv; what is missing is skipped and named under -v.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
. "$TESTS_SRCDIR/integration/desktop-lib.sh"
require_userns
need_tools Xvfb xauth xdpyinfo dbus-daemon dbus-send xdg-dbus-proxy
$PY3 -c 'import dbus, gi' 2>/dev/null || need_tools python3-dbus-and-gi

start_xvfb gui
export DISPLAY=$XVFB_DISPLAY XAUTHORITY=$XVFB_AUTH
mkfifo "$WORK/bus.fifo" "$WORK/svc.fifo"
dbus-daemon --session --nofork --address="unix:path=$WORK/bus" --print-address=3 \
	3>"$WORK/bus.fifo" >"$WORK/bus.log" 2>&1 </dev/null &
track_pid $!
read -r -t 20 addr <"$WORK/bus.fifo"
$PY3 "$TESTS_SRCDIR/helpers/dbus-service.py" "$addr" org.freedesktop.portal.Desktop \
	org.freedesktop.portal.Flatpak org.sbxtest.Other >"$WORK/svc.fifo" 2>"$WORK/svc.log" </dev/null &
track_pid $!
read -r -t 20 ready <"$WORK/svc.fifo"
[ "$ready" = ready ] || { fail "the portal stand-in started" "$(cat "$WORK/svc.log")"; done_testing; }
export DBUS_SESSION_BUS_ADDRESS=$addr

# A home with settings to share and things not to.
export HOME=$WORK/home XDG_RUNTIME_DIR=$WORK/rt
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
mkdir -p "$HOME/.config/fontconfig" "$HOME/.config/gtk-3.0" "$HOME/.local/share/fonts" "$HOME/.ssh"
echo '<fontconfig/>' >"$HOME/.config/fontconfig/fonts.conf"
echo '[Settings]' >"$HOME/.config/gtk-3.0/settings.ini"
echo 'file:///home/u/secret-project' >"$HOME/.config/gtk-3.0/bookmarks"
echo key >"$HOME/.ssh/id_ed25519"

hello() { echo "dbus-send --session --print-reply=literal --dest=$1 /org/sbxtest org.sbxtest.Iface.Hello"; }

run_sbx --gui sh -c "xdpyinfo >/dev/null && echo x11; $(hello org.freedesktop.portal.Desktop)"
expect_out "--gui: the X display and the portal front end" x11 "   hello"
run_sbx --gui $(hello org.freedesktop.portal.Flatpak)
[ "$RC" -ne 0 ]
ok $? "--gui: not org.freedesktop.portal.Flatpak"
run_sbx --gui $(hello org.sbxtest.Other)
[ "$RC" -ne 0 ]
ok $? "--gui: no other name of the bus"
run_sbx --gui sh -c 'cd "$HOME" && find . -type f | sort; { echo x >>.config/fontconfig/fonts.conf; } 2>/dev/null || echo read-only'
expect_out "--gui: font and GTK settings read-only, no bookmarks, no keys" \
	./.config/fontconfig/fonts.conf ./.config/gtk-3.0/settings.ini read-only
LANG=C.UTF-8 LC_TIME=C run_sbx --gui --clearenv sh -c 'echo "$LANG $LC_TIME"'
expect_out "--gui: the locale survives --clearenv" "C.UTF-8 C"

SBX_PROFILES_DIR=${SBX_PROFILES_DIR:-$TESTS_SRCDIR/../profiles} run_sbx --profile gui sh -c \
	"xdpyinfo >/dev/null && $(hello org.freedesktop.portal.Desktop) && echo && ip -o link | wc -l"
expect_out "the gui profile: the display, the portal, no network but lo" "   hello" 1

env -u DISPLAY -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$WORK/none" "$SBX" -v --gui true \
	>/dev/null 2>"$WORK/err"
RC=$?
[ "$RC" = 0 ] && [ "$(grep -c 'skipped$' "$WORK/err")" -ge 3 ] &&
	grep -q '^sbx: --gui: no X display (DISPLAY unset): X11 skipped$' "$WORK/err"
ok $? "--gui with nothing here: runs, each missing resource named once under -v" ||
	diag "$(cat "$WORK/err")"
env -u DISPLAY -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$WORK/none" "$SBX" --gui true \
	>/dev/null 2>"$WORK/err"
[ $? = 0 ] && [ ! -s "$WORK/err" ]
ok $? "... and silently without -v"

done_testing
