#!/usr/bin/env bash
# apparmor-profile.sh - etc/apparmor.d/sbx: apparmor_parser -Q -K (parse and
# compile, load nothing, no cache) accepts it; it is unconfined, attaches to
# the installed sbx and grants `userns,`. AppArmor 3 (Debian 12's parser)
# predates the userns rule: there the rest of the profile is checked, and the
# test says so.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
PROFILE=$(dirname "$SBX")/etc/apparmor.d/sbx
# (In /usr/sbin: not in a user's PATH.)
PATH=$PATH:/usr/sbin:/sbin
if ! command -v apparmor_parser >/dev/null 2>&1; then
	[ "${SBX_MUST_WORK:-}" = 1 ] && { fail "apparmor_parser is missing (Debian: apparmor)"; done_testing; }
	echo "1..0 # SKIP no apparmor_parser (Debian package apparmor)"
	exit 77
fi
[ -f "$PROFILE" ] || { fail "no built profile at $PROFILE"; done_testing; }

expect_match "the profile attaches to the installed sbx, unconfined" \
	'^profile sbx /[^ ]*/bin/sbx flags=\(unconfined\) \{$' "$(cat "$PROFILE")"
expect_eq "its only rule is userns" "userns," "$(sed -n 's/^ *\(userns,\)$/\1/p' "$PROFILE")"
expect_eq "it grants nothing else (no other rule lines)" "" \
	"$(sed -n '/^profile/,/^}/p' "$PROFILE" | grep -vE '^profile|^}|^ *$|^ *#|^ *userns,$|^ *include if exists <local/sbx>$')"

if printf 'profile p flags=(unconfined) { userns, }\n' | apparmor_parser -Q -K >/dev/null 2>&1; then
	run_cmd apparmor_parser -Q -K "$PROFILE"
	expect_status "apparmor_parser -Q -K accepts the profile" 0
else
	diag "$(apparmor_parser --version | head -1): no userns rule (AppArmor >= 4 has it);"
	diag "checking the profile without its abi 4.0 line and userns rule"
	grep -vE '^abi <abi/4.0>,$|^ *userns,$' "$PROFILE" >"$WORK/sbx"
	run_cmd apparmor_parser -Q -K "$WORK/sbx"
	expect_status "apparmor_parser -Q -K accepts the rest of the profile" 0
	# And the parser really is what refuses the rule: so that the above is not
	# hiding a mistake of the profile's own.
	grep -vE '^abi <abi/4.0>,$' "$PROFILE" >"$WORK/sbx-abi3"
	run_cmd apparmor_parser -Q -K "$WORK/sbx-abi3"
	expect_match "with the abi line gone, this parser's only complaint is the userns rule" \
		"at line $(grep -n '^ *userns,$' "$WORK/sbx-abi3" | cut -d: -f1): syntax error" "$ERR"
fi
done_testing
