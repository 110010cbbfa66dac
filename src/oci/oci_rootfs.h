/* oci_rootfs.h - the container's file-system view from config.json */
#pragma once

#include <stdbool.h>

#include "error.h"
#include "oci_spec.h"

/**
 * oci_rootfs_prepare() - in the container's new mount namespace, before
 *			  createContainer hooks: root.path bound on itself,
 *			  "mounts" in order, the default and linux.devices
 *			  nodes, /dev's links
 * Return: 0 or -errno with @e filled (naming the mount)
 */
int oci_rootfs_prepare(const struct oci_spec *s, struct sbx_error *e);

/**
 * oci_rootfs_enter() - pivot_root into root.path (or move + chroot with
 *			@no_pivot), then sysctl, maskedPaths, readonlyPaths
 *			and root.readonly
 * Return: 0 or -errno with @e filled
 */
int oci_rootfs_enter(const struct oci_spec *s, bool no_pivot, struct sbx_error *e);
