/* nethelper_lockdown.h - the network helper's lockdown stages (run in the helper) */
#pragma once

#include <seccomp.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/**
 * nethelper_lockdown_empty_root() - stage 2: a new user and mount namespace
 *				     whose root is an empty read-only tmpfs
 *				     holding only /etc/resolv.conf
 * @resolv_conf, @len:	the host's resolv.conf, read before (libslirp
 *			reads the copy when it forwards DNS)
 *
 * Falls back to a classic remount on kernels without mount_setattr()
 * (before 5.12).
 *
 * Return: 0 or -errno with @e filled
 */
int nethelper_lockdown_empty_root(const char *resolv_conf, size_t len, struct sbx_error *e);

/**
 * nethelper_lockdown_no_privileges() - stage 3: raise the fd limit while it
 *					still may, then drop every capability
 *					(bounding set included), no_new_privs,
 *					not dumpable
 * Return: 0 or -errno with @e filled
 */
int nethelper_lockdown_no_privileges(struct sbx_error *e);

/**
 * nethelper_lockdown_rules() - add the helper's seccomp allow-list to @ctx
 *				(made with a default action that refuses):
 *				poll, socket I/O, IP sockets only, splice,
 *				memory that is never executable
 *
 * Exposed so a unit test can load the very same list in a child.
 *
 * Return: 0 or a negative libseccomp error
 */
int nethelper_lockdown_rules(scmp_filter_ctx ctx);

/**
 * nethelper_lockdown_seccomp() - stage 4: load nethelper_lockdown_rules()
 *				  with EPERM for everything else
 * Return: 0 or -errno with @e filled
 */
int nethelper_lockdown_seccomp(struct sbx_error *e);
