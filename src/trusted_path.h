/* trusted_path.h - resolve a path refusing places another user can change */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "error.h"

/**
 * struct trusted_path_who - whose places count as safe
 * @uid:	the caller; root's are trusted too
 * @gid:	the caller's own group: a place writable by it is still the
 *		caller's (user private groups, umask 002)
 */
struct trusted_path_who {
	uid_t uid;
	gid_t gid;
};

/**
 * trusted_path_open() - open absolute @path one component at a time
 * @what:	how to name @path in an error ("profile /x/y.conf", "--home DIR")
 * @mkdir:	create missing directories on the way, the last one too, 0700
 * @open_flags:	O_PATH, or how to open the last component when it is a
 *		regular file (O_RDONLY | O_NONBLOCK...; O_NOFOLLOW is added)
 * @ret_st:	the status of what @path names
 *
 * Every directory looked in and every symbolic link followed must be owned
 * by the caller or root, and a directory must not be writable by others
 * (nor by a group not the caller's) unless it is sticky (/tmp): no one else
 * can then replace a name on the way, between this check and a later use of
 * @path. The last component is not judged here: the caller checks @ret_st.
 * Symbolic links are followed (40 at most), each checked where it lies,
 * which the kernel's own resolution would not do.
 * Return: an fd (O_CLOEXEC) on what @path names, opened with @open_flags
 * if it is a regular file, else O_PATH; or -errno with @e filled ("WHAT: why")
 */
int trusted_path_open(const char *path, const struct trusted_path_who *who, bool mkdir,
		      int open_flags, struct stat *ret_st, const char *what, struct sbx_error *e);

/**
 * trusted_path_writable_by_others() - whether someone but @who can write to
 *				       the object of @st (ignoring sticky)
 */
bool trusted_path_writable_by_others(const struct stat *st, const struct trusted_path_who *who);
