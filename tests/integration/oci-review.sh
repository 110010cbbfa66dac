#!/usr/bin/env bash
# sbx oci, hostile inputs: a rootfs whose /dev is a symlink out of it, a
# --root another user could write, a fifo-side start that must not spin.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/oci-lib.sh"
require_userns

oci_setup sh true ls sleep id grep
chmod 700 "$ROOT"
write_config() {
	cat >"$B/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": { "args": $1, "cwd": "/", "env": ["PATH=/bin"], "user": {"uid": 0, "gid": 0},
    "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]},
    "noNewPrivileges": true },
  "root": {"path": "rootfs"},
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}
  ],
  "linux": {
    ${MAPS:-}
    "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"} $USERNS]
  }
}
EOF
}

# --- an image whose /dev is an absolute symlink to a host directory ---------
# The device nodes, and the /dev/ptmx replaced by a link to pts/ptmx, are
# made inside the root: nothing is created or removed in the host directory.
OUTSIDE=$WORK/outside
mkdir -p "$OUTSIDE/pts"
touch "$OUTSIDE/ptmx" "$OUTSIDE/pts/ptmx"
ln -s "$OUTSIDE" "$B/rootfs/dev"
mkdir -p "$B/rootfs$OUTSIDE" # where /dev leads inside the root
write_config '["/bin/sh", "-c", "ls /dev/null"]'
oci run --bundle "$B" d1
expect_status "a container whose /dev is a symlink out of the rootfs runs" 0
[ -f "$OUTSIDE/ptmx" ]
ok $? "the host's file at the symlink's target/ptmx is not removed"
[ ! -e "$OUTSIDE/null" ] && [ ! -e "$OUTSIDE/tty" ]
ok $? "no device node is made in the host directory the symlink names"
rm "$B/rootfs/dev"
top=${OUTSIDE#/}
rm -r "$B/rootfs/${top%%/*}"

# --- start and an exec.fifo someone else opened ------------------------------
# Another process of the same user reads the fifo (the container runs without
# start), then, while start waits, opens it for writing and closes it: start
# must end with an error, not spin on the hung-up fifo until the container ends.
write_config '["/bin/sleep", "1000"]'
oci create --bundle "$B" f1
expect_status "create f1" 0
timeout 20 cat "$ROOT/f1/exec.fifo" >/dev/null
"$SBX" oci --root "$ROOT" start f1 >"$WORK/start.out" 2>&1 &
spid=$!
track_pid $spid
timeout 20 bash -c ': >"$1"' _ "$ROOT/f1/exec.fifo"
wait_pid_timeout $spid 20
expect_eq "start ends with an error on a fifo another process hung up" 125 "$RC"
expect_match "... naming the fifo" 'exec fifo was opened by another process' "$(cat "$WORK/start.out")"
oci delete --force f1
expect_status "delete --force f1" 0

# --- CVE-2019-5736: the binary the container's process runs before its execve
# A "#!/proc/self/exe" program makes the kernel run that binary in the
# container, whose processes could then write it through /proc/PID/exe: it
# must be a sealed copy, not the sbx file on the host.
write_config '["/bin/sleep", "1000"]'
oci create --bundle "$B" --pid-file "$WORK/x1.pid" x1
expect_status "create x1" 0
exe=$(readlink "/proc/$(cat "$WORK/x1.pid")/exe")
if [ "$(id -u)" != 0 ] && [ ! -O "$SBX" ] && [ -z "$(find "$SBX" -perm /022)" ]; then
	# Another uid's binary only its owner may write: the copy is spared.
	expect_eq "the created container's process runs $SBX, which we cannot write" "$SBX" "$exe"
else
	expect_match "the created container's process runs a sealed copy of sbx, not $SBX" '^/memfd:sbx-oci' "$exe"
fi
oci delete --force x1
expect_status "delete --force x1" 0

# --- the exec fifo reached through a /proc the image planted ----------------
# No proc mount in config.json, and the image's /proc/self/fd/N are plain
# files: the process must still wait on the real fifo, and write nothing there.
mkdir -p "$B/rootfs/proc/self/fd"
for n in $(seq 3 40); do : >"$B/rootfs/proc/self/fd/$n"; done
sed 's|{"destination": "/proc", "type": "proc", "source": "proc"},||' "$B/config.json" >"$WORK/noproc.json"
mv "$WORK/noproc.json" "$B/config.json"
oci create --bundle "$B" p1
expect_status "create without a proc mount" 0
expect_eq "the image's /proc/self/fd/N files are left alone" "" "$(cat "$B/rootfs/proc/self/fd/"*)"
oci state p1
expect_match "the process waits for start" '"status": ?"created"' "$OUT"
oci delete --force p1
expect_status "delete --force p1" 0
rm -r "$B/rootfs/proc/self"

# --- supplementary groups and a /proc/self/setgroups the image planted -------
# Without a proc mount, an image's /proc/self/setgroups saying "deny" must not
# make the process keep sbx-oci's own groups (root's, as root).
if [ "$(id -u)" = 0 ]; then
	mkdir -p "$B/rootfs/proc/self"
	echo deny >"$B/rootfs/proc/self/setgroups"
	write_config '["/bin/id", "-G"]'
	sed -e 's|{"destination": "/proc", "type": "proc", "source": "proc"},||' \
		-e 's|"user": {"uid": 0, "gid": 0}|"user": {"uid": 1000, "gid": 1000}|' "$B/config.json" >"$WORK/noproc.json"
	mv "$WORK/noproc.json" "$B/config.json"
	run_cmd setpriv --groups 4 "$SBX" oci --root "$ROOT" run --bundle "$B" g1
	expect_eq "the process has only its own group, not sbx-oci's (4)" "0 1000" "$RC $OUT"
	rm -r "$B/rootfs/proc/self"
else
	skip "supplementary groups kept through a planted setgroups" "as root only (a user's map denies setgroups)"
fi

# --- a hook that does not read its stdin, with a state larger than a pipe ---
# Its time-out holds while the state is written too.
write_config '["/bin/true"]'
python3 - "$B/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["annotations"] = {"org.example.big": "x" * 200000}
c["hooks"] = {"createRuntime": [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]}
json.dump(c, open(sys.argv[1], "w"))
PY
oci create --bundle "$B" k1
expect_error "a hook past its time-out while its state is written is killed" 125 'hooks\.createRuntime /bin/sleep: killed by signal 9'
[ ! -e "$ROOT/k1" ]
ok $? "... and create leaves nothing behind"

# --- the five capability sets, as the kernel reports them -----------------
# As root a uid that is not 0, whose sets exec does not widen; as a user uid
# 0 (the only one mapped), for which exec makes permitted the bounding set.
write_config '["/bin/sh", "-c", "grep -E \"^Cap(Inh|Prm|Eff|Bnd|Amb)\" /proc/self/status"]'
python3 - "$B/config.json" "$(id -u)" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["capabilities"] = {"bounding": ["CAP_KILL", "CAP_CHOWN"], "permitted": ["CAP_KILL", "CAP_CHOWN"],
    "effective": ["CAP_KILL"], "inheritable": ["CAP_CHOWN"], "ambient": ["CAP_CHOWN"]}
if sys.argv[2] == "0":
    c["process"]["user"] = {"uid": 1000, "gid": 1000}
json.dump(c, open(sys.argv[1], "w"))
PY
oci run --bundle "$B" caps1
if [ "$(id -u)" = 0 ]; then
	expect_eq "capabilities: inheritable, permitted, effective (ambient), bounding, ambient" \
		"CapInh: 0000000000000001 CapPrm: 0000000000000001 CapEff: 0000000000000001 CapBnd: 0000000000000021 CapAmb: 0000000000000001" "$(echo $OUT)"
else
	expect_eq "capabilities: inheritable, permitted (bounding), effective, bounding, ambient" \
		"CapInh: 0000000000000001 CapPrm: 0000000000000021 CapEff: 0000000000000021 CapBnd: 0000000000000021 CapAmb: 0000000000000001" "$(echo $OUT)"
fi

# --- a signal to create half way -------------------------------------------
# create ends with an error and takes down what it made (the state, the
# process waiting for start); a createRuntime hook sends it the signal.
write_config '["/bin/sleep", "1000"]'
python3 - "$B/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["hooks"] = {"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "echo $$ >/dev/null; kill -TERM $PPID"]}]}
json.dump(c, open(sys.argv[1], "w"))
PY
oci create --bundle "$B" t1
expect_error "SIGTERM during create: an error" 125 'interrupted by signal 15'
[ -z "$(ls -A "$ROOT")" ]
ok $? "... and nothing is left under --root"

# --- kill --all reaches every process of the container's pid namespace -----
write_config '["/bin/sh", "-c", "sleep 4242421 & exec sleep 4242422"]'
oci create --bundle "$B" --pid-file "$WORK/a1.pid" a1
oci start a1
expect_status "start a1" 0
for _ in $(seq 100); do pgrep -f 'sleep 4242421$' >/dev/null && break; sleep 0.05; done
oci kill --all a1 KILL
expect_status "kill --all" 0
wait_pid_timeout "$(cat "$WORK/a1.pid")" 5 2>/dev/null
for _ in $(seq 100); do pgrep -f 'sleep 4242421$' >/dev/null || break; sleep 0.05; done
! pgrep -f 'sleep 424242[12]$' >/dev/null
ok $? "kill --all: the container's other process is gone too"
oci delete --force a1

# --- linux.sysctl: only the container's own namespaces' ----------------------
# A sysctl no namespace holds (vm.*), or a net.* one without a network
# namespace, would be written to the host's: refused, named. (Each asks for
# the host's current value, so the old code changed nothing while it ran.)
SWAP=$(cat /proc/sys/vm/swappiness)
write_config '["/bin/true"]'
python3 - "$B/config.json" "$SWAP" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["linux"]["sysctl"] = {"vm.swappiness": sys.argv[2]}
json.dump(c, open(sys.argv[1], "w"))
PY
oci run --bundle "$B" y1
expect_error "a sysctl of the host's is refused, named" 125 'linux\.sysctl\.vm\.swappiness: not a namespaced sysctl'
FWD=$(cat /proc/sys/net/ipv4/ip_forward)
python3 - "$B/config.json" "$FWD" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["linux"]["sysctl"] = {"net.ipv4.ip_forward": sys.argv[2]}
json.dump(c, open(sys.argv[1], "w"))
PY
oci run --bundle "$B" y2
expect_error "a net.* sysctl without a network namespace is refused" 125 'linux\.sysctl\.net\.ipv4\.ip_forward: needs the container.s own namespace'
write_config '["/bin/sh", "-c", "cat /proc/sys/kernel/shmmni"]'
python3 - "$B/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["linux"]["sysctl"] = {"kernel.shmmni": "1234"}
json.dump(c, open(sys.argv[1], "w"))
PY
oci run --bundle "$B" y3
expect_eq "an ipc sysctl in the container's ipc namespace is set" "0 1234" "$RC $OUT"

# --- a --root others may write (the /tmp fallback planted by another user) ---
# Its state.json would name the pid kill, delete and exec act on.
SHARED=$WORK/shared
mkdir -p "$SHARED/planted"
chmod 1777 "$SHARED"
echo '{"bundle": "/", "created": "", "pid": 999999, "start_time": 1, "annotations": {}}' >"$SHARED/planted/state.json"
run_cmd "$SBX" oci --root "$SHARED" state planted
expect_error "state refuses a --root writable by others" 125 "--root $SHARED: not owned by uid $(id -u) or writable by others"
run_cmd "$SBX" oci --root "$SHARED" kill planted KILL
expect_error "... and so does kill" 125 'writable by others'
write_config '["/bin/true"]'
run_cmd "$SBX" oci --root "$SHARED" create --bundle "$B" c2
expect_error "... and create" 125 'writable by others'
[ ! -e "$SHARED/c2" ]
ok $? "create left nothing there"
run_cmd "$SBX" oci --root "$SHARED" list
expect_error "... and list" 125 'writable by others'

done_testing
