#!/usr/bin/env bash
# net-bypass.sh - --net slirp's TCP bypass: the sandbox's outgoing TCP
# connections are made on host sockets and relayed to the program's own
# socket, with the program none the wiser (blocking and non-blocking
# connect, refused ports, options set before connect(), fd flags,
# disconnect and reconnect), and with nothing more allowed than slirp would
# allow (the gateway is the host's loopback only with --allow-host-loopback,
# --allow-connect ports hold, the sandbox's own addresses stay inside).
# Published connections are relayed, never handed to the server.
# (net-bypass-relay.sh: no host socket ever enters the sandbox.)
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
run_sbx "${LO[@]}" "${PROBE[@]}" thread 10.0.2.2 "$H4"
expect_match "a connect() from a second thread is taken over too" \
	"^ok thread peer 127\.0\.0\.1: $HELLO4$" "$OUT"
if [ "$(uname -m)" = x86_64 ]; then
	run_sbx "${LO[@]}" "${PROBE[@]}" highfd 10.0.2.2 "$H4"
	expect_match "an fd with its upper 32 bits set is the same fd to sbx as to the kernel; again: EISCONN" \
		'^ok highfd 127\.0\.0\.1, again: EISCONN$' "$OUT"
else
	skip "an fd with its upper 32 bits set" "x86-64 syscall number"
fi
# Disconnected, the socket keeps its port: bound, so slirp carries the second.
run_sbx "${LO[@]}" "${PROBE[@]}" unspec 10.0.2.2 "$H4"
expect_match "connect(AF_UNSPEC) disconnects; connecting again works" \
	"^ok unspec 127\.0\.0\.1 then (127\.0\.0\.1|10\.0\.2\.2): $HELLO4$" "$OUT"

# The relay between the program's socket and the host's passes half-closes
# and resets on, both ways.
mkdir -p "$WORK/hs"
HS=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 "$HELPERS/relay-probe.py" hostserve 127.0.0.1 "$HS" "$WORK/hs" &
track_pid $!
wait_for_file "$WORK/hs/ready" 10
RELAY=(--ro-bind "$HELPERS:/t" python3 /t/relay-probe.py)
run_sbx -v "${LO[@]}" "${RELAY[@]}" halfclose 10.0.2.2 "$HS"
expect_match "half-close: the program's shutdown(SHUT_WR) reaches the host's server, its answer comes back" \
	'^ok halfclose got 200000$' "$OUT"
expect_match "... through the bypass" 'tcp bypass: 1 connections on host sockets' "$ERR"
run_sbx "${LO[@]}" "${RELAY[@]}" reset 10.0.2.2 "$HS"
expect_match "a reset from the host's server reaches the program (ECONNRESET)" '^ok reset ECONNRESET$' "$OUT"
run_sbx "${LO[@]}" "${RELAY[@]}" abort 10.0.2.2 "$HS"
wait_for_file "$WORK/hs/wait.result" 10
expect_match "a reset from the program reaches the host's server (ECONNRESET)" '^ECONNRESET$' \
	"$(cat "$WORK/hs/wait.result" 2>/dev/null)"
run_sbx "${LO[@]}" "${PROBE[@]}" reuse 10.0.2.2 "$CLOSED" "$H4"
expect_match "a non-blocking connect() to a closed port fails; the same socket then connects" \
	"^ok reuse ECONNREFUSED; then: $HELLO4$" "$OUT"

# --- nothing more than slirp allows ------------------------------------------------
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

# --- published connections: relayed, never handed to the server ---------------------
# serve_once PORT MODE ADDR SBX-OPTION...: a server inside on 7000, published
# on host port PORT, answers one connection from the host to ADDR:PORT with
# what it sees of it (bypass-probe.py serve); sets OUT (its line plus the
# client's own port) and ERR (sbx's -v lines). The server's socket is the
# relay's, in the sandbox (127.0.0.1:7000, from the relay on 127.0.0.1),
# whatever the options: a host socket in its hands could be connected
# again to the host's own addresses (net-bypass-relay.sh).
serve_once() {
	local port=$1 mode=$2 addr=$3 pid
	shift 3
	rm -rf "$WORK/srv"
	mkdir -p "$WORK/srv"
	"$SBX" -v --net slirp "$@" -p "$port:7000" --bind "$WORK/srv:/tmp" --ro-bind "$HELPERS:/t" \
		python3 /t/bypass-probe.py serve 7000 1 "$mode" >"$WORK/srv.out" 2>"$WORK/srv.err" </dev/null &
	pid=$!
	track_pid $pid
	wait_for_file "$WORK/srv/7000.ready" 10
	OUT=$(python3 -c 'import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
print(s.recv(200).decode().strip(), "client-port", s.getsockname()[1])' "$addr" "${port##*:}" 2>&1)
	wait_pid_timeout $pid 10
	ERR=$(cat "$WORK/srv.err")
}
free_tcp_port() { python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
RELAYED='^local 127\.0\.0\.1:7000 peer 127\.0\.0\.1:[0-9]+ dev 0 client-port'

P=$(free_tcp_port)
serve_once "127.0.0.1:$P" blocking 127.0.0.1
expect_match "a client on the host's loopback is relayed" "$RELAYED" "$OUT"
P=$(free_tcp_port)
serve_once "127.0.0.1:$P" blocking 127.0.0.1 --allow-host-loopback
expect_match "... also with --allow-host-loopback" "$RELAYED" "$OUT"
P=$(free_tcp_port)
serve_once "127.0.0.1:$P" nonblock 127.0.0.1 --allow-host-loopback
expect_match "... to a non-blocking accept() after select()" "$RELAYED" "$OUT"
P=$(free_tcp_port)
serve_once "127.0.0.1:$P" accept4 127.0.0.1 --allow-host-loopback
expect_match "... and to accept4(SOCK_CLOEXEC), which keeps its flag" "$RELAYED" "$OUT"
P=$(free_tcp_port)
serve_once "127.0.0.1:$P" blocking 127.0.0.1 --allow-host-loopback --no-tcp-bypass
expect_match "--no-tcp-bypass: relayed" "$RELAYED" "$OUT"
# A client from the network: the host's own non-loopback address stands in
# for one (the connection stays on this machine).
HOST_ADDR=$(ip -o -4 addr show scope global 2>/dev/null | awk '{ sub("/.*", "", $4); print $4; exit }')
if [ -n "$HOST_ADDR" ]; then
	P=$(free_tcp_port)
	serve_once "$HOST_ADDR:$P" blocking "$HOST_ADDR"
	expect_match "published on a network address ($HOST_ADDR): relayed" "$RELAYED" "$OUT"
	P=$(free_tcp_port)
	serve_once "$P" blocking "$HOST_ADDR"
	expect_match "published on 0.0.0.0: relayed" "$RELAYED" "$OUT"
else
	skip "published on a network address: relayed" "no global IPv4 address here"
	skip "published on 0.0.0.0: relayed" "no global IPv4 address here"
fi
run_sbx --net slirp --allow-host-loopback -p "127.0.0.1:$(free_tcp_port):7000" --ro-bind "$HELPERS:/t" sh -c \
	"python3 /t/bypass-probe.py serve 7000 1 blocking & sleep 0.5
	python3 -c 'import socket; print(socket.create_connection((\"10.0.2.100\", 7000)).recv(200).decode().strip())'
	wait"
expect_match "a client inside the sandbox still reaches the published server directly" \
	'^local 10\.0\.2\.100:7000 peer 10\.0\.2\.100:[0-9]+ dev 0$' "$OUT"

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

# --- the worker: locked down, seen from outside; its end ends the sandbox ------------
marker
"$SBX" -v "${LO[@]}" sleep "$MARKER" >"$WORK/worker.out" 2>"$WORK/worker.err" </dev/null &
SBX_PID=$!
track_pid $SBX_PID
worker_pid() { WORKER=$(sed -n 's/^sbx: tcp bypass worker pid \([0-9]*\)$/\1/p' "$WORK/worker.err"); }
# Locked down: its filter is the last stage before it says it is ready.
locked() { worker_pid && grep -Eq '^Seccomp:[[:space:]]+2$' "/proc/$WORKER/status" 2>/dev/null; }
for _ in $(seq 200); do locked && [ -n "$(pids_with_arg "$MARKER")" ] && break; sleep 0.05; done
expect_match "-v names the worker's pid" '^[0-9]+$' "$WORKER"
status=$(cat "/proc/$WORKER/status" 2>/dev/null)
for f in CapInh CapPrm CapEff CapAmb; do
	expect_match "worker: $f is empty" "^$f:[[:space:]]+0+$" "$status"
done
# Root, and rootless sbx in the holder's user namespace, have CAP_SYS_ADMIN
# and CAP_SETPCAP there: the worker gets an empty view and an empty bounding
# set. Rootless without the holder has neither.
if [ "$(id -u)" = 0 ] || grep -q ' holder .* pid [0-9]' "$WORK/worker.err"; then
	want_view="empty mount view"
	expect_match "worker: CapBnd is empty" '^CapBnd:[[:space:]]+0+$' "$status"
else
	want_view="no mount view"
	skip "worker: CapBnd is empty" "dropping from the bounding set needs CAP_SETPCAP"
fi
expect_eq "worker: -v says what its file-system wall is" 1 \
	"$(grep -c "^sbx: tcp bypass worker locked down: $want_view" "$WORK/worker.err")"
if [ "$(id -u)" != 0 ]; then
	run_sbx -v --no-userns-holder --net slirp true
	expect_match "worker: rootless with --no-userns-holder, -v says it has no mount view" \
		'^sbx: tcp bypass worker locked down: no mount view' "$ERR"
else
	skip "worker: rootless with --no-userns-holder, -v says it has no mount view" "root has CAP_SYS_ADMIN"
fi
expect_match "worker: NoNewPrivs: 1" '^NoNewPrivs:[[:space:]]+1$' "$status"
expect_match "worker: Seccomp: 2 (filter)" '^Seccomp:[[:space:]]+2$' "$status"
worker_mnt=$(readlink "/proc/$WORKER/ns/mnt" 2>/dev/null)
if [ -n "$worker_mnt" ]; then
	expect_eq "worker: in the caller's network namespace" "$(readlink /proc/self/ns/net)" \
		"$(readlink "/proc/$WORKER/ns/net")"
	expect_eq "worker: in the caller's user namespace (it needs ptrace access to the sandbox)" \
		"$(readlink /proc/self/ns/user)" "$(readlink "/proc/$WORKER/ns/user")"
	expect_ne "worker: in a mount namespace of its own" "$(readlink /proc/self/ns/mnt)" "$worker_mnt"
	expect_eq "worker: its root holds /proc only" "proc" "$(ls -A "/proc/$WORKER/root/" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
	skip "worker: not dumpable" "root may read any process's /proc files"
else
	# Not dumpable: its /proc links belong to root, and we are not.
	for t in "in the caller's network namespace" "in the caller's user namespace"; do
		skip "worker: $t" "only root can read a non-dumpable process's ns links"
	done
	# Its view is checked through -v above (bypass_worker.c).
	for t in "in a mount namespace of its own" "its root holds /proc only"; do
		skip "worker: $t" "only root can read a non-dumpable process's root and ns links"
	done
	expect_eq "worker: not dumpable (its /proc files belong to root)" 0 "$(stat -c %u "/proc/$WORKER/environ")"
fi
kill -KILL "$WORKER"
wait_pid_timeout "$SBX_PID" 20
expect_eq "the worker killed: sbx ends the sandbox with 125" 125 "$RC"
expect_eq "... saying so in one line" 1 "$(grep -cFx \
	"sbx: the tcp bypass worker ended (killed by SIGKILL): the sandbox is stopped" "$WORK/worker.err")"
wait_for_no_arg "$MARKER" 5
ok $? "... and the command is gone"

# --- a nested network namespace ---------------------------------------------------
# A socket of a namespace the program made (unshare -Un, --allow-userns) has
# no slirp behind it and no relay listener in reach: its connect() stays
# with the kernel there, and the worker makes no host connection for it.
# (Before, the worker connected the host first: a network-less nested
# sandbox could open connections on the host.) The host's server logs
# each connection; a last one from here says "marker".
python3 -c 'import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept()
    c.settimeout(5)
    try:
        d = c.recv(16)
    except OSError:
        d = b""
    with open(sys.argv[2], "a") as f:
        f.write("got %s\n" % d.decode(errors="replace"))
    c.close()' "$WORK/count.port" "$WORK/count.log" &
track_pid $!
if wait_for_file "$WORK/count.port" 10; then
	CP=$(cat "$WORK/count.port")
	run_sbx "${LO[@]}" --allow-userns unshare -Un python3 -c 'import errno, socket, sys
s = socket.socket()
print("nested", errno.errorcode.get(s.connect_ex(("10.0.2.2", int(sys.argv[1]))), "connected"))' "$CP"
	if grep -q "^unshare:" <<<"$ERR"; then
		skip "a nested network namespace's connect() stays there" "unshare -Un: $ERR"
		skip "... and the worker made no host connection for it" "no nested namespace"
	else
		expect_match "a nested network namespace's connect() stays there (no route)" \
			'^nested ENETUNREACH$' "$OUT"
		python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1]))).sendall(b"marker")' "$CP"
		wait_for_file "$WORK/count.log" 10
		for _ in $(seq 100); do
			grep -q marker "$WORK/count.log" && break
			sleep 0.1
		done
		expect_eq "... and the worker made no host connection for it" "got marker" \
			"$(head -n 1 "$WORK/count.log")"
	fi
else
	fail "the counting server started"
fi

# --- a relay listener destroyed from inside ----------------------------------------
# A program with CAP_NET_ADMIN in the sandbox can destroy the relay's
# listener (ss -K). The worker then drops it (connections go through slirp)
# and sleeps in poll(); before, the listener's POLLHUP woke it at once, every
# turn: 100% CPU for the sandbox's life.
if ! command -v ss >/dev/null; then
	skip "the worker sleeps once the relay listener is destroyed" "no ss (iproute2)"
else
	marker
	"$SBX" -v "${LO[@]}" --cap-add CAP_NET_ADMIN sh -c 'ss -K state listening src 127.0.0.1 >/dev/null 2>&1
echo "left $(ss -Htln src 127.0.0.1 | wc -l)"; exec sleep "$1"' sh "$MARKER" \
		>"$WORK/destroy.out" 2>"$WORK/destroy.err" </dev/null &
	SBX_PID=$!
	track_pid $SBX_PID
	for _ in $(seq 200); do grep -q '^left' "$WORK/destroy.out" && break; sleep 0.05; done
	WORKER=$(sed -n 's/^sbx: tcp bypass worker pid \([0-9]*\)$/\1/p' "$WORK/destroy.err")
	left=$(sed -n 's/^left //p' "$WORK/destroy.out")
	if [ -z "$WORKER" ] || [ "$left" != 0 ]; then
		skip "the worker sleeps once the relay listener is destroyed" \
			"ss -K did not destroy it here (left: ${left:-?}; $(cat "$WORK/destroy.err"))"
	else
		states=""
		for _ in $(seq 20); do
			states+=$(awk '{ print $3 }' "/proc/$WORKER/stat")
			sleep 0.05
		done
		expect_eq "the worker sleeps once the relay listener is destroyed (20 samples)" \
			"SSSSSSSSSSSSSSSSSSSS" "$states"
	fi
	kill "$SBX_PID" 2>/dev/null
	wait_pid_timeout "$SBX_PID" 20
fi

done_testing
