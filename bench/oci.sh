#!/usr/bin/env bash
# bench/oci.sh - sbx as an OCI runtime next to runc (and crun where it runs).
#
# Scenario A: `podman run --rm --rootfs DIR true` with --runtime sbx, runc
# and crun (crun refuses hybrid cgroups: it is left out where its trial run
# fails), rootless, cgroups disabled, in one hyperfine run.
# Scenario B: `sbx oci run` against `runc run` on one bundle (a static
# busybox root, a new user namespace mapping the caller), in one hyperfine run.
# Prints mean ± stddev and the sbx/runc ratios next to the target (<= 1.0x).
# Everything (podman's storage, the bundle, the runtimes' state) lives in a
# temporary directory, removed at the end.
#
# Usage: bench/oci.sh [--runs N] [--sbx PATH]   (run it as the unprivileged user)
# Exits 0 when the benchmark ran, whether or not the target was met.

set -euo pipefail

prog=${0##*/}
RUNS=30
SBX=${SBX:-}
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--sbx) SBX=$2; shift 2 ;;
	-h | --help) sed -n '2,14p' "$0"; exit 0 ;;
	*) echo "$prog: unknown option $1" >&2; exit 2 ;;
	esac
done
[ -n "$SBX" ] || SBX=$(cd "$(dirname "$0")/.." && pwd)/sbx
SBX=$(cd "$(dirname "$SBX")" && pwd)/$(basename "$SBX")
for p in hyperfine podman runc busybox python3; do
	command -v $p >/dev/null || { echo "$prog: $p is not installed" >&2; exit 1; }
done
[ "$(id -u)" != 0 ] || { echo "$prog: run as an unprivileged user (podman rootless)" >&2; exit 1; }

T=$(mktemp -d /tmp/sbx-bench-oci.XXXXXX)
pm_env=(env HOME="$T/home" XDG_RUNTIME_DIR="$T/run" CONTAINERS_CONF="$T/containers.conf"
	CONTAINERS_STORAGE_CONF="$T/storage.conf")
cleanup() {
	"${pm_env[@]}" podman unshare rm -rf "$T/graph" "$T/runroot" 2>/dev/null || true
	kill "$(cat "$T/run/libpod/tmp/pause.pid" 2>/dev/null)" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

R=$T/bundle/rootfs
mkdir -p "$T/home" "$T/run" "$T/bin" "$R/bin" "$R/etc" "$R/tmp" "$R/proc" "$R/dev" "$R/sys"
chmod 700 "$T/run"
cp "$(command -v busybox)" "$R/bin/busybox"
ln -s busybox "$R/bin/true"
ln -s busybox "$R/bin/sh"
echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
ln -s "$SBX" "$T/bin/sbx-oci"
for rt in runc crun; do
	# podman passes --cgroup-manager disabled, which runc does not take.
	printf '#!/bin/sh\nfor a; do shift; case $a in --cgroup-manager) skip=1 ;; *) [ -n "$skip" ] && skip= || set -- "$@" "$a" ;; esac; done\nexec %s "$@"\n' \
		"$(command -v $rt || echo /bin/false)" >"$T/bin/$rt"
	chmod 755 "$T/bin/$rt"
done
cat >"$T/containers.conf" <<EOF
[containers]
cgroups = "disabled"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime_supports_nocgroup = ["sbx", "runc", "crun"]
[engine.runtimes]
sbx = ["$T/bin/sbx-oci"]
runc = ["$T/bin/runc"]
crun = ["$T/bin/crun"]
EOF
printf '[storage]\ndriver = "vfs"\ngraphroot = "%s/graph"\nrunroot = "%s/runroot"\n' "$T" "$T" >"$T/storage.conf"

podman_cmd() { echo "${pm_env[*]} podman --cgroup-manager=cgroupfs --runtime $1 run --rm --rootfs $R true"; }
cmds=() names=()
for rt in sbx runc crun; do
	if sh -c "$(podman_cmd $rt)" >/dev/null 2>&1; then
		cmds+=("$(podman_cmd $rt)")
		names+=(-n "podman $rt")
	else
		echo "# podman --runtime $rt does not run here: left out"
	fi
done

# Scenario B's bundle: runc's rootless spec, the caller mapped to root.
(cd "$T/bundle" && runc spec --rootless)
python3 - "$T/bundle/config.json" "$(id -u)" "$(id -g)" <<'PY'
import json, sys
p, uid, gid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = json.load(open(p))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
c["process"]["capabilities"]["ambient"] = []
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": uid, "size": 1}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": gid, "size": 1}]
json.dump(c, open(p, "w"))
PY

echo "== A: podman run --rm --rootfs DIR true ($RUNS runs)"
hyperfine -N -w 3 -r "$RUNS" "${names[@]}" "${cmds[@]}" --export-json "$T/a.json" >/dev/null
echo "== B: OCI run of one bundle ($RUNS runs)"
hyperfine -N -w 5 -r "$RUNS" -n "sbx oci run" -n "runc run" \
	"sh -c 'cd $T/bundle && $SBX oci --root $T/sbx-state run b1'" \
	"sh -c 'cd $T/bundle && runc --root $T/runc-state run b1'" --export-json "$T/b.json" >/dev/null

python3 - "$T/a.json" "$T/b.json" <<'PY'
import json, sys
for path, base, ours in ((sys.argv[1], "podman runc", "podman sbx"), (sys.argv[2], "runc run", "sbx oci run")):
    res = {r["command"]: r for r in json.load(open(path))["results"]}
    for name, r in res.items():
        print(f"{name:14s} {r['mean']*1000:8.1f} ms ± {r['stddev']*1000:5.1f}  (median {r['median']*1000:.1f})")
    if base in res and ours in res:
        ratio = res[ours]["mean"] / res[base]["mean"]
        print(f"{ours} / {base}: {ratio:.2f}x  (target <= 1.0x: {'met' if ratio <= 1.0 else 'NOT met'})")
PY
