/* gpu.h - --gpu: device nodes and the /sys entries that identify them */
#pragma once

#include <sys/types.h>

/**
 * struct gpu_sys_entry - what Mesa and libdrm read in /sys for one node
 * @link:	"/dev/char/MAJ:MIN", relative to the sysfs root
 * @link_target: that link's text, as the kernel wrote it (relative)
 * @device_dir:	the directory to show, relative to the sysfs root
 *		("/devices/pci0000:00/0000:00:02.0"): the node's bus device
 *		when it has one (vendor, device, uevent, config), else the
 *		node's own directory
 */
struct gpu_sys_entry {
	char link[64];
	char *link_target;
	char *device_dir;
};

/**
 * gpu_sys_resolve() - resolve char device @rdev's /sys entries under
 *		       @sysroot ("/sys", or a fake tree in tests)
 *
 * The links are followed lexically and must stay under @sysroot/devices:
 * a link leading elsewhere is refused, not shown.
 * Return: 0, -ENOENT when @sysroot has no entry for @rdev, -EXDEV for a link
 *	   leaving /sys/devices, other -errno
 */
int gpu_sys_resolve(const char *sysroot, dev_t rdev, struct gpu_sys_entry *ret);

/**
 * gpu_sys_entry_free() - free what gpu_sys_resolve() filled
 */
void gpu_sys_entry_free(struct gpu_sys_entry *s);
