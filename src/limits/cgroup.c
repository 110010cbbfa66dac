/* cgroup.c - a delegated cgroup v2 subtree for one sandbox (see cgroup.h) */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cgroup.h"
#include "util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* How long the end waits for killed processes to leave the cgroup. */
#define CGROUP_EMPTY_WAIT_MS 5000
/* Nested cgroups the sandbox may make below the limiting one (its
 * cgroup.max.depth), all of which the end removes. */
#define CGROUP_RM_DEPTH 16

/* A message that says it all, without strerror(), and a specific @r. */
static int fail(struct sbx_error *e, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct sbx_error *e, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->err = 0;
	return r;
}

static const char *const controller_names[] = { "memory", "pids", "cpu" };

static int cg_write(const struct cgroup_v2 *cg, int dirfd, const char *name, const char *data)
{
	_cleanup_close_ int fd = openat(dirfd, name,
					O_WRONLY | O_CLOEXEC | (cg->fake ? O_CREAT | O_TRUNC : 0),
					0644);

	if (fd < 0)
		return -errno;
	return write_all(fd, data, strlen(data));
}

/* Is word @w in the space-separated list @list? */
static bool has_word(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; (p = strstr(p, w)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return true;
	return false;
}

/* The v1 hierarchies of /proc/self/cgroup that hold a controller we use. */
static int find_v1_owner(const char *text, char *ret_name, size_t len)
{
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line += !!line) {
		const char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		char ctl[128];

		if (!c2 || (size_t)(c2 - c1 - 1) >= sizeof(ctl) || strncmp(line, "0:", 2) == 0)
			continue;
		memcpy(ctl, c1 + 1, (size_t)(c2 - c1 - 1));
		ctl[c2 - c1 - 1] = '\0';
		for (char *p = ctl; (p = strchr(p, ','));)
			*p = ' ';
		for (size_t i = 0; i < ARRAY_SIZE(controller_names); i++)
			if (has_word(ctl, controller_names[i])) {
				snprintf(ret_name, len, "%s", controller_names[i]);
				return 1;
			}
	}
	return 0;
}

int cgroup_v2_find(const char *mnt, const char *proc_cgroup, struct cgroup_v2 *cg,
		   struct sbx_error *e)
{
	char text[4096], owner[16], *p;
	_cleanup_close_ int fd = open(proc_cgroup, O_RDONLY | O_CLOEXEC);
	struct statfs sf;
	ssize_t n;

	if (fd < 0)
		return sbx_error_set(e, errno, "%s", proc_cgroup);
	n = read(fd, text, sizeof(text) - 1);
	if (n < 0)
		return sbx_error_set(e, errno, "%s", proc_cgroup);
	text[n] = '\0';
	if (find_v1_owner(text, owner, sizeof(owner)))
		return fail(e, -EOPNOTSUPP,
			    "cgroup v1 host: its %s controller is in a v1 hierarchy, and sbx needs "
			    "cgroup v2 (boot with systemd.unified_cgroup_hierarchy=1)",
			    owner);
	if (statfs(mnt, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC)
		return fail(e, -ENOENT, "no cgroup v2 hierarchy at %s", mnt);
	p = strstr(text, "0::");
	if (p != text && (!p || p[-1] != '\n'))
		return fail(e, -ENOENT, "%s names no cgroup v2", proc_cgroup);
	p += 3;
	p[strcspn(p, "\n")] = '\0';
	if (*p != '/' || strstr(p, "/..") || snprintf(cg->path, sizeof(cg->path), "%s", p) >=
							     (int)sizeof(cg->path))
		return sbx_error_set(e, ENAMETOOLONG, "%s: unexpected cgroup '%s'", proc_cgroup, p);
	snprintf(cg->root, sizeof(cg->root), "%s", mnt);
	return 0;
}

/* Every pid in cgroup.procs is ours? (sbx has no other thread.) */
static int only_self(int dirfd, char *ret_other, size_t len)
{
	char buf[4096], self[24];
	int r = read_file_at(dirfd, "cgroup.procs", buf, sizeof(buf));

	if (r < 0)
		return r;
	snprintf(self, sizeof(self), "%ld", (long)getpid());
	for (char *save = NULL, *pid = strtok_r(buf, "\n", &save); pid;
	     pid = strtok_r(NULL, "\n", &save))
		if (strcmp(pid, self) != 0) {
			snprintf(ret_other, len, "%s", pid);
			return 0;
		}
	return 1;
}

int cgroup_v2_check(struct cgroup_v2 *cg, unsigned need, struct sbx_error *e)
{
	char full[2 * CGROUP_PATH_MAX + 2], ctl[1024], other[24];
	int r;

	snprintf(full, sizeof(full), "%s%s", cg->root, cg->path);
	if (cg->dirfd < 0)
		cg->dirfd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->dirfd < 0)
		return sbx_error_set(e, errno, "cgroup %s", full);
	r = read_file_at(cg->dirfd, "cgroup.controllers", ctl, sizeof(ctl));
	if (r < 0)
		return sbx_error_set(e, r, "cgroup %s: cgroup.controllers", full);
	for (size_t i = 0; i < ARRAY_SIZE(controller_names); i++)
		if ((need & (1u << i)) && !has_word(ctl, controller_names[i]))
			return fail(e, -EOPNOTSUPP,
				    "cgroup %s: the %s controller is not enabled for it (the "
				    "administrator can delegate it: Delegate=cpu memory pids in "
				    "user@.service)",
				    full, controller_names[i]);
	if (faccessat(cg->dirfd, ".", W_OK, AT_EACCESS) < 0 ||
	    faccessat(cg->dirfd, "cgroup.procs", W_OK, AT_EACCESS) < 0 ||
	    faccessat(cg->dirfd, "cgroup.subtree_control", W_OK, AT_EACCESS) < 0)
		return fail(e, -EACCES, "cgroup %s is not delegated to you", full);
	r = only_self(cg->dirfd, other, sizeof(other));
	if (r < 0)
		return sbx_error_set(e, r, "cgroup %s: cgroup.procs", full);
	if (r == 0)
		return fail(e, -EBUSY,
			    "cgroup %s holds other processes than sbx (pid %s): start sbx in a "
			    "cgroup of its own (systemd-run --user --scope -p Delegate=yes sbx ...)",
			    full, other);
	return 0;
}

/* A test tree has no kernel to make the interface files of a new cgroup. */
static void fake_files(const struct cgroup_v2 *cg, int dirfd)
{
	static const char *const files[] = { "cgroup.procs", "cgroup.subtree_control",
					     "memory.max", "memory.swap.max", "pids.max",
					     "cpu.max", "memory.events" };

	if (!cg->fake)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		cg_write(cg, dirfd, files[i], "");
	cg_write(cg, dirfd, "cgroup.events", "populated 0\nfrozen 0\n");
}

static int make_cgroup(const struct cgroup_v2 *cg, int parent, const char *name, int *ret_fd)
{
	if (mkdirat(parent, name, 0755) < 0)
		return -errno;
	*ret_fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*ret_fd < 0)
		return -errno;
	fake_files(cg, *ret_fd);
	return 0;
}

static int set_controllers(const struct cgroup_v2 *cg, unsigned which, char sign)
{
	char buf[64] = "";

	for (size_t i = 0; i < ARRAY_SIZE(controller_names); i++)
		if (which & (1u << i))
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%c%s",
				 *buf ? " " : "", sign, controller_names[i]);
	return *buf ? cg_write(cg, cg->dirfd, "cgroup.subtree_control", buf) : 0;
}

/* sbx into its leaf, and the controllers enabled for CUR's children. */
static int take_leaf(struct cgroup_v2 *cg, unsigned need, struct sbx_error *e)
{
	_cleanup_close_ int leaf = -1;
	int r = make_cgroup(cg, cg->dirfd, cg->leaf, &leaf);

	if (r < 0)
		return sbx_error_set(e, r, "cgroup %s%s/%s", cg->root, cg->path, cg->leaf);
	r = cg_write(cg, leaf, "cgroup.procs", "0");
	if (r < 0)
		return sbx_error_set(e, r, "cannot move sbx into cgroup %s", cg->leaf);
	cg->moved = true;
	r = set_controllers(cg, need, '+');
	if (r < 0)
		return sbx_error_set(e, r, "cgroup %s%s: cannot enable its controllers for the sandbox",
				     cg->root, cg->path);
	cg->enabled = need;
	return 0;
}

static int write_limits(const struct cgroup_v2 *cg, const struct cgroup_request *req,
			struct sbx_error *e)
{
	char buf[64];
	int r;

	if (req->memory) {
		snprintf(buf, sizeof(buf), "%llu", req->memory);
		r = cg_write(cg, cg->limit_fd, "memory.max", buf);
		if (r < 0)
			return sbx_error_set(e, r, "--memory: memory.max");
	}
	/* Without its own --memory-swap, a --memory limit is not to be
	 * stretched into swap: the hog is stopped at the size asked for. */
	if (req->memory || req->swap_set) {
		snprintf(buf, sizeof(buf), "%llu", req->swap_set ? req->memory_swap : 0);
		r = cg_write(cg, cg->limit_fd, "memory.swap.max", buf);
		/* No swap accounting (or no swap): nothing to stretch into. */
		if (r < 0 && (req->swap_set || r != -ENOENT))
			return sbx_error_set(e, r, "--memory-swap: memory.swap.max");
	}
	if (req->pids) {
		snprintf(buf, sizeof(buf), "%lu", req->pids);
		r = cg_write(cg, cg->limit_fd, "pids.max", buf);
		if (r < 0)
			return sbx_error_set(e, r, "--pids: pids.max");
	}
	/* The sandbox (with CAP_SYS_ADMIN it may mount its cgroup2) cannot
	 * nest cgroups deeper than the end removes: none is left behind. */
	snprintf(buf, sizeof(buf), "%d", CGROUP_RM_DEPTH);
	r = cg_write(cg, cg->limit_fd, "cgroup.max.depth", buf);
	if (r < 0 && r != -ENOENT) /* ENOENT: before Linux 4.14 */
		return sbx_error_set(e, r, "cgroup %s: cgroup.max.depth", cg->limit);
	if (req->cpus_milli) {
		snprintf(buf, sizeof(buf), "%llu %llu",
			 req->cpus_milli * CGROUP_CPU_PERIOD_US / 1000, CGROUP_CPU_PERIOD_US);
		r = cg_write(cg, cg->limit_fd, "cpu.max", buf);
		if (r < 0)
			return sbx_error_set(e, r, "--cpus: cpu.max");
	}
	return 0;
}

int cgroup_v2_create(struct cgroup_v2 *cg, unsigned need, const struct cgroup_request *req,
		     struct sbx_error *e)
{
	int r;

	snprintf(cg->leaf, sizeof(cg->leaf), "sbx-%ld.supervisor", (long)getpid());
	snprintf(cg->limit, sizeof(cg->limit), "sbx-%ld", (long)getpid());
	r = take_leaf(cg, need, e);
	if (r == 0) {
		r = make_cgroup(cg, cg->dirfd, cg->limit, &cg->limit_fd);
		if (r < 0)
			sbx_error_set(e, r, "cgroup %s%s/%s", cg->root, cg->path, cg->limit);
	}
	if (r == 0)
		r = write_limits(cg, req, e);
	if (r == 0) {
		r = make_cgroup(cg, cg->limit_fd, "sandbox", &cg->sandbox_fd);
		if (r < 0)
			sbx_error_set(e, r, "cgroup %s%s/%s/sandbox", cg->root, cg->path, cg->limit);
	}
	if (r < 0)
		cgroup_v2_destroy(cg);
	return r;
}

/* Wait, bounded, for "populated 0" in @dirfd's cgroup.events. */
void cgroup_v2_wait_empty(int dirfd)
{
	_cleanup_close_ int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	int64_t deadline = monotonic_ms() + CGROUP_EMPTY_WAIT_MS;
	char buf[256];

	if (in >= 0) {
		char path[32];

		snprintf(path, sizeof(path), "/proc/self/fd/%d/cgroup.events", dirfd);
		inotify_add_watch(in, path, IN_MODIFY);
	}
	for (;;) {
		struct pollfd p = { .fd = in, .events = POLLIN };
		int64_t left = deadline - monotonic_ms();

		if (read_file_at(dirfd, "cgroup.events", buf, sizeof(buf)) < 0 ||
		    !strstr(buf, "populated 1") || in < 0 || left <= 0)
			return;
		if (poll(&p, 1, (int)left) > 0)
			while (read(in, buf, sizeof(buf)) > 0)
				;
	}
}

/* rmdir @name below @parent with the cgroups the sandbox made in it. */
static void remove_tree(const struct cgroup_v2 *cg, int parent, const char *name, int depth)
{
	DIR *d = fdopendir_take(
		openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (dirent_is_dot(de->d_name))
			continue;
		if (de->d_type == DT_DIR && depth < CGROUP_RM_DEPTH)
			remove_tree(cg, dirfd(d), de->d_name, depth + 1);
		else if (cg->fake && de->d_type == DT_REG)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
	unlinkat(parent, name, AT_REMOVEDIR);
}

void cgroup_v2_destroy(struct cgroup_v2 *cg)
{
	if (cg->limit_fd >= 0) {
		/* cgroup.kill is Linux 5.14; before, pid 1's end killed all
		 * (its pid namespace), and only exiting ones may be left. */
		cg_write(cg, cg->limit_fd, "cgroup.kill", "1");
		cgroup_v2_wait_empty(cg->limit_fd);
		close(TAKE_FD(cg->sandbox_fd));
		close(TAKE_FD(cg->limit_fd));
		remove_tree(cg, cg->dirfd, cg->limit, 0);
	}
	if (cg->sandbox_fd >= 0)
		close(TAKE_FD(cg->sandbox_fd));
	if (cg->enabled) {
		set_controllers(cg, cg->enabled, '-');
		cg->enabled = 0;
	}
	if (cg->moved && cg_write(cg, cg->dirfd, "cgroup.procs", "0") == 0) {
		cg->moved = false;
		/* Fails if a process forked meanwhile stays (a userns holder
		 * sbx started): that leaf goes with its cgroup's owner. */
		remove_tree(cg, cg->dirfd, cg->leaf, CGROUP_RM_DEPTH);
	}
	if (cg->dirfd >= 0)
		close(TAKE_FD(cg->dirfd));
}

int cgroup_v2_move_self(const struct cgroup_v2 *cg, bool to_sandbox)
{
	_cleanup_close_ int leaf = -1;

	if (to_sandbox)
		return cg_write(cg, cg->sandbox_fd, "cgroup.procs", "0");
	leaf = openat(cg->dirfd, cg->leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (leaf < 0)
		return -errno;
	return cg_write(cg, leaf, "cgroup.procs", "0");
}

int cgroup_v2_event_count(const struct cgroup_v2 *cg, const char *file, const char *key,
			  unsigned long long *ret_count)
{
	char buf[512];
	size_t n = strlen(key);
	int r = read_file_at(cg->limit_fd, file, buf, sizeof(buf));

	if (r < 0)
		return r;
	*ret_count = 0;
	for (char *line = buf; line && *line; line = strchr(line, '\n'), line += !!line)
		if (strncmp(line, key, n) == 0 && line[n] == ' ')
			*ret_count = strtoull(line + n + 1, NULL, 10);
	return 0;
}

int cgroup_v2_watch(const struct cgroup_v2 *cg, const char *const *files, size_t n)
{
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	size_t watched = 0;
	char path[64];

	if (in < 0)
		return -errno;
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", cg->limit_fd, files[i]);
		watched += inotify_add_watch(in, path, IN_MODIFY) >= 0;
	}
	if (!watched) {
		close(in);
		return -ENOENT;
	}
	return in;
}
