# desktop-lib.sh - display servers, sound and bus daemons for the desktop
# tests (sourced after lib.sh). Each daemon is the test's own, started here
# and ended by pid at exit; nothing outside $WORK is written but the X
# servers' sockets in /tmp/.X11-unix, which the servers remove themselves.

# need_tools TOOL...: skip the whole file when one is missing (a package
# .ci/run installs), unless SBX_MUST_WORK=1.
need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 && continue
		if [ "${SBX_MUST_WORK:-0}" = 1 ]; then
			fail "$t is installed (SBX_MUST_WORK=1)"
			done_testing
		fi
		echo "1..0 # SKIP $t is not installed"
		exit 77
	done
}

# The python that has the Debian python3-dbus and python3-gi modules.
PY3=/usr/bin/python3

# new_cookie: 32 hex digits.
new_cookie() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

# start_xvfb NAME [XVFB-ARG]...: an Xvfb on a free display (-displayfd),
# with a cookie unless "-noauth" is the first argument. Sets XVFB_DISPLAY
# (":N"), XVFB_PID and, with a cookie, XVFB_AUTH (a client Xauthority file
# in $WORK/NAME.xauth). -noreset: by default an X server resets when its
# last client leaves, and a client that connects during the reset is
# refused ("unable to open display"): a test's next client, started as the
# previous one ends, would fail on a loaded machine.
start_xvfb() {
	local name=$1 fifo=$WORK/$1.dfd num auth=() cookie
	shift
	if [ "${1:-}" = -noauth ]; then
		shift
		XVFB_AUTH=
	else
		cookie=$(new_cookie)
		# The server loads every cookie of its file, whatever display the
		# entry names; clients match the number, so theirs comes after.
		xauth -q -f "$WORK/$name.server-xauth" add :0 . "$cookie" 2>/dev/null
		auth=(-auth "$WORK/$name.server-xauth")
	fi
	mkfifo "$fifo"
	Xvfb -displayfd 3 -nolisten tcp -noreset -screen 0 320x240x24 "${auth[@]}" "$@" \
		3>"$fifo" >"$WORK/$name.log" 2>&1 </dev/null &
	XVFB_PID=$!
	track_pid "$XVFB_PID"
	if ! read -r -t 20 num <"$fifo"; then
		fail "Xvfb $name started" "$(cat "$WORK/$name.log")"
		done_testing
	fi
	XVFB_DISPLAY=:$num
	if [ -n "${cookie:-}" ]; then
		XVFB_AUTH=$WORK/$name.xauth
		xauth -q -f "$XVFB_AUTH" add "$XVFB_DISPLAY" . "$cookie" 2>/dev/null
	fi
}

# wait_until SECONDS COMMAND...: run COMMAND until it succeeds; 0 if it did.
# For state no event announces (a window mapped by another client).
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.05
	done
	return 0
}

# landlock_abi: the kernel's Landlock ABI (0 without Landlock).
landlock_abi() {
	local abi
	abi=$(python3 -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))' 2>/dev/null)
	[ "${abi:-0}" -ge 1 ] 2>/dev/null && echo "$abi" || echo 0
}
