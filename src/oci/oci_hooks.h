/* oci_hooks.h - running config.json's hooks */
#pragma once

#include <stddef.h>

#include "error.h"
#include "oci_spec.h"

/**
 * oci_hooks_run() - run @n hooks in order, each with @state (the container's
 *		     state JSON) on its stdin; the first failure stops them
 * @what:	the hook kind, for messages ("createRuntime")
 * Return: 0 or -errno (-EINVAL for a non-zero exit) with @e filled
 */
int oci_hooks_run(const struct oci_hook *hooks, size_t n, const char *state, const char *what,
		  struct sbx_error *e);
