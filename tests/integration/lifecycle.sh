#!/usr/bin/env bash
# lifecycle.sh - named sandboxes (issue 12): --name, sbx ls/ps, enter, stop,
# kill, --detach and logs. An entered process has the sandbox's confinement
# exactly (seccomp filter, Landlock domain, no capabilities, no_new_privs,
# the TCP bypass's listener), its environment (firejail#907) and filter
# (firejail#2296); two real terminals (tmux) share files and /proc, and job
# control works in the entered shell. stop and the first sbx's SIGKILL leave
# nothing behind; another user can neither list, enter nor stop.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns
cd / || exit 1

export XDG_RUNTIME_DIR=$WORK/run
mkdir -m 700 "$XDG_RUNTIME_DIR" "$WORK/share"
REG=$XDG_RUNTIME_DIR/sbx
HELPERS=$TESTS_SRCDIR/helpers

# wait_until SECONDS COMMAND...: until COMMAND succeeds; 0 if it did.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.05
	done
}
has_arg() { [ -n "$(pids_with_arg "$1")" ]; }
has_cmd() { [ -n "$(pids_with_cmdline "$1")" ]; } # not sbx enter's own "... sleep N"
listed() { [ "$("$SBX" ls -q 2>/dev/null | grep -cx "$1")" = 1 ]; }
not_listed() { ! listed "$1"; }
at_exit 'for n in $("$SBX" ls -q 2>/dev/null); do "$SBX" stop "$n" --time 0; done'

# --- register, list, name in use ---------------------------------------------
marker
M1=$MARKER
run_sbx -d --name n1 --setenv SBXT_VAR from-sandbox --bind "$WORK/share:/share" --chdir /share \
	sleep "$M1"
expect_run "-d --name: prints the name and returns once the command runs" 0 n1
run_sbx --name n1 true
expect_error "a name in use: 125, one line" 125 "^sbx: --name n1: a sandbox of that name is running$"
run_sbx --name 'bad/name' true
expect_error "a bad name is refused" 125 "--name bad/name"
run_sbx ls
expect_match "sbx ls: one line per sandbox, with its command (no limits: -)" \
	"^n1 +[0-9]+ +[0-9]+s +none +- +- +sleep $M1$" "$OUT"
expect_match "sbx ls: the header, LIMITS before COMMAND" "^NAME +PID +AGE +NET +PORTS +LIMITS +COMMAND$" "$OUT"
run_sbx ps --json
expect_match "sbx ps --json: an array of objects" '^\[$' "$(head -n 1 <<<"$OUT")"
python3 -c 'import json, sys; d = json.loads(sys.argv[1]); assert d[0]["name"] == "n1" and d[0]["pid1"] > 0 and "pid" in d[0]["namespaces"]' "$OUT"
ok $? "... which JSON parses, with name, pid 1 and namespaces"
python3 -c 'import json, sys; assert json.loads(sys.argv[1])[0]["limits"] is None' "$OUT"
ok $? "... and \"limits\": null without limits"

# sbx ls: the limits and what enforces them (issue 11). Here, without a
# usable cgroup v2, the rlimit fallback; as root --pids needs cgroup v2
# (limits.sh), so root asks for --memory.
if [ "$(id -u)" = 0 ]; then
	lim=(--memory 512M) key=memory val=536870912
else
	lim=(--pids 50) key=pids val=50
fi
run_sbx -d --name nlim "${lim[@]}" sleep "$M1"
expect_status "-d --name ${lim[*]}: started" 0
run_sbx ls
expect_match "sbx ls: the limits and their mechanism" \
	"^nlim +[0-9]+ +[0-9]+s +none +- +${lim[*]} \((rlimit|cgroup v2|systemd scope)\) +sleep $M1$" "$OUT"
if grep -Eq '^[1-9][0-9]*:([^:]*,)?(memory|pids)(,[^:]*)?:' /proc/self/cgroup; then
	expect_match "... rlimit on this v1/hybrid host" "^nlim .* \(rlimit\) " "$OUT"
fi
run_sbx ls --json
python3 -c 'import json, sys
d = {s["name"]: s for s in json.loads(sys.argv[1])}["nlim"]["limits"]
assert d["mechanism"] in ("rlimit", "cgroup v2", "systemd scope"), d
assert d[sys.argv[2]] == int(sys.argv[3]), d
assert all(d[k] is None for k in ("memory", "memory_swap", "pids", "cpus") if k != sys.argv[2]), d' \
	"$OUT" "$key" "$val"
ok $? "sbx ls --json: \"limits\": the mechanism and the values asked"
"$SBX" stop nlim --time 0 >/dev/null 2>&1
wait_until 10 not_listed nlim
ok $? "... stopped"
[ "$(stat -c %a "$REG/n1")" = 700 ] && [ -S "$REG/n1/ctl" ]
ok $? "the state directory is private (0700) and holds the control socket"

# --- enter: the same confinement ---------------------------------------------
run_sbx enter n1 cat /proc/self/status
expect_match "entered: Seccomp: 2 (filtered)" $'^Seccomp:\t2$' "$OUT"
expect_match "entered: NoNewPrivs: 1" $'^NoNewPrivs:\t1$' "$OUT"
expect_match "entered: no effective capabilities" $'^CapEff:\t0000000000000000$' "$OUT"
expect_match "entered: no permitted capabilities" $'^CapPrm:\t0000000000000000$' "$OUT"
entered_filters=$(grep Seccomp_filters <<<"$OUT")
run_sbx --setenv SBXT_VAR x --bind "$WORK/share:/share" --chdir /share cat /proc/self/status
expect_eq "firejail#2296: as many seccomp filters as a fresh sandbox's command" \
	"$(grep Seccomp_filters <<<"$OUT")" "$entered_filters"
run_sbx enter n1 unshare -U true
expect_ne "firejail#2296: the filter refuses in the entered process what it refuses the command (unshare -U)" 0 "$RC"
run_sbx --allow-userns unshare -U true
expect_status "... control: allowed by --allow-userns, so the filter is what refused it" 0
run_cmd env -u SBXT_VAR CALLER_ONLY=1 TERM=sbx-test-term "$SBX" enter n1 \
	sh -c 'echo "$SBXT_VAR ${CALLER_ONLY-unset} $TERM"'
expect_out "firejail#907: the sandbox's environment, the caller's TERM, nothing else of the caller's" \
	"from-sandbox unset sbx-test-term"
run_sbx enter n1 pwd
expect_out "cwd: the first command's start directory" /share
run_sbx enter --chdir /tmp n1 pwd
expect_out "enter --chdir DIR" /tmp
run_sbx enter n1 sh -c 'echo inside > /tmp/private'
run_sbx enter n1 cat /tmp/private
expect_out "a file in the sandbox's private /tmp is seen by the next entered process" inside
[ ! -e /tmp/private ] || [ "$(cat /tmp/private 2>/dev/null)" != inside ]
ok $? "... and not on the host"
run_sbx enter n1 sh -c 'cat /proc/[0-9]*/cmdline | tr "\0" " "'
expect_match "the same /proc: the first command is there" "sleep $M1" "$OUT"
run_sbx enter n1 sh -c 'exit 7'
expect_status "the entered command's exit status is sbx's" 7
run_sbx enter n1 /nonexistent-cmd
expect_error "a command not found: 127, one line" 127 "cannot run '/nonexistent-cmd'"
run_sbx enter nosuch true
expect_error "enter an unknown name: 125, one line" 125 "^sbx: no sandbox named 'nosuch'$"
"$SBX" enter n1 sleep "$((M1 + 1))" </dev/null >/dev/null 2>&1 &
enter_pid=$!
track_pid $enter_pid
wait_until 10 has_cmd "sleep $((M1 + 1))"
kill -TERM "$enter_pid"
wait "$enter_pid"
expect_eq "SIGTERM to sbx enter goes to the entered process: it ends with 143" 143 "$?"
echo piped | "$SBX" enter n1 cat >"$WORK/piped" 2>&1
[ "$(cat "$WORK/piped")" = piped ]
ok $? "without a terminal, the caller's stdin and stdout are the entered process's"

# --- Landlock ------------------------------------------------------------------
abi=$(python3 -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))' 2>/dev/null)
mkdir "$WORK/outside"
write_via_proc='import glob, errno, os
res = "nofd"
for p in glob.glob("/proc/[0-9]*/fd/3"):
    try:
        if not os.path.isdir(p): continue
        os.close(os.open(p + "/new", os.O_CREAT | os.O_WRONLY, 0o644)); res = "written"; break
    except OSError as e:
        res = errno.errorcode[e.errno]
print(res)'
if [ "${abi:-0}" -ge 1 ] 2>/dev/null; then
	marker
	"$SBX" -d --name ll --pass-fd 3 sleep "$MARKER" 3<"$WORK/outside" >/dev/null
	run_sbx enter ll python3 -c "$write_via_proc"
	expect_out "Landlock: the entered process cannot write to a host directory outside the view" EACCES
	[ ! -e "$WORK/outside/new" ]
	ok $? "... nothing appeared on the host"
	"$SBX" stop ll --time 0
	"$SBX" -d --name ll --allow-userns --pass-fd 3 sleep "$MARKER" 3<"$WORK/outside" >/dev/null
	run_sbx enter ll python3 -c "$write_via_proc"
	expect_out "... control: without Landlock's filesystem rules (--allow-userns) it is written" written
	"$SBX" stop ll --time 0
else
	skip "Landlock: the entered process's writes" "this kernel has no Landlock"
fi

# --- kill, stop ---------------------------------------------------------------
run_sbx kill n1 STOP
expect_error "sbx kill: a signal not passed on is refused" 125 "unknown signal|not passed on"
run_sbx kill n1 USR1
expect_status "sbx kill NAME USR1: passed to the command (sleep dies of it)" 0
wait_until 10 not_listed n1
ok $? "... the sandbox ended with its command and is no longer listed"
[ ! -e "$REG/n1" ]
ok $? "... and its state directory is gone"

marker
M2=$MARKER
"$SBX" -d --name n2 sh -c "trap '' TERM; sleep $M2" >/dev/null
"$SBX" enter n2 sleep "$((M2 + 1))" </dev/null >/dev/null 2>&1 &
track_pid $!
wait_until 10 has_cmd "sleep $((M2 + 1))"
run_sbx stop n2 --time 1
expect_run "sbx stop: TERM ignored, KILL after the grace time; returns 0" 0 ""
[ -z "$(pids_with_arg "$M2")" ] && [ -z "$(pids_with_arg "$((M2 + 1))")" ]
ok $? "sbx stop leaves no process: neither the command nor the entered one"
[ ! -e "$REG/n2" ] && [ -z "$("$SBX" ls -q)" ]
ok $? "... nor the state directory, socket or listing"
run_sbx stop n2
expect_error "stop an unknown name: 125" 125 "no sandbox named 'n2'"

# --- the first sbx killed with SIGKILL ---------------------------------------
marker
M3=$MARKER
"$SBX" --name n3 sleep "$M3" </dev/null >/dev/null 2>&1 &
first=$!
track_pid $first
wait_until 10 listed n3
wait_until 10 has_arg "$M3"
"$SBX" enter n3 sleep "$((M3 + 1))" </dev/null >/dev/null 2>&1 &
enter_pid=$!
track_pid $enter_pid
wait_until 10 has_cmd "sleep $((M3 + 1))"
kill -KILL "$first"
wait_for_no_arg "$M3" 10 && wait_for_no_arg "$((M3 + 1))" 10
ok $? "SIGKILL of the first sbx: the command and the entered process die too"
wait "$enter_pid"
expect_eq "... sbx enter returns 137" 137 "$?"
run_sbx ls -q
expect_run "... sbx ls no longer lists it (stale state cleaned up)" 0 ""
[ ! -e "$REG/n3" ]
ok $? "... and its directory was removed"
run_sbx --name n3 true
expect_status "... the name can be used again" 0

# --- listed means enterable -------------------------------------------------------
# sbx ls -q names a sandbox only once sbx enter can reach it: its name is
# taken (the lock) before its control socket listens, and strace widens that
# gap (every bind() waits 0.5 s) so that the poll below falls into it.
if command -v strace >/dev/null && strace -f -qq -o /dev/null true 2>/dev/null; then
	marker
	strace -f -qq -o /dev/null -e trace=bind -e inject=bind:delay_enter=500000 \
		"$SBX" --name n3r sleep "$MARKER" </dev/null >/dev/null 2>&1 &
	track_pid $!
	wait_until 20 listed n3r
	run_sbx enter n3r true
	expect_run "a sandbox sbx ls -q lists can be entered at once (its socket listens)" 0 ""
	"$SBX" stop n3r --time 0
else
	skip "sbx ls -q lists only sandboxes that can be entered" "strace missing or not allowed"
fi

# --- a name is claimed already locked --------------------------------------------
# A starting sbx's NAME/lock must never be seen unlocked: a cleaner (sbx ls)
# that found it free would take the entry for stale and remove it, and the
# starting sbx, finding the lock held by the cleaner, would fail with "a
# sandbox of that name is running". strace widens both gaps: the starting
# sbx's flock() waits 1 s once its directory has a file, and the cleaner's
# unlinkat() 3 s, so that a cleaner would still hold the lock at that flock().
if command -v strace >/dev/null && strace -f -qq -o /dev/null true 2>/dev/null; then
	marker
	strace -f -qq -o /dev/null -e trace=flock -e inject=flock:delay_enter=1000000 \
		"$SBX" --name n3c sleep "$MARKER" </dev/null >"$WORK/n3c.out" 2>&1 &
	starter=$!
	track_pid $starter
	has_file() { [ -n "$(ls -A "$REG/n3c" 2>/dev/null)" ]; }
	wait_until 20 has_file
	strace -f -qq -o /dev/null -e trace=unlinkat -e inject=unlinkat:delay_enter=3000000 \
		"$SBX" ls -q >/dev/null 2>&1
	settled() { listed n3c || ! kill -0 "$starter" 2>/dev/null; }
	wait_until 30 settled
	listed n3c
	ok $? "sbx ls while a name is being claimed: the start goes on and is listed" \
		"the starting sbx: $(cat "$WORK/n3c.out")"
	"$SBX" stop n3c --time 0 >/dev/null 2>&1
	wait_until 10 not_listed n3c
else
	skip "sbx ls while a name is being claimed" "strace missing or not allowed"
fi

# --- detach and logs ------------------------------------------------------------
marker
run_sbx -d --name n4 --bind "$WORK/share:/share" sh -c "echo to-stdout; echo to-stderr >&2; touch /share/logged; exec sleep $MARKER"
expect_out "-d prints the name" n4
wait_for_file "$WORK/share/logged" 10
run_sbx logs n4
expect_out "sbx logs: stdout and stderr of the detached command" $'to-stdout\nto-stderr'
"$SBX" logs n4 -f >"$WORK/follow" 2>&1 &
follower=$!
track_pid $follower
wait_until 10 grep -q to-stderr "$WORK/follow"
"$SBX" stop n4 --time 0
wait_pid_timeout "$follower" 10
expect_eq "sbx logs -f returns once the sandbox is gone" 0 "$RC"
run_sbx -d sh -c 'exit 3'
expect_status "-d without --name: a name is made up; a command that ends at once is no error" 0
run_sbx -d --name n5 --bind /nonexistent-src:/x true
expect_error "-d: a sandbox that fails to start: its error, its status" 125 "nonexistent-src"
[ ! -e "$REG/n5" ]
ok $? "... nothing left behind"

# -d with the caller's stdin and stdout closed: the command still gets
# /dev/null and the log, not closed fds (sbx's own files took 0 and 1).
rm -f "$WORK/share/fds"
bash -c 'exec "$@" <&- >&-' _ "$SBX" -d --name n6 --bind "$WORK/share:/share" sh -c \
	'{ readlink /proc/self/fd/0; [ -e /proc/self/fd/1 ] && echo has-stdout; } >/share/fds.tmp; mv /share/fds.tmp /share/fds' 2>/dev/null
wait_for_file "$WORK/share/fds" 10
expect_eq "-d with stdin and stdout closed: /dev/null and the log" $'/dev/null\nhas-stdout' "$(cat "$WORK/share/fds")"

# --- the verb rule --------------------------------------------------------------
run_sbx ls -l /usr/src
expect_error "sbx ls -l DIR: the one-line hint" 125 "write: sbx -- ls -l /usr/src"
run_sbx -- ls -d /usr
expect_out "sbx -- ls: the command" /usr

# --- --net slirp: the entered process's connections go through the bypass -------
if "$SBX" -v --net slirp true 2>&1 | grep -q 'tcp bypass: off' || ! "$SBX" --net slirp true 2>/dev/null; then
	skip "--net slirp: entered connections through the bypass" "slirp or the bypass is off here"
else
	python3 "$HELPERS/netserv.py" "$WORK/lo.ports" --http 127.0.0.1:0 &
	track_pid $!
	wait_for_file "$WORK/lo.ports" 10
	H4=$(awk '$1 == "http" && $2 == "127.0.0.1" { print $3 }' "$WORK/lo.ports")
	marker
	"$SBX" -d --name s1 --net slirp --allow-host-loopback --ro-bind "$HELPERS:/t" sleep "$MARKER" >/dev/null
	run_sbx enter s1 python3 /t/bypass-probe.py peer 10.0.2.2 "$H4"
	expect_match "--net slirp --allow-host-loopback: the entered process reaches the host on 10.0.2.2, on a host socket (the bypass)" \
		"^ok peer 127\.0\.0\.1: hello from 127\.0\.0\.1:$H4" "$OUT"
	"$SBX" stop s1 --time 0
	"$SBX" -d --name s2 --net slirp --ro-bind "$HELPERS:/t" sleep "$MARKER" >/dev/null
	run_sbx enter s2 python3 /t/bypass-probe.py peer 10.0.2.2 "$H4"
	expect_match "... without --allow-host-loopback it does not" "^fail peer" "$OUT"
	"$SBX" stop s2 --time 0
fi

# --- from inside another sandbox ----------------------------------------------
# Sandboxes run as the user too: one given the registry's directory (a --bind
# of $XDG_RUNTIME_DIR, as for a Wayland socket) must not enter, kill or stop
# another named sandbox, whose confinement may be looser than its own.
marker
MV=$MARKER
run_sbx -d --name victim sleep "$MV"
run_sbx --bind "$XDG_RUNTIME_DIR" --ro-bind "$SBX:/run/sbx-client" \
	--setenv XDG_RUNTIME_DIR "$XDG_RUNTIME_DIR" /run/sbx-client enter victim echo escaped
expect_ne "from inside a sandbox: sbx enter into another is refused" 0 "$RC"
expect_match "... with a clear error" "pid namespace" "$ERR"
run_sbx --bind "$XDG_RUNTIME_DIR" --ro-bind "$SBX:/run/sbx-client" \
	--setenv XDG_RUNTIME_DIR "$XDG_RUNTIME_DIR" /run/sbx-client kill victim KILL
expect_ne "from inside a sandbox: sbx kill of another is refused" 0 "$RC"
if [ -x /usr/bin/python3 ]; then
	# Straight at the socket, past the client's own checks: SIGKILL.
	run_sbx --bind "$XDG_RUNTIME_DIR" /usr/bin/python3 -c 'import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(sys.argv[1])
try:
    s.send(struct.pack("IIiIII", 0x73627863, 2, 9, 0, 0, 0))
except BrokenPipeError:
    pass # refused and closed before we sent: the reply waits all the same
print(s.recv(1024)[16:].split(b"\0")[0].decode())' "$REG/victim/ctl"
	expect_match "from inside a sandbox, straight at the socket: the supervisor refuses" \
		"permission denied" "$OUT"
fi
listed victim
ok $? "... and the other sandbox still runs"
"$SBX" stop victim --time 0 >/dev/null 2>&1
wait_until 10 not_listed victim

# Nor pose as one: the client checks the server's pid namespace too.
if [ -x /usr/bin/python3 ]; then
	marker
	run_sbx -d --name poser --bind "$XDG_RUNTIME_DIR" /usr/bin/python3 -c '
import fcntl, os, socket, struct, sys
d = sys.argv[1] + "/poser-fake"
os.mkdir(d, 0o700)
lock = open(d + "/lock", "w")
fcntl.flock(lock, fcntl.LOCK_EX)
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(d + "/ctl")
s.listen(4)
open(d + "/ready", "w").close()
while True:
    c, _ = s.accept()
    try:
        c.recvmsg(20000, 4096)
        for t, v in ((102, 7), (103, 42)):
            c.send(struct.pack("IiII", t, v, 0, 0) + bytes(480))
    except OSError:
        pass
    c.close()' "$REG" "$MARKER"
	wait_until 10 test -e "$REG/poser-fake/ready"
	run_sbx enter poser-fake true
	expect_error "a control socket served from inside a sandbox is refused by the client" 125 \
		"not served from this pid namespace"
	"$SBX" stop poser --time 0 >/dev/null 2>&1
	wait_until 10 not_listed poser
else
	skip "a control socket served from inside a sandbox" "needs /usr/bin/python3"
fi

# --- another user ------------------------------------------------------------------
other=
if [ "$(id -u)" = 0 ] && id sbxci >/dev/null 2>&1 &&
	runuser -u sbxci -- test -x "$SBX"; then
	other=sbxci
fi
if [ -n "$other" ]; then
	ORUN=$WORK/orun
	mkdir -m 700 "$ORUN" && chown "$other:" "$ORUN" && chmod 711 "$WORK"
	marker
	runuser -u "$other" -- env XDG_RUNTIME_DIR="$ORUN" "$SBX" -d --name theirs sleep "$MARKER" >/dev/null 2>&1
	for verb in "ls" "enter theirs true" "stop theirs" "kill theirs"; do
		run_cmd env XDG_RUNTIME_DIR="$ORUN" "$SBX" $verb
		expect_error "another user: sbx $verb: a clear error" 125 "belongs to uid|not by you|permission denied"
	done
	# Past the directory checks, straight at the socket: the supervisor
	# checks the peer's uid itself.
	run_cmd python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(sys.argv[1])
print(s.recv(1024)[8 + 8:].split(b"\0")[0].decode())' "$ORUN/sbx/theirs/ctl"
	expect_match "another user at the control socket: refused (SO_PEERCRED)" "permission denied" "$OUT"
	run_cmd runuser -u "$other" -- env XDG_RUNTIME_DIR="$ORUN" "$SBX" ls -q
	expect_out "... and the sandbox still runs" theirs
	runuser -u "$other" -- env XDG_RUNTIME_DIR="$ORUN" "$SBX" stop theirs --time 0
else
	skip "another user cannot ls, enter or stop" "needs root and the user sbxci"
fi

# --- two real terminals (tmux) ----------------------------------------------------
# sbx enter gives its terminal back in the mode it found it, not raw: after
# a SIGCONT while it ran (which once saved the raw modes as the ones to
# restore), and when stopped from outside by SIGTSTP.
marker
run_sbx -d --name rawt sleep "$MARKER"
rawt_py='import os, pty, signal, sys, termios, time
def canon(fd):
    return bool(termios.tcgetattr(fd)[3] & termios.ICANON)
def wait_raw(fd):
    end = time.monotonic() + 20
    while canon(fd) and time.monotonic() < end:
        time.sleep(0.02) # no event says "raw": look again
enter = [sys.argv[1], "enter", "rawt", "sleep", sys.argv[2]]
if sys.argv[3] == "cont":
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(enter[0], enter)
    wait_raw(fd)
    os.kill(pid, signal.SIGCONT)
    os.kill(pid, signal.SIGTERM) # passed on: the entered sleep ends, then sbx enter
    os.waitpid(pid, 0)
    print("ended", "canonical" if canon(fd) else "raw", flush=True)
    sys.exit(0)
# As from a shell: sbx enter a job of its own, its parent in the session.
r, w = os.pipe()
pid, fd = pty.fork()
if pid == 0:
    job = os.fork()
    if job == 0:
        os.setpgid(0, 0)
        signal.signal(signal.SIGTTOU, signal.SIG_IGN) # to take the terminal
        os.tcsetpgrp(0, os.getpgrp())
        signal.signal(signal.SIGTTOU, signal.SIG_DFL)
        os.execv(enter[0], enter)
    os.setpgid(job, job)
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    wait_raw(0)
    os.kill(job, signal.SIGTSTP)
    _, st = os.waitpid(job, os.WUNTRACED)
    res = ("stopped" if os.WIFSTOPPED(st) else "ended") + " " + ("canonical" if canon(0) else "raw")
    os.kill(job, signal.SIGKILL)
    os.write(w, res.encode())
    os._exit(0)
os.close(w)
print(os.read(r, 100).decode(), flush=True)
os.waitpid(pid, 0)'
run_cmd python3 -c "$rawt_py" "$SBX" "$MARKER" cont
expect_out "sbx enter continued while running, then ended: the terminal is canonical again" "ended canonical"
run_cmd python3 -c "$rawt_py" "$SBX" "$MARKER" tstp
expect_out "sbx enter stopped by SIGTSTP (a job of a shell): the terminal is canonical" "stopped canonical"
"$SBX" stop rawt --time 0 >/dev/null 2>&1

if command -v tmux >/dev/null; then
	TM=(tmux -S "$WORK/tmux.sock")
	at_exit "${TM[*]} kill-server 2>/dev/null"
	# pane_has SESSION REGEX: the pane's text matches.
	pane_has() { "${TM[@]}" capture-pane -p -t "$1" -S -50 | grep -Eq "$2"; }
	marker
	"${TM[@]}" new-session -d -s A -x 100 -y 30 env XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" \
		"$SBX" --name tt --setenv PS1 'A$ ' -- bash --norc --noprofile -i
	wait_until 10 listed tt
	"${TM[@]}" new-session -d -s B -x 100 -y 30 sh -c \
		"XDG_RUNTIME_DIR='$XDG_RUNTIME_DIR' '$SBX' enter tt bash --norc --noprofile -i; echo ENTER-EXIT=\$?; sleep 60"
	wait_until 10 pane_has B '^A\$'
	ok $? "tmux: the entered shell prompts (the sandbox's PS1)"
	"${TM[@]}" send-keys -t A 'echo from-A > /tmp/shared; echo done-A' Enter
	wait_until 10 pane_has A '^done-A'
	"${TM[@]}" send-keys -t B 'cat /tmp/shared; grep -E "^(Seccomp|NoNewPrivs|CapEff):" /proc/self/status' Enter
	wait_until 10 pane_has B '^CapEff'
	pane_has B '^from-A$'
	ok $? "tmux: a file written in one terminal is read in the other"
	pane_has B '^Seccomp:[[:space:]]+2$' && pane_has B '^NoNewPrivs:[[:space:]]+1$' &&
		pane_has B '^CapEff:[[:space:]]+0+$'
	ok $? "tmux: the entered shell: Seccomp 2, NoNewPrivs 1, no capabilities"
	"${TM[@]}" resize-window -t B -x 90 -y 20
	"${TM[@]}" send-keys -t B 'stty size' Enter
	wait_until 10 pane_has B '^20 90$'
	ok $? "tmux: the entered shell's terminal follows the caller's size"
	"${TM[@]}" send-keys -t B "sleep $MARKER" Enter
	wait_until 10 has_arg "$MARKER"
	"${TM[@]}" send-keys -t B C-z
	wait_until 10 pane_has B 'Stopped'
	ok $? "tmux: ^Z stops the entered shell's job"
	"${TM[@]}" send-keys -t B 'fg' Enter
	wait_until 10 pane_has B "^sleep $MARKER\$"
	"${TM[@]}" send-keys -t B C-c
	"${TM[@]}" send-keys -t B 'echo "rc=$?"' Enter
	wait_until 10 pane_has B '^rc=130$'
	ok $? "tmux: fg brings it back, ^C ends it (status 130)"
	"${TM[@]}" send-keys -t B 'exit 5' Enter
	wait_until 10 pane_has B '^ENTER-EXIT=5$'
	ok $? "tmux: the entered shell's exit status is sbx enter's"
	# A process left behind keeps the terminal open: sbx enter still
	# returns once the entered command has ended.
	"${TM[@]}" new-session -d -s C -x 100 -y 30 sh -c \
		"XDG_RUNTIME_DIR='$XDG_RUNTIME_DIR' '$SBX' enter tt sh -c 'sleep $MARKER & echo bg-started'; echo ENTER-EXIT=\$?; sleep 60"
	wait_until 10 pane_has C '^ENTER-EXIT=0$'
	ok $? "tmux: sbx enter returns when its command ends, though a process it started holds the terminal"
	"${TM[@]}" send-keys -t A 'exit' Enter
	wait_until 10 not_listed tt
	ok $? "tmux: the first shell's exit ends the sandbox"
else
	skip "two terminals (tmux)" "tmux is not installed"
fi

done_testing
