#!/usr/bin/env bash
# sbx as podman's OCI runtime (podman run --runtime sbx --rootfs DIR): the
# acceptance matrix, run with sbx and with runc side by side so that every
# difference shows. Offline: the root filesystem is a static busybox; podman's
# storage, runtime and configuration live in the test's directory.
# This host has hybrid cgroups, which crun refuses ("cgroups in hybrid mode
# not supported"): podman runs with cgroups disabled, and so podman itself
# ignores --pids-limit/--memory (it says so) for every runtime.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns

missing=
for p in podman conmon runc busybox; do command -v $p >/dev/null || missing="$missing $p"; done
if [ -n "$missing" ]; then
	[ "${SBX_MUST_WORK:-0}" = 1 ] && { fail "podman, conmon, runc and busybox are installed (missing:$missing)"; done_testing; }
	echo "1..0 # SKIP missing:$missing"
	exit 77
fi

# Rootful podman raises the hard RLIMIT_NOFILE/NPROC, which needs
# CAP_SYS_RESOURCE; root on some CI hosts lacks it, and runc then fails as
# sbx does. The acceptance is podman as the unprivileged user.
if [ "$(id -u)" = 0 ] && [ $(( 0x$(awk '/^CapEff/ {print $2}' /proc/self/status) >> 24 & 1 )) = 0 ]; then
	echo "1..0 # SKIP root lacks CAP_SYS_RESOURCE here: rootful podman cannot raise its limits (with runc either)"
	exit 77
fi

T=$WORK/podman
R=$WORK/rootfs
mkdir -p "$T/home" "$T/run" "$T/bin" "$R/bin" "$R/etc" "$R/tmp" "$R/proc" "$R/dev" "$R/sys"
chmod 700 "$T/run"
chmod 1777 "$R/tmp"
cp "$(command -v busybox)" "$R/bin/busybox"
for c in sh cat echo id ls sleep mkdir touch grep pwd true tty; do ln -s busybox "$R/bin/$c"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
echo 'root:x:0:' >"$R/etc/group"
mkdir -p "$WORK/data" && echo from-host >"$WORK/data/file"
cat >"$WORK/deny-mkdir.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
EOF
# sbx is sbx-oci by the name it runs under; podman 4.3 passes
# --cgroup-manager disabled to every runtime, which runc does not take.
ln -s "$SBX" "$T/bin/sbx-oci"
cat >"$T/bin/runc" <<'EOF'
#!/bin/bash
a=(); skip=0
for x in "$@"; do
	if [ $skip = 1 ]; then skip=0; continue; fi
	if [ "$x" = --cgroup-manager ]; then skip=1; continue; fi
	a+=("$x")
done
exec runc "${a[@]}"
EOF
chmod 755 "$T/bin/runc"
cat >"$T/containers.conf" <<EOF
[containers]
cgroups = "disabled"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime_supports_nocgroup = ["sbx", "runc"]
[engine.runtimes]
sbx = ["$T/bin/sbx-oci"]
runc = ["$T/bin/runc"]
EOF
cat >"$T/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$T/graph"
runroot = "$T/runroot"
EOF
pm() {
	env HOME="$T/home" XDG_RUNTIME_DIR="$T/run" XDG_CONFIG_HOME="$T/home/.config" \
		CONTAINERS_CONF="$T/containers.conf" CONTAINERS_STORAGE_CONF="$T/storage.conf" \
		podman --cgroup-manager=cgroupfs "$@"
}
# Podman's own leftovers: its containers, its storage (files owned by
# subordinate ids: removed from inside its user namespace), its pause process.
cleanup_podman() {
	pm rm -af -t 0 >/dev/null 2>&1
	[ "$(id -u)" = 0 ] || pm unshare rm -rf "$T/graph" "$T/runroot" 2>/dev/null
	local pause
	pause=$(cat "$T/run/libpod/tmp/pause.pid" 2>/dev/null) && kill "$pause" 2>/dev/null
	return 0
}
at_exit cleanup_podman

run_pm() { run_cmd env HOME="$T/home" XDG_RUNTIME_DIR="$T/run" XDG_CONFIG_HOME="$T/home/.config" \
	CONTAINERS_CONF="$T/containers.conf" CONTAINERS_STORAGE_CONF="$T/storage.conf" \
	podman --cgroup-manager=cgroupfs "$@"; }

matrix() {
	local rt=$1 cid
	run_pm --runtime "$rt" run --rm --rootfs "$R" /bin/echo hi
	expect_run "$rt: run --rm" 0 hi
	run_pm --runtime "$rt" run --rm -e FOO=bar --rootfs "$R" /bin/sh -c 'echo $FOO'
	expect_run "$rt: -e" 0 bar
	run_pm --runtime "$rt" run --rm -w /tmp --rootfs "$R" /bin/pwd
	expect_run "$rt: -w" 0 /tmp
	run_pm --runtime "$rt" run --rm --user 1000:1000 --rootfs "$R" /bin/sh -c 'id -u; id -g'
	expect_eq "$rt: --user" "0 1000 1000" "$RC $(echo $OUT)"
	run_pm --runtime "$rt" run --rm -v "$WORK/data:/data:ro" --rootfs "$R" /bin/sh -c 'cat /data/file; touch /data/x 2>/dev/null || echo ro'
	expect_eq "$rt: -v bind, read-only" "0 from-host ro" "$RC $(echo $OUT)"
	run_pm --runtime "$rt" run --rm --read-only --rootfs "$R" /bin/sh -c 'touch /x 2>/dev/null || echo ro'
	expect_run "$rt: --read-only" 0 ro
	run_pm --runtime "$rt" run --rm --tmpfs /scratch --rootfs "$R" /bin/sh -c 'touch /scratch/a && grep -c " /scratch tmpfs" /proc/mounts'
	expect_run "$rt: --tmpfs" 0 1
	run_pm --runtime "$rt" run --rm --cap-drop ALL --rootfs "$R" /bin/grep CapEff /proc/self/status
	expect_match "$rt: --cap-drop ALL" 'CapEff:[[:space:]]+0000000000000000$' "$OUT"
	run_pm --runtime "$rt" run --rm --cap-add NET_ADMIN --rootfs "$R" /bin/grep CapEff /proc/self/status
	# CAP_NET_ADMIN is capability 12.
	expect_eq "$rt: --cap-add NET_ADMIN" 4096 "$((0x${OUT##*[[:space:]]} & 0x1000))"
	run_pm --runtime "$rt" run --rm --security-opt seccomp="$WORK/deny-mkdir.json" --rootfs "$R" /bin/sh -c 'mkdir /tmp/d 2>/dev/null || echo refused'
	expect_run "$rt: --security-opt seccomp=FILE" 0 refused
	# Landlock from the annotation: sbx confines, runc ignores it.
	run_pm --runtime "$rt" run --rm --annotation 'org.sbx.landlock.fs=ro:/bin:/proc:/dev;rw:/tmp' \
		--rootfs "$R" /bin/sh -c 'cat /etc/passwd >/dev/null 2>&1 && echo etc-readable || echo etc-denied'
	if [ "$rt" = sbx ]; then
		expect_run "$rt: org.sbx.landlock.fs annotation confines" 0 etc-denied
	else
		expect_run "$rt: org.sbx.landlock.fs annotation is ignored" 0 etc-readable
	fi
	run_pm --runtime "$rt" run --rm --rootfs "$R" /bin/sh -c 'exit 7'
	expect_status "$rt: exit status passed through" 7
	run_pm --runtime "$rt" run --rm --rootfs "$R" /nonexistent
	expect_status "$rt: a missing program is 127" 127
	run_cmd script -qec "env HOME=$T/home XDG_RUNTIME_DIR=$T/run CONTAINERS_CONF=$T/containers.conf CONTAINERS_STORAGE_CONF=$T/storage.conf podman --cgroup-manager=cgroupfs --runtime $rt run --rm -t --rootfs $R /bin/sh -c 'tty; echo TTY-OK'" /dev/null
	expect_match "$rt: -t gives a terminal" '^/dev/pts/[0-9]+' "$OUT"
	run_pm --runtime "$rt" run -d --rootfs "$R" /bin/sleep 1000
	cid=$OUT
	expect_status "$rt: run -d" 0
	run_pm --runtime "$rt" exec "$cid" /bin/sh -c 'tr "\0" " " </proc/1/cmdline; exit 3'
	expect_eq "$rt: podman exec, its status" "3 /bin/sleep 1000" "$RC $(echo $OUT)"
	run_pm --runtime "$rt" stop -t 1 "$cid"
	expect_status "$rt: podman stop" 0
	run_pm --runtime "$rt" rm "$cid"
	expect_status "$rt: podman rm" 0
}

# The runtime first: "sbx-oci features" and a trivial run must work, else
# the matrix would only repeat one failure.
run_pm --runtime sbx run --rm --rootfs "$R" /bin/true
if [ "$RC" != 0 ]; then
	fail "podman runs a container with sbx" "status $RC: $ERR"
	done_testing
fi
matrix sbx
matrix runc

done_testing
