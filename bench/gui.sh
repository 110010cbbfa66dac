#!/usr/bin/env bash
# bench/gui.sh - time from start to the first mapped window of one X program
# (xeyes) under Xvfb: bare, `sbx --gui` (with a session bus, so through
# xdg-dbus-proxy), `sbx --gui` with no bus (the proxy's cost is the
# difference), plain sbx with the display's socket and cookie bound by hand
# (no desktop work at all: the floor any sandboxed start here has),
# `unshare -Ur xeyes` (a user namespace and nothing else: the kernel's floor
# for any rootless sandbox), and the
# bubblewrap + xdg-dbus-proxy command lines flatpak would run (the proxy in a
# bwrap of its own, its --fd byte awaited, then the app's bwrap). One run of
# this script times them all, interleaved, N times each, and prints medians
# and the ratios next to the targets:
#   sbx --gui <= 1.1 x bare, <= 0.9 x bwrap+proxy; the proxy adds <= 5 ms.
#
# The end of a start is the MapNotify of the program's window on the root,
# as `xev -root -event substructure` reports it. Every daemon (Xvfb,
# dbus-daemon, xev) is this script's own and is ended by pid.
#
# Usage: bench/gui.sh [--runs N] [--sbx PATH]     (default 20 runs)
# Exits 0 when the benchmark ran, met or not; non-zero if it could not run.
set -euo pipefail

runs=20
sbx=${SBX:-}
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--sbx) sbx=$2; shift 2 ;;
	-h | --help) sed -n '2,19p' "$0"; exit 0 ;;
	*) echo "gui.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$sbx" ] || sbx=$(cd "$(dirname "$0")/.." && pwd)/sbx
for t in Xvfb xeyes xev xauth bwrap xdg-dbus-proxy dbus-daemon "$sbx"; do
	command -v "$t" >/dev/null || { echo "gui.sh: $t not found" >&2; exit 1; }
done

work=$(mktemp -d /tmp/sbx-guibench.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# The X server, with a cookie (so sbx's untrusted path is the one timed).
cookie=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
xauth -q -f "$work/server.xauth" add :0 . "$cookie" 2>/dev/null
mkfifo "$work/dfd"
Xvfb -displayfd 3 -nolisten tcp -screen 0 320x240x24 -auth "$work/server.xauth" \
	3>"$work/dfd" >/dev/null 2>&1 </dev/null &
pids+=($!)
read -r -t 20 num <"$work/dfd"
export DISPLAY=:$num XAUTHORITY=$work/xauth
xauth -q -f "$XAUTHORITY" add "$DISPLAY" . "$cookie" 2>/dev/null

# A session bus, as a desktop has.
mkfifo "$work/busfd"
dbus-daemon --session --nofork --address="unix:path=$work/bus" --print-address=3 \
	3>"$work/busfd" >/dev/null 2>&1 </dev/null &
pids+=($!)
read -r -t 20 bus_addr <"$work/busfd"
export DBUS_SESSION_BUS_ADDRESS=$bus_addr
export XDG_RUNTIME_DIR=$work/rt
mkdir -m 0700 "$XDG_RUNTIME_DIR"

# MapNotify events of the root's children, one line each.
mkfifo "$work/ev"
stdbuf -oL xev -root -event substructure >"$work/ev" 2>/dev/null </dev/null &
pids+=($!)
exec 5<"$work/ev"

uid=$(id -u)
bwrap_base=(bwrap --unshare-all --die-with-parent --new-session
	--ro-bind /usr /usr --ro-bind /etc /etc --symlink usr/lib /lib --symlink usr/lib64 /lib64
	--symlink usr/bin /bin --symlink usr/sbin /sbin --proc /proc --dev /dev --tmpfs /tmp
	--tmpfs /run --dir "/run/user/$uid" --chmod 0700 "/run/user/$uid")

# One start of "$@" (a command that maps one window): milliseconds until
# its MapNotify. The command is ended by pid afterwards.
time_start() {
	local t0 t1 line pid
	t0=$EPOCHREALTIME
	"$@" </dev/null >/dev/null 2>&1 &
	pid=$!
	while read -r -t 20 line <&5; do
		case $line in MapNotify*) break ;; esac
	done
	t1=$EPOCHREALTIME
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	# Drain the UnmapNotify/DestroyNotify lines of the ended window.
	while read -r -t 0.2 line <&5; do :; done
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", (b - a) * 1000 }'
}

# flatpak's way: the proxy in its own bwrap, its byte awaited, then the app.
flatpak_line() {
	local byte ppid
	mkdir -p "$work/proxy"
	rm -f "$work/proxy/bus"
	# The proxy writes its byte on its stdout, a pipe we read here.
	coproc PROXY { "${bwrap_base[@]}" --bind "$work/proxy" "$work/proxy" \
		--ro-bind "$work/bus" "$work/bus" -- xdg-dbus-proxy --fd=1 \
		"unix:path=$work/bus" "$work/proxy/bus" --filter \
		--talk='org.freedesktop.portal.*' 2>/dev/null; }
	ppid=$PROXY_PID
	read -r -N 1 -t 10 byte <&"${PROXY[0]}"
	"${bwrap_base[@]}" --ro-bind "/tmp/.X11-unix/X$num" "/tmp/.X11-unix/X$num" \
		--ro-bind "$XAUTHORITY" "/run/user/$uid/Xauthority" \
		--ro-bind "$work/proxy/bus" "/run/user/$uid/bus" \
		--setenv XAUTHORITY "/run/user/$uid/Xauthority" \
		--setenv DBUS_SESSION_BUS_ADDRESS "unix:path=/run/user/$uid/bus" \
		--setenv XDG_RUNTIME_DIR "/run/user/$uid" -- xeyes &
	local app=$!
	trap 'kill -TERM '"$app"' '"$ppid"' 2>/dev/null; wait '"$app"' 2>/dev/null' TERM
	wait "$app"
}

declare -A times
names=(bare "unshare -Ur" "sbx --gui" "sbx --gui, no bus" "sbx, display bound" "bwrap + proxy")
# The same cookie for any host name (the sandbox has its own), as the
# usual recipe makes it: family 0xffff.
xauth -q -f "$XAUTHORITY" nlist "$DISPLAY" | sed 's/^..../ffff/' |
	xauth -q -f "$work/xauth.wild" nmerge - 2>/dev/null
plain=("$sbx" --ro-bind "/tmp/.X11-unix/X$num" --ro-bind "$work/xauth.wild:$XAUTHORITY" -- xeyes)
for ((i = 0; i < runs; i++)); do
	times[bare]+="$(time_start xeyes) "
	# The kernel's floor: a user namespace and nothing else (no view, no
	# filter), which any rootless sandbox starts with.
	times["unshare -Ur"]+="$(time_start unshare -Ur xeyes) "
	times["sbx --gui"]+="$(time_start "$sbx" --gui xeyes) "
	# Unset in the command substitution's subshell, not by env(1): an
	# exec more would count as the no-bus line's and hide as much of
	# the proxy's cost.
	times["sbx --gui, no bus"]+="$(unset DBUS_SESSION_BUS_ADDRESS; time_start "$sbx" --gui xeyes) "
	times["sbx, display bound"]+="$(unset DBUS_SESSION_BUS_ADDRESS; time_start "${plain[@]}") "
	times["bwrap + proxy"]+="$(time_start flatpak_line) "
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
declare -A med
printf '%-20s %10s   (%d runs, ms from start to the first MapNotify)\n' "" median "$runs"
for n in "${names[@]}"; do
	med[$n]=$(echo "${times[$n]}" | median)
	printf '%-20s %10.2f\n' "$n" "${med[$n]}"
done
awk -v s="${med[sbx --gui]}" -v b="${med[bare]}" -v w="${med[bwrap + proxy]}" \
	-v n="${med[sbx --gui, no bus]}" -v f="${med[sbx, display bound]}" \
	-v u="${med[unshare -Ur]}" 'BEGIN {
	r1 = s / b; r2 = s / w; p = s - n
	printf "sbx --gui / bare          %5.2f  (target <= 1.10: %s)\n", r1, r1 <= 1.10 ? "met" : "NOT met"
	printf "sbx --gui / bwrap+proxy   %5.2f  (target <= 0.90: %s)\n", r2, r2 <= 0.90 ? "met" : "NOT met"
	printf "proxy cost in sbx --gui   %5.2f ms (target <= 5 ms: %s)\n", p, p <= 5 ? "met" : "NOT met"
	printf "floor: plain sbx / bare   %5.2f  (a sandbox start alone, %.2f ms more than bare)\n", f / b, f - b
	printf "floor: unshare -Ur / bare %5.2f  (a user namespace alone, %.2f ms more than bare)\n", u / b, u - b
	printf "desktop work without bus  %5.2f ms (sbx --gui, no bus - plain sbx)\n", n - f
}'
