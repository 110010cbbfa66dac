#!/usr/bin/env bash
# namespaces.sh - which namespaces are new and which are the host's; host
# name; host processes, IPC objects and network interfaces are invisible.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1

ALL_NS="net pid ipc uts cgroup time mnt user"

host_ns() { readlink "/proc/$$/ns/$1"; }

# ns_inside SBX-OPTION...: run sbx and set NS_<name> to the command's
# /proc/self/ns/<name> link for every namespace (the command itself reads
# them: for time, pid 1 is not in the new namespace, the command is).
ns_inside() {
	local script='for n in '"$ALL_NS"'; do printf "%s=%s\n" "$n" "$(readlink /proc/self/ns/$n)"; done'
	run_sbx "$@" sh -c "$script"
	local n
	for n in $ALL_NS; do
		eval "NS_$n=\$(printf '%s\n' \"\$OUT\" | sed -n 's/^$n=//p')"
	done
}

for n in $ALL_NS; do
	[ -e "/proc/$$/ns/$n" ] || {
		echo "1..0 # SKIP this kernel has no $n namespace"
		exit 77
	}
done

# check_ns DESCRIPTION SHARED-LIST SBX-OPTION...: the namespaces named in
# SHARED-LIST are the host's, every other one is new.
check_ns() {
	local desc=$1 shared=" $2 " n want got bad=()
	shift 2
	ns_inside "$@"
	for n in $ALL_NS; do
		eval "got=\$NS_$n"
		want=$(host_ns "$n")
		if [ -z "$got" ]; then
			bad+=("$n: no reading from inside")
		elif [[ $shared == *" $n "* ]]; then
			[ "$got" = "$want" ] || bad+=("$n: expected the host's $want, got $got")
		else
			[ "$got" != "$want" ] || bad+=("$n: expected a new one, got the host's $got")
		fi
	done
	if [ "$RC" = 0 ] && [ "${#bad[@]}" -eq 0 ]; then
		pass "$desc"
	else
		fail "$desc" "${bad[@]+"${bad[@]}"}"
	fi
}

# One test per namespace for the default, so a failure names it.
ns_inside
for n in $ALL_NS; do
	eval "got=\$NS_$n"
	if [ "$RC" = 0 ] && [ -n "$got" ] && [ "$got" != "$(host_ns "$n")" ]; then
		pass "default: new $n namespace"
	else
		fail "default: new $n namespace" "host: $(host_ns "$n"), inside: ${got:-nothing}"
	fi
done

for n in net pid ipc uts cgroup time; do
	check_ns "--share-$n: the host's $n namespace, all the others new" "$n" "--share-$n"
done
check_ns "--net host: the host's network namespace" "net" --net host
check_ns "--net none: a new network namespace" "" --net none
check_ns "--net none after --share-net: the last one wins" "" --share-net --net none
check_ns "all --share-* at once: user and mnt are still new" "net pid ipc uts cgroup time" \
	--share-net --share-pid --share-ipc --share-uts --share-cgroup --share-time

# --- uts -----------------------------------------------------------------------

run_sbx hostname
expect_run "the host name is sbx by default" 0 "sbx"

run_sbx --hostname box-1 sh -c 'hostname; cat /proc/sys/kernel/hostname'
expect_run "--hostname NAME sets it (also in /proc/sys/kernel/hostname)" 0 "box-1
box-1"

run_sbx --hostname first --hostname=second hostname
expect_run "--hostname given twice: the last one wins, '=' form works" 0 "second"

run_sbx cat /proc/sys/kernel/domainname
expect_run "the NIS domain name is (none)" 0 "(none)"

run_sbx --share-uts hostname
expect_run "--share-uts shows the host's name" 0 "$(hostname)"

run_sbx --hostname elsewhere true
expect_eq "the host's own name is unchanged after a sandbox set its own" \
	"$(cat /proc/sys/kernel/hostname)" "$(hostname)"

# --- pid -----------------------------------------------------------------------

run_sbx sh -c 'echo $$; cat /proc/1/stat | cut -d" " -f1'
expect_run "the command is pid 2 and pid 1 exists (sbx's init)" 0 "2
1"

marker
M=$MARKER
sleep "$M" &
host_sleep=$!
track_pid "$host_sleep"
SCAN='for f in /proc/[0-9]*/cmdline; do tr "\0" " " <"$f"; echo; done'
host_sleep_running() { [ -n "$(pids_with_arg "$M")" ]; }
for _ in $(seq 50); do host_sleep_running && break; sleep 0.02; done

run_sbx sh -c "$SCAN"
if [ "$RC" = 0 ] && ! printf '%s\n' "$OUT" | grep -q "sleep $M"; then
	pass "a host process (sleep $M) is not in the sandbox's /proc"
else
	fail "a host process (sleep $M) is not in the sandbox's /proc"
fi

run_sbx sh -c 'ls /proc | grep -c "^[0-9][0-9]*$"'
# sbx's pid 1, the shell, ls, grep: a handful, nothing like the host's list.
expect_match "the sandbox's /proc lists only a few pids (its own)" '^[2-6]$' "$OUT"

run_sbx --share-pid sh -c "$SCAN"
if [ "$RC" = 0 ] && printf '%s\n' "$OUT" | grep -q "sleep $M"; then
	pass "with --share-pid the host process is visible"
else
	fail "with --share-pid the host process is visible"
fi
kill "$host_sleep" 2>/dev/null
wait "$host_sleep" 2>/dev/null

run_sbx cat /proc/1/comm
expect_run "pid 1 inside is sbx's own init" 0 "sbx"

run_sbx --share-pid cat /proc/1/comm
expect_run "with --share-pid, pid 1 is the host's init ($(cat /proc/1/comm))" 0 "$(cat /proc/1/comm)"

# --- ipc -----------------------------------------------------------------------

if command -v ipcmk >/dev/null && command -v ipcs >/dev/null && command -v ipcrm >/dev/null; then
	shm_id=$(ipcmk -M 4096 2>/dev/null | grep -o '[0-9][0-9]*$')
	msq_id=$(ipcmk -Q 2>/dev/null | grep -o '[0-9][0-9]*$')
	[ -n "$shm_id" ] && at_exit "ipcrm -m $shm_id 2>/dev/null"
	[ -n "$msq_id" ] && at_exit "ipcrm -q $msq_id 2>/dev/null"
	shm_key=$(ipcs -m | awk -v id="$shm_id" '$2 == id { print $1 }')
	msq_key=$(ipcs -q | awk -v id="$msq_id" '$2 == id { print $1 }')
	diag "host shm id $shm_id key $shm_key, msg queue id $msq_id key $msq_key"
	has_object() { # OUT KEY ID
		printf '%s\n' "$1" | awk -v k="$2" -v i="$3" '$1 == k && $2 == i { f = 1 } END { exit !f }'
	}
	if [ -z "$shm_key" ] || [ -z "$msq_key" ]; then
		for t in 1 2 3 4; do fail "IPC test $t: could not create host IPC objects with ipcmk"; done
	else
		run_sbx ipcs -m
		! has_object "$OUT" "$shm_key" "$shm_id" && [ "$RC" = 0 ]
		ok $? "a host SysV shared memory segment is not visible inside"
		run_sbx ipcs -q
		! has_object "$OUT" "$msq_key" "$msq_id" && [ "$RC" = 0 ]
		ok $? "a host SysV message queue is not visible inside"
		run_sbx --share-ipc ipcs -m
		has_object "$OUT" "$shm_key" "$shm_id"
		ok $? "with --share-ipc the shared memory segment is visible"
		run_sbx --share-ipc ipcs -q
		has_object "$OUT" "$msq_key" "$msq_id"
		ok $? "with --share-ipc the message queue is visible"
	fi
	ipcrm -m "$shm_id" 2>/dev/null
	ipcrm -q "$msq_id" 2>/dev/null
	run_sbx sh -c 'ipcmk -M 4096 >/dev/null && ipcs -m | grep "^0x" | cut -d" " -f1'
	inside=$OUT
	run_sbx ipcs -m
	next=$OUT
	# Should the segment have reached the host (a bug), do not leave it there.
	leaked=
	for k in $inside; do
		if ipcs -m | awk -v k="$k" '$1 == k { f = 1 } END { exit !f }'; then
			leaked="$leaked $k"
			ipcrm -M "$k" 2>/dev/null
		fi
	done
	if [ "$(printf '%s\n' "$inside" | grep -c '^0x')" = 1 ] && [ -z "$leaked" ] &&
		! printf '%s\n' "$next" | grep -q '^0x'; then
		pass "a segment made in one sandbox is gone in the next (and never on the host)"
	else
		fail "a segment made in one sandbox is gone in the next (and never on the host)" \
			"segments inside after ipcmk: $(echo $inside)" "found on the host:${leaked:- none}" \
			"ipcs -m in the next sandbox: $next"
	fi
else
	for t in 1 2 3 4 5; do skip "IPC test $t" "ipcmk/ipcs/ipcrm (util-linux) not installed"; done
fi

# --- net -----------------------------------------------------------------------

run_sbx sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
expect_run "--net none: the only interface is lo" 0 "lo"

run_sbx --net host sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort'
expect_run "--net host: the host's interfaces" 0 "$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort)"

# lo must be up: a TCP connection to 127.0.0.1 inside the sandbox, to a
# listener inside the same sandbox (nothing leaves it).
PY=
for p in /usr/bin/python3 /usr/local/bin/python3; do [ -x "$p" ] && PY=$p && break; done
case $PY in
/usr/*)
	run_sbx "$PY" -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
c = socket.create_connection(s.getsockname(), timeout=5)
a, _ = s.accept(); c.sendall(b"ping"); print(a.recv(4).decode())'
	expect_run "--net none: lo is up (a TCP connection over 127.0.0.1 works inside)" 0 "ping"
	;;
*) skip "--net none: lo is up" "no python3 under /usr to test with" ;;
esac

done_testing
