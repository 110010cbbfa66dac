# hardening-lib.sh - TAP helpers shared by the hardening tests (sourced)
#
# SBX (the binary under test) and TESTS_SRCDIR come from `make check`.
# Helper programs are built next to sbx, in tests/helpers/.

: "${SBX:?run through make check, or set SBX}"
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
HELPERS=$(cd "$(dirname "$SBX")" && pwd)/tests/helpers
t_n=0
t_failed=0

plan() { echo "1..$1"; }

ok() { # ok CONDITION-EXIT-STATUS DESCRIPTION
	t_n=$((t_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $t_n - $2"
	else
		echo "not ok $t_n - $2"
		t_failed=$((t_failed + 1))
	fi
}

is() { # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
	fi
}

skip_all() {
	if [ "${SBX_MUST_WORK:-0}" = 1 ]; then
		echo "Bail out! cannot run but SBX_MUST_WORK=1: $*"
		exit 1
	fi
	echo "1..0 # SKIP $*"
	exit 77
}

# The sandbox must start at all here (user namespaces enabled...).
require_sandbox() {
	"$SBX" -- true >/dev/null 2>&1 || skip_all "sbx cannot create a sandbox on this machine"
}

# Run sbx with the helpers directory visible at the same path inside.
sbx_h() { "$SBX" --ro-bind "$HELPERS" "$@"; }

done_testing() { [ "$t_failed" -eq 0 ]; }
