#!/usr/bin/env bash
# bench/startup.sh - start-up cost of sbx next to bubblewrap and unshare(1).
#
# Scenario A (defaults): `sbx -- true` (full subordinate id maps, written from
# the per-user holder's parent namespace; after the first start, in the
# holder's spare user and network namespaces), `sbx --userns single` (bwrap's id
# mapping), `sbx --net slirp`, `sbx --no-userns-holder` (newuidmap/newgidmap at
# each start, as before the holder), the equivalent bwrap command line and
# `unshare -Ur true` (lower bound for creating a user namespace), timed in one
# hyperfine run.  Scenario B: the same sbx and bwrap commands plus 50 extra
# read-only binds of existing host directories, timed in a second run.
# Prints medians, mean ± stddev, the sbx/bwrap and sbx/unshare ratios and the
# cost of one extra bind, next to the targets.  See bench/README.md.
#
# Exits 0 when the benchmark ran, whether or not the targets were met; non-zero
# only when something could not be run.

set -euo pipefail

prog=${0##*/}
NBINDS=50
WARMUP=20

usage() {
	cat <<EOF
Usage: $prog [--runs N | --quick] [--sbx PATH] [--user NAME] [--out DIR]

  --runs N     timed runs per command (default: 300)
  --quick      same as --runs 50
  --sbx PATH   the sbx binary (default: \$SBX, else ../sbx next to this script's
               directory or ./sbx in a build directory, else \`command -v sbx\`)
  --user NAME  when run as root, run the benchmark as this unprivileged user
               (default: \$BENCH_USER, else sbxtest)
  --out DIR    also keep hyperfine's JSON exports in DIR
  -h, --help   show this help
EOF
}

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

runs=300
sbx=${SBX:-}
sbx_opt=
user=${BENCH_USER:-sbxtest}
out=

while [ $# -gt 0 ]; do
	case $1 in
	--runs)
		[ $# -ge 2 ] || die "--runs needs a number"
		runs=$2
		shift 2
		;;
	--runs=*) runs=${1#*=}; shift ;;
	--quick) runs=50; shift ;;
	--sbx)
		[ $# -ge 2 ] || die "--sbx needs a path"
		sbx_opt=$2
		shift 2
		;;
	--sbx=*) sbx_opt=${1#*=}; shift ;;
	--user)
		[ $# -ge 2 ] || die "--user needs a name"
		user=$2
		shift 2
		;;
	--user=*) user=${1#*=}; shift ;;
	--out)
		[ $# -ge 2 ] || die "--out needs a directory"
		out=$2
		shift 2
		;;
	--out=*) out=${1#*=}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done

case $runs in
'' | *[!0-9]*) die "--runs: not a number: $runs" ;;
esac
[ "$runs" -ge 2 ] || die "--runs: need at least 2"

# Locate sbx: --sbx, $SBX, ../sbx relative to this script (bench/ inside a build
# tree), ./sbx when run from a build directory, then $PATH.
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -n "$sbx_opt" ]; then
	sbx=$sbx_opt
elif [ -z "$sbx" ]; then
	if [ -x "$script_dir/../sbx" ] && [ -f "$script_dir/../sbx" ]; then
		sbx=$script_dir/../sbx
	elif [ -x ./sbx ] && [ -f ./sbx ]; then
		sbx=./sbx
	else
		sbx=$(command -v sbx) || die "cannot find sbx: pass --sbx PATH or set SBX"
	fi
fi
[ -f "$sbx" ] && [ -x "$sbx" ] || die "not an executable file: $sbx"
sbx=$(cd "$(dirname "$sbx")" && pwd)/$(basename "$sbx")

# ---------------------------------------------------------------------------
# As root: stage the script and the binary where the user can read them, and
# run the benchmark again as that user.

if [ "$(id -u)" -eq 0 ]; then
	[ -z "${SBX_BENCH_REEXEC:-}" ] || die "still root after switching user"
	id -u "$user" >/dev/null 2>&1 ||
		die "no such user '$user' (running as root: pass --user NAME or set BENCH_USER)"
	[ "$(id -u "$user")" -ne 0 ] || die "--user $user: must be an unprivileged user"
	home=$(getent passwd "$user" | cut -d: -f6)
	[ -n "$home" ] || die "--user $user: no home directory in the passwd database"

	stage=$(mktemp -d "${TMPDIR:-/tmp}/sbx-bench.XXXXXX")
	trap 'rm -rf -- "$stage"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	chmod 755 "$stage"
	install -m 755 "$sbx" "$stage/sbx"
	install -m 755 "${BASH_SOURCE[0]}" "$stage/startup.sh"
	child_args=(--runs "$runs" --sbx "$stage/sbx")
	if [ -n "$out" ]; then
		install -d -m 755 -o "$user" "$stage/out"
		child_args+=(--out "$stage/out")
	fi

	printf '%s: running as root; benchmarking as user %s\n' "$prog" "$user" >&2
	cd "$stage"
	rc=0
	if command -v runuser >/dev/null 2>&1; then
		runuser -u "$user" -- env HOME="$home" USER="$user" LOGNAME="$user" \
			SBX_BENCH_REEXEC=1 bash "$stage/startup.sh" "${child_args[@]}" || rc=$?
	elif command -v su >/dev/null 2>&1; then
		cmd=$(printf '%q ' env HOME="$home" USER="$user" LOGNAME="$user" \
			SBX_BENCH_REEXEC=1 bash "$stage/startup.sh" "${child_args[@]}")
		su -s /bin/sh "$user" -c "$cmd" || rc=$?
	else
		die "need runuser or su to drop to user $user"
	fi
	if [ -n "$out" ] && [ "$rc" -eq 0 ]; then
		mkdir -p -- "$out"
		cp -- "$stage"/out/*.json "$out"/
	fi
	exit "$rc"
fi

# ---------------------------------------------------------------------------
# Unprivileged from here on.

for tool in hyperfine bwrap unshare python3; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found in PATH"
done
bwrap_bin=$(command -v bwrap)
unshare_bin=$(command -v unshare)
[ -n "${HOME:-}" ] || die "HOME is not set"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sbx-bench.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A runtime directory of this run's own, so that sbx's per-user id-map holder
# is the one this sbx starts, not one an older build left running (the
# holder's code decides when the next spare is made). It idles out after the
# run; its socket goes with the directory.
mkdir -m 700 "$tmp/run"
export XDG_RUNTIME_DIR=$tmp/run

# hyperfine -N splits each command line into words itself; keep every word free
# of characters that would need quoting.
plain_word() {
	case $1 in
	'' | *[!A-Za-z0-9_./:+@%=,-]*) return 1 ;;
	esac
}
for w in "$sbx" "$bwrap_bin" "$unshare_bin" "$HOME"; do
	plain_word "$w" || die "path needs shell quoting, not supported: '$w'"
done

# The bubblewrap equivalent of sbx's default view, built from this host.
bw_base=("$bwrap_bin" --unshare-all --die-with-parent --ro-bind /usr /usr --ro-bind /etc /etc)
[ -d /opt ] && bw_base+=(--ro-bind /opt /opt)
for d in /bin /sbin /lib /lib32 /lib64 /libx32; do
	if [ -L "$d" ]; then
		target=$(readlink "$d")
		plain_word "$target" || die "symlink target needs quoting: $d -> '$target'"
		bw_base+=(--symlink "$target" "$d")
	elif [ -d "$d" ]; then
		bw_base+=(--ro-bind "$d" "$d")
	fi
done
bw_base+=(--proc /proc --dev /dev --tmpfs /tmp --tmpfs /var/tmp --tmpfs /run
	--tmpfs "$HOME" --hostname sbx)

# The extra binds: the first $NBINDS real sub-directories of /usr/share that
# this user can read, each bound at its own path.
bind_dirs=()
while IFS= read -r d; do
	plain_word "$d" || continue
	[ -r "$d" ] && [ -x "$d" ] || continue
	bind_dirs+=("$d")
	[ "${#bind_dirs[@]}" -lt "$NBINDS" ] || break
done < <(find /usr/share -mindepth 1 -maxdepth 1 -type d 2>/dev/null | LC_ALL=C sort)
[ "${#bind_dirs[@]}" -eq "$NBINDS" ] ||
	die "found only ${#bind_dirs[@]} usable directories under /usr/share, need $NBINDS"

sbx_binds=()
bw_binds=()
for d in "${bind_dirs[@]}"; do
	sbx_binds+=(--ro-bind "$d")
	bw_binds+=(--ro-bind "$d" "$d")
done

cmd_sbx_a=("$sbx" -- true)
# bwrap maps only the caller's own id; this is sbx with the same mapping,
# without the newuidmap/newgidmap helpers its default needs.
cmd_single_a=("$sbx" --userns single -- true)
cmd_slirp_a=("$sbx" --net slirp -- true)
cmd_nohold_a=("$sbx" --no-userns-holder -- true)
cmd_bw_a=("${bw_base[@]}" true)
cmd_un_a=("$unshare_bin" -Ur true)
cmd_sbx_b=("$sbx" "${sbx_binds[@]}" -- true)
cmd_bw_b=("${bw_base[@]}" "${bw_binds[@]}" true)

# Every command must work once before it is timed.
check() {
	local name=$1 rc=0
	shift
	"$@" >"$tmp/check.out" 2>&1 </dev/null || rc=$?
	if [ "$rc" -ne 0 ]; then
		{
			printf '%s: %s does not run (exit status %s) as %s:\n' "$prog" "$name" "$rc" "$(id -un)"
			printf '  %s\n' "$*"
			sed 's/^/  | /' "$tmp/check.out"
		} >&2
		exit 1
	fi
}
check "sbx" "${cmd_sbx_a[@]}"
check "sbx --userns single" "${cmd_single_a[@]}"
check "sbx --net slirp" "${cmd_slirp_a[@]}"
check "sbx --no-userns-holder" "${cmd_nohold_a[@]}"
check "bwrap" "${cmd_bw_a[@]}"
check "unshare -Ur" "${cmd_un_a[@]}"
check "sbx with $NBINDS binds" "${cmd_sbx_b[@]}"
check "bwrap with $NBINDS binds" "${cmd_bw_b[@]}"

name_sbx_a="sbx -- true"
name_single_a="sbx --userns single -- true"
name_slirp_a="sbx --net slirp -- true"
name_nohold_a="sbx --no-userns-holder -- true"
name_bw_a="bwrap (same view) true"
name_un_a="unshare -Ur true"
name_sbx_b="sbx +$NBINDS --ro-bind -- true"
name_bw_b="bwrap (same view) +$NBINDS --ro-bind true"

echo "# sbx start-up benchmark"
echo
echo "- host: $(uname -srm), $(nproc) CPU(s); user $(id -un)"
echo "- sbx: $sbx ($("$sbx" --version 2>/dev/null | head -n1 || echo '?'))"
echo "- $("$bwrap_bin" --version 2>/dev/null | head -n1 || echo 'bwrap ?'); $(hyperfine --version)"
echo "- hyperfine -N --warmup $WARMUP --runs $runs"
echo "- bwrap command line (defaults):"
echo "  \`${cmd_bw_a[*]}\`"
echo "- extra binds: ${bind_dirs[0]} .. ${bind_dirs[$((NBINDS - 1))]} ($NBINDS directories)"
echo

hf=(hyperfine -N --warmup "$WARMUP" --runs "$runs")

echo "## Scenario A: defaults" >&2
"${hf[@]}" --export-json "$tmp/startup-defaults.json" \
	-n "$name_sbx_a" "${cmd_sbx_a[*]}" \
	-n "$name_single_a" "${cmd_single_a[*]}" \
	-n "$name_slirp_a" "${cmd_slirp_a[*]}" \
	-n "$name_nohold_a" "${cmd_nohold_a[*]}" \
	-n "$name_bw_a" "${cmd_bw_a[*]}" \
	-n "$name_un_a" "${cmd_un_a[*]}" >&2 ||
	die "hyperfine failed on scenario A"

echo "## Scenario B: $NBINDS extra read-only binds" >&2
"${hf[@]}" --export-json "$tmp/startup-binds.json" \
	-n "$name_sbx_b" "${cmd_sbx_b[*]}" \
	-n "$name_bw_b" "${cmd_bw_b[*]}" >&2 ||
	die "hyperfine failed on scenario B"

python3 - "$tmp/startup-defaults.json" "$tmp/startup-binds.json" "$NBINDS" \
	"$name_sbx_a" "$name_bw_a" "$name_un_a" "$name_sbx_b" "$name_bw_b" "$name_single_a" \
	"$name_slirp_a" "$name_nohold_a" <<'EOF'
import json
import statistics
import sys

path_a, path_b, nbinds = sys.argv[1], sys.argv[2], int(sys.argv[3])
n_sbx_a, n_bw_a, n_un_a, n_sbx_b, n_bw_b, n_single_a, n_slirp_a, n_nohold_a = sys.argv[4:12]


def load(path):
    with open(path) as f:
        data = json.load(f)
    res = {}
    for r in data["results"]:
        times = r["times"]
        res[r["command"]] = {
            "median": statistics.median(times),
            "mean": statistics.fmean(times),
            "stddev": statistics.stdev(times) if len(times) > 1 else 0.0,
            "runs": len(times),
            "q": statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3,
        }
    return res


a = load(path_a)
b = load(path_b)
print("| scenario | command | median ms | q1–q3 ms | mean ± σ ms | runs |")
print("|---|---|---:|---:|---:|---:|")
for scen, res in (("A defaults", a), (f"B +{nbinds} binds", b)):
    for name, r in res.items():
        print(f"| {scen} | `{name}` | {r['median'] * 1e3:.3f} | "
              f"{r['q'][0] * 1e3:.3f}–{r['q'][2] * 1e3:.3f} | "
              f"{r['mean'] * 1e3:.3f} ± {r['stddev'] * 1e3:.3f} | {r['runs']} |")


def ratio(x, y):
    return x / y if y > 0 else float("nan")


def verdict(ok):
    return "met" if ok else "MISSED"


r_bw = ratio(a[n_sbx_a]["median"], a[n_bw_a]["median"])
r_un = ratio(a[n_sbx_a]["median"], a[n_un_a]["median"])
bind_sbx = (b[n_sbx_b]["median"] - a[n_sbx_a]["median"]) / nbinds * 1e6
bind_bw = (b[n_bw_b]["median"] - a[n_bw_a]["median"]) / nbinds * 1e6
if bind_bw > 0:
    bind_ratio = f"{bind_sbx / bind_bw:.2f}"
else:
    bind_ratio = "n/a (bwrap per-bind cost <= 0)"

print()
print("| metric | value | target | result |")
print("|---|---:|---|---|")
print(f"| sbx/bwrap median (defaults, subuid maps on) | {r_bw:.2f} | <= 0.80 | "
      f"{verdict(r_bw <= 0.80)} |")
for label, name in (("sbx --userns single", n_single_a), ("sbx --net slirp", n_slirp_a),
                    ("sbx --no-userns-holder", n_nohold_a)):
    m = a[name]["median"]
    print(f"| {label}: /bwrap, /unshare median | {ratio(m, a[n_bw_a]['median']):.2f}, "
          f"{ratio(m, a[n_un_a]['median']):.2f} | (info) | |")
print(f"| sbx/unshare median | {r_un:.2f} | (lower bound, info) | |")
print(f"| per-bind cost sbx = (median_B - median_A)/{nbinds} | {bind_sbx:.1f} µs "
      f"| < bwrap's | {verdict(bind_sbx < bind_bw)} |")
print(f"| per-bind cost bwrap | {bind_bw:.1f} µs | | |")
print(f"| per-bind ratio sbx/bwrap | {bind_ratio} | < 1 | |")
if bind_sbx < 0 or bind_bw < 0:
    print()
    print("Note: a negative per-bind cost means the difference between the two runs is "
          "below the run-to-run noise; use more --runs or a quieter machine.")
EOF

if [ -n "$out" ]; then
	mkdir -p -- "$out"
	cp -- "$tmp/startup-defaults.json" "$tmp/startup-binds.json" "$out"/
fi
