#!/usr/bin/env bash
# bench/bwrap-compat.sh - the same bwrap command lines run by Debian's bwrap
# and by sbx as bwrap (a link named bwrap to sbx), in one hyperfine run.
#
# Two command lines: bench/startup.sh's (the bwrap equivalent of sbx's
# default view, --unshare-all) and a Flatpak-like one (--args FD with the
# options, the runtime at /usr, --file/--ro-bind-data/--lock-file, a seccomp
# program, --info-fd, --die-with-parent). Prints the medians and the
# sbx/bwrap ratio next to the target (<= 0.80). Run it as an unprivileged
# user (bwrap's normal case); as root it re-runs itself as $BENCH_USER.
#
#   bench/bwrap-compat.sh [--runs N] [--sbx PATH]
set -euo pipefail

runs=200
sbx=${SBX:-$(cd "$(dirname "$0")/.." && pwd)/sbx}
user=${BENCH_USER:-sbxci}
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--sbx) sbx=$2; shift 2 ;;
	*) echo "usage: $0 [--runs N] [--sbx PATH]" >&2; exit 2 ;;
	esac
done
for t in hyperfine bwrap /usr/bin/python3; do
	command -v "$t" >/dev/null || { echo "$0: $t is needed" >&2; exit 1; }
done
if [ "$(id -u)" = 0 ]; then
	exec runuser -u "$user" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="/home/$user" \
		USER="$user" LANG=C.UTF-8 bash "$(cd "$(dirname "$0")" && pwd)/$(basename "$0")" \
		--runs "$runs" --sbx "$sbx"
fi

work=$(mktemp -d /tmp/bwrap-compat.XXXXXX)
trap 'rm -rf "$work"' EXIT
ln -s "$sbx" "$work/bwrap"
sbxbw=$work/bwrap
bw=$(command -v bwrap)

# startup.sh's line: sbx's default view, spelled in bwrap options.
common="--unshare-all --die-with-parent --ro-bind /usr /usr --ro-bind /etc /etc"
for d in /bin /sbin /lib /lib32 /lib64 /libx32; do
	if [ -L "$d" ]; then common+=" --symlink $(readlink "$d") $d"
	elif [ -d "$d" ]; then common+=" --ro-bind $d $d"; fi
done
common+=" --proc /proc --dev /dev --tmpfs /tmp --tmpfs /var/tmp --tmpfs /run --tmpfs $HOME --hostname sbx"

# The Flatpak-like line: options through --args, data through fds.
/usr/bin/python3 - "$work" <<'PY'
import os, sys, seccomp, errno
work = sys.argv[1]
f = seccomp.SyscallFilter(seccomp.ALLOW)
for s in ("syslog", "uselib", "acct", "quotactl", "add_key", "keyctl", "request_key",
          "move_pages", "mbind", "get_mempolicy", "set_mempolicy", "migrate_pages",
          "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "clone3"):
    f.add_rule(seccomp.ERRNO(errno.EPERM), s)
with open(os.path.join(work, "seccomp.bpf"), "wb") as out:
    f.export_bpf(out)
uid = os.getuid()
args = ["--unshare-pid", "--unshare-ipc", "--die-with-parent", "--dev", "/dev", "--proc", "/proc",
        "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
        "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin", "--dir", "/tmp",
        "--dir", "/var/tmp", "--dir", f"/run/user/{uid}", "--ro-bind", "/etc", "/run/host/etc",
        "--setenv", "XDG_RUNTIME_DIR", f"/run/user/{uid}", "--setenv", "container", "flatpak",
        "--chdir", "/", "--file", "11", "/etc/passwd", "--file", "12", "/etc/group",
        "--ro-bind-data", "13", "/.flatpak-info", "--lock-file", "/.flatpak-info",
        "--seccomp", "14", "--info-fd", "15", "--symlink", "../run/host/etc/hosts", "/etc/hosts"]
with open(os.path.join(work, "args"), "wb") as out:
    out.write(b"".join(a.encode() + b"\0" for a in args))
with open(os.path.join(work, "info"), "w") as out:
    out.write("[Application]\nname=org.example.Bench\n")
PY
redirs="10<$work/args 11</etc/passwd 12</etc/group 13<$work/info 14<$work/seccomp.bpf 15>/dev/null"

check() { "$@" >/dev/null 2>&1 || { echo "$0: does not run: $*" >&2; exit 1; }; }
check bash -c "$bw $common true"
check bash -c "$sbxbw $common true"
check bash -c "$bw --args 10 true $redirs"
check bash -c "$sbxbw --args 10 true $redirs"

hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/out.json" \
	-n "bwrap startup.sh line" "$bw $common true" \
	-n "sbx-as-bwrap startup.sh line" "$sbxbw $common true" >/dev/null
hyperfine --shell bash --warmup 20 --runs "$runs" --export-json "$work/out2.json" \
	-n "bwrap flatpak-like line" "$bw --args 10 true $redirs" \
	-n "sbx-as-bwrap flatpak-like line" "$sbxbw --args 10 true $redirs" >/dev/null
/usr/bin/python3 - "$work/out.json" "$work/out2.json" <<'PY'
import json, sys
print("| command line | bwrap median | sbx median | sbx/bwrap | target <= 0.80 |")
print("|---|---|---|---|---|")
for path in sys.argv[1:]:
    r = json.load(open(path))["results"]
    b, s = r[0]["median"] * 1e3, r[1]["median"] * 1e3
    name = r[0]["command"].replace("bwrap ", "")
    print(f"| {name} | {b:.2f} ms | {s:.2f} ms | {s / b:.2f} | {'met' if s / b <= 0.8 else 'NOT met'} |")
PY
