/* net_resolv.h - --net slirp's /etc/resolv.conf inside the sandbox (run by
 * the child while it builds the new root) */
#pragma once

#include "error.h"

/**
 * net_resolv_attach() - bind a generated resolv.conf naming 10.0.2.3 over
 *			 /etc/resolv.conf inside the new root @rootfd
 *
 * The file lives on a small private tmpfs, mounted read-only; the host's
 * file is not touched. A symlinked /etc/resolv.conf gets the file at the
 * link's target (inside the new root). A host without /etc/resolv.conf gets
 * none. Before Linux 5.12 (no mount_setattr()), it is made read-only by a
 * remount once attached.
 *
 * Return: 0 or -errno with @e filled
 */
int net_resolv_attach(int rootfd, struct sbx_error *e);
