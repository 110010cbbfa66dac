#!/usr/bin/env bash
# The default seccomp filter: every refused call, natively and through the
# i386 entry point (int 0x80); the escape hatches; --seccomp unconfined.
. "$(dirname "$0")/hardening-lib.sh"
require_sandbox

# name:args chosen so that, without a filter, the kernel answers something
# other than EPERM (bad pointers, unknown names...) wherever it can.
calls=(
	keyctl:0,0xfffffffd add_key:s=nosuchtype,s=d,0,0,0xfffffffd
	request_key:s=nosuchtype,s=d,0,0 bpf:0,bad,128 userfaultfd:1
	perf_event_open:bad,0,-1,-1,0 kexec_load:0,0,0,0 kexec_file_load:-1,-1,0,0,0
	init_module:bad,0,s= finit_module:-1,s=,0 delete_module:s=nosuchmod,0
	open_by_handle_at:-1,bad,0 name_to_handle_at:-100,s=/,bad,bad,0 acct:bad
	swapon:bad,0 swapoff:bad reboot:0,0,0,0 settimeofday:bad,0 clock_settime:0,bad
	clock_settime64:0,bad adjtimex:bad clock_adjtime:0,bad syslog:10,0,0
	quotactl:0,bad,0,0 quotactl_fd:-1,0,0,0 lookup_dcookie:0,0,0
	mount:bad,bad,bad,0,0 umount2:s=/nonexistent,0 umount:s=/nonexistent
	pivot_root:bad,bad chroot:s=/nonexistent fsopen:s=nosuchfs,0 fsconfig:-1,0,0,0,0
	fsmount:-1,0,0 fspick:-1,bad,0 open_tree:-100,s=/,0 move_mount:-1,bad,-1,bad,0
	mount_setattr:-1,bad,0,0,0 personality:0x40000 io_uring_setup:1,bad
	io_uring_enter:-1,0,0,0,0,0 io_uring_register:-1,0,0,0 unshare:0x10000000
	clone:0x10000011 tiocsti tioclinux
)
# Calls an unprivileged process gets EPERM for anyway, filter or not; the
# unit test (test-seccomp) checks their rules in the BPF itself.
eperm_anyway=" acct swapon swapoff syslog "

probe() { # probe [SBX-OPTION...] -- [-32] CALL...
	local opts=()
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	sbx_h "${opts[@]}" -- "$HELPERS/sysprobe" "$@" 2>&1
}

abis=(native)
if [ "$(uname -m)" = x86_64 ] && [ "$("$HELPERS/sysprobe" -32 getppid)" = "getppid OK" ]; then
	abis+=(i386)
fi
plan $(( ${#abis[@]} * (3 * ${#calls[@]} + 4) + 8 ))

for abi in "${abis[@]}"; do
	flag=(); [ "$abi" = i386 ] && flag=(-32)
	# NOSUCHCALL: the ABI lacks it (kexec_file_load on i386): nothing to refuse.
	mapfile -t confined < <(probe -- "${flag[@]}" "${calls[@]}")
	mapfile -t free < <(probe --seccomp unconfined --cap-add ALL -- "${flag[@]}" "${calls[@]}")
	for i in "${!calls[@]}"; do
		name=${calls[$i]%%:*}
		got=${confined[$i]#* }
		[ "$got" = NOSUCHCALL ] && got=EPERM
		is "$got" EPERM "$abi: $name refused with EPERM"
		other=${free[$i]#* }
		if [[ $eperm_anyway == *" $name "* ]]; then
			ok 0 "$abi: $name: EPERM without a filter too (checked in the BPF by test-seccomp)"
		else
			[ "$other" != EPERM ]
			ok $? "$abi: $name answers $other under --seccomp unconfined"
		fi
	done
	# With --cap-add SYS_ADMIN the command may mount (like Docker), and the
	# other calls stay refused.
	mapfile -t admin < <(probe --cap-add SYS_ADMIN -- "${flag[@]}" "${calls[@]}")
	for i in "${!calls[@]}"; do
		name=${calls[$i]%%:*}
		got=${admin[$i]#* }
		if [ "$got" = NOSUCHCALL ]; then
			ok 0 "$abi: $name does not exist on this ABI"
			continue
		fi
		case $name in
		mount|umount2|umount|pivot_root|fsopen|fsconfig|fsmount|fspick|open_tree|move_mount|mount_setattr)
			[ "$got" != EPERM ]; ok $? "$abi: --cap-add SYS_ADMIN: $name allowed ($got)" ;;
		*)
			is "$got" EPERM "$abi: --cap-add SYS_ADMIN: $name still refused" ;;
		esac
	done
	is "$(probe -- "${flag[@]}" clone3)" "clone3 ENOSYS" "$abi: clone3 answers ENOSYS (libc falls back to clone)"
	is "$(probe -- "${flag[@]}" personality:0 personality:8 personality:0x20000 personality:0x20008 personality:0xffffffff | sort -u)" \
		"personality OK" "$abi: harmless personality values allowed"
	is "$(probe --allow-userns -- "${flag[@]}" unshare:0x10000000 clone:0x10000011 clone3 | paste -sd' ')" \
		"unshare OK clone OK clone3 OK" "$abi: --allow-userns lifts the user-namespace rules"
	got=$(probe --allow-io-uring -- "${flag[@]}" io_uring_setup:1,bad)
	is "$got" "io_uring_setup EFAULT" "$abi: --allow-io-uring lifts the io_uring rules"
done

# The filter is really installed, on the command only, and really gone with unconfined.
is "$("$SBX" -- sh -c 'grep ^Seccomp: /proc/self/status')" "Seccomp:	2" "the command runs filtered"
is "$("$SBX" --seccomp unconfined -- sh -c 'grep ^Seccomp: /proc/self/status')" "Seccomp:	0" \
	"--seccomp unconfined installs nothing"
is "$("$SBX" --seccomp default -- sh -c 'echo fine')" fine "--seccomp default is accepted"

# Ordinary life goes on: threads (clone3 -> clone fallback), a nested shell.
out=$("$SBX" -- python3 -c 'import threading; t = threading.Thread(target=print, args=("thread",)); t.start(); t.join()' 2>&1)
is "$out" thread "threads start under the filter"

out=$("$SBX" --seccomp unconfined --allow-io-uring -- true 2>&1)
ok $? "--allow-io-uring with unconfined is accepted"
out=$("$SBX" --seccomp "$TESTS_SRCDIR/data/seccomp-profile.json" --allow-userns -- true 2>&1)
[ $? -eq 125 ] && [[ $out == *"the profile decides"* ]]
ok $? "--allow-userns with a profile is refused (exit 125)"
out=$("$SBX" --seccomp '' -- true 2>&1)
[ $? -eq 125 ]; ok $? "--seccomp '' is refused: $out"
out=$("$SBX" --seccomp /nonexistent/profile.json -- true 2>&1)
[ $? -eq 125 ] && [[ $out == *"/nonexistent/profile.json"* ]]
ok $? "a missing profile: $out"

done_testing
