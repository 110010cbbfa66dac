#!/usr/bin/env bash
# legacy-mount.sh - sbx on a kernel without mount_setattr() (before 5.12).
# tests/helpers/no-mount-setattr makes the call fail with ENOSYS, so sbx must
# fall back to remounting every mount of a read-only tree one by one; with
# --net slirp, also for the sandbox's resolv.conf and the network helper's
# empty root (DNS, TCP, UDP through the helper, published ports).
# All traffic stays on loopback and in network namespaces made here.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1

NOMS=$(dirname "$SBX")/tests/helpers/no-mount-setattr
# The filter sets no_new_privs, so newuidmap cannot work under it: sbx falls
# back to a single-id map and warns; these tests are about mounts only.
legacy_sbx() { run_cmd "$NOMS" "$SBX" "$@"; }

legacy_sbx -- sh -c 'touch /usr/x 2>/dev/null; echo usr=$?; touch /x 2>/dev/null; echo root=$?; touch /tmp/x && echo tmp=0'
expect_run "without mount_setattr: /usr and / read-only, /tmp writable" 0 "$(printf 'usr=1\nroot=1\ntmp=0')"

# Host /dev has sub-mounts (/dev/shm is a writable tmpfs): they must turn
# read-only too, one remount each.
legacy_sbx --ro-bind /dev:/hostdev -- sh -c 'touch /hostdev/shm/sbx-legacy-$$ 2>/dev/null; echo $?'
expect_run "without mount_setattr: a sub-mount of a --ro-bind is read-only" 0 1

legacy_sbx --ro-bind /dev:/hostdev -- sh -c 'grep " /hostdev/shm " /proc/self/mountinfo | cut -d" " -f6'
expect_match "the sub-mount keeps its locked flags and gains ro" '^ro,nosuid,nodev' "$OUT"

mkdir -p "$WORK/rw"
legacy_sbx --bind "$WORK/rw:/rw" -- sh -c 'echo hi > /rw/f && cat /rw/f'
expect_run "without mount_setattr: --bind stays writable" 0 hi

legacy_sbx --tmpfs /t --remount-ro /t -- sh -c 'touch /t/x 2>/dev/null; echo $?'
expect_run "without mount_setattr: --remount-ro" 0 1

printf 'data\n' >"$WORK/data"
legacy_sbx --ro-bind-data 5 /d -- sh -c 'cat /d; if echo x 2>/dev/null >>/d; then echo rw; else echo ro; fi' 5<"$WORK/data"
expect_run "without mount_setattr: --ro-bind-data is read-only" 0 "$(printf 'data\nro')"

# The default view's /dev and home are binds of the root tmpfs (nosuid,
# nodev) that must lose an attribute too: /dev is not nodev, a home made
# under /dev is not noexec (each had a tmpfs of its own, with just those
# attributes, before).
legacy_sbx -- sh -c 'grep " /dev " /proc/self/mountinfo | cut -d" " -f6'
expect_match "without mount_setattr: /dev is nosuid,noexec, not nodev" '^rw,nosuid,noexec' "$OUT"
run_cmd env HOME=/dev/shm/h "$NOMS" "$SBX" -- sh -c 'cp /bin/true ~/t && ~/t && echo ran'
expect_run "without mount_setattr: a home made under /dev is not noexec" 0 ran

# --- --net slirp ----------------------------------------------------------------
net_tests() {
	local helpers=$TESTS_SRCDIR/helpers h4 u4 p1 p2 sbx_pid helper ns=() single=()
	local client=(--ro-bind "$helpers:/t" python3 /t/netclient.py)

	if ! command -v python3 >/dev/null || ! "$SBX" --net slirp true 2>/dev/null; then
		if [ "${SBX_MUST_WORK:-0}" = 1 ]; then
			fail "without mount_setattr: --net slirp can be tested (python3, slirp)"
		else
			skip "without mount_setattr: --net slirp" "python3 or --net slirp missing here"
		fi
		return
	fi
	legacy_sbx --net slirp -- sh -c 'grep nameserver /etc/resolv.conf; touch /etc/resolv.conf 2>/dev/null; echo $?'
	expect_run "without mount_setattr: --net slirp starts, its resolv.conf is read-only" 0 \
		"$(printf 'nameserver 10.0.2.3\n1')"

	# TCP (without the bypass, so through libslirp) and UDP through the
	# helper: servers on the host's loopback.
	python3 "$helpers/netserv.py" "$WORK/lo.ports" --http 127.0.0.1:0 --udp 127.0.0.1:0 &
	track_pid $!
	wait_for_file "$WORK/lo.ports" 10
	h4=$(awk '$1 == "http" { print $3 }' "$WORK/lo.ports")
	u4=$(awk '$1 == "udp" { print $3 }' "$WORK/lo.ports")
	legacy_sbx --net slirp --no-tcp-bypass --allow-host-loopback "${client[@]}" "http://10.0.2.2:$h4/" "udp:10.0.2.2:$u4"
	expect_run "without mount_setattr: TCP and UDP through the network helper" 0 \
		"$(printf 'ok hello from 127.0.0.1:%s, you are 127.0.0.1\nok echo ping from 127.0.0.1' "$h4")"

	# Published TCP and UDP ports: servers inside, clients outside.
	p1=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	p2=$(python3 -c 'import socket; s = socket.socket(type=socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	mkdir -p "$WORK/pub"
	"$NOMS" "$SBX" -v --net slirp --ro-bind "$helpers:/t" --bind "$WORK/pub:/w" \
		-p "127.0.0.1:$p1:8000" -p "127.0.0.1:$p2:9000/udp" \
		python3 /t/netserv.py /w/ports --http 0.0.0.0:8000 --udp 0.0.0.0:9000 \
		>/dev/null 2>"$WORK/pub.err" </dev/null &
	sbx_pid=$!
	track_pid $sbx_pid
	wait_for_file "$WORK/pub/ports" 10
	run_cmd python3 "$helpers/netclient.py" "http://127.0.0.1:$p1/" "udp:127.0.0.1:$p2"
	expect_eq "without mount_setattr: published TCP and UDP ports" \
		"$(printf 'ok hello from 0.0.0.0:8000, you are 127.0.0.1\nok echo ping from 127.0.0.1')" "$OUT"
	# The helper's root, seen from outside: the empty tmpfs, remounted
	# read-only without mount_setattr().
	helper=$(sed -n 's/^sbx: network helper pid \([0-9]*\)$/\1/p' "$WORK/pub.err")
	expect_match "without mount_setattr: the network helper's root is read-only" \
		'^ro,nosuid,nodev,noexec' "$(awk '$5 == "/" { print $6 }' "/proc/$helper/mountinfo" 2>&1)"
	kill -KILL $sbx_pid 2>/dev/null
	wait $sbx_pid 2>/dev/null

	# DNS through 10.0.2.3: the helper forwards to the host's nameserver,
	# here a stub on 127.0.0.1:53 of a network namespace of our own (as a
	# user, inside a user namespace mapped by newuidmap, where sbx maps
	# only itself).
	if [ "$(id -u)" -eq 0 ]; then
		ns=(unshare -nm)
	else
		ns=(unshare -r --map-auto -nm)
		single=(--userns single)
	fi
	if ! "${ns[@]}" true 2>/dev/null; then
		skip "without mount_setattr: DNS through the network helper" "${ns[*]} does not work here"
		return
	fi
	echo "nameserver 127.0.0.1" >"$WORK/resolv.conf"
	run_cmd "${ns[@]}" sh -c 'ip link set lo up && mount --bind "$1" /etc/resolv.conf && shift &&
		exec python3 "$@"' sh "$WORK/resolv.conf" "$helpers/netserv.py" "$WORK/dns.ports" \
		--dns 127.0.0.1:53 -- "$NOMS" "$SBX" "${single[@]}" --net slirp "${client[@]}" dns:example.test
	expect_run "without mount_setattr: DNS through the network helper" 0 "ok 198.51.100.1"
}
net_tests

done_testing
