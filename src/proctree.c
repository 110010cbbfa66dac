/* proctree.c - the processes below pid 1 under --share-pid: found in /proc, killed by pidfd
 *
 * Without a pid namespace of its own the sandbox shares pids with the host,
 * so a pid found by a scan may have ended and been reused by an unrelated
 * process of the user before the kill. Each kill therefore goes through a
 * pidfd, opened first and checked against the scan (parent and start time)
 * after: the pidfd then names the process the scan saw, whatever happens to
 * its pid number later. When that cannot be shown, nothing is signalled.
 *
 * The scan must not believe the command either: /proc is in the sandbox's
 * mount namespace, where --tmpfs /proc, a bind, or a command given
 * CAP_SYS_ADMIN can put files that name any host process as a child of pid 1.
 * So /proc is opened once, before the command runs, and checked to be procfs
 * showing our pid namespace; every file is then opened below that fd with
 * openat2(RESOLVE_NO_XDEV), which refuses anything mounted over a /proc/PID
 * since, and must name the pid it was opened for.
 */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proctree.h"
#include "util.h"

/* A scan's processes are killed and awaited this many at a time (pidfds). */
#define BATCH 64
/* A scan finds new processes only if one forked during the last round. */
#define MAX_ROUNDS 64
/* Longest wait for a killed batch to end (a task stuck in the kernel). */
#define BATCH_WAIT_MS 1000

/* Open @path below @procfd, within that procfs mount: no mount crossed, no symlink. */
static int open_in_proc(int procfd, const char *path, int flags)
{
	struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC),
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS };
	int fd = (int)syscall(SYS_openat2, procfd, path, &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

int proctree_open_proc(const char *path, int *ret_fd, struct sbx_error *e)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char self[32], want[32];
	struct statfs sfs;
	ssize_t n;

	if (fd < 0)
		return sbx_error_set(e, errno, "%s", path);
	if (fstatfs(fd, &sfs) < 0)
		return sbx_error_set(e, errno, "%s", path);
	if (sfs.f_type != PROC_SUPER_MAGIC) {
		sbx_error_set(e, 0, "%s is not procfs", path);
		return -EMEDIUMTYPE;
	}
	/* Its pids must be the ones pidfd_open() takes: our pid namespace's. */
	n = readlinkat(fd, "self", self, sizeof(self) - 1);
	snprintf(want, sizeof(want), "%d", (int)getpid());
	if (n > 0)
		self[n] = '\0';
	if (n <= 0 || strcmp(self, want) != 0) {
		sbx_error_set(e, 0, "%s shows another pid namespace", path);
		return -EXDEV;
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int proctree_read(int procfd, pid_t pid, struct proctree_entry *ret)
{
	char path[32], buf[1024], *p, *end;
	_cleanup_close_ int fd = -1;
	ssize_t len;

	snprintf(path, sizeof(path), "%d/stat", (int)pid);
	fd = open_in_proc(procfd, path, O_RDONLY);
	if (fd < 0)
		return fd;
	len = read(fd, buf, sizeof(buf) - 1);
	if (len < 0)
		return -errno;
	buf[len] = '\0';
	/* "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt
	 * majflt cmajflt utime stime cutime cstime priority nice threads
	 * itrealvalue starttime ...": comm may hold spaces and parens, but
	 * nothing after it does. The first field must be the pid asked for. */
	if (strtol(buf, &end, 10) != pid || strncmp(end, " (", 2) != 0)
		return -EINVAL;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2] || p[3] != ' ')
		return -EINVAL;
	p += 4;
	ret->pid = pid;
	ret->ppid = (pid_t)strtol(p, &end, 10);
	if (end == p || *end != ' ')
		return -EINVAL;
	p = end;
	for (int field = 5; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EINVAL;
	}
	errno = 0;
	ret->start = strtoull(p + 1, &end, 10);
	if (end == p + 1 || errno)
		return -EINVAL;
	return 0;
}

int proctree_supported(void)
{
	int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int proctree_kill(int procfd, pid_t root, const struct proctree_entry *p,
		  const struct proctree_entry *parent)
{
	struct proctree_entry now, up;
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	int r;

	if (pidfd < 0)
		return -errno;
	/* pidfd_open() gives no O_CLOEXEC flag: it is always set. Now that
	 * the pidfd holds one process, is it still the one the scan saw? */
	r = proctree_read(procfd, p->pid, &now);
	if (r == -ENOENT)
		return -ESRCH;
	if (r < 0)
		return r;
	if (now.start != p->start)
		return -ESTALE;
	/* Is it below @root? Certainly if it is @root's child (now, perhaps
	 * an orphan adopted since the scan). Else its parent must be @parent,
	 * read after it and still the process the scan saw: that process then
	 * held the parent's pid all along, so it was the parent when we read
	 * the child above. A pid the host reused in between, for a process
	 * that forked this one, would show another start time. */
	if (now.ppid != root) {
		if (!parent || now.ppid != parent->pid)
			return -ESTALE;
		r = proctree_read(procfd, parent->pid, &up);
		if (r < 0 || up.start != parent->start)
			return -ESTALE;
	}
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		return -errno;
	return TAKE_FD(pidfd);
}

/* Every process's parent and start time. */
static size_t scan(int procfd, struct proctree_entry **ret)
{
	DIR *d = fdopendir_take(open_in_proc(procfd, ".", O_RDONLY | O_DIRECTORY));
	struct proctree_entry *list = NULL;
	size_t n = 0;
	struct dirent *de;

	if (!d) {
		*ret = NULL;
		return 0;
	}
	while ((de = readdir(d))) {
		struct proctree_entry e;
		unsigned long v;

		if (parse_uint(de->d_name, 0x7fffffff, &v) < 0 || proctree_read(procfd, (pid_t)v, &e) < 0)
			continue;
		list = xreallocarray(list, n + 1, sizeof(*list));
		list[n++] = e;
	}
	closedir(d);
	*ret = list;
	return n;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct proctree_entry *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static size_t find(const struct proctree_entry *list, size_t n, pid_t pid)
{
	struct proctree_entry key = { .pid = pid };
	const struct proctree_entry *hit = bsearch(&key, list, n, sizeof(*list), cmp_pid);

	return hit ? (size_t)(hit - list) : SIZE_MAX;
}

/*
 * @depth[i]: 1 for a child of @root, k + 1 for a child of an entry at depth
 * k, 0 for everything else. Each entry is resolved once (the walk up stops
 * at the first resolved one), so a deep tree costs O(n log n), not O(n^2)
 * per process. A loop in the snapshot (pids reused during the scan) is
 * outside the tree.
 */
static void tree_depths(const struct proctree_entry *list, size_t n, pid_t root, size_t *depth)
{
	const size_t unknown = SIZE_MAX, visiting = SIZE_MAX - 1;
	_cleanup_free_ size_t *path = xreallocarray(NULL, n ? n : 1, sizeof(*path));

	for (size_t i = 0; i < n; i++)
		depth[i] = list[i].pid == root ? 0 : unknown;
	for (size_t i = 0; i < n; i++) {
		size_t len = 0, at = i, base;

		/* Walk up until an entry whose depth is known. */
		while (depth[at] == unknown) {
			size_t up;

			depth[at] = visiting;
			path[len++] = at;
			if (list[at].ppid == root) {
				base = 1;
				goto resolve;
			}
			up = find(list, n, list[at].ppid);
			if (up == SIZE_MAX || list[at].ppid <= 1) {
				base = 0;
				goto resolve;
			}
			at = up;
		}
		base = depth[at] == visiting || depth[at] == 0 ? 0 : depth[at] + 1;
resolve:
		/* path[len-1] is the topmost: it gets @base, each below one more. */
		for (size_t k = len; k-- > 0; base = base ? base + 1 : 0)
			depth[path[k]] = base;
	}
}

/* For qsort_r(): entry indices by depth (@depth), parents before children. */
static int cmp_depth(const void *a, const void *b, void *depth)
{
	size_t x = ((const size_t *)depth)[*(const size_t *)a];
	size_t y = ((const size_t *)depth)[*(const size_t *)b];

	return (x > y) - (x < y);
}

/* Wait until every pidfd of @fds is readable (its process ended), then close them. */
static void await_and_close(int *fds, size_t n)
{
	struct pollfd pfd[BATCH];
	int64_t deadline = monotonic_ms() + BATCH_WAIT_MS;
	size_t left = n;

	for (size_t i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	while (left > 0) {
		int64_t wait = deadline - monotonic_ms();
		int r = poll(pfd, n, wait > 0 ? (int)wait : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* the next round kills what is left */
		for (size_t i = 0; i < n; i++)
			if (pfd[i].fd >= 0 && pfd[i].revents) {
				pfd[i].fd = -1; /* poll() skips it from now on */
				left--;
			}
	}
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
}

size_t proctree_kill_list(int procfd, pid_t root, struct proctree_entry *list, size_t n)
{
	_cleanup_free_ size_t *depth = xreallocarray(NULL, n ? n : 1, sizeof(*depth));
	_cleanup_free_ size_t *order = xreallocarray(NULL, n ? n : 1, sizeof(*order));
	_cleanup_free_ bool *killed = xreallocarray(NULL, n ? n : 1, sizeof(*killed));
	size_t found = 0, nfds = 0;
	int fds[BATCH];

	qsort(list, n, sizeof(*list), cmp_pid);
	tree_depths(list, n, root, depth);
	for (size_t i = 0; i < n; i++) {
		killed[i] = false;
		if (depth[i] > 0)
			order[found++] = i;
	}
	qsort_r(order, found, sizeof(*order), cmp_depth, depth);

	for (size_t k = 0; k < found; k++) {
		size_t i = order[k], up = depth[i] > 1 ? find(list, n, list[i].ppid) : SIZE_MAX;
		int fd;

		/* Parents come first: one killed here (its identity checked)
		 * vouches for its children. Below one that was not, only a
		 * process that @root has adopted since is killed this round. */
		fd = proctree_kill(procfd, root, &list[i],
				   up != SIZE_MAX && killed[up] ? &list[up] : NULL);
		if (fd < 0)
			continue;
		killed[i] = true;
		fds[nfds++] = fd;
		if (nfds == BATCH) {
			await_and_close(fds, nfds);
			nfds = 0;
		}
	}
	await_and_close(fds, nfds);
	return found;
}

void proctree_kill_descendants(int procfd, pid_t root)
{
	for (int round = 0; round < MAX_ROUNDS; round++) {
		_cleanup_free_ struct proctree_entry *list = NULL;
		size_t n = scan(procfd, &list), found;

		found = proctree_kill_list(procfd, root, list, n);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!found)
			return;
	}
}
