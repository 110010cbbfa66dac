/* trusted_path.c - resolving a path one component at a time, refusing
 * places another user can change (profile files, --home) */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trusted_path.h"
#include "util.h"

#define TRUSTED_PATH_MAX_LINKS 40
#define TRUSTED_PATH_MAX_LEN (16 * PATH_MAX)

bool trusted_path_writable_by_others(const struct stat *st, const struct trusted_path_who *who)
{
	return (st->st_mode & S_IWOTH) || ((st->st_mode & S_IWGRP) && st->st_gid != who->gid);
}

static bool owner_trusted(const struct stat *st, const struct trusted_path_who *who)
{
	return st->st_uid == who->uid || st->st_uid == 0;
}

/* May names be looked up in the directory of @st (at @at)? */
static int check_dir(const struct stat *st, const char *at, const struct trusted_path_who *who,
		     const char *what, struct sbx_error *e)
{
	if (!S_ISDIR(st->st_mode))
		return sbx_error_set(e, ENOTDIR, "%s: %s", what, at);
	if (!owner_trusted(st, who))
		return sbx_error_set(e, 0, "%s: %s is owned by uid %u, neither you nor root", what, at,
				     (unsigned)st->st_uid);
	/* A sticky directory (/tmp) lets others add names, not replace ours. */
	if (trusted_path_writable_by_others(st, who) && !(st->st_mode & S_ISVTX))
		return sbx_error_set(e, 0, "%s: %s is writable by others", what, at);
	return 0;
}

/* The walk's state: the directory names are looked up in, its path for
 * messages, and what is left of the path. */
struct walk {
	int dirfd;
	char *at;
	char *rest;
	const char *p;
	unsigned links;
};

static int walk_root(struct walk *w, const struct trusted_path_who *who, const char *what,
		     struct sbx_error *e)
{
	struct stat st;

	if (w->dirfd >= 0)
		close(w->dirfd);
	free(w->at);
	w->at = xstrdup("/");
	w->dirfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (w->dirfd < 0 || fstat(w->dirfd, &st) < 0)
		return sbx_error_set(e, errno, "%s: /", what);
	return check_dir(&st, "/", who, what, e);
}

/* The symbolic link @fd met at @name: go on with its target, then the rest. */
static int walk_link(struct walk *w, int fd, const struct stat *st, const char *name,
		     const struct trusted_path_who *who, const char *what, struct sbx_error *e)
{
	char target[PATH_MAX];
	ssize_t n;
	char *rest;

	if (!owner_trusted(st, who))
		return sbx_error_set(e, 0, "%s: the symbolic link %s%s%s is owned by uid %u, neither "
					   "you nor root", what, w->at, strcmp(w->at, "/") ? "/" : "",
				     name, (unsigned)st->st_uid);
	if (++w->links > TRUSTED_PATH_MAX_LINKS)
		return sbx_error_set(e, ELOOP, "%s", what);
	n = readlinkat(fd, "", target, sizeof(target));
	if (n < 0)
		return sbx_error_set(e, errno, "%s", what);
	if ((size_t)n >= sizeof(target) || (size_t)n + strlen(w->p) + 2 > TRUSTED_PATH_MAX_LEN)
		return sbx_error_set(e, ENAMETOOLONG, "%s", what);
	rest = xasprintf("%.*s/%s", (int)n, target, w->p);
	free(w->rest);
	w->rest = rest;
	w->p = rest;
	return target[0] == '/' ? walk_root(w, who, what, e) : 0;
}

/* Step into directory @fd, named @name in the current one. */
static int walk_into(struct walk *w, int fd, const struct stat *st, const char *name,
		     const struct trusted_path_who *who, const char *what, struct sbx_error *e)
{
	char *at;

	if (strcmp(name, "..") == 0) {
		char *slash = strrchr(w->at, '/');
		at = slash == w->at ? xstrdup("/") : strndup(w->at, (size_t)(slash - w->at));
		if (!at)
			abort();
	} else {
		at = xasprintf("%s/%s", strcmp(w->at, "/") ? w->at : "", name);
	}
	free(w->at);
	w->at = at;
	close(w->dirfd);
	w->dirfd = fd;
	return check_dir(st, at, who, what, e);
}

/* Open @name in the walk's directory, creating it first if asked. */
static int walk_open(struct walk *w, const char *name, bool create, const char *what,
		     struct sbx_error *e)
{
	int fd = openat(w->dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(w->dirfd, name, 0700) < 0 && errno != EEXIST)
			return sbx_error_set(e, errno, "%s: cannot create %s%s%s", what, w->at,
					     strcmp(w->at, "/") ? "/" : "", name);
		fd = openat(w->dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return sbx_error_set(e, errno, "%s", what);
	return fd;
}

/* The last component, @fd: reopened with @open_flags if it is a regular file
 * (and still the same one), else returned as it is. */
static int walk_last(struct walk *w, int fd, const char *name, int open_flags,
		     const struct stat *st, const char *what, struct sbx_error *e)
{
	_cleanup_close_ int pfd = fd;
	_cleanup_close_ int rfd = -1;
	struct stat again;

	if ((open_flags & O_PATH) || !S_ISREG(st->st_mode))
		return TAKE_FD(pfd);
	rfd = openat(w->dirfd, name, open_flags | O_NOFOLLOW | O_CLOEXEC);
	if (rfd < 0 || fstat(rfd, &again) < 0)
		return sbx_error_set(e, errno, "%s", what);
	if (again.st_dev != st->st_dev || again.st_ino != st->st_ino)
		return sbx_error_set(e, EAGAIN, "%s: replaced while being opened", what);
	return TAKE_FD(rfd);
}

int trusted_path_open(const char *path, const struct trusted_path_who *who, bool mkdir,
		      int open_flags, struct stat *ret_st, const char *what, struct sbx_error *e)
{
	struct walk w = { .dirfd = -1 };
	int r;

	if (path[0] != '/')
		return sbx_error_set(e, EINVAL, "%s: not an absolute path", what);
	w.rest = xstrdup(path);
	w.p = w.rest;
	r = walk_root(&w, who, what, e);
	while (r >= 0) {
		char name[NAME_MAX + 1];
		size_t n;
		struct stat st;
		const char *q;
		int fd;

		while (*w.p == '/')
			w.p++;
		if (!*w.p) {
			/* The path names the directory the walk is in ("/", "a/"). */
			r = fstat(w.dirfd, ret_st) < 0 ? sbx_error_set(e, errno, "%s", what)
							: TAKE_FD(w.dirfd);
			break;
		}
		n = strcspn(w.p, "/");
		if (n > NAME_MAX) {
			r = sbx_error_set(e, ENAMETOOLONG, "%s", what);
			break;
		}
		memcpy(name, w.p, n);
		name[n] = '\0';
		w.p += n;
		for (q = w.p; *q == '/'; q++)
			;
		if (strcmp(name, ".") == 0)
			continue;
		fd = r = walk_open(&w, name, mkdir, what, e);
		if (r < 0)
			break;
		if (fstat(fd, &st) < 0) {
			r = sbx_error_set(e, errno, "%s", what);
			close(fd);
		} else if (S_ISLNK(st.st_mode)) {
			r = walk_link(&w, fd, &st, name, who, what, e);
			close(fd);
		} else if (*q) {
			r = walk_into(&w, fd, &st, name, who, what, e);
		} else {
			r = walk_last(&w, fd, name, open_flags, &st, what, e);
			*ret_st = st;
			break;
		}
	}
	if (w.dirfd >= 0)
		close(w.dirfd);
	free(w.at);
	free(w.rest);
	return r;
}
