/* registry.h - named sandboxes' state directories: one per name, locked by its live supervisor */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

#define REGISTRY_NAME_MAX 64
#define REGISTRY_STATE_MAX 16384

/* The files of a state directory. */
#define REGISTRY_LOCK "lock"
#define REGISTRY_STATE "state"
#define REGISTRY_OPTIONS "options"
#define REGISTRY_CTL "ctl"
#define REGISTRY_LOG "log"

/**
 * struct registry_entry - one sandbox's state directory, opened
 * @name:	its name
 * @base:	the registry's directory ($XDG_RUNTIME_DIR/sbx or /tmp/sbx-UID)
 * @dir:	absolute path of the state directory
 * @dirfd:	an O_PATH-less directory fd on it, or -1
 * @lockfd:	its lock file, locked (LOCK_EX) by us when @owned, or -1
 * @owned:	we hold the lock: we are its supervisor, or cleaning it up
 */
struct registry_entry {
	char name[REGISTRY_NAME_MAX + 1];
	char *base;
	char *dir;
	int dirfd;
	int lockfd;
	bool owned;
};

#define REGISTRY_ENTRY_NONE ((struct registry_entry){ .dirfd = -1, .lockfd = -1 })

/**
 * registry_check_name() - a name is [A-Za-z0-9][A-Za-z0-9_.-]*, at most 64 bytes
 * Return: 0 or -EINVAL with @e filled
 */
int registry_check_name(const char *name, struct sbx_error *e);

/**
 * registry_base() - the registry's directory, created 0700 if missing, and
 *		     checked: a directory (no symlink), ours, mode 0700
 * @ret_path:	its path (free it)
 * @ret_fd:	an fd on it
 * Return: 0 or -errno with @e filled
 */
int registry_base(char **ret_path, int *ret_fd, struct sbx_error *e);

/**
 * registry_create() - claim @name: its directory, its lock held by us
 *
 * A directory whose lock nobody holds is what a dead sbx left (even after
 * SIGKILL the kernel drops the lock): it is emptied and reused.
 *
 * Return: 0, -EEXIST (a live sandbox has the name) or -errno, with @e filled
 */
int registry_create(struct registry_entry *r, const char *name, struct sbx_error *e);

/**
 * registry_open() - open the live sandbox @name (its lock held by another)
 *
 * A stale directory is removed on the way.
 *
 * Return: 0, -ENOENT (no live sandbox of that name) or -errno, with @e filled
 */
int registry_open(struct registry_entry *r, const char *name, struct sbx_error *e);

/**
 * registry_remove() - remove the directory of an entry we own, then close it
 */
void registry_remove(struct registry_entry *r);

/**
 * registry_close() - close an entry without removing anything
 */
void registry_close(struct registry_entry *r);

/**
 * registry_write() - replace file @file of @r atomically (temporary + rename)
 * Return: 0 or -errno
 */
int registry_write(const struct registry_entry *r, const char *file, const char *data);

/**
 * registry_read() - read file @file of @r (at most REGISTRY_STATE_MAX bytes)
 * @ret:	NUL-terminated text (free it)
 * Return: 0 or -errno
 */
int registry_read(const struct registry_entry *r, const char *file, char **ret);

/**
 * registry_list() - the names of the live sandboxes, sorted; stale ones are
 *		     cleaned up on the way
 * @ret_names:	array of @ret_n strings (free each and the array)
 * Return: 0 or -errno with @e filled
 */
int registry_list(char ***ret_names, size_t *ret_n, struct sbx_error *e);

/**
 * registry_path() - @file's path in @r's directory (free it)
 */
char *registry_path(const struct registry_entry *r, const char *file);
