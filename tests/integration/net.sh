#!/usr/bin/env bash
# net.sh - --net slirp: addresses inside, host loopback closed by default and
# open with --allow-host-loopback, DNS and HTTP by name through an emulated
# "internet" (root only), --publish TCP/UDP over IPv4/IPv6, errors before
# the command runs, the helper's lockdown, and nothing left behind.
# All traffic stays on loopback and in network namespaces made here.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1

HELPERS=$TESTS_SRCDIR/helpers
CLIENT=(--ro-bind "$HELPERS:/t" python3 /t/netclient.py)

if ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP python3 is not installed"
	exit 77
fi
require_slirp
pass "sbx --net slirp runs a command"

# start_servers NAME ARGS...: run netserv.py in the background; wait for its
# port file $WORK/NAME.ports.
start_servers() {
	local name=$1
	shift
	python3 "$HELPERS/netserv.py" "$WORK/$name.ports" "$@" &
	track_pid $!
	wait_for_file "$WORK/$name.ports" 10 || {
		echo "Bail out! netserv.py did not start"
		exit 1
	}
}
# port_of NAME KIND HOST: the port netserv.py picked.
port_of() { awk -v k="$2" -v h="$3" '$1 == k && $2 == h { print $3 }' "$WORK/$1.ports"; }

# --- inside: addresses, routes, MTU, resolv.conf ------------------------------
host_resolv=$(cat /etc/resolv.conf 2>/dev/null)
mtu='ip -o link show dev tap0 | sed -n "s/.* mtu \([0-9]*\) .*/\1/p"'
run_sbx --net slirp sh -c "ip -o addr show dev tap0; ip route; ip -6 route; $mtu; cat /etc/resolv.conf"
expect_match "tap0 has 10.0.2.100/24" 'inet 10\.0\.2\.100/24' "$OUT"
expect_match "tap0 has fd00::100/64" 'inet6 fd00::100/64' "$OUT"
expect_match "IPv4 default route via 10.0.2.2" '^default via 10\.0\.2\.2 dev tap0' "$OUT"
expect_match "IPv6 default route via fd00::2" '^default via fd00::2 dev tap0' "$OUT"
expect_match "MTU 65520 by default" '^65520$' "$OUT"
expect_match "resolv.conf inside names 10.0.2.3" '^nameserver 10\.0\.2\.3$' "$OUT"
expect_eq "the host's resolv.conf is untouched" "$host_resolv" "$(cat /etc/resolv.conf 2>/dev/null)"
run_sbx --net slirp --mtu 1500 --no-ipv6 sh -c "$mtu; ip -o -6 addr show dev tap0 scope global"
expect_run "--mtu 1500 --no-ipv6: MTU 1500, no global IPv6 address" 0 "1500"
run_sbx --net user true
expect_status "--net user is an alias" 0

# --- the host's loopback -------------------------------------------------------
start_servers lo --http 127.0.0.1:0 --http '[::1]:0' --udp 127.0.0.1:0 --udp '[::1]:0'
H4=$(port_of lo http 127.0.0.1) H6=$(port_of lo http ::1)
U4=$(port_of lo udp 127.0.0.1) U6=$(port_of lo udp ::1)
targets=("http://10.0.2.2:$H4/" "http://[fd00::2]:$H6/" "udp:10.0.2.2:$U4" "udp:[fd00::2]:$U6")
names=("HTTP on 127.0.0.1 via 10.0.2.2" "HTTP on ::1 via fd00::2" "UDP on 127.0.0.1 via 10.0.2.2"
	"UDP on ::1 via fd00::2")

run_sbx --net slirp --allow-host-loopback "${CLIENT[@]}" "${targets[@]}"
mapfile -t lines <<<"$OUT"
for i in 0 1 2 3; do
	expect_match "--allow-host-loopback: ${names[$i]}" '^ok (hello|echo ping)' "${lines[$i]:-}"
done
run_sbx --net slirp "${CLIENT[@]}" "${targets[@]}"
mapfile -t lines <<<"$OUT"
for i in 0 1 2 3; do
	expect_match "by default: no ${names[$i]}" '^fail' "${lines[$i]:-}"
done

# --- --publish -----------------------------------------------------------------
start_servers busy --tcp 127.0.0.1:0
BUSY=$(port_of busy tcp 127.0.0.1)
run_sbx --net slirp --bind "$WORK:/w" -p "127.0.0.1:$BUSY:80" touch /w/ran
expect_error "a busy port: one line, exit 125" 125 "^sbx: --publish 127\.0\.0\.1:$BUSY:80: cannot listen on 127\.0\.0\.1:$BUSY: Address already in use$"
[ ! -e "$WORK/ran" ]
ok $? "a busy port: the command did not run"
run_sbx --net slirp -p 80:abc true
expect_error "a malformed spec: exit 125" 125 "^sbx: --publish 80:abc: 'abc' is not a port"
run_sbx --net slirp -p '::1:80:80' true
expect_error "an unbracketed IPv6 address: exit 125" 125 "in brackets"
run_sbx -p 8080:80 true
expect_error "--publish without --net slirp: exit 125" 125 "needs a private network"
run_sbx --net host -p 8080:80 true
expect_error "--publish with --net host: exit 125" 125 "needs a private network"

# free_port: a port nothing listens on right now (TCP and UDP).
free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
P1=$(free_port) P2=$(free_port) P3=$(free_port) P4=$(free_port)
marker
"$SBX" -v --net slirp --ro-bind "$HELPERS:/t" -p "127.0.0.1:$P1:8000" -p "[::1]:$P2:8000" \
	-p "127.0.0.1:$P3:9000/udp" -p "[::1]:$P4:9000/udp" \
	sh -c "python3 /t/netserv.py /tmp/ports --http 0.0.0.0:8000 --udp 0.0.0.0:9000 & sleep $MARKER" \
	>"$WORK/pub.out" 2>"$WORK/pub.err" </dev/null &
SBX_PID=$!
track_pid $SBX_PID
# Poll until the server inside answers (or 10 s pass).
for _ in $(seq 100); do
	run_cmd python3 "$HELPERS/netclient.py" "http://127.0.0.1:$P1/"
	case $OUT in ok*) break ;; esac
	sleep 0.1
done
run_cmd python3 "$HELPERS/netclient.py" "http://127.0.0.1:$P1/" "http://[::1]:$P2/" \
	"udp:127.0.0.1:$P3" "udp:[::1]:$P4"
mapfile -t lines <<<"$OUT"
expect_match "publish TCP 127.0.0.1:$P1 -> 8000; the server sees 127.0.0.1" '^ok hello from 0\.0\.0\.0:8000, you are 127\.0\.0\.1$' "${lines[0]:-}"
expect_match "publish TCP [::1]:$P2 -> 8000" '^ok hello from 0\.0\.0\.0:8000' "${lines[1]:-}"
expect_match "publish UDP 127.0.0.1:$P3 -> 9000; the server sees 127.0.0.1" '^ok echo ping from 127\.0\.0\.1$' "${lines[2]:-}"
expect_match "publish UDP [::1]:$P4 -> 9000" '^ok echo ping from 127\.0\.0\.1$' "${lines[3]:-}"

# --- the helper's lockdown, seen from outside ---------------------------------
HELPER=$(sed -n 's/^sbx: network helper pid \([0-9]*\)$/\1/p' "$WORK/pub.err")
status=$(cat "/proc/$HELPER/status" 2>/dev/null)
expect_match "-v names the helper's pid" '^[0-9]+$' "$HELPER"
for f in CapInh CapPrm CapEff CapBnd CapAmb; do
	expect_match "helper: $f is empty" "^$f:[[:space:]]+0+$" "$status"
done
expect_match "helper: NoNewPrivs: 1" '^NoNewPrivs:[[:space:]]+1$' "$status"
expect_match "helper: Seccomp: 2 (filter)" '^Seccomp:[[:space:]]+2$' "$status"
helper_net=$(readlink "/proc/$HELPER/ns/net" 2>/dev/null)
if [ -n "$helper_net" ]; then
	expect_eq "helper: in the caller's network namespace" "$(readlink /proc/self/ns/net)" "$helper_net"
	expect_ne "helper: in a mount namespace of its own" "$(readlink /proc/self/ns/mnt)" \
		"$(readlink "/proc/$HELPER/ns/mnt")"
else
	# Not dumpable: its /proc links belong to root, and we are not.
	skip "helper: in the caller's network namespace" "only root can read a non-dumpable process's ns links"
	skip "helper: in a mount namespace of its own" "only root can read a non-dumpable process's ns links"
fi

# --- nothing left behind after SIGKILL ----------------------------------------
listening() { ss -Hltun 2>/dev/null | grep -E ":($P1|$P2|$P3|$P4)[[:space:]]"; }
[ -n "$(listening)" ]
ok $? "the published ports are open while sbx runs"
kill -KILL "$SBX_PID"
wait "$SBX_PID" 2>/dev/null
gone() { [ ! -d "/proc/$HELPER" ] || [ "$(awk '{print $3}' "/proc/$HELPER/stat" 2>/dev/null)" = Z ]; }
for _ in $(seq 100); do gone && break; sleep 0.05; done
gone
ok $? "SIGKILL of sbx: the helper is gone"
wait_for_no_arg "$MARKER" 5
ok $? "SIGKILL of sbx: the sandbox is gone"
for _ in $(seq 50); do [ -z "$(listening)" ] && break; sleep 0.05; done
expect_eq "SIGKILL of sbx: no published port is left open" "" "$(listening)"

# ...and after a normal exit.
P5=$(free_port)
run_sbx -v --net slirp -p "127.0.0.1:$P5:80" true
HELPER=$(printf '%s\n' "$ERR" | sed -n 's/^sbx: network helper pid \([0-9]*\)$/\1/p')
expect_status "sbx --net slirp -p ... true exits 0" 0
gone
ok $? "normal exit: the helper is gone"
expect_eq "normal exit: the port is free" "" "$(ss -Hltn 2>/dev/null | grep -E ":$P5[[:space:]]")"

# --- an emulated internet: DNS and HTTP by name (root only) -------------------
internet_test() {
	local world=sbxt-w$$ home=sbxt-h$$ dnsmasq=/usr/sbin/dnsmasq
	if [ "$(id -u)" -ne 0 ]; then
		skip "DNS and HTTP by name through 10.0.2.3" "needs root to make network namespaces"
		return
	fi
	if [ ! -x $dnsmasq ] || ! command -v ip >/dev/null; then
		if [ "${SBX_MUST_WORK:-0}" = 1 ]; then
			fail "DNS and HTTP by name: dnsmasq and ip are installed"
		else
			skip "DNS and HTTP by name through 10.0.2.3" "dnsmasq-base or iproute2 missing"
		fi
		return
	fi
	at_exit "ip netns del $world 2>/dev/null; ip netns del $home 2>/dev/null; rm -rf /etc/netns/$home"
	ip netns add "$world" && ip netns add "$home" &&
		ip link add sbxt-a$$ netns "$world" type veth peer name sbxt-b$$ netns "$home" &&
		ip -n "$world" addr add 198.51.100.1/24 dev sbxt-a$$ && ip -n "$world" link set sbxt-a$$ up &&
		ip -n "$world" link set lo up &&
		ip -n "$home" addr add 198.51.100.2/24 dev sbxt-b$$ && ip -n "$home" link set sbxt-b$$ up &&
		ip -n "$home" link set lo up && ip -n "$home" route add default via 198.51.100.1 || {
		fail "set up the emulated internet"
		return
	}
	mkdir -p "/etc/netns/$home"
	echo "nameserver 198.51.100.1" >"/etc/netns/$home/resolv.conf"
	ip netns exec "$world" $dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
		--pid-file= --bind-interfaces --listen-address=198.51.100.1 --user=root \
		--address=/example.test/198.51.100.1 >"$WORK/dnsmasq.log" 2>&1 &
	track_pid $!
	ip netns exec "$world" python3 "$HELPERS/netserv.py" "$WORK/world.ports" --http 198.51.100.1:80 &
	track_pid $!
	wait_for_file "$WORK/world.ports" 10
	run_cmd ip netns exec "$home" "$SBX" --net slirp "${CLIENT[@]}" dns:example.test http://example.test/
	mapfile -t lines <<<"$OUT"
	expect_eq "a name lookup through 10.0.2.3 (dnsmasq in another netns)" "ok 198.51.100.1" "${lines[0]:-}"
	expect_match "an HTTP fetch by name" '^ok hello from 198\.51\.100\.1:80, you are 198\.51\.100\.2$' "${lines[1]:-}"
}
internet_test

done_testing
