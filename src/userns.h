/* userns.h - subordinate id lookup, id maps (userns_idmap.c), newuidmap/newgidmap */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"

/* The kernel accepts at most 340 lines per map (since 4.15). */
#define IDMAP_MAX_LINES 340
/* ...and takes a map in one write shorter than a page. */
#define IDMAP_MAX_TEXT 4096
/* Ranges read per user and file; past 65536 ranges even one-id ranges cover
 * more than a sandbox's 65536 ids. */
#define SUBID_MAX_RANGES 65536

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
 * subid_load_all() - every range of @user in the file at @path (up to
 *		      SUBID_MAX_RANGES), in file order
 * @ret_ranges:	allocated array (free() it), NULL when there are none
 * Return: the number of ranges
 */
size_t subid_load_all(const char *path, const char *user, unsigned long id,
		      struct subid_range **ret_ranges);

/**
 * idmap_build() - map @inside_id to @host_id, then fill inside ids from 0
 *		   upwards, skipping @inside_id, with the subordinate @ranges
 * @span:	stop after inside ids 0..span-1 are covered (or the ranges run out)
 *
 * Adjacent pieces are merged, so a single 65536-id range yields at most three
 * lines. Without ranges the map is the single line "inside host 1".
 *
 * Return: 0, or -E2BIG if more than IDMAP_MAX_LINES lines (or IDMAP_MAX_TEXT
 *	   bytes) would be needed; @ret_map then holds the caller's line and
 *	   the first pieces that fit
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
 * idmap_build_identity() - the parent namespace's map: @host_id and every
 *			    subordinate range mapped to itself, sorted, merged
 * Return: 0, or -E2BIG when more than IDMAP_MAX_LINES lines are needed
 *	   (@ret_map then holds the lowest ones)
 */
int idmap_build_identity(unsigned long host_id, const struct subid_range *ranges, size_t n_ranges,
			 struct idmap *ret_map);

/**
 * idmap_outside_within() - whether every outside id of @m is mapped by the
 *			    identity map @parent (so @m can be written from it)
 */
bool idmap_outside_within(const struct idmap *m, const struct idmap *parent);

/**
 * idmap_count() - the number of ids @m maps
 */
unsigned long idmap_count(const struct idmap *m);

/**
 * idmap_parse() - read /proc/PID/uid_map text (at most IDMAP_MAX_LINES lines)
 * Return: 0 or -EINVAL
 */
int idmap_parse(const char *text, struct idmap *ret_map);

/**
 * idmap_equal() - the same lines in the same order
 */
bool idmap_equal(const struct idmap *a, const struct idmap *b);

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
 * struct userns_spare - a ready user namespace with the namespaces it owns,
 *			 made ahead by the holder (userns_spare.c)
 * @user:	the user namespace, a child of the holder's, already mapped
 * @net:	a network namespace owned by @user, lo up
 * @ipc:	an IPC namespace owned by @user
 * @uts:	a UTS namespace owned by @user (its names are set once entered)
 *
 * No pid namespace: one with no process in it yet cannot be opened (the
 * kernel gives /proc/PID/ns/pid_for_children only once the namespace has
 * its pid 1), and a process made in it to open it would be its pid 1.
 *
 * Each fd is -1 when there is no spare (USERNS_SPARE_NONE). Handed over
 * once, never reused.
 */
struct userns_spare {
	int user;
	int net;
	int ipc;
	int uts;
};

/* How many fds a spare has, in the order of struct userns_spare. */
#define USERNS_SPARE_FDS 4

#define USERNS_SPARE_NONE \
	((struct userns_spare){ .user = -1, .net = -1, .ipc = -1, .uts = -1 })

/**
 * struct userns_plan - the maps the parent will install for the child
 * @uid_map, @gid_map:	full maps (with subordinate ranges), or single lines
 * @uid_parent, @gid_parent:	the per-user parent namespace's identity maps
 *			(the caller's id and all its ranges), for the holder
 * @use_helpers:	run newuidmap/newgidmap (an unprivileged caller with ranges)
 * @via_holder:		sbx joined the holder's parent namespace: it writes
 *			the full maps itself (see userns_holder.h)
 * @holder_setgroups:	the parent namespace allows setgroups (so the child's may)
 * @holder_note:	for -v: the holder used, or why none was
 * @spare:		namespaces the holder made ahead with exactly @uid_map
 *			and @gid_map, or -1s (see userns_holder.h)
 * @spare_used:		the sandbox runs in @spare: the maps are already there

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
	struct idmap uid_parent;
	struct idmap gid_parent;
	bool use_helpers;
	bool via_holder;
	bool holder_setgroups;
	char holder_note[200];
	struct userns_spare spare;
	bool spare_used;
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
 * userns_plan_bwrap() - bwrap's maps: only @host_uid as @uid and @host_gid
 *			 as @gid, written by sbx itself, setgroups denied
 */
void userns_plan_bwrap(struct userns_plan *p, uid_t host_uid, gid_t host_gid, uid_t uid, gid_t gid);

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

/**
 * userns_run_helpers() - newuidmap @uids and newgidmap @gids for @pid, both at once
 * @ret_uid_ok, @ret_gid_ok:	whether each helper succeeded
 */
void userns_run_helpers(pid_t pid, const struct idmap *uids, const struct idmap *gids,
			bool *ret_uid_ok, bool *ret_gid_ok);

/**
 * userns_write_map_file() - write @m to /proc/@pid/@file (uid_map or gid_map)
 * Return: 0 or -errno
 */
int userns_write_map_file(pid_t pid, const char *file, const struct idmap *m);

/**
 * userns_spare_release() - close the spare's fds (those not -1)
 */
void userns_spare_release(struct userns_spare *s);

/**
 * userns_plan_via() - how the maps will be written, for -v
 */
const char *userns_plan_via(const struct userns_plan *p);
