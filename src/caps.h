/* caps.h - the command's capability sets and no_new_privs */
#pragma once

#include <stdint.h>

#include "error.h"

/**
 * caps_drop_for_exec() - leave only @keep (bit N = capability N) in every set
 *
 * Drops the rest of the bounding set, sets permitted, effective and
 * inheritable to @keep and raises @keep as ambient, so a non-root command
 * keeps exactly @keep across execve(); then sets no_new_privs.
 *
 * Return: 0 or -errno with @e filled
 */
int caps_drop_for_exec(uint64_t keep, struct sbx_error *e);

/**
 * caps_drop_all_now() - empty this process's permitted/effective/inheritable sets
 * Return: 0 or -errno with @e filled
 */
int caps_drop_all_now(struct sbx_error *e);
