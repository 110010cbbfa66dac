#!/usr/bin/env bash
# bench/limits.sh - what --memory and --pids cost at start-up.
#
# One hyperfine run: `sbx -- true` against `sbx --memory 512M --pids 1024 --
# true`. sbx -v names the mechanism that the second one used: on a host with
# delegated cgroup v2 (the target: <= +1 ms) that is the cgroup (made,
# written, removed at each start); on a cgroup v1 or hybrid host it is the
# rlimit fallback (two setrlimit() calls), which is all such a host can show.
# Run it inside `systemd-run --user --scope -p Delegate=yes` to time the
# delegated path, from a login session for the D-Bus scope path.
#
# Usage: bench/limits.sh [--runs N] [--sbx PATH]
# Exits 0 when the benchmark ran, whether or not the target was met.
set -euo pipefail

runs=200
sbx=${SBX:-}
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--sbx) sbx=$2; shift 2 ;;
	-h | --help) sed -n '2,13p' "$0"; exit 0 ;;
	*) echo "bench/limits.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
here=$(cd "$(dirname "$0")" && pwd)
[ -n "$sbx" ] || sbx=$here/../sbx
[ -x "$sbx" ] || { echo "bench/limits.sh: no sbx at $sbx (use --sbx)" >&2; exit 1; }
# A pids limit cannot be enforced for root's sandbox without cgroup v2.
[ "$(id -u)" != 0 ] || echo "note: as root without cgroup v2, --pids is refused: run as a user" >&2

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
