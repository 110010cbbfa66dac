#!/usr/bin/env bash
# bench/mounts.sh - the cost of building a file-system view: sbx next to
# bubblewrap with 0, 20 and 50 extra read-only binds of /usr sub-directories,
# and a tmp-overlay of /usr, all timed in ONE hyperfine run so the figures
# are comparable. Prints medians, the per-bind cost of each tool and the
# sbx/bwrap ratio of those (target: <= 0.5). See bench/README.md.
#
# Usage: bench/mounts.sh [--runs N | --quick] [--sbx PATH] [--user NAME]
# Exits 0 when the benchmark ran (whether or not the target was met).
set -euo pipefail

prog=${0##*/}
runs=200
sbx=${SBX:-}
user=${BENCH_USER:-sbxtest}
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:?}; shift 2 ;;
	--quick) runs=40; shift ;;
	--sbx) sbx=${2:?}; shift 2 ;;
	--user) user=${2:?}; shift 2 ;;
	-h | --help) sed -n '2,9p' "$0"; exit 0 ;;
	*) die "unknown argument: $1" ;;
	esac
done
case $runs in '' | *[!0-9]*) die "--runs: not a number: $runs" ;; esac
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -z "$sbx" ]; then
	for c in "$script_dir/../sbx" ./sbx; do [ -x "$c" ] && [ -f "$c" ] && sbx=$c && break; done
	[ -n "$sbx" ] || sbx=$(command -v sbx) || die "cannot find sbx: pass --sbx PATH"
fi
sbx=$(cd "$(dirname "$sbx")" && pwd)/$(basename "$sbx")

# As root: rerun as the unprivileged user, the case sbx is built for.
if [ "$(id -u)" -eq 0 ]; then
	[ -z "${SBX_BENCH_REEXEC:-}" ] || die "still root after switching user"
	stage=$(mktemp -d "${TMPDIR:-/tmp}/sbx-bench.XXXXXX")
	trap 'rm -rf -- "$stage"' EXIT
	chmod 755 "$stage"
	install -m 755 "$sbx" "$stage/sbx"
	install -m 755 "${BASH_SOURCE[0]}" "$stage/mounts.sh"
	home=$(getent passwd "$user" | cut -d: -f6)
	printf '%s: running as root; benchmarking as user %s\n' "$prog" "$user" >&2
	cd "$stage"
	runuser -u "$user" -- env HOME="$home" USER="$user" SBX_BENCH_REEXEC=1 \
		bash "$stage/mounts.sh" --runs "$runs" --sbx "$stage/sbx"
	exit
fi

for tool in hyperfine bwrap python3; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found in PATH"
done
bwrap=$(command -v bwrap)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sbx-bench.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

# Both tools get the same base view, so only the extra mounts differ between
# the rows of one tool; sbx's default view is close to this bwrap line.
bw=("$bwrap" --unshare-all --die-with-parent --ro-bind /usr /usr --ro-bind /etc /etc)
for d in /bin /sbin /lib /lib32 /lib64; do
	if [ -L "$d" ]; then bw+=(--symlink "$(readlink "$d")" "$d"); elif [ -d "$d" ]; then bw+=(--ro-bind "$d" "$d"); fi
done
bw+=(--proc /proc --dev /dev --tmpfs /tmp --tmpfs /var/tmp --tmpfs /run --tmpfs "$HOME")

# The extra binds: the first 50 readable sub-directories of /usr/share and
# /usr/lib (all below /usr, so they exist inside both sandboxes).
dirs=()
while IFS= read -r d; do
	case $d in *[!A-Za-z0-9_./+-]*) continue ;; esac
	[ -r "$d" ] && [ -x "$d" ] && dirs+=("$d")
	[ "${#dirs[@]}" -lt 50 ] || break
done < <(find /usr/share /usr/lib -mindepth 1 -maxdepth 1 -type d 2>/dev/null | LC_ALL=C sort)
[ "${#dirs[@]}" -eq 50 ] || die "found only ${#dirs[@]} directories under /usr, need 50"

cmds=() names=()
add() { names+=("$1"); shift; cmds+=("$*"); }
for n in 0 20 50; do
	sx="$sbx" bx="${bw[*]}"
	for d in "${dirs[@]:0:$n}"; do
		sx+=" --ro-bind $d:/mnt$d"
		bx+=" --ro-bind $d /mnt$d"
	done
	add "sbx +$n" "$sx -- true"
	add "bwrap +$n" "$bx true"
done
add "sbx tmp-overlay /usr" "$sbx --overlay-src /usr --tmp-overlay /usr -- true"
bw_overlay=no
if "$bwrap" --help 2>&1 | grep -q -- --tmp-overlay; then
	bw_overlay=yes
	add "bwrap tmp-overlay /usr" "${bw[*]} --overlay-src /usr --tmp-overlay /usr true"
fi

for c in "${cmds[@]}"; do
	# shellcheck disable=SC2086
	out=$($c 2>&1) || die "this command fails: $c
$out"
done

args=()
for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
hyperfine -N --warmup 10 --runs "$runs" --export-json "$tmp/r.json" "${args[@]}" >&2

python3 - "$tmp/r.json" "$bw_overlay" <<'EOF'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
med = {k: v["median"] * 1000 for k, v in res.items()}
print("| command | median ms | mean ± sd ms |\n|---|---|---|")
for k, v in res.items():
    print(f"| {k} | {med[k]:.2f} | {v['mean']*1000:.2f} ± {v['stddev']*1000:.2f} |")
print()
for n in (20, 50):
    s = (med[f"sbx +{n}"] - med["sbx +0"]) / n
    b = (med[f"bwrap +{n}"] - med["bwrap +0"]) / n
    r = s / b if b > 0 else float("nan")
    print(f"per-bind cost over {n} binds: sbx {s*1000:.1f} us, bwrap {b*1000:.1f} us, "
          f"ratio {r:.2f} (target <= 0.5: {'met' if r <= 0.5 else 'NOT met'})")
print(f"tmp-overlay of /usr: sbx +{med['sbx tmp-overlay /usr'] - med['sbx +0']:.2f} ms over its base")
if sys.argv[2] == "yes":
    print(f"tmp-overlay of /usr: bwrap +{med['bwrap tmp-overlay /usr'] - med['bwrap +0']:.2f} ms over its base")
else:
    print("tmp-overlay of /usr: this bwrap has no --tmp-overlay (added in 0.10); sbx alone")
EOF
