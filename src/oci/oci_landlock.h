/* oci_landlock.h - Landlock rules from the annotations org.sbx.landlock.fs/.net */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define OCI_LANDLOCK_MAX_RULES 64
#define OCI_LANDLOCK_MAX_PORTS 64

/**
 * struct oci_landlock - what the container's processes are confined to
 * @fs:		any filesystem rule given: everything not listed is denied
 * @paths, @rw:	paths inside the container, and whether each is read-write
 *		(else read and execute only)
 * @net:	any network rule given: TCP connect/bind only to the listed ports
 * @connect, @bind: the allowed TCP ports
 *
 * Syntax (sbx(1), OCI RUNTIME): rules split by ';', a rule's list by ':'
 * or ',' (podman's --annotation splits its value at commas: use ':'):
 *   org.sbx.landlock.fs  = "ro:/usr:/etc;rw:/tmp"   (ro: read, list, execute;
 *                                                    rw: every right)
 *   org.sbx.landlock.net = "connect:80:443;bind:8080"   (TCP; "connect:" alone
 *                                                        denies every port)
 */
struct oci_landlock {
	bool fs;
	size_t n_paths;
	char *paths[OCI_LANDLOCK_MAX_RULES];
	bool rw[OCI_LANDLOCK_MAX_RULES];
	bool net;
	size_t n_connect, n_bind;
	uint16_t connect[OCI_LANDLOCK_MAX_PORTS];
	uint16_t bind[OCI_LANDLOCK_MAX_PORTS];
};

/**
 * oci_landlock_parse() - the two annotations' values (each may be NULL) into @ret
 * Return: 0 or -EINVAL with @e filled naming the annotation
 */
int oci_landlock_parse(const char *fs, const char *net, struct oci_landlock *ret,
		       struct sbx_error *e);

/**
 * oci_landlock_check() - can this kernel enforce @ll? (ABI 1 for files, 4 for TCP)
 * Return: 0 or -EOPNOTSUPP with @e filled
 */
int oci_landlock_check(const struct oci_landlock *ll, struct sbx_error *e);

/**
 * oci_landlock_apply() - confine the calling process (and what it execs) to @ll
 *
 * Called while the process still has CAP_SYS_ADMIN in its user namespace
 * (landlock_restrict_self() needs that or no_new_privs). A listed path that
 * does not exist is an error.
 * Return: 0 or -errno with @e filled
 */
int oci_landlock_apply(const struct oci_landlock *ll, struct sbx_error *e);

/**
 * oci_landlock_free() - release @ll's paths
 */
void oci_landlock_free(struct oci_landlock *ll);
