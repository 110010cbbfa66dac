#!/usr/bin/env bash
# run-bubblewrap-tests.sh - bubblewrap's own test suite against sbx's bwrap
#
# The tests are not part of sbx: they come from Debian's bubblewrap source
# package, fetched here with `apt-get source` (as root; a deb-src entry for
# bookworm is added under /etc/apt/sources.list.d/ when none is there) into
# a cache directory, then run with BWRAP pointing at sbx's bwrap:
# tests/test-run.sh, test-specifying-userns.sh, test-specifying-pidns.sh and
# test-seccomp.py, as the calling user. Prints one TAP stream (the scripts'
# own results, numbered anew) and exits 0 when none failed.
#
#   tests/bwrap/run-bubblewrap-tests.sh [--fetch-only]
#   BWRAP=/usr/bin/bwrap tests/bwrap/run-bubblewrap-tests.sh   # the reference
#
# SBX_BWRAP_TESTS_DIR: the cache (default /var/cache/sbx/bubblewrap-tests);
# an unprivileged caller needs it fetched already (by root), else it skips.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${SBX_BWRAP_TESTS_DIR:-/var/cache/sbx/bubblewrap-tests}
sources_file=/etc/apt/sources.list.d/sbx-bwrap-src.sources

skip_all() { echo "1..0 # SKIP $*"; exit 77; }

have_source() { ls -d "$cache"/bubblewrap-*/tests/test-run.sh >/dev/null 2>&1; }

add_deb_src() {
	grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && return 0
	grep -qs '^deb-src ' /etc/apt/sources.list && return 0
	cat >"$sources_file" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	apt-get update -qq
}

fetch() {
	have_source && return 0
	[ "$(id -u)" = 0 ] || return 1
	mkdir -p "$cache" && chmod 755 "$cache" || return 1
	(cd "$cache" && apt-get source -qq bubblewrap >/dev/null 2>&1) ||
		{ add_deb_src && (cd "$cache" && apt-get source -qq bubblewrap >/dev/null 2>&1); } ||
		return 1
	local t
	t=$(ls -d "$cache"/bubblewrap-*/tests | head -1)
	cc -o "$t/try-syscall" "$t/try-syscall.c" || return 1
	chmod -R a+rX "$cache"
}

fetch || skip_all "bubblewrap's source is not in $cache (run this as root once to fetch it)"
[ "${1:-}" = --fetch-only ] && exit 0
tests=$(ls -d "$cache"/bubblewrap-*/tests | head -1)

if [ -z "${BWRAP:-}" ]; then
	[ -x "$top/sbx" ] || skip_all "no sbx built in $top"
	link_dir=$(mktemp -d /tmp/sbx-bwrap-link.XXXXXX)
	chmod 755 "$link_dir"
	trap 'rm -rf "$link_dir"' EXIT
	ln -s "$top/sbx" "$link_dir/bwrap"
	BWRAP=$link_dir/bwrap
fi
export BWRAP BWRAP_MUST_WORK=1

# python3-seccomp and python3-tap are Debian's: not a virtualenv's python3.
python=/usr/bin/python3
n=0 failed=0
for script in test-run.sh test-specifying-userns.sh test-specifying-pidns.sh test-seccomp.py; do
	echo "# $script (BWRAP=$BWRAP, uid $(id -u))"
	log=$(mktemp /tmp/sbx-bwrap-test.XXXXXX)
	# bubblewrap's scripts wait without a bound for a sandbox's file
	# (test-specifying-userns.sh): a sandbox that failed must not hang CI.
	case $script in
	*.py) (cd "$tests" && timeout -k 10 900 $python "./$script") >"$log" 2>"$log.err" ;;
	*) (cd "$tests" && timeout -k 10 900 bash "./$script") >"$log" 2>"$log.err" ;;
	esac
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok "* | "not ok "*)
			n=$((n + 1))
			status=${line%% *}
			[ "$status" = not ] && { status="not ok"; failed=$((failed + 1)); }
			rest=${line#"$status"}
			rest=$(printf '%s' "$rest" | sed -E 's/^ *[0-9]+//; s/^ *-? *//')
			echo "$status $n - $script: $rest"
			;;
		"1..0"*) n=$((n + 1)); echo "ok $n - $script # SKIP ${line#*SKIP}" ;;
		esac
	done <"$log"
	if [ "$rc" != 0 ]; then
		n=$((n + 1)) failed=$((failed + 1))
		echo "not ok $n - $script exited with status $rc; its last lines:"
		tail -n 15 "$log.err" | sed 's/^/#   /'
	fi
	rm -f "$log" "$log.err"
done
echo "1..$n"
[ "$failed" = 0 ]
