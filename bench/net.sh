#!/usr/bin/env bash
# bench/net.sh - sbx --net slirp against slirp4netns, pasta and plain loopback,
# in one run on this machine; prints the figures and the ratios the issue
# sets as targets.
#
#   bench/net.sh [SBX]          (default: ./sbx, i.e. run it from the build dir)
#   T=3 bench/net.sh            seconds per throughput run (connection rate: T-1)
#   MODES="sbx sbx-lo" PARTS="orate rate" bench/net.sh   only those modes and
#                               measurements (out orate setup in rate)
#
# Measured, for each of loopback (the ceiling), sbx, sbx-lo (sbx with
# --allow-host-loopback; it used to hand published connections from the
# host's loopback to the server, sbx now always relays them), sbx-slirp (sbx
# --no-tcp-bypass: TCP through libslirp and the relay, for comparison),
# slirp4netns --mtu 65520 and pasta:
#   - iperf3 TCP sandbox -> host (client inside, server on host 127.0.0.1,
#     reached through the gateway: 10.0.2.2 for sbx/slirp4netns, the mapped
#     default gateway for pasta), one stream and -P 4;
#   - iperf3 TCP host -> sandbox through a published port (sbx -p,
#     slirp4netns add_hostfwd, pasta -t), one stream and -P 4;
#   - connect/request/response/close rate, sandbox -> host (the TCP
#     bypass's connect() path) and host -> sandbox through the published
#     port (bench/connrate.c, one client);
#   - setup to first connect: wall time of "start the sandbox, connect once
#     to the host, exit", median of 11;
#   - the network process's peak RSS (VmHWM) after two rounds of the
#     connection-rate load, and its CPU use during them.
# PARTS=acl (run as root: it makes a network namespace of its own, where
# 198.51.100.1 is an address on lo and the servers listen) measures what
# --allow-net costs: sbx's connection rate and throughput out, through the
# TCP bypass and through libslirp (--no-tcp-bypass), with a 50-rule
# allow-list (the destination allowed by the last rule) against none, and
# the network helper's peak RSS after each of two connection rounds.
# Everything stays on loopback. Needs iperf3, slirp4netns, passt (pasta),
# python3, a C compiler. Run it as an unprivileged user: that is the case
# all three tools are for, and pasta run as root switches to nobody and
# cannot set up its namespace.
set -u
export LC_ALL=C

SBX=${1:-./sbx}
T=${T:-3}
RATE_T=$((T > 2 ? T - 1 : 2))
LIMIT=$((T + 30)) # seconds any one measured command may take
command -v iperf3 slirp4netns pasta python3 cc >/dev/null || {
	echo "bench/net.sh needs iperf3, slirp4netns, pasta (passt), python3 and cc" >&2
	exit 1
}
[ -x "$SBX" ] || { echo "no sbx at $SBX" >&2; exit 1; }
# As root, pasta drops to nobody and cannot build its namespace; the run then
# spins until killed instead of measuring anything. Refuse it up front.
if [ "$(id -u)" = 0 ] && [ "${PARTS:-}" != acl ]; then
	echo "bench/net.sh: run it as an unprivileged user (e.g. su USER -c 'bench/net.sh /path/to/sbx')" >&2
	exit 1
fi
SBX=$(cd "$(dirname "$SBX")" && pwd)/$(basename "$SBX")

tmp=$(mktemp -d /tmp/sbx-netbench.XXXXXX)
chmod 755 "$tmp"
bg_pids=()
main_pid=$BASHPID
cleanup() {
	local p
	# Subshells ($(...)) run EXIT traps too; only the script itself cleans up.
	[ "$BASHPID" = "$main_pid" ] || return 0
	for p in "${bg_pids[@]+"${bg_pids[@]}"}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
cc -O2 -o "$tmp/connrate" "$(dirname "$0")/connrate.c" || exit 1

base=$((20000 + ($$ % 1000) * 40))
IPERF_HOST=$base            # iperf3 server on the host
CONN_HOST=$((base + 1))     # connrate server on the host
PUB0=$((base + 2))          # published host ports: a fresh one per run, so a
PUB=$PUB0                   # slow-to-exit forwarder cannot answer for the next
PASTA_GW=$(ip -4 route show default 2>/dev/null | awk '{ print $3; exit }')

# --- the four ways of running a command --------------------------------------
# out_CMD MODE CMD...: run CMD where the host's loopback is $GW.
# in_start MODE PORT CMD...: start CMD in the background with host
#   127.0.0.1:$PUB forwarded to PORT inside; sets NETPID (the process doing
#   the networking) and RUNPID (what to kill at the end).

# Every wait below has a time limit (WAIT_LIMIT seconds): a tool that fails
# to start must cost one line and a missing figure, never a hung run.
WAIT_LIMIT=${WAIT_LIMIT:-20}
# wait_for SECS CMD...: run CMD until it succeeds; 1 after SECS seconds.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.005
	done
}
# in_own_netns PID: PID runs in a network namespace other than ours, i.e.
# unshare has created its namespaces (the pid exists before it has).
in_own_netns() {
	local ns
	ns=$(readlink "/proc/$1/ns/net" 2>/dev/null) && [ "$ns" != "$(readlink /proc/self/ns/net)" ]
}
# gone PID: PID has ended (a zombie counts: it waits for our wait).
gone() { ! kill -0 "$1" 2>/dev/null || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
# stop_pid PID: TERM, then KILL if it has not ended within WAIT_LIMIT; reap it.
stop_pid() {
	kill -TERM "$1" 2>/dev/null
	wait_for "$WAIT_LIMIT" gone "$1" || kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
# sbx_netpid: the network helper's pid from sbx -v's log, in NETPID.
sbx_netpid() {
	NETPID=$(sed -n 's/^sbx: network helper pid //p' "$tmp/sbx.err" 2>/dev/null)
	[ -n "$NETPID" ]
}

s4n_start() { # DIR CMD...: unshare -Urn + slirp4netns; sets S4N_PID NS_PID
	local dir=$1
	shift
	mkdir -p "$dir"
	unshare -Urn sh -c 'while [ ! -e "$0/go" ]; do sleep 0.001; done; exec "$@"' "$dir" "$@" &
	NS_PID=$!
	bg_pids+=("$NS_PID")
	# slirp4netns joins the namespaces of the pid it is given: until unshare
	# has made them, those are ours, and it fails ("setns(CLONE_NEWNET):
	# Operation not permitted") and the ready file never fills.
	if ! wait_for "$WAIT_LIMIT" in_own_netns "$NS_PID"; then
		echo "(slirp4netns: unshare -Urn never made its namespaces)" >&2
		S4N_PID=
		return 1
	fi
	slirp4netns --configure --mtu=65520 --ready-fd=3 --api-socket="$dir/api" "$NS_PID" tap0 \
		3>"$dir/ready" >"$dir/log" 2>&1 &
	S4N_PID=$!
	bg_pids+=("$S4N_PID")
	if ! wait_for "$WAIT_LIMIT" test -s "$dir/ready"; then
		echo "(slirp4netns never became ready: $(tail -1 "$dir/log"))" >&2
		return 1
	fi
}

out_run() {
	local mode=$1
	shift
	case $mode in
	loopback) GW=127.0.0.1 timeout -k 5 "$LIMIT" "$@" ;;
	sbx | sbx-lo) timeout -k 5 "$LIMIT" "$SBX" --net slirp --allow-host-loopback --bind "$tmp" -- "$@" ;;
	sbx-slirp) timeout -k 5 "$LIMIT" "$SBX" --net slirp --no-tcp-bypass --allow-host-loopback --bind "$tmp" -- "$@" ;;
	pasta) timeout -k 5 "$LIMIT" pasta --config-net -q -- "$@" ;;
	esac
}
gw_of() {
	case $1 in
	loopback) echo 127.0.0.1 ;;
	sbx | sbx-lo | sbx-slirp | slirp4netns) echo 10.0.2.2 ;;
	pasta) echo "$PASTA_GW" ;;
	esac
}
# out_cmd MODE CMD...: out_run, and for slirp4netns the unshare/attach dance.
out_cmd() {
	local mode=$1 dir
	shift
	if [ "$mode" = slirp4netns ]; then
		dir=$tmp/s4n.$RANDOM
		local st=1
		if s4n_start "$dir" timeout "$LIMIT" "$@"; then
			touch "$dir/go"
			# The command runs under timeout: this wait ends.
			wait "$NS_PID"
			st=$?
		fi
		kill -KILL "$NS_PID" 2>/dev/null
		[ -n "$S4N_PID" ] && stop_pid "$S4N_PID"
		wait "$NS_PID" 2>/dev/null
		return $st
	fi
	out_run "$mode" "$@"
}

in_start() {
	local mode=$1 port=$2 dir
	shift 2
	PUB=$((PUB + 1))
	case $mode in
	loopback)
		"$@" >/dev/null 2>&1 &
		RUNPID=$! NETPID=
		;;
	sbx | sbx-lo | sbx-slirp)
		rm -f "$tmp/sbx.err" # not the last run's helper pid
		"$SBX" -v --net slirp $([ "$mode" = sbx-slirp ] && echo --no-tcp-bypass) \
			$([ "$mode" = sbx-lo ] && echo --allow-host-loopback) \
			-p "127.0.0.1:$PUB:$port" --bind "$tmp" -- "$@" >/dev/null 2>"$tmp/sbx.err" &
		RUNPID=$!
		NETPID=
		wait_for "$WAIT_LIMIT" sbx_netpid ||
			echo "($mode: no network helper pid: $(tail -1 "$tmp/sbx.err"))" >&2
		;;
	slirp4netns)
		dir=$tmp/s4n.$RANDOM
		s4n_start "$dir" "$@" >/dev/null 2>&1
		timeout "$WAIT_LIMIT" python3 - "$dir/api" "$PUB" "$port" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(json.dumps({"execute": "add_hostfwd", "arguments": {"proto": "tcp",
    "host_addr": "127.0.0.1", "host_port": int(sys.argv[2]), "guest_port": int(sys.argv[3])}}).encode())
reply = s.recv(1000).decode()
if "error" in reply:
    print("slirp4netns add_hostfwd:", reply, file=sys.stderr)
EOF
		touch "$dir/go"
		RUNPID=$NS_PID NETPID=$S4N_PID
		;;
	pasta)
		pasta --config-net -q -P "$tmp/pasta.pid" -t "127.0.0.1/$PUB:$port" -- "$@" >/dev/null 2>&1 &
		RUNPID=$!
		wait_for "$WAIT_LIMIT" test -s "$tmp/pasta.pid" || echo "(pasta never wrote its pid)" >&2
		NETPID=$(cat "$tmp/pasta.pid" 2>/dev/null)
		rm -f "$tmp/pasta.pid"
		;;
	esac
	bg_pids+=("$RUNPID")
	# Wait until the published port answers.
	timeout 10 "$tmp/connrate" ready 127.0.0.1 "$PUB" || echo "($mode: port $PUB never answered)" >&2
}
# children_of PID: the pids whose parent is PID.
children_of() {
	local f
	for f in /proc/[0-9]*/stat; do
		awk -v p="$1" '$4 == p { print $1 }' "$f" 2>/dev/null
	done
}
in_stop() {
	local c
	# pasta runs the command as pid 1 of a pid namespace of its own: it
	# outlives pasta, and as an init it ignores SIGTERM without a handler.
	for c in $(children_of "$RUNPID") $([ -n "${NETPID:-}" ] && children_of "$NETPID"); do
		[ "$(readlink "/proc/$c/ns/pid")" != "$(readlink /proc/self/ns/pid)" ] && kill -KILL "$c" 2>/dev/null
	done
	stop_pid "$RUNPID"
	[ -n "${NETPID:-}" ] && stop_pid "$NETPID"
	sleep 0.2
}

gbps() { # iperf3 -J on stdin -> Gbit/s received
	python3 -c 'import json,sys
try: print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))
except Exception: print("0")'
}


# --- --allow-net: a 50-rule allow-list against none (PARTS=acl, as root) --------
# Inside a network namespace of its own (re-run under unshare -n), the
# destination 198.51.100.1 is one of the host's own addresses, hence
# --allow-host in both modes; the list's last rule allows it.
acl_rules() {
	local i
	for i in $(seq 1 40); do printf -- '--allow-net\n203.0.113.%d:443\n' "$i"; done
	for i in $(seq 1 9); do printf -- '--allow-net\npkg%d.example.org\n' "$i"; done
	printf -- '--allow-net\n198.51.100.1\n'
}
acl_measure() { # MODE FLAGS...: two connection rounds (helper RSS after each), then iperf3
	local mode=$1 net
	shift
	rm -f "$tmp/m1" "$tmp/m2" "$tmp/sbx.err"
	"$SBX" -v "$@" --bind "$tmp" -- sh -c '"$0/connrate" run 198.51.100.1 "$1" "$2" >"$0/r1"; touch "$0/m1"
		sleep 0.3; "$0/connrate" run 198.51.100.1 "$1" "$2" >"$0/r2"; touch "$0/m2"; sleep 0.3' \
		"$tmp" "$CONN_HOST" "$RATE_T" 2>"$tmp/sbx.err" &
	net=$!
	wait_for "$WAIT_LIMIT" sbx_netpid
	wait_for "$((RATE_T + WAIT_LIMIT))" test -e "$tmp/m1" && R[arss1,$mode]=$(hwm "$NETPID")
	wait_for "$((RATE_T + WAIT_LIMIT))" test -e "$tmp/m2" && R[arss2,$mode]=$(hwm "$NETPID")
	wait "$net"
	R[arate1,$mode]=$(awk '{ print $1 }' "$tmp/r1" 2>/dev/null)
	R[arate2,$mode]=$(awk '{ print $1 }' "$tmp/r2" 2>/dev/null)
	R[aout,$mode]=$(timeout -k 5 "$LIMIT" "$SBX" "$@" -- iperf3 -c 198.51.100.1 -p "$IPERF_HOST" -t "$T" -J \
		2>/dev/null | gbps)
	echo "allow-list $mode: conn/s ${R[arate1,$mode]} then ${R[arate2,$mode]}, ${R[aout,$mode]} Gbit/s," \
		"helper peak RSS ${R[arss1,$mode]:-} -> ${R[arss2,$mode]:-} KiB" >&2
}
acl_inside() {
	local rules
	ip link set lo up && ip addr add 198.51.100.1/32 dev lo || exit 1
	iperf3 -s -p "$IPERF_HOST" >/dev/null 2>&1 &
	bg_pids+=($!)
	"$tmp/connrate" serve "$CONN_HOST" &
	bg_pids+=($!)
	timeout "$WAIT_LIMIT" "$tmp/connrate" once 198.51.100.1 "$CONN_HOST" || echo "(connrate server never answered)" >&2
	mapfile -t rules < <(acl_rules)
	acl_measure bypass-none --net slirp --allow-host
	acl_measure bypass-acl50 --allow-host "${rules[@]}"
	acl_measure slirp-none --net slirp --no-tcp-bypass --allow-host
	acl_measure slirp-acl50 --no-tcp-bypass --allow-host "${rules[@]}"
	echo
	printf '%-14s %12s %12s %10s %18s\n' "" "conn/s r1" "conn/s r2" "Gbit/s" "helper RSS KiB"
	for m in bypass-none bypass-acl50 slirp-none slirp-acl50; do
		printf '%-14s %12s %12s %10s %18s\n' "$m" "${R[arate1,$m]:-}" "${R[arate2,$m]:-}" "${R[aout,$m]:-}" \
			"${R[arss1,$m]:-}/${R[arss2,$m]:-}"
	done
	echo
	for via in bypass slirp; do
		vs "$via: conn/s, 50-rule allow-list / none (better round)" \
			"$(best "${R[arate1,$via-acl50]:-}" "${R[arate2,$via-acl50]:-}")" \
			"$(best "${R[arate1,$via-none]:-}" "${R[arate2,$via-none]:-}")" ge 0.95
		vs "$via: throughput, 50-rule allow-list / none" "${R[aout,$via-acl50]:-}" "${R[aout,$via-none]:-}" ge 0.95
		# libslirp's own connection state grows under --no-tcp-bypass with
		# or without a list: the list's cost is the difference.
		vs "$via: helper peak RSS after round 2, allow-list / none" "${R[arss2,$via-acl50]:-}" \
			"${R[arss2,$via-none]:-}" le 1.1
	done
}

# Figures and verdicts.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
hwm() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
best() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { print (a > b ? a : b) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b; else print "n/a" }'; }
verdict() { awk -v r="$1" -v t="$2" -v d="$3" 'BEGIN { if (r == "n/a") { print "not measured"; exit } ok = (d == "ge") ? r + 0 >= t : r + 0 <= t; print (ok ? "met" : "MISSED") }'; }
vs() { check "$1" "$(ratio "$2" "$3")" "$4" "$5"; } # LABEL A B ge|le TARGET: A/B
check() { # LABEL RATIO ge|le TARGET
	printf '%-58s %6s  (target %s %s)  %s\n' "$1" "$2" "$([ "$3" = ge ] && echo '>=' || echo '<=')" "$4" \
		"$(verdict "$2" "$4" "$3")"
}

declare -A R
modes=(${MODES:-loopback sbx sbx-lo sbx-slirp slirp4netns pasta})
PARTS=${PARTS:-out orate setup in rate} # which measurements to run

if [ "$PARTS" = acl ]; then
	if [ "${SBX_BENCH_ACL_NS:-}" = 1 ]; then
		acl_inside
		exit 0
	fi
	[ "$(id -u)" = 0 ] || { echo "bench/net.sh: PARTS=acl makes a network namespace: run it as root" >&2; exit 1; }
	# The same script, in a network namespace of its own (nothing leaves it).
	SBX_BENCH_ACL_NS=1 PARTS=acl unshare -n "$BASH" "$0" "$SBX"
	exit $?
fi

# --- sandbox -> host ----------------------------------------------------------
iperf3 -s -p "$IPERF_HOST" >/dev/null 2>&1 &
bg_pids+=($!)
"$tmp/connrate" serve "$CONN_HOST" &
bg_pids+=($!)
timeout "$WAIT_LIMIT" "$tmp/connrate" once 127.0.0.1 "$CONN_HOST" || echo "(connrate server never answered)" >&2
part() { [[ " $PARTS " == *" $1 "* ]]; }
for m in "${modes[@]}"; do
	part out || break
	gw=$(gw_of "$m")
	for p in 1 4; do
		R[out,$m,$p]=$(out_cmd "$m" iperf3 -c "$gw" -p "$IPERF_HOST" -t "$T" -P "$p" -J 2>/dev/null | gbps)
	done
	echo "sandbox -> host  $m: ${R[out,$m,1]} / ${R[out,$m,4]} Gbit/s" >&2
done

# --- connection rate, sandbox -> host: the bypass's connect() path -------------
for m in "${modes[@]}"; do
	part orate || break
	R[orate,$m]=$(out_cmd "$m" "$tmp/connrate" run "$(gw_of "$m")" "$CONN_HOST" "$RATE_T" | awk '{ print $1 }')
	echo "conn/s sandbox -> host  $m: ${R[orate,$m]}" >&2
done

# --- setup to first connect -----------------------------------------------------
for m in "${modes[@]}"; do
	part setup || break
	gw=$(gw_of "$m")
	times=()
	for i in $(seq 11); do
		t0=$(date +%s%N)
		out_cmd "$m" "$tmp/connrate" once "$gw" "$CONN_HOST" >/dev/null 2>&1
		t1=$(date +%s%N)
		times+=($(((t1 - t0) / 1000)))
	done
	R[setup,$m]=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 6p)
	echo "setup to first connect  $m: ${R[setup,$m]} us" >&2
done

# --- host -> sandbox ------------------------------------------------------------
for m in "${modes[@]}"; do
	part in || break
	port=5201
	[ "$m" = loopback ] && port=$((PUB + 1))
	in_start "$m" 5201 iperf3 -s -p "$port"
	for p in 1 4; do
		R[in,$m,$p]=$(timeout -k 5 "$LIMIT" iperf3 -c 127.0.0.1 -p "$PUB" -t "$T" -P "$p" -J 2>/dev/null | gbps)
	done
	in_stop
	echo "host -> sandbox  $m: ${R[in,$m,1]} / ${R[in,$m,4]} Gbit/s" >&2
done

# --- connection rate, RSS, CPU -------------------------------------------------
hz=$(getconf CLK_TCK)
for m in "${modes[@]}"; do
	part rate || break
	port=8000
	[ "$m" = loopback ] && port=$((PUB + 1))
	in_start "$m" 8000 "$tmp/connrate" serve "$port"
	c0=0
	[ -n "$NETPID" ] && c0=$(ticks "$NETPID") && R[rss0,$m]=$(hwm "$NETPID")
	R[rate,$m]=$(timeout $((RATE_T + 10)) "$tmp/connrate" run 127.0.0.1 "$PUB" "$RATE_T" | awk '{ print $1 }')
	[ -n "$NETPID" ] && R[rss1,$m]=$(hwm "$NETPID")
	R[rate2,$m]=$(timeout $((RATE_T + 10)) "$tmp/connrate" run 127.0.0.1 "$PUB" "$RATE_T" | awk '{ print $1 }')
	if [ -n "$NETPID" ]; then
		R[rss2,$m]=$(hwm "$NETPID")
		R[cpu,$m]=$(awk -v a="$c0" -v b="$(ticks "$NETPID")" -v hz="$hz" -v t="$((2 * RATE_T))" \
			'BEGIN { printf "%.0f", (b - a) / hz / t * 100 }')
	fi
	in_stop
	echo "conn/s  $m: ${R[rate,$m]} then ${R[rate2,$m]}; peak RSS ${R[rss0,$m]:-} -> ${R[rss1,$m]:-} -> ${R[rss2,$m]:-} KiB" >&2
done

# --- report -----------------------------------------------------------------------
echo
printf '%-12s %14s %14s %14s %14s %12s %12s %10s %16s %6s\n' "" "sbx->host 1" "sbx->host P4" \
	"host->sbx 1" "host->sbx P4" "conn/s out" "conn/s r1/r2" "setup ms" "peak RSS KiB" "CPU%"
for m in "${modes[@]}"; do
	printf '%-12s %14s %14s %14s %14s %12s %12s %10s %16s %6s\n' "$m" "${R[out,$m,1]:-}" "${R[out,$m,4]:-}" \
		"${R[in,$m,1]:-}" "${R[in,$m,4]:-}" "${R[orate,$m]:-}" "${R[rate,$m]:-}/${R[rate2,$m]:-}" \
		"$(awk -v u="${R[setup,$m]:-}" 'BEGIN { if (u == "") print "-"; else printf "%.1f", u / 1000 }')" \
		"${R[rss1,$m]:--}/${R[rss2,$m]:--}" "${R[cpu,$m]:--}"
done
echo "(throughput in Gbit/s; conn/s out: connect/request/response/close from inside to the host;"
echo " conn/s r1/r2: the same from the host through the published port; peak RSS after those rounds)"

echo
vs "sandbox->host TCP, 1 stream, sbx / slirp4netns" "${R[out,sbx,1]:-}" "${R[out,slirp4netns,1]:-}" ge 1.5
vs "sandbox->host TCP, -P 4, sbx / slirp4netns" "${R[out,sbx,4]:-}" "${R[out,slirp4netns,4]:-}" ge 1.5
vs "host->sandbox TCP (publish), 1 stream, sbx / pasta" "${R[in,sbx,1]:-}" "${R[in,pasta,1]:-}" ge 1.0
vs "host->sandbox TCP (publish), -P 4, sbx / pasta" "${R[in,sbx,4]:-}" "${R[in,pasta,4]:-}" ge 1.0
vs "host->sandbox TCP (publish), 1 stream, sbx / loopback" "${R[in,sbx,1]:-}" "${R[in,loopback,1]:-}" ge 0.7
vs "host->sandbox TCP (publish), -P 4, sbx / loopback" "${R[in,sbx,4]:-}" "${R[in,loopback,4]:-}" ge 0.7
vs "connect/request/response rate, sbx / slirp4netns" "${R[rate2,sbx]:-}" "${R[rate2,slirp4netns]:-}" ge 3
vs "  the same, better round of each" "$(best "${R[rate,sbx]:-}" "${R[rate2,sbx]:-}")" "$(best "${R[rate,slirp4netns]:-}" "${R[rate2,slirp4netns]:-}")" ge 3
vs "  --allow-host-loopback (sbx-lo), 1 stream, sbx / pasta" "${R[in,sbx-lo,1]:-}" "${R[in,pasta,1]:-}" ge 1.0
vs "  --allow-host-loopback (sbx-lo), -P 4, sbx / pasta" "${R[in,sbx-lo,4]:-}" "${R[in,pasta,4]:-}" ge 1.0
vs "  --allow-host-loopback (sbx-lo), 1 stream, sbx / loopback" "${R[in,sbx-lo,1]:-}" "${R[in,loopback,1]:-}" ge 0.7
vs "  --allow-host-loopback (sbx-lo), -P 4, sbx / loopback" "${R[in,sbx-lo,4]:-}" "${R[in,loopback,4]:-}" ge 0.7
vs "  --allow-host-loopback (sbx-lo), connection rate, sbx / slirp4netns" "${R[rate2,sbx-lo]:-}" "${R[rate2,slirp4netns]:-}" ge 3
vs "  the same, better round of each" "$(best "${R[rate,sbx-lo]:-}" "${R[rate2,sbx-lo]:-}")" "$(best "${R[rate,slirp4netns]:-}" "${R[rate2,slirp4netns]:-}")" ge 3
vs "sandbox->host connection rate, sbx / slirp4netns" "${R[orate,sbx]:-}" "${R[orate,slirp4netns]:-}" ge 3
vs "setup to first connect, sbx / slirp4netns" "${R[setup,sbx]:-}" "${R[setup,slirp4netns]:-}" le 0.3
r=$(awk -v k="${R[rss2,sbx]:-0}" 'BEGIN { printf "%.1f", k / 1024 }')
check "helper peak RSS under the connection load, MiB" "$r" le 32
flat=$(awk -v a="${R[rss1,sbx]:-0}" -v b="${R[rss2,sbx]:-0}" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }')
check "helper peak RSS growth, second round / first round" "$flat" le 1.1
