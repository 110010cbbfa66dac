#!/usr/bin/env bash
# --gpu against a fake tree (SBX_TEST_GPU_ROOT): this machine has no GPU.
# As root the test makes device nodes with mknod (null, zero and full's
# numbers under GPU names) and a fake /sys: the nodes are usable inside,
# only the /sys entries that identify them are there, nothing else of /dev
# or /sys. Rootless, mknod is not allowed: only the refusal is tested.
. "${TESTS_SRCDIR:-$(dirname "$0")/..}/integration/lib.sh"
. "$TESTS_SRCDIR/integration/desktop-lib.sh"
require_userns

G=$WORK/gpu
mkdir -p "$G/dev" "$G/sys/dev/char"
SBX_TEST_GPU_ROOT=$G run_sbx --gpu true
expect_error "--gpu without device nodes: one line" 125 '^sbx: --gpu: no GPU device nodes'
SBX_TEST_GPU_ROOT=$G run_sbx --gui true
expect_status "--gui without device nodes: skipped, no error" 0
SBX_TEST_GPU_ROOT=$G run_sbx -v --gui true
expect_match "... named once under -v" '^sbx: --gui: no GPU device nodes: GPU skipped$' "$ERR"

if [ "$(id -u)" != 0 ]; then
	skip "device nodes" "mknod needs root"
	done_testing
fi

mkdir -p "$G/dev/dri" "$G/sys/devices/pci0000:00/0000:00:02.0/drm/card0" \
	"$G/sys/devices/pci0000:00/0000:00:02.0/drm/renderD128" \
	"$G/sys/devices/pci0000:00/0000:00:03.0"
mknod "$G/dev/dri/card0" c 1 3        # null's numbers
mknod "$G/dev/dri/renderD128" c 1 5   # zero's
mknod "$G/dev/nvidia0" c 1 7          # full's
mknod "$G/dev/sda" c 1 3              # not a GPU
pci=$G/sys/devices/pci0000:00/0000:00:02.0
echo 0x8086 >"$pci/vendor"
echo PCI_SLOT_NAME=0000:00:02.0 >"$pci/uevent"
echo 0x10de >"$G/sys/devices/pci0000:00/0000:00:03.0/vendor"
ln -s ../../../0000:00:02.0 "$pci/drm/card0/device"
ln -s ../../../0000:00:02.0 "$pci/drm/renderD128/device"
ln -s ../../devices/pci0000:00/0000:00:02.0/drm/card0 "$G/sys/dev/char/1:3"
ln -s ../../devices/pci0000:00/0000:00:02.0/drm/renderD128 "$G/sys/dev/char/1:5"
# A link leading out of /sys/devices is not followed.
ln -s ../../../../etc "$G/sys/dev/char/1:7"

SBX_TEST_GPU_ROOT=$G run_sbx --gpu sh -c '
	echo x >/dev/dri/card0 && head -c 1 /dev/dri/renderD128 | od -An -tx1 | tr -d " "
	ls /dev/dri; ls /dev | grep -c "^sda$"; test -c /dev/nvidia0 && echo nvidia0'
expect_out "--gpu: the nodes are usable inside (/dev/dri, /dev/nvidia0), no other node" \
	00 card0 renderD128 0 nvidia0
SBX_TEST_GPU_ROOT=$G run_sbx --gpu sh -c '
	readlink /sys/dev/char/1:3; cat /sys/dev/char/1:5/device/vendor /sys/dev/char/1:3/device/uevent
	ls /sys; ls /sys/dev/char; ls /sys/devices/pci0000:00'
expect_out "--gpu: /sys holds the nodes' links and their PCI device, nothing else" \
	../../devices/pci0000:00/0000:00:02.0/drm/card0 0x8086 PCI_SLOT_NAME=0000:00:02.0 \
	dev devices 1:3 1:5 0000:00:02.0
SBX_TEST_GPU_ROOT=$G run_sbx --gpu sh -c 'echo x >/sys/devices/pci0000:00/0000:00:02.0/vendor'
[ "$RC" -ne 0 ] && [ "$(cat "$pci/vendor")" = 0x8086 ]
ok $? "--gpu: the /sys entries are read-only"
# A link with a GPU's name is no GPU node: it could lead to any device.
ln -s "$G/dev/sda" "$G/dev/nvidia-link"
SBX_TEST_GPU_ROOT=$G run_sbx --gpu sh -c 'ls /dev | grep "^nvidia"'
expect_out "--gpu: a symbolic link named like a GPU node is not bound" nvidia0
rm "$G/dev/nvidia-link"
run_sbx sh -c 'ls /sys /dev/dri 2>&1 | grep -c "No such file"'
expect_out "without --gpu: no /sys, no /dev/dri" 2

done_testing
