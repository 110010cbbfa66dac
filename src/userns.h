/* userns.h - subordinate id lookup, id-map building, newuidmap/newgidmap */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"

/* The kernel accepts at most 340 lines per map (since 4.15). */
#define IDMAP_MAX_LINES 340
#define SUBID_MAX_RANGES 64

/* Inside ids 0..65535 are what a Debian system's packages use. */
#define IDMAP_DEFAULT_SPAN 65536UL

struct subid_range {
	unsigned long start;
	unsigned long count;
};

struct idmap_line {
	unsigned long inside;
	unsigned long outside;
	unsigned long count;
};

struct idmap {
	struct idmap_line lines[IDMAP_MAX_LINES];
	size_t n;
};

/**
 * subid_parse() - collect @user's ranges from a subuid/subgid-format stream
 * @f:		the file, "owner:start:count" per line; '#' comments and blank
 *		lines are skipped, and so are malformed lines (as shadow does)
 * @user:	user name to match, may be NULL
 * @id:		numeric id to match (an owner field may be a number)
 * @ret_ranges:	at most @max ranges, in file order
 * Return: the number of ranges found (>= 0)
 */
size_t subid_parse(FILE *f, const char *user, unsigned long id, struct subid_range *ret_ranges,
		   size_t max);

/**
 * subid_load() - subid_parse() on the file at @path; a missing file is no ranges
 */
size_t subid_load(const char *path, const char *user, unsigned long id,
		  struct subid_range *ret_ranges, size_t max);

/**
 * idmap_build() - map @inside_id to @host_id, then fill inside ids from 0
 *		   upwards, skipping @inside_id, with the subordinate @ranges
 * @span:	stop after inside ids 0..span-1 are covered (or the ranges run out)
 *
 * Adjacent pieces are merged, so a single 65536-id range yields at most three
 * lines. Without ranges the map is the single line "inside host 1".
 *
 * Return: 0, or -E2BIG if more than IDMAP_MAX_LINES lines would be needed
 */
int idmap_build(unsigned long host_id, unsigned long inside_id, const struct subid_range *ranges,
		size_t n_ranges, unsigned long span, struct idmap *ret_map);

/**
 * idmap_build_isolated() - inside ids 0..@span-1 from the subordinate @ranges
 *			    only: no line maps any id of the caller
 * Return: 0, or -E2BIG if more than IDMAP_MAX_LINES lines would be needed
 */
int idmap_build_isolated(const struct subid_range *ranges, size_t n_ranges, unsigned long span,
			 struct idmap *ret_map);

/**
 * idmap_covers() - whether inside id @id is mapped by @m
 */
bool idmap_covers(const struct idmap *m, unsigned long id);

/**
 * idmap_format() - the map as /proc/PID/uid_map text ("in out count\n"...)
 * Return: number of bytes written (truncated to @len like snprintf)
 */
size_t idmap_format(const struct idmap *m, char *buf, size_t len);

/**
 * struct userns_plan - the maps the parent will install for the child
 * @uid_map, @gid_map:	full maps (with subordinate ranges), or single lines
 * @use_helpers:	run newuidmap/newgidmap (an unprivileged caller with ranges)
 * @privileged:		real root: the maps are written to /proc directly
 * @isolated:		--userns isolated: the maps hold subordinate ids only,
 *			and a single-id fallback is an error, not a warning
 * @warning:		one line to print before starting, or ""
 */
struct userns_plan {
	struct idmap uid_map;
	struct idmap gid_map;
	struct idmap uid_single;
	struct idmap gid_single;
	bool use_helpers;
	bool privileged;
	bool isolated;
	char warning[256];
};

/**
 * userns_plan_build() - decide the maps for a caller with the given ids
 * @subuid_path, @subgid_path:	normally /etc/subuid and /etc/subgid
 * Return: 0 or -errno with @e filled
 */
int userns_plan_build(struct userns_plan *p, uid_t host_uid, gid_t host_gid, const char *user,
		      uid_t inside_uid, gid_t inside_gid, const char *subuid_path,
		      const char *subgid_path, struct sbx_error *e);

/**
 * userns_plan_isolate() - turn @p into an isolated plan: the sandbox's ids
 *			   0..65535 all come from the subordinate ranges, and
 *			   the caller's own uid/gid are not mapped at all
 * Return: 0 or -errno with @e filled (no ranges, no newuidmap, or the
 *	   sandbox user outside the ranges)
 */
int userns_plan_isolate(struct userns_plan *p, uid_t host_uid, const char *user,
			uid_t inside_uid, gid_t inside_gid, const char *subuid_path,
			const char *subgid_path, struct sbx_error *e);

/**
 * userns_become() - in the child, once an isolated map is written: take the
 *		     sandbox user's ids (the caller's are unmapped, so
 *		     nothing could be created with them)
 * Return: 0 or -errno with @e filled
 */
int userns_become(uid_t uid, gid_t gid, struct sbx_error *e);

/**
 * userns_plan_single() - map only the caller's own uid and gid (--userns single)
 *
 * No subordinate ids, so no setuid helper runs: the quickest start, as with
 * bwrap or unshare -r, at the price of every other id showing as nobody.
 */
void userns_plan_single(struct userns_plan *p);

/**
 * userns_write_maps() - install the planned maps into @pid's user namespace
 * @ret_setgroups_allowed:	false when setgroups had to be denied
 *
 * Runs newuidmap and newgidmap concurrently. When a helper fails, falls back
 * to the single-id map and says so in @p->warning.
 *
 * Return: 0 or -errno with @e filled
 */
int userns_write_maps(struct userns_plan *p, pid_t pid, bool *ret_setgroups_allowed,
		      struct sbx_error *e);
