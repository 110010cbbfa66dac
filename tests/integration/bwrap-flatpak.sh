#!/usr/bin/env bash
# bwrap-flatpak.sh - `flatpak run` with sbx as its bwrap (FLATPAK_BWRAP).
#
# A test runtime and app are built here, offline, from the host's own
# binaries (as flatpak's tests build theirs), exported to a local repository
# and installed for a throw-away user installation ($HOME, XDG dirs in a
# temporary directory). The app must see its runtime at /usr and its files
# at /app, run under flatpak's seccomp filter, reach the session bus through
# flatpak's D-Bus proxy (itself run by sbx as bwrap, with --args FD) and
# leave with its own exit status.
. "$(dirname "$0")/lib.sh"
require_userns

if ! command -v flatpak >/dev/null || ! command -v dbus-daemon >/dev/null ||
	! command -v dbus-send >/dev/null; then
	if [ "${SBX_MUST_WORK:-}" = 1 ] && [ "${SBX_NEED_FLATPAK:-}" = 1 ]; then
		fail "flatpak, dbus-daemon and dbus-send are needed"
		done_testing
	fi
	echo "1..0 # SKIP flatpak or dbus is not installed"
	exit 77
fi

export HOME=$WORK/home XDG_DATA_HOME=$WORK/data XDG_CONFIG_HOME=$WORK/config
export XDG_CACHE_HOME=$WORK/cache XDG_RUNTIME_DIR=$WORK/run
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR" "$WORK/bin"
chmod 700 "$XDG_RUNTIME_DIR"
# FLATPAK_BWRAP: sbx under the name bwrap, each call logged.
cat >"$WORK/bin/bwrap" <<WRAP
#!/bin/bash
echo "\$*" >>"$WORK/bwrap.log"
exec -a bwrap "$SBX" "\$@"
WRAP
chmod 755 "$WORK/bin/bwrap"

# Buses of our own: the session bus for the app, and a private "system" bus
# so that flatpak's parental-controls lookup finds no service (and allows)
# instead of failing to connect on a machine without a system bus.
for bus in session system; do
	dbus-daemon --session --address="unix:path=$WORK/$bus-bus" --fork --print-pid=3 \
		3>"$WORK/$bus-bus.pid" || { fail "start a dbus-daemon"; done_testing; }
	at_exit "kill \$(cat '$WORK/$bus-bus.pid') 2>/dev/null"
done
export DBUS_SESSION_BUS_ADDRESS=unix:path=$WORK/session-bus
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$WORK/system-bus

# The runtime: bash, coreutils bits and dbus-send with their libraries.
rt=$WORK/runtime
mkdir -p "$rt/usr/bin" "$rt/usr/lib" "$rt/usr/share"
ln -s usr "$rt/files"
printf '[Runtime]\nname=org.sbx.Platform\nruntime=org.sbx.Platform/%s/master\nsdk=org.sbx.Platform/%s/master\n' \
	"$(flatpak --default-arch)" "$(flatpak --default-arch)" >"$rt/metadata"
for b in bash cat ls grep dbus-send; do
	p=$(command -v $b)
	cp "$p" "$rt/usr/bin/"
	for l in $(ldd "$p" | sed 's/.* => //' | awk '{print $1}' | grep '^/'); do
		case $l in
		*/ld-linux*) mkdir -p "$rt/usr/lib64" && cp -n "$l" "$rt/usr/lib64/" ;;
		*) cp -n "$l" "$rt/usr/lib/" ;;
		esac
	done
done
ln -s bash "$rt/usr/bin/sh"
echo org.sbx.Platform >"$rt/usr/share/sbx-runtime-id"
run_cmd flatpak build-export --runtime "$WORK/repo" "$rt"
ok "$RC" "build and export the test runtime"
run_cmd flatpak --user remote-add --no-gpg-verify sbxtest "file://$WORK/repo"
[ "$RC" = 0 ] && run_cmd flatpak --user install -y --noninteractive sbxtest org.sbx.Platform
ok "$RC" "install the runtime for the user"

app=$WORK/app
run_cmd flatpak build-init "$app" org.sbx.Hello org.sbx.Platform org.sbx.Platform
mkdir -p "$app/files/bin" "$app/files/share"
echo org.sbx.Hello >"$app/files/share/sbx-app-id"
cat >"$app/files/bin/hello.sh" <<'APP'
#!/bin/sh
echo "runtime=$(cat /usr/share/sbx-runtime-id)"
echo "app=$(cat /app/share/sbx-app-id)"
grep '^Seccomp:' /proc/self/status
echo "bus=$DBUS_SESSION_BUS_ADDRESS"
dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
	org.freedesktop.DBus.GetId >/dev/null && echo "bus-call=ok"
exit 42
APP
chmod 755 "$app/files/bin/hello.sh"
[ "$RC" = 0 ] && run_cmd flatpak build-finish "$app" --command=hello.sh
[ "$RC" = 0 ] && run_cmd flatpak build-export "$WORK/repo" "$app"
[ "$RC" = 0 ] && run_cmd flatpak --user install -y --noninteractive sbxtest org.sbx.Hello
ok "$RC" "build, export and install the test app"

: >"$WORK/bwrap.log"
SBX_TIMEOUT=120 run_cmd env FLATPAK_BWRAP="$WORK/bin/bwrap" flatpak run org.sbx.Hello
expect_status "flatpak run: the app's exit status" 42
expect_match "the runtime at /usr" '^runtime=org\.sbx\.Platform$' "$OUT"
expect_match "the app at /app" '^app=org\.sbx\.Hello$' "$OUT"
expect_match "flatpak's seccomp filter" '^Seccomp:[[:space:]]+2$' "$OUT"
expect_match "the session bus is flatpak's proxy" '^bus=unix:path=/run/flatpak/bus$' "$OUT"
expect_match "a call through the proxy" '^bus-call=ok$' "$OUT"
expect_match "flatpak ran sbx as bwrap, with --args" '--args [0-9]+' "$(cat "$WORK/bwrap.log")"
expect_match "... for the D-Bus proxy too" 'xdg-dbus-proxy' "$(cat "$WORK/bwrap.log")"
done_testing
