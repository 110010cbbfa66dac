#!/usr/bin/env bash
# net-helper.sh - when --net slirp's network helper fails, sbx says why: a
# helper that cannot start reports its own reason, and the command never runs;
# a helper that dies later ends the sandbox with one line and 125, leaving
# nothing behind (no zombie, no process of the sandbox).
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1
require_slirp

make_temp_dir
D=$TMPD

# --- a helper that cannot start ---------------------------------------------------

# An empty file named libslirp.so.0 first in the search path: dlopen() fails
# for real ("file too short"), in the helper, after the sandbox was cloned.
mkdir "$D/badlib"
: >"$D/badlib/libslirp.so.0"
marker
run_cmd env LD_LIBRARY_PATH="$D/badlib" "$SBX" --net slirp -- sleep "$MARKER"
expect_error "libslirp.so.0 cannot be loaded: its own reason, one line, 125" 125 \
	'^sbx: --net slirp: cannot load libslirp\.so\.0 \(.*badlib/libslirp\.so\.0.*\)'
# (The command waits for the helper's "ready": it never started; nothing of
# the sandbox may be left either.)
wait_for_no_arg "$MARKER" 5
ok $? "libslirp.so.0 cannot be loaded: nothing of the sandbox is left"
kill_arg_leftovers "$MARKER"

# The command never runs without its network: it used to start, now and
# then (3 runs in 100), before the helper's failure ended the sandbox.
mkdir "$D/st"
bad=
for i in $(seq 60); do
	env LD_LIBRARY_PATH="$D/badlib" "$SBX" --net slirp --bind "$D/st:/w" \
		-- touch "/w/started.$i" 2>/dev/null </dev/null
	rc=$?
	[ "$rc" = 125 ] || bad="$bad run $i: exit status $rc;"
done
started=$(find "$D/st" -mindepth 1 -printf "%f ")
_last_cmd="60 x LD_LIBRARY_PATH=badlib sbx --net slirp --bind DIR:/w -- touch /w/started.N"
expect_eq "libslirp.so.0 cannot be loaded: the command never started (60 runs, all 125)" \
	":" "$bad:$started"

# --- a helper that dies while the command runs ------------------------------------

# helper_of PID: the network helper among sbx's children, by the name it
# gives itself (the TCP bypass worker is another child, sbx-tcp-bypass).
helper_of() {
	local c
	for c in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
		if [ "$(cat "/proc/$c/comm" 2>/dev/null)" = sbx-net-helper ]; then
			echo "$c"
		fi
	done
}

free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

for opts in "" "--no-tcp-bypass"; do
	marker
	rm -f "$D/ready"
	P=$(free_port)
	# shellcheck disable=SC2086
	"$SBX" $opts --net slirp -p "127.0.0.1:$P:8000" --bind "$D:/w" \
		sh -c "touch /w/ready; exec sleep $MARKER" >"$D/out" 2>"$D/err" </dev/null &
	BG=$!
	track_pid "$BG"
	_last_cmd="sbx $opts --net slirp -p 127.0.0.1:$P:8000 sh -c 'exec sleep ...' & kill -KILL \$helper"
	RC='' OUT='' ERR=''
	helper=
	if wait_for_file "$D/ready" 10; then
		helper=$(helper_of "$BG")
	fi
	if [ -z "$helper" ]; then
		fail "--net slirp $opts: found the network helper among sbx's children" \
			"children: $(cat "/proc/$BG/task/$BG/children" 2>/dev/null)"
		kill -KILL "$BG"
		wait_pid_timeout "$BG" 10
		kill_arg_leftovers "$MARKER"
		continue
	fi
	kill -KILL "$helper"
	wait_pid_timeout "$BG" 10
	OUT=$(cat "$D/out") ERR=$(cat "$D/err")
	expect_error "--net slirp $opts: the helper killed: sbx ends the sandbox with one line and 125" \
		125 '^sbx: the network helper .*(killed by SIGKILL|signal 9)'
	wait_for_no_arg "$MARKER" 5
	ok $? "--net slirp $opts: the helper killed: no process of the sandbox is left"
	[ ! -e "/proc/$helper" ]
	ok $? "--net slirp $opts: the helper killed: it was reaped (no zombie)"
	kill_arg_leftovers "$MARKER"
done

# --- a setup interrupted: the helper goes too -------------------------------------

# The sandbox's setup blocks on a --file that never ends; SIGTERM must end
# sbx with 143 and take the helper (reaped) and the sandbox with it.
mkfifo "$D/fifo"
marker
"$SBX" --net slirp --file 3 /x -- true "$MARKER" 3<>"$D/fifo" >"$D/out" 2>&1 </dev/null &
BG=$!
track_pid "$BG"
_last_cmd="sbx --net slirp --file 3 /x -- true 3<>FIFO & kill -TERM \$sbx_pid (during the setup)"
RC='' OUT='' ERR=''
helper=
for _ in $(seq 250); do
	helper=$(helper_of "$BG")
	[ -n "$helper" ] && break
	sleep 0.02
done
kill -TERM "$BG"
wait_pid_timeout "$BG" 10
OUT=$(cat "$D/out")
expect_eq "SIGTERM during the setup with --net slirp: 143, nothing printed" "143:" "$RC:$OUT"
[ -n "$helper" ] && [ ! -e "/proc/$helper" ]
ok $? "SIGTERM during the setup: the helper (${helper:-not found}) was killed and reaped"
wait_for_no_arg "$MARKER" 5
ok $? "SIGTERM during the setup: no process of the sandbox is left"
kill_arg_leftovers "$MARKER"

done_testing
