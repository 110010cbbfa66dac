#!/usr/bin/env bash
# bench/enter.sh - sbx enter against a fresh sbx and against nsenter(1).
#
# Starts one named sandbox in the background (sbx -d --name), then times, in
# one hyperfine run: `sbx enter NAME true` (a process forked inside by the
# sandbox's spawner, with its filter and Landlock domain), `sbx -- true` (a
# whole new sandbox) and `nsenter` into the same namespaces (the lower bound:
# joining from outside, which cannot give the filter nor the domain).
# Reports the medians and the ratio enter / fresh sbx (target <= 0.5), then the
# idle supervisor's CPU over a few seconds (target: none, no polling) and its
# RSS (target <= 2 MiB).
#
# Exits 0 when the benchmark ran, whether or not the targets were met.
set -euo pipefail

prog=${0##*/}
RUNS=200
IDLE_SECS=5
SBX=${SBX:-}
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--quick) RUNS=50; IDLE_SECS=2; shift ;;
	--sbx) SBX=$2; shift 2 ;;
	-h | --help)
		echo "Usage: $prog [--runs N | --quick] [--sbx PATH]"
		exit 0 ;;
	*) echo "$prog: unknown argument $1" >&2; exit 1 ;;
	esac
done
if [ -z "$SBX" ]; then
	here=$(cd "$(dirname "$0")/.." && pwd)
	SBX=$here/sbx
	[ -x "$SBX" ] || SBX=$(command -v sbx)
fi
for tool in hyperfine nsenter python3; do
	command -v "$tool" >/dev/null || { echo "$prog: $tool is not installed" >&2; exit 1; }
done

run=$(mktemp -d /tmp/sbx-bench-enter.XXXXXX)
json=$run/hyperfine.json
export XDG_RUNTIME_DIR=$run
name=bench-enter-$$
mark=$((800000000 + $$))
cleanup() {
	"$SBX" stop "$name" --time 0 >/dev/null 2>&1 || true
	rm -rf "$run"
}
trap cleanup EXIT

"$SBX" -d --name "$name" sleep "$mark" >/dev/null
sup=$(sed -n 's/^sbx_pid=//p' "$run/sbx/$name/state")
# The command (pid 1 is not dumpable: its /proc/PID/ns is root's).
cmd=
for f in /proc/[0-9]*/cmdline; do
	if [ "$({ tr "\0" " " <"$f"; } 2>/dev/null)" = "sleep $mark " ]; then
		cmd=${f#/proc/}
		cmd=${cmd%/cmdline}
	fi
done
[ -n "$cmd" ] || { echo "$prog: the sandbox's command was not found" >&2; exit 1; }

nsenter_cmd="nsenter -t $cmd -a --preserve-credentials true"
$nsenter_cmd || { echo "$prog: nsenter into the sandbox failed" >&2; exit 1; }

hyperfine -N --warmup 20 --runs "$RUNS" --export-json "$json" \
	-n "sbx enter" "$SBX enter $name true" \
	-n "sbx -- true" "$SBX -- true" \
	-n "nsenter" "$nsenter_cmd" >/dev/null

# The idle supervisor: CPU ticks over IDLE_SECS, resident memory.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
t0=$(ticks "$sup")
sleep "$IDLE_SECS"
t1=$(ticks "$sup")
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$sup/status")

python3 - "$json" "$((t1 - t0))" "$IDLE_SECS" "$rss" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
ms = lambda n: res[n]["median"] * 1000
for n in ("sbx enter", "sbx -- true", "nsenter"):
    r = res[n]
    print("%-12s median %7.2f ms   mean %7.2f ms ± %5.2f" % (n, ms(n), r["mean"] * 1000, r["stddev"] * 1000))
ratio = ms("sbx enter") / ms("sbx -- true")
print("enter / fresh sbx: %.2f (target <= 0.5: %s)" % (ratio, "met" if ratio <= 0.5 else "NOT met"))
print("enter / nsenter:   %.2f" % (ms("sbx enter") / ms("nsenter")))
ticks, secs, rss = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print("idle supervisor: %d CPU ticks in %d s (target 0: %s), RSS %d KiB (target <= 2048: %s)"
      % (ticks, secs, "met" if ticks == 0 else "NOT met", rss, "met" if rss <= 2048 else "NOT met"))
PY
