#!/usr/bin/env bash
# vm-run.sh - tests/vm/run's host side, with a stand-in for qemu (no VM boots):
# the share with the guest is not world-writable, and what the guest wrote in
# it is read only as regular files: a guest (root in the VM, writing through
# 9p as the host's root) that plants a symlink must not get a host file read.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
VM=$TESTS_SRCDIR/vm
mkdir -p "$WORK/sim/tests/vm"
printf '#!/bin/sh\necho %s/img\n' "$WORK" >"$WORK/sim/tests/vm/build-image"
echo "host-only secret" >"$WORK/secret"
# The stand-in guest: records the share's mode, then answers with an `out`
# that is a symlink to a host file, an exit status and a boot time.
cat >"$WORK/qemu" <<EOS
#!/bin/bash
if [ -n "\${FAKE_HANG:-}" ]; then
	echo \$\$ >"\$FAKE_HANG"
	exec sleep 100000
fi
for a; do
	case \$a in local,path=*,mount_tag=ctl*) c=\${a#local,path=}; c=\${c%%,*} ;; esac
done
stat -c %a "\$c" >"$WORK/mode"
ln -s "$WORK/secret" "\$c/out"
echo 3 >"\$c/rc"
EOS
chmod +x "$WORK/qemu" "$WORK/sim/tests/vm/build-image"
# The copies pause right after starting their child (qemu; a run), so that
# the signal tests below land in the window between that start and the next
# lines: a trap set only there once let a SIGTERM end run and leave qemu.
sed -e "s|qemu-system-x86_64|$WORK/qemu|" \
	-e '/virtio-rng-pci <\/dev\/null &$/a sleep 0.3' "$VM/run" >"$WORK/sim/tests/vm/run"
sed -e '/>"$out\/$who" 2>&1 &$/a sleep 0.3' "$VM/check" >"$WORK/sim/tests/vm/check"
chmod +x "$WORK/sim/tests/vm/run" "$WORK/sim/tests/vm/check"
for f in run check; do
	expect_eq "tests/vm/$f: the pause follows the line that starts its child" 1 \
		"$(grep -c '^sleep 0.3$' "$WORK/sim/tests/vm/$f")"
done

run_cmd bash "$WORK/sim/tests/vm/run" -- true
expect_status "the guest's exit status comes back" 3
if [[ $OUT == *"host-only secret"* ]]; then
	fail "a symlink the guest planted is not followed" "got: $OUT"
else
	pass "a symlink the guest planted is not followed"
fi
expect_match "the share is not world-writable" '^7[0-5][0-5]$' "$(cat "$WORK/mode")"

# A signal to run (not to its process group) must stop the VM too.
mkfifo "$WORK/qemu.pid"
FAKE_HANG=$WORK/qemu.pid bash "$WORK/sim/tests/vm/run" -- true >/dev/null 2>&1 &
rpid=$!
track_pid "$rpid"
read -r qpid <"$WORK/qemu.pid"
track_pid "$qpid"
kill -TERM "$rpid"
wait "$rpid"
if kill -0 "$qpid" 2>/dev/null; then
	fail "SIGTERM to tests/vm/run stops qemu" "qemu (pid $qpid) still runs"
else
	pass "SIGTERM to tests/vm/run stops qemu"
fi

# The same through tests/vm/check, which runs tests/vm/run in the background.
FAKE_HANG=$WORK/qemu.pid bash "$WORK/sim/tests/vm/check" --root-only x >/dev/null 2>&1 &
rpid=$!
track_pid "$rpid"
read -r qpid <"$WORK/qemu.pid"
track_pid "$qpid"
kill -TERM "$rpid"
wait "$rpid"
if kill -0 "$qpid" 2>/dev/null; then
	fail "SIGTERM to tests/vm/check stops qemu" "qemu (pid $qpid) still runs"
else
	pass "SIGTERM to tests/vm/check stops qemu"
fi

done_testing
