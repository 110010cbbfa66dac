#!/usr/bin/env bash
# net-bypass.sh - --net slirp's TCP bypass: the sandbox's outgoing TCP
# connections become host sockets, with the program none the wiser (blocking
# and non-blocking connect, refused ports, options set before connect(), fd
# flags, disconnect and reconnect), and with nothing more allowed than slirp
# would allow (the gateway is the host's loopback only with
# --allow-host-loopback, --allow-connect ports hold, the sandbox's own
# addresses stay inside, a failed host socket cannot be rebound).
# All traffic stays on loopback.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1

HELPERS=$TESTS_SRCDIR/helpers
PROBE=(--ro-bind "$HELPERS:/t" python3 /t/bypass-probe.py)

if ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP python3 is not installed"
	exit 77
fi
require_slirp
case $ERR in
*"tcp bypass: off"*)
	if [ "${SBX_MUST_WORK:-0}" = 1 ]; then
		fail "the TCP bypass works here (SBX_MUST_WORK=1)" "$ERR"
		done_testing
	fi
	echo "1..0 # SKIP the TCP bypass is off here: $(grep 'tcp bypass' <<<"$ERR")"
	exit 77
	;;
esac

python3 "$HELPERS/netserv.py" "$WORK/lo.ports" --http 127.0.0.1:0 --http '[::1]:0' &
track_pid $!
wait_for_file "$WORK/lo.ports" 10 || {
	echo "Bail out! netserv.py did not start"
	exit 1
}
H4=$(awk '$1 == "http" && $2 == "127.0.0.1" { print $3 }' "$WORK/lo.ports")
H6=$(awk '$1 == "http" && $2 == "::1" { print $3 }' "$WORK/lo.ports")
CLOSED=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
HELLO4="hello from 127\.0\.0\.1:$H4, you are 127\.0\.0\.1"
LO=(--net slirp --allow-host-loopback)

# --- the program's view ---------------------------------------------------------
run_sbx -v "${LO[@]}" "${PROBE[@]}" peer 10.0.2.2 "$H4"
expect_match "blocking connect to 10.0.2.2 lands on the host's 127.0.0.1 directly" \
	"^ok peer 127\.0\.0\.1: $HELLO4$" "$OUT"
expect_match "-v counts it as a host socket" 'tcp bypass: 1 connections on host sockets' "$ERR"
run_sbx "${LO[@]}" --no-tcp-bypass "${PROBE[@]}" peer 10.0.2.2 "$H4"
expect_match "--no-tcp-bypass: the same connection goes through slirp (peer 10.0.2.2)" \
	"^ok peer 10\.0\.2\.2: $HELLO4$" "$OUT"
run_sbx "${LO[@]}" "${PROBE[@]}" peer fd00::2 "$H6"
expect_match "IPv6: fd00::2 lands on the host's ::1" "^ok peer ::1: hello from ::1:$H6, you are ::1$" "$OUT"
run_sbx "${LO[@]}" "${PROBE[@]}" nonblock 10.0.2.2 "$H4"
expect_match "non-blocking connect: EINPROGRESS, then writable, SO_ERROR 0" \
	"^ok nonblock 127\.0\.0\.1: $HELLO4$" "$OUT"
run_sbx "${LO[@]}" "${PROBE[@]}" refused 10.0.2.2 "$CLOSED"
expect_match "a closed port: ECONNREFUSED, as on the host" '^ok refused ECONNREFUSED$' "$OUT"
run_sbx "${LO[@]}" "${PROBE[@]}" options 10.0.2.2 "$H4"
expect_match "options set before connect() are kept (TCP_NODELAY, SO_KEEPALIVE, TCP_KEEPIDLE)" \
	'^ok options 1,1,77 peer 127\.0\.0\.1$' "$OUT"
run_sbx "${LO[@]}" "${PROBE[@]}" cloexec 10.0.2.2 "$H4"
expect_match "close-on-exec is kept, and so is its absence" \
	'^ok cloexec cloexec->cloexec 127\.0\.0\.1 inheritable->inheritable 127\.0\.0\.1$' "$OUT"
run_sbx "${LO[@]}" "${PROBE[@]}" unspec 10.0.2.2 "$H4"
expect_match "connect(AF_UNSPEC) disconnects; connecting again works" \
	"^ok unspec 127\.0\.0\.1 then 127\.0\.0\.1: $HELLO4$" "$OUT"

# --- nothing more than slirp allows ------------------------------------------------
run_sbx "${LO[@]}" "${PROBE[@]}" reuse 10.0.2.2 "$CLOSED" "$H4"
expect_match "a failed host socket stays pinned: bound to 127.0.0.1, an ephemeral port, no rebind" \
	"^ok reuse 127\.0\.0\.1 in range bind EINVAL; then: $HELLO4$" "$OUT"
run_sbx --net slirp "${PROBE[@]}" peer 10.0.2.2 "$H4"
expect_match "without --allow-host-loopback the gateway does not lead to the host's loopback" \
	'^fail peer' "$OUT"
run_sbx --net slirp "${PROBE[@]}" peer fd00::2 "$H6"
expect_match "... nor does fd00::2" '^fail peer' "$OUT"
run_sbx "${LO[@]}" --allow-connect "$H4" "${PROBE[@]}" peer 10.0.2.2 "$H4"
if [ "$RC" = 125 ] && grep -q 'Landlock' <<<"$ERR"; then
	skip "--allow-connect: a listed port is reached" "no Landlock network rules here"
	skip "--allow-connect: another port is refused with EACCES" "no Landlock network rules here"
else
	expect_match "--allow-connect: a listed port is reached" "^ok peer 127\.0\.0\.1: $HELLO4$" "$OUT"
	run_sbx "${LO[@]}" --allow-connect "$CLOSED" "${PROBE[@]}" peer 10.0.2.2 "$H4"
	expect_match "--allow-connect: another port is refused with EACCES, as Landlock would" \
		'^fail peer: .*Permission denied' "$OUT"
fi

# --- what sbx is not asked about ------------------------------------------------------
run_sbx -v --net slirp python3 -c 'import socket
s = socket.socket(socket.AF_UNIX); s.bind("\0sbx-bypass-test"); s.listen()
c = socket.socket(socket.AF_UNIX); c.connect("\0sbx-bypass-test"); print("ok")'
expect_match "a unix-socket connect() works" '^ok$' "$OUT"
expect_match "... and never reaches sbx (its address length is no IP one)" \
	'tcp bypass: 0 connections on host sockets, 0 connect\(\) calls left to slirp' "$ERR"

# --- 32-bit calls are not taken over: they go through slirp ----------------------
PROBES=$(dirname "$SBX")/tests/helpers
if [ "$(uname -m)" = x86_64 ] && [ "$("$PROBES/sysprobe" -32 getppid 2>/dev/null)" = "getppid OK" ]; then
	GW=0x0a000202
	run_sbx "${LO[@]}" --ro-bind "$PROBES:/h" /h/sysprobe tcpconnect:$GW,$H4
	expect_out "native connect() via the helper's probe: bypassed" "tcpconnect peer 127.0.0.1" "tcpconnect OK"
	run_sbx "${LO[@]}" --ro-bind "$PROBES:/h" /h/sysprobe -32 tcpconnect:$GW,$H4 \
		tcpsocketcall:$GW,$H4
	expect_out "int 0x80 connect() and socketcall(SYS_CONNECT) reach the host through slirp" \
		"tcpconnect peer 10.0.2.2" "tcpconnect OK" "tcpsocketcall peer 10.0.2.2" "tcpsocketcall OK"
else
	skip "native connect() via the helper's probe: bypassed" "needs x86-64 with i386 system calls"
	skip "int 0x80 connect() and socketcall(SYS_CONNECT) reach the host through slirp" \
		"needs x86-64 with i386 system calls"
fi

# --- the sandbox's own addresses stay inside ---------------------------------------
run_sbx "${LO[@]}" --ro-bind "$HELPERS:/t" sh -c "python3 /t/netserv.py /tmp/ports --http 0.0.0.0:8000 &
	for i in \$(seq 100); do [ -e /tmp/ports ] && break; sleep 0.05; done
	python3 /t/bypass-probe.py peer 10.0.2.100 8000; python3 /t/bypass-probe.py peer 127.0.0.1 8000
	kill %1"
mapfile -t lines <<<"$OUT"
expect_match "a server inside is reached at 10.0.2.100 inside the sandbox" \
	'^ok peer 10\.0\.2\.100: hello from 0\.0\.0\.0:8000, you are 10\.0\.2\.100$' "${lines[0]:-}"
expect_match "... and at 127.0.0.1 (the sandbox's loopback, not the host's)" \
	'^ok peer 127\.0\.0\.1: hello from 0\.0\.0\.0:8000, you are 127\.0\.0\.1$' "${lines[1]:-}"

done_testing
