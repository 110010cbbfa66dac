/* landlock.h - the command's Landlock domain: the sandbox's view, ports, scoping */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

/**
 * struct landlock_plan - what the command will ask Landlock for, decided by sbx
 * @abi:	the kernel's Landlock ABI version, 0 when it has none
 * @fs:		filesystem rights the ruleset handles (0: no filesystem rules)
 * @net:	network rights it handles (TCP bind/connect, only when asked for)
 * @scoped:	IPC scopes (abstract unix sockets, signals)
 * @notes:	one line for --verbose: what is enforced and what this kernel lacks
 *
 * Decided in sbx before the clone, so a rule the kernel cannot enforce is an
 * error printed by main (exit 125), before anything starts.
 */
struct landlock_plan {
	int abi;
	uint64_t fs;
	uint64_t net;
	uint64_t scoped;
	char notes[320];
};

/**
 * landlock_plan_build() - probe the kernel and decide what to enforce for @c
 *
 * Features the kernel lacks are skipped and named in @ret->notes, except the
 * ones the user asked for explicitly (--allow-connect, --allow-bind): those
 * fail with -EOPNOTSUPP. Filesystem rules are left out with --allow-userns
 * and --cap-add SYS_ADMIN, because a Landlock domain with them forbids every
 * mount and those options exist to let the command mount.
 *
 * Return: 0 or -errno with @e filled
 */
int landlock_plan_build(const struct sbx_config *c, struct landlock_plan *ret, struct sbx_error *e);

/**
 * landlock_plan_for_abi() - landlock_plan_build() for a kernel of Landlock ABI @abi
 *
 * The decision without the probe, so every ABI's degradation can be tested.
 * Return: 0 or -errno with @e filled
 */
int landlock_plan_for_abi(const struct sbx_config *c, int abi, struct landlock_plan *ret,
			  struct sbx_error *e);

/**
 * struct landlock_mount - one line of /proc/self/mountinfo, as Landlock needs it
 * @id:		the mount id (what statx() reports as stx_mnt_id)
 * @parent:	the id of the mount it is mounted on
 * @point:	the mount point, unescaped, inside the parsed line
 * @ro:		read-only, by the mount's flags or its filesystem's
 */
struct landlock_mount {
	int id;
	int parent;
	const char *point;
	bool ro;
};

/**
 * landlock_parse_mount() - parse one line of /proc/self/mountinfo in place
 *
 * Lines that are not "ID PARENT MAJ:MIN ROOT /POINT OPTIONS ..." are refused;
 * the point's escapes (\040 for a space...) are undone.
 * Return: 0, or -EINVAL for a line to skip
 */
int landlock_parse_mount(char *line, struct landlock_mount *ret);

/**
 * landlock_snapshot_view() - remember the sandbox's mounts for landlock_apply()
 * @selffd:	the sandbox's /proc/self, opened before the user's mounts could
 *		cover /proc or /proc/1 (--bind D:/proc, --tmpfs /proc/1)
 *
 * Called by pid 1 once the view is final (after pivot_root, so the paths are
 * the sandbox's); the command, forked later, inherits the copy. Without a
 * snapshot, landlock_apply() reads /proc/self/mountinfo itself. A mount
 * right over @selffd's mountinfo is refused, not read as the view.
 *
 * Return: 0 or -errno with @e filled
 */
int landlock_snapshot_view(int procfd, struct sbx_error *e);

/**
 * landlock_apply() - restrict the calling process (the command, before exec)
 *
 * Filesystem: every mount of the sandbox's view readable and executable,
 * writable where the mount is writable; a directory or file passed with
 * --pass-fd readable; nothing else (an fd to a host directory outside the
 * view, for instance). TCP: only the listed ports. Scopes: no abstract unix
 * socket or signal reaches a process outside the domain.
 *
 * Needs no_new_privs. Return: 0 or -errno with @e filled
 */
int landlock_apply(const struct sbx_config *c, const struct landlock_plan *p, struct sbx_error *e);
