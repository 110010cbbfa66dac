#!/usr/bin/env bash
# --seccomp FILE: a Docker/OCI-style JSON profile, its errors and warnings.
. "$(dirname "$0")/hardening-lib.sh"
require_sandbox

profile=$TESTS_SRCDIR/data/seccomp-profile.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
plan 16

run() { sbx_h --seccomp "$profile" "$@" 2>"$tmp/err"; }

out=$(run -- "$HELPERS/sysprobe" getppid mkdirat:-100,s=/tmp/x,0 kill:0,0 kill:0,15 \
	personality:8 personality:0x40000 socket:10,1,0 socket:1,1,0 socket:2,1,0 chdir:s=/ \
	getsid:0 getpriority:0,0 setpriority:0,0,0 tiocsti | paste -sd' ')
is "$out" "getppid OK mkdirat ENOSYS kill OK kill ENOSYS personality OK personality ENOSYS socket EAFNOSUPPORT socket OK socket ENOSYS chdir ENOSYS getsid ENOSYS getpriority OK setpriority ENOSYS tiocsti EPERM" \
	"allow list, defaultErrnoRet, args (EQ, MASKED_EQ, repeated index), includes/excludes, terminal guard"
grep -q "unknown system call 'no_such_syscall_for_the_warning', ignored" "$tmp/err"
ok $? "an unknown syscall name is one warning line"
is "$(grep -c 'no_such_syscall' "$tmp/err")" 1 "... printed once"
grep -q "the rule for socket conflicts with an earlier one on x86, ignored there" "$tmp/err"
ok $? "a rule i386 cannot express (socketcall) is named, for that ABI only"

out=$(sbx_h --seccomp "$profile" --cap-add SYS_CHROOT -- "$HELPERS/sysprobe" chdir:s=/ 2>/dev/null)
is "$out" "chdir OK" "includes.caps applies with the capability kept"

if [ "$(uname -m)" = x86_64 ] && [ "$("$HELPERS/sysprobe" -32 getppid)" = "getppid OK" ]; then
	out=$(run -- "$HELPERS/sysprobe" -32 getppid mkdir:s=/tmp/x,0 tiocsti | paste -sd' ')
	is "$out" "getppid OK mkdir ENOSYS tiocsti EPERM" "the profile covers i386 (archMap)"
else
	ok 0 "# SKIP no i386 ABI here"
fi

# A profile that names only x86-64: the other ABIs are refused outright.
cat >"$tmp/native-only.json" <<'JSON'
{ "defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"],
  "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 } ] }
JSON
out=$(sbx_h --seccomp "$tmp/native-only.json" -- "$HELPERS/sysprobe" mkdirat:-100,s=/tmp/x,0 2>&1)
is "$out" "mkdirat EACCES" "errnoRet"
if [ "$(uname -m)" = x86_64 ] && [ "$("$HELPERS/sysprobe" -32 getppid)" = "getppid OK" ]; then
	out=$(sbx_h --seccomp "$tmp/native-only.json" -- "$HELPERS/sysprobe" -32 getppid 2>&1)
	is "$out" "getppid SIGSYS" "an ABI the profile leaves out is killed"
else
	ok 0 "# SKIP no i386 ABI here"
fi

# Errors: one line, exit 125, nothing started.
printf '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [ { "names": ["x"] "action": 1 } ]\n}\n' >"$tmp/bad.json"
out=$("$SBX" --seccomp "$tmp/bad.json" -- touch "$tmp/started" 2>&1)
is "$?:$out" "125:sbx: --seccomp $tmp/bad.json: line 3, column 34: object value separator ',' expected" \
	"malformed JSON: line and column, exit 125"
[ ! -e "$tmp/started" ]; ok $? "... and the command never ran"
printf '{"defaultAction": "SCMP_ACT_ALLOW"' >"$tmp/short.json"
out=$("$SBX" --seccomp "$tmp/short.json" -- true 2>&1)
is "$?:$out" "125:sbx: --seccomp $tmp/short.json: line 1, column 35: unexpected end of file" "truncated JSON"
printf '{"defaultAction": "SCMP_ACT_ALLOW"} x' >"$tmp/trail.json"
out=$("$SBX" --seccomp "$tmp/trail.json" -- true 2>&1)
[ $? -eq 125 ] && [[ $out == *"line 1, column"* ]]; ok $? "trailing garbage: $out"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["keyctl"], "action": "SCMP_ACT_BOGUS"}]}' >"$tmp/act.json"
out=$("$SBX" --seccomp "$tmp/act.json" -- true 2>&1)
is "$?:$out" "125:sbx: --seccomp $tmp/act.json: syscalls[0]: unknown action 'SCMP_ACT_BOGUS'" "unknown action"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["keyctl"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 9, "value": 1, "op": "SCMP_CMP_EQ"}]}]}' >"$tmp/idx.json"
out=$("$SBX" --seccomp "$tmp/idx.json" -- true 2>&1)
[ $? -eq 125 ] && [[ $out == *"syscalls[0]: args"* ]]; ok $? "argument index out of range: $out"
printf '{"defaultAction": "SCMP_ACT_NOTIFY"}' >"$tmp/notify.json"
out=$("$SBX" --seccomp "$tmp/notify.json" -- true 2>&1)
[ $? -eq 125 ] && [[ $out == *"listener"* ]]; ok $? "SCMP_ACT_NOTIFY is refused: $out"
mkdir "$tmp/dir"
out=$("$SBX" --seccomp "$tmp/dir" -- true 2>&1)
[ $? -eq 125 ] && [[ $out == *"not a regular file"* ]]; ok $? "a directory is refused: $out"

done_testing
