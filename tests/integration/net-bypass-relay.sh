#!/usr/bin/env bash
# net-bypass-relay.sh - no host socket enters the sandbox: a connection the
# TCP bypass made, and one a published port delivered, are sockets of the
# sandbox's own network namespace. A program that disconnects such a socket
# (connect(AF_UNSPEC)) and connects it again in a way the bypass never sees
# (an address length of 17, which its seccomp filter lets pass) stays in the
# sandbox's network, where the host's own addresses are closed: it cannot
# reach a server the host runs on 0.0.0.0 at the host's second address.
# (Before, the program held the host socket itself, pinned to the outgoing
# interface, and reached that server.)
# Runs as root only: sbx runs in a network namespace the test made ("home",
# 198.51.100.2 and 203.0.113.2), whose only route leads to a test host
# ("world", 198.51.100.1).
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1
HELPERS=$TESTS_SRCDIR/helpers

require_slirp
if [ "$(id -u)" -ne 0 ]; then
	skip "the relay tests" "need root to make network namespaces"
	done_testing
fi
if ! command -v ip python3 >/dev/null; then
	if [ "${SBX_MUST_WORK:-0}" = 1 ]; then
		fail "ip and python3 are installed"
		done_testing
	fi
	skip "the relay tests" "iproute2 or python3 missing"
	done_testing
fi

world=sbxr-w$$ home=sbxr-h$$
at_exit "ip netns del $world 2>/dev/null; ip netns del $home 2>/dev/null"
ip netns add "$world" && ip netns add "$home" &&
	ip link add sbxr-a$$ netns "$world" type veth peer name sbxr-b$$ netns "$home" &&
	ip -n "$world" addr add 198.51.100.1/24 dev sbxr-a$$ &&
	ip -n "$world" link set sbxr-a$$ up && ip -n "$world" link set lo up &&
	ip -n "$home" addr add 198.51.100.2/24 dev sbxr-b$$ &&
	ip -n "$home" addr add 203.0.113.2/24 dev sbxr-b$$ &&
	ip -n "$home" link set sbxr-b$$ up && ip -n "$home" link set lo up || {
	fail "set up the test namespaces"
	done_testing
}
ip netns exec "$world" python3 "$HELPERS/netserv.py" "$WORK/world.ports" --http 198.51.100.1:80 \
	>"$WORK/world.log" 2>&1 &
track_pid $!
ip netns exec "$home" python3 "$HELPERS/netserv.py" "$WORK/home.ports" --http 0.0.0.0:8081 \
	>"$WORK/home.log" 2>&1 &
track_pid $!
wait_for_file "$WORK/world.ports" 10 && wait_for_file "$WORK/home.ports" 10 || {
	fail "the test servers started"
	done_testing
}
IN=(ip netns exec "$home" "$SBX")
P=(--ro-bind "$HELPERS:/t" python3 /t/relay-probe.py)

# The host's server answers at its second address, from the host itself.
OUT=$(ip netns exec "$home" python3 -c 'import socket
s = socket.create_connection(("203.0.113.2", 8081), timeout=5)
s.sendall(b"GET / HTTP/1.0\r\n\r\n"); print(s.recv(100).decode().splitlines()[0])' 2>&1)
expect_match "the host's server on 0.0.0.0 answers at 203.0.113.2 (on the host)" '^HTTP/1\.[01] 200' "$OUT"

# --- a bypassed connection ---------------------------------------------------------
run_cmd "${IN[@]}" -v --net slirp "${P[@]}" connect 198.51.100.1 80 203.0.113.2 8081
expect_match "the bypass carried the connection to 198.51.100.1" \
	'tcp bypass: 1 connections on host sockets' "$ERR"
expect_match "the program's socket is in the sandbox's /proc/net/tcp (no host socket in its hands)" \
	'^ns yes ' "$OUT"
expect_match "disconnected and connected again unseen (length 17) to the host's 203.0.113.2: refused" \
	'^ns .* reconnect E[A-Z]+$' "$OUT"
if grep -q 'reconnect ok' <<<"$OUT"; then
	fail "... the host's server was not reached" "$OUT"
else
	pass "... the host's server was not reached"
fi

# --- a published connection ----------------------------------------------------------
# A client out there (in "world") connects to the port published on the
# host's network address; the server inside probes the socket it accepted.
PORT=$(ip netns exec "$home" python3 -c 'import socket
s = socket.socket(); s.bind(("198.51.100.2", 0)); print(s.getsockname()[1])')
rm -rf "$WORK/srv" && mkdir -p "$WORK/srv"
"${IN[@]}" -v --net slirp -p "198.51.100.2:$PORT:7000" --bind "$WORK/srv:/tmp" "${P[@]}" \
	serve 7000 203.0.113.2 8081 >"$WORK/srv.out" 2>"$WORK/srv.err" </dev/null &
pid=$!
track_pid $pid
if wait_for_file "$WORK/srv/7000.ready" 10; then
	ip netns exec "$world" python3 -c 'import socket, sys
s = socket.create_connection(("198.51.100.2", int(sys.argv[1])), timeout=10)
s.recv(100)' "$PORT" >/dev/null 2>&1
fi
wait_pid_timeout $pid 20
OUT=$(cat "$WORK/srv.out")
ERR=$(cat "$WORK/srv.err")
expect_match "a published connection: the server's accepted socket is in the sandbox's /proc/net/tcp" \
	'^ns yes ' "$OUT"
expect_match "... disconnected and connected again unseen to the host's 203.0.113.2: refused" \
	'^ns .* reconnect E[A-Z]+$' "$OUT"
if grep -q 'reconnect ok' <<<"$OUT"; then
	fail "... the host's server was not reached" "$OUT"
else
	pass "... the host's server was not reached"
fi
# --- a lingering close left to the worker ---------------------------------------------
# The worker holds a duplicate of the program's socket while the host
# connection is made (198.51.100.9 does not answer ARP); the program
# connects that socket elsewhere, fills it, sets SO_LINGER and closes its
# descriptor. The worker's close() is then the last: it must not wait out
# the 600 s (before, every later connect() of the sandbox hung).
run_cmd timeout 120 "${IN[@]}" --net slirp "${P[@]}" linger 198.51.100.9 80 198.51.100.1 80
expect_match "a lingering close of the program's socket does not stall the worker" \
	'^ok linger$' "$OUT"
# --- a host peer that never reads, and the program's SO_LINGER ------------------------
# The relay ends (EOF both ways) with bytes the peer never takes queued in
# the worker's host socket. Before, that socket had the program's SO_LINGER
# (600 s) copied onto it and the worker's close() waited it out: every
# later connect() of the sandbox hung.
mkdir -p "$WORK/sink"
ip netns exec "$world" python3 "$HELPERS/relay-probe.py" sinkserve 198.51.100.1 9100 "$WORK/sink" \
	>"$WORK/sink.log" 2>&1 &
track_pid $!
if wait_for_file "$WORK/sink/ready" 10; then
	run_cmd timeout 120 "${IN[@]}" --net slirp "${P[@]}" lingerhost 198.51.100.1 9100 198.51.100.1 80
	expect_match "the program's SO_LINGER does not stall the worker's close of its host socket" \
		'^ok lingerhost$' "$OUT"
else
	fail "the sink server started"
fi
done_testing
