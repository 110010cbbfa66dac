#!/usr/bin/env bash
# The default seccomp filter: every refused call, natively and through the
# i386 entry point (int 0x80); the escape hatches; --seccomp unconfined.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
require_userns

# The probe is built next to sbx; the sandbox sees it at the same path.
HELPERS=$(dirname "$SBX")/tests/helpers

# name:args chosen so that, without a filter, the kernel answers something
# other than EPERM (bad pointers, unknown names...) wherever it can.
# shellcheck disable=SC2054 # the commas separate a call's arguments
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

# probe [SBX-OPTION...] -- [-32] CALL...: run sysprobe in a sandbox (OUT, ERR, RC).
probe() {
	local opts=()
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	run_sbx --ro-bind "$HELPERS" "${opts[@]}" -- "$HELPERS/sysprobe" "$@"
}

# expect_probed DESCRIPTION: the last probe of all of ${calls[@]} exited 0,
# printed one "NAME RESULT" line per call, in order, and nothing on stderr.
expect_probed() {
	local names
	names=$(awk '{ print (NF == 2 ? $1 : "?") }' <<<"$OUT")
	if [ "$RC" = 0 ] && [ -z "$ERR" ] && [ "$names" = "$(printf '%s\n' "${calls[@]%%:*}")" ]; then
		pass "$1"
	else
		fail "$1" "expected exit status 0, no stderr and one NAME RESULT line per call, in order"
	fi
}

abis=(native)
if [ "$(uname -m)" = x86_64 ] && [ "$("$HELPERS/sysprobe" -32 getppid)" = "getppid OK" ]; then
	abis+=(i386)
fi

for abi in "${abis[@]}"; do
	flag=()
	[ "$abi" = i386 ] && flag=(-32)
	probe -- "${flag[@]}" "${calls[@]}"
	expect_probed "$abi: sysprobe reports every call under the default filter"
	mapfile -t confined <<<"$OUT"
	probe --seccomp unconfined --cap-add ALL -- "${flag[@]}" "${calls[@]}"
	expect_probed "$abi: sysprobe reports every call under --seccomp unconfined --cap-add ALL"
	mapfile -t free <<<"$OUT"
	# The kernel's own answer in a plain user namespace, with no sbx and no
	# filter: older kernels (Debian 12's 6.1) check privilege before the
	# arguments, so more calls are EPERM there anyway.
	bare=()
	bare_out=$(unshare -Ur "$HELPERS/sysprobe" "${flag[@]}" "${calls[@]}" 2>/dev/null) &&
		mapfile -t bare <<<"$bare_out"
	_last_cmd=
	for i in "${!calls[@]}"; do
		name=${calls[$i]%%:*}
		got=${confined[$i]-}
		got=${got#* }
		other=${free[$i]-}
		other=${other#* }
		plain=${bare[$i]-}
		plain=${plain#* }
		# NOSUCHCALL: the ABI lacks it (kexec_file_load on i386): nothing to refuse.
		if [ "$got" = NOSUCHCALL ]; then
			skip "$abi: $name refused with EPERM" "no such call on this ABI"
		else
			expect_eq "$abi: $name refused with EPERM" EPERM "$got"
		fi
		if [ "$other" != EPERM ]; then
			pass "$abi: $name answers $other under --seccomp unconfined"
		elif [[ $eperm_anyway == *" $name "* ]] || [ "$plain" = EPERM ]; then
			skip "$abi: $name answers something other than EPERM under --seccomp unconfined" \
				"EPERM without a filter too (it needs privilege over the host); test-seccomp checks its rule in the BPF"
		else
			fail "$abi: $name answers something other than EPERM under --seccomp unconfined" \
				"got EPERM: the refusal above may not come from the filter"
		fi
	done
	# With --cap-add SYS_ADMIN the command may mount (like Docker), and the
	# other calls stay refused.
	probe --cap-add SYS_ADMIN -- "${flag[@]}" "${calls[@]}"
	expect_probed "$abi: sysprobe reports every call under --cap-add SYS_ADMIN"
	mapfile -t admin <<<"$OUT"
	_last_cmd=
	for i in "${!calls[@]}"; do
		name=${calls[$i]%%:*}
		got=${admin[$i]-}
		got=${got#* }
		case $name in
		mount | umount2 | umount | pivot_root | fsopen | fsconfig | fsmount | fspick | open_tree | move_mount | mount_setattr)
			desc="$abi: --cap-add SYS_ADMIN: $name allowed"
			if [ "$got" = NOSUCHCALL ]; then
				skip "$desc" "no such call on this ABI"
			else
				expect_ne "$desc (not EPERM)" EPERM "$got"
			fi
			;;
		*)
			desc="$abi: --cap-add SYS_ADMIN: $name still refused"
			if [ "$got" = NOSUCHCALL ]; then
				skip "$desc" "no such call on this ABI"
			else
				expect_eq "$desc" EPERM "$got"
			fi
			;;
		esac
	done
	probe -- "${flag[@]}" clone3
	expect_out "$abi: clone3 answers ENOSYS (libc falls back to clone)" "clone3 ENOSYS"
	probe -- "${flag[@]}" personality:0 personality:8 personality:0x20000 personality:0x20008 personality:0xffffffff
	expect_out "$abi: harmless personality values allowed" "personality OK" "personality OK" \
		"personality OK" "personality OK" "personality OK"
	probe --allow-userns -- "${flag[@]}" unshare:0x10000000 clone:0x10000011 clone3
	expect_out "$abi: --allow-userns lifts the user-namespace rules" "unshare OK" "clone OK" "clone3 OK"
	probe --allow-io-uring -- "${flag[@]}" io_uring_setup:1,bad
	expect_out "$abi: --allow-io-uring lifts the io_uring rules" "io_uring_setup EFAULT"
done

# Numbers past the end of the syscall table sbx was built with answer ENOSYS
# (Docker's allow-list does the same): a call the kernel added since was never
# judged by the deny-list. Raw numbers, on every ABI this machine runs.
nr_abis=(native)
[ "${abis[*]}" = "native i386" ] && nr_abis+=(i386)
if [ "$(uname -m)" = x86_64 ] && [ "$("$HELPERS/sysprobe" -x32 getppid)" = "getppid OK" ]; then
	nr_abis+=(x32)
fi
[[ " ${nr_abis[*]} " == *" x32 "* ]] || skip "x32: numbers past the table's end answer ENOSYS" "the kernel runs no x32 here (test-seccomp checks its BPF)"
for abi in "${nr_abis[@]}"; do
	flag=()
	[ "$abi" = i386 ] && flag=(-32)
	[ "$abi" = x32 ] && flag=(-x32)
	max=$("$HELPERS/sysprobe" "${flag[@]}" -max)
	past=()
	for k in $(seq 1 24); do
		past+=("$((max + k)):-1,0,0,0,0,0")
	done
	past+=("0x3fffffff:-1,0,0,0,0,0")
	probe -- "${flag[@]}" "${past[@]}"
	got=$(awk '{ print $2 }' <<<"$OUT" | sort | uniq -c | awk '{ print $2 "x" $1 }')
	expect_eq "$abi: the 25 numbers past the table's end ($((max + 1))..., 0x3fffffff) answer ENOSYS" \
		ENOSYSx25 "$got"
	probe --seccomp unconfined -- "${flag[@]}" "${past[@]}"
	implemented=$(awk '$2 != "ENOSYS" { print $1 }' <<<"$OUT" | tr '\n' ' ')
	if [ "$RC" = 0 ] && [ -n "$implemented" ]; then
		pass "$abi: ... the kernel implements ${implemented% } (the refusal above is the filter's)"
	else
		skip "$abi: ... the kernel implements some of them" "this kernel knows no call past libseccomp's table"
	fi
done

# open_tree_attr (467 on every ABI here, Linux 6.15): under --allow-userns a
# nested user and mount namespace has the capabilities to clone a mount with
# open_tree, which the filter refuses; its newer twin must be refused too, not
# hand out a detached clone of the read-only bind (here: of $HELPERS).
for abi in "${abis[@]}"; do
	flag=()
	[ "$abi" = i386 ] && flag=(-32)
	run_sbx --ro-bind "$HELPERS" --seccomp unconfined -- "$HELPERS/sysprobe" "${flag[@]}" -userns \
		"467:-100,s=$HELPERS,1,0,0" "open_tree:-100,s=$HELPERS,1"
	if [ "$OUT" != "$(printf '%s\n' "467 OK" "open_tree OK")" ]; then
		skip "$abi: --allow-userns: open_tree_attr refused in a nested namespace" \
			"no open_tree_attr in this kernel (unconfined: $(printf '%q' "$OUT"))"
		continue
	fi
	run_sbx --ro-bind "$HELPERS" --allow-userns -- "$HELPERS/sysprobe" "${flag[@]}" -userns \
		"467:-100,s=$HELPERS,1,0,0" "open_tree:-100,s=$HELPERS,1"
	expect_match "$abi: --allow-userns: open_tree_attr refused in a nested namespace (unconfined, it clones)" \
		"^467 (ENOSYS|EPERM)\$" "$OUT"
	expect_match "$abi: ... as open_tree is" "^open_tree EPERM\$" "$OUT"
done

# The filter is really installed, on the command only, and really gone with unconfined.
run_sbx -- sh -c 'grep ^Seccomp: /proc/self/status'
expect_run "the command runs filtered" 0 "Seccomp:	2"
run_sbx --seccomp unconfined -- sh -c 'grep ^Seccomp: /proc/self/status'
expect_run "--seccomp unconfined installs nothing" 0 "Seccomp:	0"
run_sbx --seccomp default -- sh -c 'echo fine'
expect_run "--seccomp default is accepted" 0 fine

# Ordinary life goes on: threads (clone3 -> clone fallback), a nested shell.
run_sbx -- python3 -c 'import threading; t = threading.Thread(target=print, args=("thread",)); t.start(); t.join()'
expect_out "threads start under the filter" thread

run_sbx --seccomp unconfined --allow-io-uring -- true
expect_out "--allow-io-uring with unconfined is accepted"
run_sbx --seccomp "$TESTS_SRCDIR/data/seccomp-profile.json" --allow-userns -- true
expect_error "--allow-userns with a profile is refused (exit 125)" 125 "the profile decides"
run_sbx --seccomp '' -- true
expect_error "--seccomp '' is refused (exit 125)" 125 '^sbx: --seccomp: '
run_sbx --seccomp /nonexistent/profile.json -- true
expect_error "a missing profile is refused (exit 125), naming the file" 125 \
	'^sbx: --seccomp /nonexistent/profile\.json: '

done_testing
