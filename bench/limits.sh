#!/usr/bin/env bash
# bench/limits.sh - what --memory and --pids cost at start-up.
#
# One hyperfine run: `sbx -- true` against `sbx --memory 512M --pids 1024 --
# true`. sbx -v names the mechanism that the second one used: on a host with
# delegated cgroup v2 (the target: <= +1 ms) that is the cgroup (made,
# written, removed at each start); on a cgroup v1 or hybrid host it is the
# rlimit fallback (two setrlimit() calls), which is all such a host can show.
# --delegated: the delegated path, as in a cgroup an administrator gave you:
# run inside `systemd-run --user --scope -p Delegate=yes bench/limits.sh
# --delegated`; each start then gets a fresh cgroup of its own under that
# scope (both commands, so the comparison is fair). Without it, from a login
# session, sbx takes the D-Bus scope path (a round trip to systemd).
#
# Usage: bench/limits.sh [--runs N] [--sbx PATH] [--delegated]
# Exits 0 when the benchmark ran, whether or not the target was met.
set -euo pipefail

runs=200
sbx=${SBX:-}
delegated=0
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--sbx) sbx=$2; shift 2 ;;
	--delegated) delegated=1; shift ;;
	-h | --help) sed -n '2,19p' "$0"; exit 0 ;;
	*) echo "bench/limits.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
here=$(cd "$(dirname "$0")" && pwd)
[ -n "$sbx" ] || sbx=$here/../sbx
[ -x "$sbx" ] || { echo "bench/limits.sh: no sbx at $sbx (use --sbx)" >&2; exit 1; }
# A pids limit cannot be enforced for root's sandbox without cgroup v2.
[ "$(id -u)" != 0 ] || echo "note: as root without cgroup v2, --pids is refused: run as a user" >&2

if [ "$delegated" = 1 ]; then
	# This shell moves into a leaf of the scope, so that the scope may hand
	# its controllers to a fresh cgroup per start (cgroup v2's "no internal
	# processes"); all is put back at the end.
	base=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
	mkdir "$base/bench" && echo $$ >"$base/bench/cgroup.procs" &&
		echo "+memory +pids" >"$base/cgroup.subtree_control" ||
		{ echo "bench/limits.sh: --delegated: $base is not a delegated cgroup of this shell alone" >&2; exit 1; }
	trap 'echo "-memory -pids" >"$base/cgroup.subtree_control"; for p in $(cat "$base/bench/cgroup.procs"); do echo "$p" >"$base/cgroup.procs" 2>/dev/null; done; rmdir "$base/bench"' EXIT
	python3 - "$runs" "$sbx" "$base" <<'PY'
import os, statistics, subprocess, sys, time
runs, sbx, base = int(sys.argv[1]), sys.argv[2], sys.argv[3]
cmds = {"plain": [sbx, "--", "true"], "limits": [sbx, "--memory", "512M", "--pids", "1024", "--", "true"]}
t = {k: [] for k in cmds}
def run(cmd, n, **kw):
    cg = "%s/run-%d" % (base, n)
    os.mkdir(cg)
    def enter():
        with open(cg + "/cgroup.procs", "w") as f:
            f.write("0")
    s = time.perf_counter()
    r = subprocess.run(cmd, check=True, preexec_fn=enter, **kw)
    d = time.perf_counter() - s
    # The first start also starts sbx's per-user id-map holder, which
    # stays in this cgroup: it moves to the bench's own one.
    with open(cg + "/cgroup.procs") as f:
        left = f.read().split()
    for pid in left:
        with open(base + "/bench/cgroup.procs", "w") as f:
            f.write(pid)
    os.rmdir(cg)
    return r if kw else d
mech = run([sbx, "-vvv"] + cmds["limits"][1:], 0, capture_output=True, text=True).stderr
n = 0
for i in range(runs + 5):
    for k, c in cmds.items():
        n += 1
        d = run(c, n)
        if i >= 5:
            t[k].append(d)
p, l = statistics.median(t["plain"]), statistics.median(t["limits"])
print("\n".join(x for x in mech.splitlines() if x.startswith("sbx: limits:") or " ms: " in x))
print("median of %d, each start in a fresh delegated cgroup: plain %.2f ms, --memory --pids %.2f ms: %+.2f ms (target <= +1 ms)"
      % (runs, p * 1e3, l * 1e3, (l - p) * 1e3))
PY
	exit 0
fi

limited=("$sbx" --memory 512M --pids 1024 -- true)
mech=$("$sbx" -v "${limited[@]:1}" 2>&1 >/dev/null | sed -n 's/^sbx: limits: .* via \([^:(]*[^:( ]\).*/\1/p')
echo "mechanism for --memory 512M --pids 1024: ${mech:-none (failed?)}"
if ! command -v hyperfine >/dev/null; then
	# No hyperfine (the VM of tests/vm/): the two commands in turn, medians.
	python3 - "$runs" "$mech" "$sbx" <<'PY'
import statistics, subprocess, sys, time
runs, mech, sbx = int(sys.argv[1]), sys.argv[2], sys.argv[3]
cmds = {"plain": [sbx, "--", "true"], "limits": [sbx, "--memory", "512M", "--pids", "1024", "--", "true"]}
t = {k: [] for k in cmds}
for i in range(runs + 5):
    for k, c in cmds.items():
        s = time.perf_counter()
        subprocess.run(c, check=True, stderr=subprocess.DEVNULL)
        if i >= 5:
            t[k].append(time.perf_counter() - s)
p, l = statistics.median(t["plain"]), statistics.median(t["limits"])
print("median of %d (no hyperfine): plain %.2f ms, --memory --pids %.2f ms: %+.2f ms (%s; target <= +1 ms on the delegated cgroup path)"
      % (runs, p * 1e3, l * 1e3, (l - p) * 1e3, mech or "?"))
PY
	exit 0
fi
json=$(mktemp)
trap 'rm -f "$json"' EXIT
hyperfine -N --warmup 20 --runs "$runs" --export-json "$json" \
	-n plain "$sbx -- true" -n limits "${limited[*]}" 2>/dev/null | grep -v '^$' || true
python3 - "$json" "$mech" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
p, l = r["plain"], r["limits"]
d = (l["median"] - p["median"]) * 1e3
print("median: plain %.2f ms, --memory --pids %.2f ms: %+.2f ms (%s; target <= +1 ms on the delegated cgroup path)"
      % (p["median"] * 1e3, l["median"] * 1e3, d, sys.argv[2] or "?"))
PY
