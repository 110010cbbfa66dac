#!/usr/bin/env bash
# --seccomp FILE: a Docker/OCI-style JSON profile, its errors and warnings.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns

# The probe is built next to sbx; the sandbox sees it at the same path.
HELPERS=$(dirname "$SBX")/tests/helpers
profile=$TESTS_SRCDIR/data/seccomp-profile.json

# expect_refused DESCRIPTION MESSAGE: the last run exited 125, printed nothing
# on stdout and exactly MESSAGE (one line) on stderr.
expect_refused() {
	if [ "$RC" = 125 ] && [ -z "$OUT" ] && [ "$ERR" = "$2" ]; then
		pass "$1"
	else
		fail "$1" "expected exit status 125, no stdout and stderr $(printf '%q' "$2")"
	fi
}

i386=
if [ "$(uname -m)" = x86_64 ] && [ "$("$HELPERS/sysprobe" -32 getppid)" = "getppid OK" ]; then
	i386=yes
fi

run_sbx --ro-bind "$HELPERS" --seccomp "$profile" -- "$HELPERS/sysprobe" getppid \
	mkdirat:-100,s=/tmp/x,0 kill:0,0 kill:0,15 personality:8 personality:0x40000 socket:10,1,0 \
	socket:1,1,0 socket:2,1,0 chdir:s=/ getsid:0 getpriority:0,0 setpriority:0,0,0 tiocsti
expect_run "allow list, defaultErrnoRet, args (EQ, MASKED_EQ, repeated index), includes/excludes, terminal guard" \
	0 "$(printf '%s\n' "getppid OK" "mkdirat ENOSYS" "kill OK" "kill ENOSYS" "personality OK" \
		"personality ENOSYS" "socket EAFNOSUPPORT" "socket OK" "socket ENOSYS" "chdir ENOSYS" \
		"getsid ENOSYS" "getpriority OK" "setpriority ENOSYS" "tiocsti EPERM")"
expect_match "an unknown syscall name is one warning line" \
	"unknown system call 'no_such_syscall_for_the_warning', ignored" "$ERR"
expect_eq "... printed once" 1 "$(printf '%s\n' "$ERR" | grep -c 'no_such_syscall')"
expect_match "a rule i386 cannot express (socketcall) is named, for that ABI only" \
	"the rule for socket conflicts with an earlier one on x86, ignored there" "$ERR"

run_sbx --ro-bind "$HELPERS" --seccomp "$profile" --cap-add SYS_CHROOT -- "$HELPERS/sysprobe" chdir:s=/
expect_run "includes.caps applies with the capability kept" 0 "chdir OK"

if [ -n "$i386" ]; then
	run_sbx --ro-bind "$HELPERS" --seccomp "$profile" -- "$HELPERS/sysprobe" -32 getppid \
		mkdir:s=/tmp/x,0 tiocsti
	expect_run "the profile covers i386 (archMap)" 0 "$(printf '%s\n' "getppid OK" "mkdir ENOSYS" "tiocsti EPERM")"
else
	skip "the profile covers i386 (archMap)" "no i386 ABI here"
fi

# A profile that names only x86-64: the other ABIs are refused outright.
cat >"$WORK/native-only.json" <<'JSON'
{ "defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"],
  "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 } ] }
JSON
run_sbx --ro-bind "$HELPERS" --seccomp "$WORK/native-only.json" -- "$HELPERS/sysprobe" mkdirat:-100,s=/tmp/x,0
expect_out "errnoRet" "mkdirat EACCES"
if [ -n "$i386" ]; then
	run_sbx --ro-bind "$HELPERS" --seccomp "$WORK/native-only.json" -- "$HELPERS/sysprobe" -32 getppid
	expect_out "an ABI the profile leaves out is killed" "getppid SIGSYS"
else
	skip "an ABI the profile leaves out is killed" "no i386 ABI here"
fi

# Errors: one line, exit 125, nothing started. The command would create a
# file in the test directory, visible at the same path inside.
printf '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [ { "names": ["x"] "action": 1 } ]\n}\n' >"$WORK/bad.json"
run_sbx --bind "$WORK" --seccomp "$WORK/bad.json" -- touch "$WORK/started"
expect_refused "malformed JSON: line and column, exit 125" \
	"sbx: --seccomp $WORK/bad.json: line 3, column 34: object value separator ',' expected"
[ ! -e "$WORK/started" ]
ok $? "... and the command never ran"
run_sbx --bind "$WORK" --seccomp "$WORK/native-only.json" -- touch "$WORK/started"
[ "$RC" = 0 ] && [ -e "$WORK/started" ]
ok $? "control: with a valid profile the same command creates the file"
printf '{"defaultAction": "SCMP_ACT_ALLOW"' >"$WORK/short.json"
run_sbx --seccomp "$WORK/short.json" -- true
expect_refused "truncated JSON" "sbx: --seccomp $WORK/short.json: line 1, column 35: unexpected end of file"
printf '{"defaultAction": "SCMP_ACT_ALLOW"} x' >"$WORK/trail.json"
run_sbx --seccomp "$WORK/trail.json" -- true
expect_error "trailing garbage: line and column, exit 125" 125 'line 1, column'
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["keyctl"], "action": "SCMP_ACT_BOGUS"}]}' >"$WORK/act.json"
run_sbx --seccomp "$WORK/act.json" -- true
expect_refused "unknown action" "sbx: --seccomp $WORK/act.json: syscalls[0]: unknown action 'SCMP_ACT_BOGUS'"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["keyctl"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 9, "value": 1, "op": "SCMP_CMP_EQ"}]}]}' >"$WORK/idx.json"
run_sbx --seccomp "$WORK/idx.json" -- true
expect_error "argument index out of range" 125 'syscalls\[0\]: args'
printf '{"defaultAction": "SCMP_ACT_NOTIFY"}' >"$WORK/notify.json"
run_sbx --seccomp "$WORK/notify.json" -- true
expect_error "SCMP_ACT_NOTIFY is refused" 125 'listener'
mkdir "$WORK/dir"
run_sbx --seccomp "$WORK/dir" -- true
expect_error "a directory is refused" 125 'not a regular file'
# A profile too large for the kernel's 4096 instructions is refused by an
# estimate, before libseccomp spends minutes building it (20,000 argument
# rules, 2 MB: 96 s of CPU before). One that fits still loads.
big_profile() { # N: N rules "kill(pid == i) -> EPERM"
	awk -v n="$1" 'BEGIN {
		printf "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		for (i = 0; i < n; i++)
			printf "%s{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": %d, \"op\": \"SCMP_CMP_EQ\"}]}", (i ? ", " : ""), i
		print "]}"
	}'
}
big_profile 20000 >"$WORK/big.json"
run_sbx --seccomp "$WORK/big.json" -- true
expect_error "20,000 argument rules: refused before libseccomp builds them, exit 125" 125 \
	"^sbx: --seccomp $WORK/big\\.json: syscalls\\[1024\\]: more than 1024 distinct rules with argument comparisons on x86_64 \\(each name and each alternative counts\\)\$"
big_profile 1000 >"$WORK/fits.json"
run_sbx --seccomp "$WORK/fits.json" -- sh -c 'kill -0 $$ 2>/dev/null; echo $?'
expect_out "1,000 argument rules fit, and apply" 1
# 900 rules comparing 5 arguments with distinct values: 4,500 constants
# cannot fit in 4096 instructions, whatever libseccomp would make of them.
awk 'BEGIN {
	printf "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
	for (i = 0; i < 900; i++) {
		printf "%s{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [", (i ? ", " : "")
		for (a = 0; a < 5; a++)
			printf "%s{\"index\": %d, \"value\": %d, \"op\": \"SCMP_CMP_EQ\"}", (a ? ", " : ""), a, 5 * i + a + 100
		printf "]}"
	}
	print "]}"
}' >"$WORK/wide.json"
run_sbx --seccomp "$WORK/wide.json" -- true
expect_error "900 rules of 5 distinct values: refused by the estimate of the program's size" 125 \
	"^sbx: --seccomp $WORK/wide\\.json: too large: by an estimate, its filter needs more than the kernel's 4096 BPF instructions\$"
# Fewer constants, but each comparison of a rule chained after the others:
# libseccomp spent 21 s of CPU on 256 rules of 6 masked comparisons on
# read() before the 13,125 instructions were refused, 24 s on 256 rules of 6
# equalities on 4 calls (8,763). The estimate counts each distinct comparison
# node (a jump per 32-bit half, its load, its AND) and refuses them at once.
chained_profile() { # NAMES OP [ARCHS]: 256 rules of 6 comparisons
	awk -v names="$1" -v op="$2" -v archs="$3" 'BEGIN {
		printf "{\"defaultAction\": \"SCMP_ACT_ALLOW\", %s\"syscalls\": [", (archs == "" ? "" : "\"architectures\": [" archs "], ")
		for (i = 0; i < 256; i++) {
			printf "%s{\"names\": [%s], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [", (i ? ", " : ""), names
			for (k = 0; k < 6; k++)
				printf "%s{\"index\": %d, \"value\": %d, \"valueTwo\": %d, \"op\": \"SCMP_CMP_%s\"}", (k ? ", " : ""), k, i * 7 + k + 100, i + 1, op
			printf "]}"
		}
		print "]}"
	}'
}
for shape in '"read"|MASKED_EQ|' '"read", "write", "pread64", "pwrite64"|EQ|' \
	'"read"|MASKED_EQ|"SCMP_ARCH_X86_64"' '"read"|EQ|"SCMP_ARCH_X86"' \
	'"write"|NE|"SCMP_ARCH_X32", "SCMP_ARCH_X86"' '"pread64"|GT|"SCMP_ARCH_X86"'; do
	IFS='|' read -r names op archs <<<"$shape"
	chained_profile "$names" "$op" "$archs" >"$WORK/chained.json"
	run_sbx --seccomp "$WORK/chained.json" -- true
	expect_error "256 rules of 6 chained $op comparisons on [$names], architectures [$archs]: refused by the estimate" 125 \
		"^sbx: --seccomp $WORK/chained\\.json: too large: by an estimate, its filter needs more than the kernel's 4096 BPF instructions\$"
done
# Few constants, many rules: libseccomp's time grows with the square of the
# rule count even where its program fits (it shares identical blocks): 300
# names x 64 combinations of two small values (256 KB) took 42 s of CPU, the
# 20 x 1,024 here (20,480 rules, 64 constants) longer than run_sbx's limit;
# 500,000 copies of one name with arguments (4 MB) took minutes and 270 MB.
awk -v names="$(printf '"%s",' read write close fstat lseek mmap mprotect munmap brk pread64 pwrite64 readv writev access pipe select mremap msync mincore madvise | sed 's/,$//')" 'BEGIN {
	printf "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
	for (i = 0; i < 1024; i++)
		printf "%s{\"names\": [%s], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": %d, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 1, \"value\": %d, \"op\": \"SCMP_CMP_EQ\"}]}", (i ? ", " : ""), names, i % 32 + 1000, int(i / 32) + 1000
	print "]}"
}' >"$WORK/combos.json"
run_sbx --seccomp "$WORK/combos.json" -- true
expect_error "20 names x 1,024 argument combinations over 64 constants: refused at once by the rule count" 125 \
	"^sbx: --seccomp $WORK/combos\\.json: syscalls\\[51\\]: more than 1024 distinct rules with argument comparisons on x86_64"
awk 'BEGIN {
	printf "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": ["
	for (i = 0; i < 20000; i++)
		printf "%s\"getppid\"", (i ? ", " : "")
	print "], \"action\": \"SCMP_ACT_ERRNO\"}]}"
}' >"$WORK/copies.json"
run_sbx --seccomp "$WORK/copies.json" -- true
expect_error "20,000 copies of one name: refused at once" 125 \
	"^sbx: --seccomp $WORK/copies\\.json: syscalls\\[0\\]: more than 16384 system call names in all\$"
# Warnings are bounded like the rest: 1,000 unknown flags are 64 lines and
# a count, not 1,000 lines.
awk 'BEGIN {
	printf "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": ["
	for (i = 0; i < 1000; i++)
		printf "%s\"FLAG_%d\"", (i ? ", " : ""), i
	print "]}"
}' >"$WORK/flags.json"
run_sbx --seccomp "$WORK/flags.json" -- true
expect_eq "1,000 unknown flags: 64 warnings and one line for the rest" \
	"0|65|sbx: --seccomp $WORK/flags.json: 936 more unknown flags ignored" \
	"$RC|$(printf '%s\n' "$ERR" | grep -c '')|$(printf '%s\n' "$ERR" | tail -1)"
# A name listed twice (and the same rule in two entries) is one rule: it
# still applies, with its arguments, and no conflict is reported.
printf '%s' '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill", "kill", "getppid"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]}, {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]}]}' >"$WORK/twice.json"
run_sbx --seccomp "$WORK/twice.json" -- sh -c 'kill -0 $$ 2>/dev/null; echo $?'
expect_eq "a rule listed twice applies once, silently" "0|1|" "$RC|$OUT|$ERR"

# A profile that refuses exit_group and exit: glibc's _exit() then ends in a
# deliberate fault. The command dies by SIGSEGV, and sbx says why, once at
# the start and once at the end, instead of a bare 139.
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["exit_group", "exit"], "action": "SCMP_ACT_ERRNO"}]}' >"$WORK/noexit.json"
run_sbx --seccomp "$WORK/noexit.json" -- true
expect_eq "exit_group and exit refused: the command is killed by SIGSEGV (139), sbx warns first and explains at the end" \
	"139|sbx: --seccomp $WORK/noexit.json: the profile denies exit_group and exit: the command can only end by a signal
sbx: the command was killed by SIGSEGV; the seccomp profile denies exit_group and exit" "$RC|$ERR"
# The same when execve() is refused too: then sbx's own code is what cannot
# exit after the failed exec. Its fault must end it: under ASan, the
# sanitizer's SIGSEGV handler retried exit_group forever at 100% CPU (124
# here, run_sbx's time limit).
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["exit_group", "exit", "execve", "execveat"], "action": "SCMP_ACT_ERRNO"}]}' >"$WORK/noexec.json"
run_sbx --seccomp "$WORK/noexec.json" -- true
expect_eq "... and with execve refused, sbx's own exec-failure path ends (no spin), with the same explanation" \
	"139|sbx: --seccomp $WORK/noexec.json: the profile denies exit_group and exit: the command can only end by a signal
sbx: cannot run 'true': Operation not permitted
sbx: the command was killed by SIGSEGV; the seccomp profile denies exit_group and exit" "$RC|$ERR"
# exit_group alone: glibc falls back to exit(), which ends a one-thread command.
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["exit_group"], "action": "SCMP_ACT_ERRNO"}]}' >"$WORK/nogroup.json"
run_sbx --seccomp "$WORK/nogroup.json" -- sh -c 'exit 3'
expect_eq "exit_group alone refused: a one-thread command still ends (exit 3), after a warning" \
	"3|sbx: --seccomp $WORK/nogroup.json: the profile denies exit_group: a command with several threads cannot end" \
	"$RC|$ERR"

# Only the signal the refusal brings is explained: a command killed by
# SIGKILL, or one that exits with 137 through exit(), is not the profile's
# doing (both were blamed on it before).
run_sbx --seccomp "$WORK/noexit.json" -- sh -c 'kill -KILL $$'
expect_eq "exit_group and exit refused, the command killed by SIGKILL: not blamed on the profile" \
	"137|sbx: --seccomp $WORK/noexit.json: the profile denies exit_group and exit: the command can only end by a signal" \
	"$RC|$ERR"
run_sbx --seccomp "$WORK/nogroup.json" -- sh -c 'exit 137'
expect_eq "exit_group alone refused, the command exits with 137: no signal named" \
	"137|sbx: --seccomp $WORK/nogroup.json: the profile denies exit_group: a command with several threads cannot end" \
	"$RC|$ERR"
# A kill action on exit_group ends every command by SIGSYS, threads or not.
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["exit_group"], "action": "SCMP_ACT_KILL_PROCESS"}]}' >"$WORK/killgroup.json"
run_sbx --seccomp "$WORK/killgroup.json" -- true
expect_eq "SCMP_ACT_KILL_PROCESS on exit_group: said up front, and SIGSYS (159) explained" \
	"159|sbx: --seccomp $WORK/killgroup.json: the profile kills the command on exit_group: it can only end by SIGSYS
sbx: the command was killed by SIGSYS; the seccomp profile denies exit_group" "$RC|$ERR"

# A FIFO nobody writes to: refused at once, not waited on (run_sbx's time
# limit would end a wait with 124).
mkfifo "$WORK/fifo"
run_sbx --seccomp "$WORK/fifo" -- true
expect_refused "a FIFO is refused, not opened for a writer to come" \
	"sbx: --seccomp $WORK/fifo: not a regular file"
run_sbx --seccomp /dev/null -- true
expect_refused "a device is refused" "sbx: --seccomp /dev/null: not a regular file"
# A socket and a symlink to a FIFO: the same line (a socket gave "No such
# device or address"); the file is checked before it is opened, so a
# device's open() never runs either.
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$WORK/sock"
run_sbx --seccomp "$WORK/sock" -- true
expect_refused "a socket is refused" "sbx: --seccomp $WORK/sock: not a regular file"
ln -s fifo "$WORK/fifolink"
run_sbx --seccomp "$WORK/fifolink" -- true
expect_refused "a symlink to a FIFO is refused" "sbx: --seccomp $WORK/fifolink: not a regular file"
ln -s "$WORK/fits.json" "$WORK/link.json"
run_sbx --seccomp "$WORK/link.json" -- sh -c 'kill -0 $$ 2>/dev/null; echo $?'
expect_out "a symlink to a profile is followed" 1

done_testing
