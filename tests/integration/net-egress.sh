#!/usr/bin/env bash
# net-egress.sh - what --net slirp lets out: the host's own addresses are
# closed like its loopback (unless --allow-host-loopback / --allow-host), and
# --allow-net holds TCP, UDP and ICMP, IPv4 and IPv6, bypassed or through
# libslirp (--no-tcp-bypass, 32-bit programs), to the names and addresses
# it lists; names only through sbx's own resolver at 10.0.2.3.
# The traffic tests run as root only: sbx runs in a network namespace the
# test made, whose only routes lead to test hosts in another one
# (198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32).
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1
HELPERS=$TESTS_SRCDIR/helpers
PROBES=$(dirname "$SBX")/tests/helpers

# --- the command line (any user) -------------------------------------------------
run_sbx --allow-net example.test --share-net true
expect_error "--allow-net with --share-net: one line, rootless sbx cannot filter the host's network" \
	125 "^sbx: --allow-net: rootless sbx cannot filter the host's network .*use --net slirp$"
run_sbx --allow-net 'bad name!' true
expect_error "a malformed DEST is one line" 125 '^sbx: --allow-net bad name!: not a name'
run_sbx --allow-net 'example.test:80-70' true
expect_error "a reversed port range is one line" 125 '^sbx: --allow-net example.test:80-70: not a port'
run_sbx --allow-net '[2001:db8::1' true
expect_error "an IPv6 address without its closing bracket is one line" 125 'expected \[IPV6'
run_sbx --allow-net '[2001:db8::/32]:443,8000-8100' --allow-net '*.npmjs.org' --allow-net 203.0.113.0/24 \
	--print-config
expect_match "--print-config keeps the rules" '^allow-net "\[2001:db8::/32\]:443,8000-8100"$' "$OUT"

require_slirp
if [ "$(id -u)" -ne 0 ]; then
	skip "the traffic tests" "need root to make network namespaces"
	done_testing
fi
if [ ! -x /usr/sbin/dnsmasq ] || ! command -v ip curl python3 >/dev/null; then
	if [ "${SBX_MUST_WORK:-0}" = 1 ]; then
		fail "dnsmasq, ip, curl and python3 are installed"
		done_testing
	fi
	skip "the traffic tests" "dnsmasq-base, iproute2, curl or python3 missing"
	done_testing
fi

# --- the emulated world -----------------------------------------------------------
# world: 198.51.100.1 (DNS; HTTP on 80 and 8080; UDP echo on 7), 203.0.113.9
# (HTTP, UDP echo: denied.test), 2001:db8:1::1 and 2001:db8:2::9 (HTTP),
# 169.254.169.254 (HTTP, where clouds have their metadata service).
# home, where sbx runs: 198.51.100.2 and a second address, 203.0.113.2, with a
# server on 0.0.0.0 / [::].
world=sbxe-w$$ home=sbxe-h$$
at_exit "ip netns del $world 2>/dev/null; ip netns del $home 2>/dev/null; rm -rf /etc/netns/$home"
ip netns add "$world" && ip netns add "$home" &&
	ip link add sbxe-a$$ netns "$world" type veth peer name sbxe-b$$ netns "$home" &&
	ip -n "$world" addr add 198.51.100.1/24 dev sbxe-a$$ &&
	ip -n "$world" addr add 203.0.113.9/24 dev sbxe-a$$ &&
	ip -n "$world" addr add 2001:db8:1::1/64 dev sbxe-a$$ nodad &&
	ip -n "$world" addr add 2001:db8:2::9/64 dev sbxe-a$$ nodad &&
	ip -n "$world" link set sbxe-a$$ up && ip -n "$world" link set lo up &&
	ip -n "$home" addr add 198.51.100.2/24 dev sbxe-b$$ &&
	ip -n "$home" addr add 203.0.113.2/24 dev sbxe-b$$ &&
	ip -n "$home" addr add 2001:db8:1::2/64 dev sbxe-b$$ nodad &&
	ip -n "$home" addr add 2001:db8:2::2/64 dev sbxe-b$$ nodad &&
	ip -n "$home" link set sbxe-b$$ up && ip -n "$home" link set lo up &&
	ip -n "$world" addr add 169.254.169.254/16 dev sbxe-a$$ &&
	ip -n "$home" addr add 169.254.1.2/16 dev sbxe-b$$ || {
	fail "set up the test namespaces"
	done_testing
}
mkdir -p "/etc/netns/$home"
echo "nameserver 198.51.100.1" >"/etc/netns/$home/resolv.conf"
ip netns exec "$world" /usr/sbin/dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
	--pid-file= --bind-interfaces --listen-address=198.51.100.1 --user=root \
	--address=/allowed.test/198.51.100.1 --address=/allowed.test/2001:db8:1::1 \
	--address=/denied.test/203.0.113.9 --address=/wild.test/198.51.100.1 \
	--address=/home.test/203.0.113.2 --address=/gw.test/10.0.2.2 \
	>"$WORK/dnsmasq.log" 2>&1 &
track_pid $!
ip netns exec "$world" python3 "$HELPERS/netserv.py" "$WORK/world.ports" \
	--http 198.51.100.1:80 --http 198.51.100.1:8080 --udp 198.51.100.1:7 \
	--http 203.0.113.9:80 --udp 203.0.113.9:7 \
	--http '[2001:db8:1::1]:80' --http '[2001:db8:2::9]:80' --http 169.254.169.254:80 &
track_pid $!
ip netns exec "$home" python3 "$HELPERS/netserv.py" "$WORK/home.ports" \
	--http 0.0.0.0:8081 --udp 0.0.0.0:8082 --http '[::]:8083' &
track_pid $!
wait_for_file "$WORK/world.ports" 10 && wait_for_file "$WORK/home.ports" 10 || {
	fail "the test servers started"
	done_testing
}

IN=(ip netns exec "$home" "$SBX")
P=(--ro-bind "$HELPERS:/t" python3 /t/egress-probe.py)
HELLO1='^ok hello from 198\.51\.100\.1:80, you are'

# --- the host's own addresses ------------------------------------------------------
run_cmd "${IN[@]}" -v --net slirp "${P[@]}" http:198.51.100.2:8081 http:203.0.113.2:8081 \
	'http:[2001:db8:1::2]:8083' udp:203.0.113.2:8082 http:198.51.100.1:80
mapfile -t l <<<"$OUT"
expect_match "a host server on 0.0.0.0 is refused at the host's first address (bypass)" \
	'^fail ECONNREFUSED' "${l[0]:-}"
expect_match "... and at its second address" '^fail ECONNREFUSED' "${l[1]:-}"
expect_match "... and at its IPv6 address" '^fail ECONNREFUSED' "${l[2]:-}"
expect_match "UDP to the host's address: ENETUNREACH" '^fail ENETUNREACH' "${l[3]:-}"
expect_match "another host is still reached" "$HELLO1" "${l[4]:-}"
expect_match "-v says the host's addresses are closed" \
	"^sbx: the host's own addresses are closed \([0-9]+ local routes, followed\)$" "$ERR"
expect_match "-v says why, once" \
	'^sbx: refused 203\.0\.113\.2:8081 \(an address of the host; --allow-host-loopback\)$' "$ERR"
run_cmd "${IN[@]}" --net slirp --no-tcp-bypass "${P[@]}" http:198.51.100.2:8081 \
	http:203.0.113.2:8081 http:198.51.100.1:80
mapfile -t l <<<"$OUT"
expect_match "--no-tcp-bypass: refused by libslirp's side too, at either address" \
	'^fail ECONNREFUSED' "${l[0]:-} ${l[1]:-}"
expect_match "--no-tcp-bypass: ... both" '^fail ECONNREFUSED.*fail ECONNREFUSED' "${l[0]:-} ${l[1]:-}"
expect_match "--no-tcp-bypass: another host is still reached" "$HELLO1" "${l[2]:-}"
if [ "$(uname -m)" = x86_64 ] && [ "$("$PROBES/sysprobe" -32 getppid 2>/dev/null)" = "getppid OK" ]; then
	run_cmd "${IN[@]}" --net slirp --ro-bind "$PROBES:/h" /h/sysprobe -32 tcpconnect:0xcb007102,8081
	expect_match "a 32-bit connect() to the host's address: ECONNREFUSED" 'ECONNREFUSED' "$OUT"
else
	skip "a 32-bit connect() to the host's address: ECONNREFUSED" "needs x86-64 with i386 system calls"
fi
# An address the host gets while the sandbox runs is closed as well: the
# helper and the worker follow the kernel's route notifications.
rm -f "$WORK/up" "$WORK/go"
"${IN[@]}" --net slirp --bind "$WORK" --ro-bind "$HELPERS:/t" sh -c 'touch "$0/up"
	while [ ! -e "$0/go" ]; do sleep 0.05; done
	python3 /t/egress-probe.py http:203.0.113.3:8081 udp:203.0.113.3:8082' "$WORK" \
	>"$WORK/later.out" 2>&1 </dev/null &
later=$!
track_pid $later
if wait_for_file "$WORK/up" 20 && ip -n "$home" addr add 203.0.113.3/32 dev sbxe-b$$; then
	touch "$WORK/go"
	wait $later
	mapfile -t l <"$WORK/later.out"
	expect_match "an address added while the sandbox runs is refused too (TCP, bypass)" '^fail ECONNREFUSED' "${l[0]:-}"
	expect_match "... and for UDP (libslirp)" '^fail ENETUNREACH' "${l[1]:-}"
else
	fail "an address added while the sandbox runs is refused too (TCP, bypass)" "the sandbox did not start"
	fail "... and for UDP (libslirp)"
fi

for opt in --allow-host-loopback --allow-host; do
	run_cmd "${IN[@]}" --net slirp $opt "${P[@]}" http:198.51.100.2:8081 http:203.0.113.2:8081 \
		'http:[2001:db8:1::2]:8083' udp:203.0.113.2:8082
	mapfile -t l <<<"$OUT"
	expect_match "$opt: the host's server at its first address" '^ok hello from 0\.0\.0\.0:8081' "${l[0]:-}"
	expect_match "$opt: ... at its second" '^ok hello from 0\.0\.0\.0:8081' "${l[1]:-}"
	expect_match "$opt: ... over IPv6" '^ok hello from ::' "${l[2]:-}"
	expect_match "$opt: ... UDP" '^ok echo ping' "${l[3]:-}"
done
run_cmd "${IN[@]}" --net slirp --allow-host --no-tcp-bypass "${P[@]}" http:203.0.113.2:8081
expect_match "--allow-host --no-tcp-bypass: reached through libslirp" '^ok hello from 0\.0\.0\.0:8081' "$OUT"

# --- the allow-list ----------------------------------------------------------------------
# Every TCP case runs twice: through the TCP bypass (the worker asks the
# policy at connect()) and through libslirp (--no-tcp-bypass: the helper's
# tap filter asks it at the SYN). The answers must be the same.
A=(--allow-net allowed.test:80 --allow-net '*.wild.test' --allow-net 198.51.100.1:7)
for mode in bypass --no-tcp-bypass; do
	M=() t=""
	[ "$mode" = bypass ] || M=("$mode") t="$mode: "
	# The bypass relays the program's socket through a listener on the
	# sandbox's loopback: getpeername() tells which path carried it.
	if [ "$mode" = bypass ]; then via='127\.0\.0\.1' via6='::1'; else via='198\.51\.100\.1' via6='2001:db8:1::1'; fi
	run_cmd "${IN[@]}" -v "${A[@]}" "${M[@]}" --ro-bind "$HELPERS:/t" sh -c '
		curl -s --max-time 3 http://allowed.test/ || echo "curl failed: $?"
		python3 /t/egress-probe.py resolve:denied.test http:203.0.113.9:80 http:allowed.test:8080 \
			udp:203.0.113.9:7 udp:198.51.100.1:7 resolve:a.wild.test resolve:wild.test \
			peer:allowed.test:80 http:203.0.113.9:80'
	mapfile -t l <<<"$OUT"
	expect_match "${t}--allow-net NAME: curl http://allowed.test works (implies --net slirp)" \
		'^hello from 198\.51\.100\.1:80, you are' "${l[0]:-}"
	expect_match "${t}a name not listed does not resolve" '^fail gaierror' "${l[1]:-}"
	expect_match "${t}its address typed directly: ECONNREFUSED" '^fail ECONNREFUSED' "${l[2]:-}"
	expect_match "${t}a port not listed on an allowed name: ECONNREFUSED" '^fail ECONNREFUSED' "${l[3]:-}"
	expect_match "${t}UDP to an address not listed: ENETUNREACH" '^fail ENETUNREACH' "${l[4]:-}"
	expect_match "${t}UDP to a listed ADDRESS:PORT works" '^ok echo ping' "${l[5]:-}"
	expect_match "${t}*.wild.test covers a.wild.test" '^ok 198\.51\.100\.1$' "${l[6]:-}"
	expect_match "${t}... not wild.test itself" '^fail gaierror' "${l[7]:-}"
	expect_match "${t}the allowed connection went through the $mode path (peer $via)" \
		"^ok $via hello from 198\.51\.100\.1:80" "${l[8]:-}"
	expect_match "${t}a refused destination, again: ECONNREFUSED" '^fail ECONNREFUSED' "${l[9]:-}"
	expect_match "${t}-v: one line per refused destination" \
		'^sbx: refused 203\.0\.113\.9:80 \(not in --allow-net\)$' "$ERR"
	expect_eq "${t}-v: ... once, though refused twice" 1 \
		"$(grep -c '^sbx: refused 203\.0\.113\.9:80 ' <<<"$ERR")"
	expect_match "${t}-v: a port not listed, in the same words" \
		'^sbx: refused 198\.51\.100\.1:8080 \(not in --allow-net\)$' "$ERR"
	expect_match "${t}-v: UDP too" '^sbx: refused udp 203\.0\.113\.9:7 \(not in --allow-net\)$' "$ERR"
	if [ "$mode" = bypass ]; then
		expect_eq "the TCP bypass is on under --allow-net" 0 "$(grep -c '^sbx: tcp bypass: off' <<<"$ERR")"
	fi

	run_cmd "${IN[@]}" "${A[@]}" "${M[@]}" "${P[@]}" http:198.51.100.1:80 dns:10.0.2.3:allowed.test \
		'dns:[fd00::3]:allowed.test' 'dns:[fd00::3]:denied.test' http:10.0.2.3:53 \
		dns:198.51.100.1:denied.test
	mapfile -t l <<<"$OUT"
	expect_match "${t}an allowed name's address typed directly, never resolved: refused" \
		'^fail ECONNREFUSED' "${l[0]:-}"
	expect_match "${t}sbx's resolver answers an allowed name" '^ok rcode 0 answers 1$' "${l[1]:-}"
	expect_match "${t}... at fd00::3 too" '^ok rcode 0 answers 1$' "${l[2]:-}"
	expect_match "${t}... and NXDOMAIN there for a name not listed" '^ok rcode 3 answers 0$' "${l[3]:-}"
	expect_match "${t}DNS over TCP to 10.0.2.3 is refused (libslirp's forwarder would not filter)" \
		'^fail ECONNREFUSED' "${l[4]:-}"
	expect_match "${t}another DNS server is out of reach" '^fail ENETUNREACH' "${l[5]:-}"

	run_cmd "${IN[@]}" "${A[@]}" "${M[@]}" "${P[@]}" resolve:allowed.test/6 'peer:[2001:db8:1::1]:80' \
		'http:[2001:db8:2::9]:80' 'udp:[2001:db8:2::9]:7' 'http:[2001:db8:1::1]:8080'
	mapfile -t l <<<"$OUT"
	expect_match "${t}IPv6: the allowed name's AAAA" '^ok 2001:db8:1::1$' "${l[0]:-}"
	expect_match "${t}IPv6: its address works once resolved (peer $via6)" \
		"^ok $via6 hello from 2001:db8:1::1:80" "${l[1]:-}"
	expect_match "${t}IPv6: an address not listed: ECONNREFUSED" '^fail ECONNREFUSED' "${l[2]:-}"
	expect_match "${t}IPv6: UDP to an address not listed: EACCES (administratively prohibited)" \
		'^fail EACCES' "${l[3]:-}"
	expect_match "${t}IPv6: a port not listed: ECONNREFUSED" '^fail ECONNREFUSED' "${l[4]:-}"
	# The worker sees a name the sandbox resolves while it runs, with no
	# message to wait for: the helper writes the shared table first. An
	# IPv4-mapped IPv6 address is judged as its IPv4 address.
	run_cmd "${IN[@]}" "${A[@]}" "${M[@]}" "${P[@]}" http:198.51.100.1:80 resolve:allowed.test \
		peer:198.51.100.1:80 'http:[::ffff:198.51.100.1]:80' 'http:[::ffff:203.0.113.9]:80'
	mapfile -t l <<<"$OUT"
	expect_match "${t}an address refused before its name is resolved..." '^fail ECONNREFUSED' "${l[0]:-}"
	expect_match "${t}... is allowed once the sandbox resolved it (peer $via)" \
		"^ok $via hello from 198\.51\.100\.1:80" "${l[2]:-}"
	expect_match "${t}... as its IPv4-mapped IPv6 address" '^ok hello from 198\.51\.100\.1:80' "${l[3]:-}"
	expect_match "${t}an IPv4-mapped address not listed: ECONNREFUSED" '^fail ECONNREFUSED' "${l[4]:-}"
	# A bound socket's connect() is not taken over ("continue"): libslirp
	# carries it, and the tap filter judges it.
	run_cmd "${IN[@]}" "${A[@]}" "${M[@]}" "${P[@]}" resolve:allowed.test bound:198.51.100.1:80 \
		bound:203.0.113.9:80 bound:198.51.100.1:8080
	mapfile -t l <<<"$OUT"
	expect_match "${t}a bound socket to an allowed name: through libslirp" \
		'^ok 198\.51\.100\.1 hello from 198\.51\.100\.1:80' "${l[1]:-}"
	expect_match "${t}a bound socket to an address not listed: ECONNREFUSED" '^fail ECONNREFUSED' "${l[2]:-}"
	expect_match "${t}a bound socket to a port not listed: ECONNREFUSED" '^fail ECONNREFUSED' "${l[3]:-}"
	# libslirp sends link-local addresses (a cloud's metadata service) out as
	# they are: the filter judges them like any other.
	run_cmd "${IN[@]}" "${A[@]}" "${M[@]}" "${P[@]}" http:169.254.169.254:80
	expect_match "${t}a link-local address not listed (169.254.169.254): ECONNREFUSED" \
		'^fail ECONNREFUSED' "$OUT"

	run_cmd "${IN[@]}" -v --allow-net '[2001:db8:2::/64]:80' --allow-net 203.0.113.0/24 "${M[@]}" \
		--allow-net 198.51.100.1:70-79,8000-8080 "${P[@]}" 'peer:[2001:db8:2::9]:80' \
		peer:203.0.113.9:80 http:198.51.100.1:80 'http:[2001:db8:2::9]:8080' http:203.0.113.2:8081 \
		http:198.51.100.1:8080
	mapfile -t l <<<"$OUT"
	if [ "$mode" = bypass ]; then v4='127\.0\.0\.1' v6='::1'; else v4='203\.0\.113\.9' v6='2001:db8:2::9'; fi
	expect_match "${t}an IPv6 CIDR rule with a port" "^ok $v6 hello from 2001:db8:2::9:80" "${l[0]:-}"
	expect_match "${t}an IPv4 CIDR rule" "^ok $v4 hello from 203\.0\.113\.9:80" "${l[1]:-}"
	expect_match "${t}... and nothing else (a port between the ranges)" '^fail ECONNREFUSED' "${l[2]:-}"
	expect_match "${t}... nor another port of the IPv6 CIDR" '^fail ECONNREFUSED' "${l[3]:-}"
	expect_match "${t}a CIDR rule does not open the host's own address in it" \
		'^fail ECONNREFUSED' "${l[4]:-}"
	expect_match "${t}an address rule's port range, at its end" '^ok hello from 198\.51\.100\.1:8080' \
		"${l[5]:-}"
	expect_match "${t}-v: ... and says why" \
		'^sbx: refused 203\.0\.113\.2:8081 \(an address of the host; --allow-host-loopback\)$' "$ERR"
	run_cmd "${IN[@]}" --allow-net 203.0.113.0/24 --allow-host "${M[@]}" "${P[@]}" \
		http:203.0.113.2:8081 http:10.0.2.2:8081 http:198.51.100.2:8081
	mapfile -t l <<<"$OUT"
	expect_match "${t}--allow-host: the host's own address a rule names is reached" \
		'^ok hello from 0\.0\.0\.0:8081' "${l[0]:-}"
	expect_match "${t}--allow-host: 10.0.2.2 leads to the host's loopback" \
		'^ok hello from 0\.0\.0\.0:8081' "${l[1]:-}"
	expect_match "${t}--allow-host: ... a host address no rule names is still refused" \
		'^fail ECONNREFUSED' "${l[2]:-}"
	run_cmd "${IN[@]}" --allow-net 203.0.113.0/24 "${M[@]}" "${P[@]}" http:10.0.2.2:8081
	# libslirp's answer, as without --allow-net: the bypass leaves it 10.0.2.2.
	expect_match "${t}without --allow-host, 10.0.2.2 is unreachable" '^fail ENETUNREACH' "$OUT"
	# A name allowed, and resolved, does not open what its address would
	# not: the host's own (home.test), the gateway (gw.test: 10.0.2.2).
	run_cmd "${IN[@]}" -v --allow-net home.test --allow-net gw.test "${M[@]}" "${P[@]}" \
		http:home.test:8081 http:gw.test:8081
	mapfile -t l <<<"$OUT"
	expect_match "${t}an allowed name resolving to the host's own address: ECONNREFUSED" \
		'^fail ECONNREFUSED' "${l[0]:-}"
	expect_match "${t}an allowed name resolving to 10.0.2.2, without --allow-host: unreachable" \
		'^fail ENETUNREACH' "${l[1]:-}"
	expect_match "${t}-v: ... refused as the host's address" \
		'^sbx: refused 203\.0\.113\.2:8081 \(an address of the host; --allow-host-loopback\)$' "$ERR"
	run_cmd "${IN[@]}" --allow-net gw.test --allow-host "${M[@]}" "${P[@]}" http:gw.test:8081
	expect_match "${t}--allow-host: an allowed name resolving to 10.0.2.2 leads to the host's loopback" \
		'^ok hello from 0\.0\.0\.0:8081' "$OUT"
done

run_cmd "${IN[@]}" "${A[@]}" --cap-add NET_RAW "${P[@]}" icmp:203.0.113.9
expect_match "ICMP to an address not listed: network unreachable" '^fail unreachable' "$OUT"

if [ "$(uname -m)" = x86_64 ] && [ "$("$PROBES/sysprobe" -32 getppid 2>/dev/null)" = "getppid OK" ]; then
	run_cmd "${IN[@]}" "${A[@]}" --ro-bind "$HELPERS:/t" --ro-bind "$PROBES:/h" sh -c '
		python3 /t/egress-probe.py resolve:allowed.test
		/h/sysprobe -32 tcpconnect:0xc6336401,80 2>&1
		/h/sysprobe -32 tcpconnect:0xcb007109,80 2>&1
		/h/sysprobe -32 tcpconnect:0xc6336401,8080 2>&1'
	mapfile -t l <<<"$OUT"
	expect_match "32-bit connect() to the allowed name's address works" '^tcpconnect peer 198\.51\.100\.1' \
		"${l[1]:-}"
	expect_match "32-bit connect() to an address not listed: ECONNREFUSED" \
		'^tcpconnect ECONNREFUSED' "${l[3]:-}"
	expect_match "32-bit connect() to a port not listed: ECONNREFUSED" \
		'^tcpconnect ECONNREFUSED' "${l[4]:-}"
else
	for d in "32-bit connect() to the allowed name's address works" \
		"32-bit connect() to an address not listed: ECONNREFUSED" \
		"32-bit connect() to a port not listed: ECONNREFUSED"; do
		skip "$d" "needs x86-64 with i386 system calls"
	done
fi

# A socket once connected to an allowed peer, disconnected (AF_UNSPEC) and
# connected again with an address length of 20, which the bypass's filter
# lets pass: the worker answers "continue", and the socket, the sandbox's
# own, goes through libslirp and the tap filter.
# The same destination refused first by the worker: -v names it once, though
# two processes refused it.
run_cmd "${IN[@]}" -v "${A[@]}" "${P[@]}" http:203.0.113.9:80 reuse:allowed.test:80,203.0.113.9:80
mapfile -t l <<<"$OUT"
expect_match "a destination refused through the bypass..." '^fail ECONNREFUSED' "${l[0]:-}"
expect_match "... and by a socket reconnected past the bypass's filter (libslirp)" '^fail ECONNREFUSED' \
	"${l[1]:-}"
expect_match "-v: ... names it" '^sbx: refused 203\.0\.113\.9:80 \(not in --allow-net\)$' "$ERR"
expect_eq "-v: ... once for both paths" 1 "$(grep -c '^sbx: refused 203\.0\.113\.9:80 ' <<<"$ERR")"

done_testing
