/* landlock.c - Landlock rules for the command, through the raw system calls */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"
#include "mount.h"
#include "util.h"

/* Our own copies of the UAPI, so sbx built against old headers still uses
 * what a newer kernel offers. The structures only ever grow at the end. */
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2

#define LL_FS_EXECUTE (1ULL << 0)
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_FS_REMOVE_DIR (1ULL << 4)
#define LL_FS_REMOVE_FILE (1ULL << 5)
#define LL_FS_MAKE_CHAR (1ULL << 6)
#define LL_FS_MAKE_DIR (1ULL << 7)
#define LL_FS_MAKE_REG (1ULL << 8)
#define LL_FS_MAKE_SOCK (1ULL << 9)
#define LL_FS_MAKE_FIFO (1ULL << 10)
#define LL_FS_MAKE_BLOCK (1ULL << 11)
#define LL_FS_MAKE_SYM (1ULL << 12)
#define LL_FS_REFER (1ULL << 13)    /* ABI 2 */
#define LL_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#define LL_NET_BIND_TCP (1ULL << 0)    /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ULL << 1) /* ABI 4 */
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL (1ULL << 1)		  /* ABI 6 */

#define LL_FS_READ (LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR)
/* The rights that make sense on a file (the others only on directories). */
#define LL_FS_FILE_RIGHTS \
	(LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;	     /* ABI 6 */
};

struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

struct ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

/* The view's mountinfo, read by pid 1 right after pivot_root (before then
 * the paths would be the old root's; after the user's mounts /proc may be
 * hidden) and inherited by the command across fork. NULL: read it now. */
static char *view_mountinfo;

static uint64_t fs_rights_for_abi(int abi)
{
	uint64_t all = (LL_FS_MAKE_SYM << 1) - 1;

	if (abi >= 2)
		all |= LL_FS_REFER;
	if (abi >= 3)
		all |= LL_FS_TRUNCATE;
	if (abi >= 5)
		all |= LL_FS_IOCTL_DEV;
	return all;
}

static void note(struct landlock_plan *p, const char *text)
{
	size_t len = strlen(p->notes);

	snprintf(p->notes + len, sizeof(p->notes) - len, "%s%s", len ? "; " : "", text);
}

int landlock_plan_build(const struct sbx_config *c, struct landlock_plan *ret, struct sbx_error *e)
{
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);

	/* ENOSYS: built without it; EOPNOTSUPP: not enabled at boot. */
	return landlock_plan_for_abi(c, abi > 0 ? (int)abi : 0, ret, e);
}

int landlock_plan_for_abi(const struct sbx_config *c, int abi, struct landlock_plan *ret,
			  struct sbx_error *e)
{
	bool wants_ports = c->n_allow_connect || c->n_allow_bind;
	bool mounts_wanted = c->allow_userns || (c->cap_add & (UINT64_C(1) << 21 /* SYS_ADMIN */));

	memset(ret, 0, sizeof(*ret));
	ret->abi = abi;
	if (wants_ports && ret->abi < 4)
		return sbx_error_set(e, EOPNOTSUPP, "--%s needs Landlock ABI 4 (Linux 6.7); this kernel %s",
				     c->n_allow_connect ? "allow-connect" : "allow-bind",
				     ret->abi ? "has an older one" : "has no Landlock");
	if (ret->abi == 0) {
		note(ret, "not available on this kernel (or disabled at boot): skipped");
		return 0;
	}
	snprintf(ret->notes, sizeof(ret->notes), "ABI %d", ret->abi);
	if (mounts_wanted)
		note(ret, "no filesystem rules (they would forbid the mounts --allow-userns and "
			  "--cap-add SYS_ADMIN are for)");
	else
		ret->fs = fs_rights_for_abi(ret->abi);
	if (ret->fs && ret->abi < 3)
		note(ret, "truncate() not restricted (ABI 3)");
	if (ret->fs && ret->abi < 5)
		note(ret, "device ioctls not restricted (ABI 5)");
	if (c->n_allow_connect)
		ret->net |= LL_NET_CONNECT_TCP;
	if (c->n_allow_bind)
		ret->net |= LL_NET_BIND_TCP;
	if (ret->abi >= 6)
		ret->scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
	else
		note(ret, "abstract unix sockets and signals not scoped (ABI 6)");
	return 0;
}

/* The whole file, however long: the kernel bounds the number of mounts in a
 * namespace (fs.mount-max), so its length is bounded too, and dropping the
 * end would drop rules, which here means forbidding what the view allows. */
static int read_mountinfo(int fd, char **ret_text, struct sbx_error *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 16384;

	if (fd < 0)
		return sbx_error_set(e, errno, "landlock: /proc/self/mountinfo");
	buf = xreallocarray(NULL, cap, 1);
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			cap *= 2;
			buf = xreallocarray(buf, cap, 1);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sbx_error_set(e, errno, "landlock: /proc/self/mountinfo");
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret_text = TAKE_PTR(buf);
	return 0;
}

int landlock_snapshot_view(int selffd, struct sbx_error *e)
{
	/* Nothing mounted on the way: a file bound over mountinfo would be
	 * read as the view. */
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS };
	_cleanup_close_ int fd = (int)syscall(SYS_openat2, selffd, "mountinfo", &how, sizeof(how));
	char *text = NULL;
	int r;

	if (fd < 0 && errno == EXDEV)
		return sbx_error_set(e, 0, "landlock: a mount covers the sandbox's "
					   "/proc/self/mountinfo, which Landlock reads");
	if (fd < 0)
		return sbx_error_set(e, errno, "landlock: /proc/self/mountinfo");
	r = read_mountinfo(fd, &text, e);
	if (r < 0)
		return r;
	free(view_mountinfo);
	view_mountinfo = text;
	return 0;
}

static bool opts_have_ro(const char *opts)
{
	for (const char *o = opts; o; o = strchr(o, ',') ? strchr(o, ',') + 1 : NULL)
		if (strncmp(o, "ro", 2) == 0 && (o[2] == ',' || o[2] == '\0'))
			return true;
	return false;
}

int landlock_parse_mount(char *line, struct landlock_mount *ret)
{
	char *rest = line, *f[6], *tok;
	unsigned long id, parent;

	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		f[i] = strsep(&rest, " ");
		if (!f[i] || !*f[i])
			return -EINVAL;
	}
	if (parse_uint(f[0], 0x7fffffff, &id) < 0 || parse_uint(f[1], 0x7fffffff, &parent) < 0 ||
	    f[4][0] != '/')
		return -EINVAL;
	mountinfo_unescape(f[4]);
	*ret = (struct landlock_mount){ .id = (int)id, .parent = (int)parent, .point = f[4],
					.ro = opts_have_ro(f[5]) };
	/* Optional tags, "-", the type, the source, then the superblock's
	 * options: a read-only filesystem is "ro" there, not in f[5]. */
	while ((tok = strsep(&rest, " ")) && strcmp(tok, "-") != 0)
		;
	if (tok && strsep(&rest, " ") && strsep(&rest, " ") && (tok = strsep(&rest, " ")))
		ret->ro |= opts_have_ro(tok);
	return 0;
}

static int cmp_point(const void *a, const void *b)
{
	return strcmp(((const struct landlock_mount *)a)->point,
		      ((const struct landlock_mount *)b)->point);
}

/* Every mount of @text, sorted by mount point (stacked ones side by side). */
static struct landlock_mount *view_mounts(char *text, size_t *ret_n)
{
	struct landlock_mount *list = NULL;
	size_t n = 0, cap = 0;
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			list = xreallocarray(list, cap, sizeof(*list));
		}
		if (landlock_parse_mount(line, &list[n]) == 0)
			n++;
	}
	if (n)
		qsort(list, n, sizeof(*list), cmp_point);
	*ret_n = n;
	return list;
}

/*
 * The mount that @m[0..n) (the mounts at one point) names now: its point
 * opened without following any symlink, and the fd must be the root of one
 * of them. A point whose path leads elsewhere (a directory of a bound host
 * tree swapped for a link, a mount covered by a later one) gets no rule: a
 * rule follows the object it is given, which could be outside the view
 * (/proc/self/fd/N, /proc/PID/root). statx() with AT_STATX_DONT_SYNC asks no
 * filesystem (a stuck FUSE server cannot block the command's start).
 */
static const struct landlock_mount *open_mount(const struct landlock_mount *m, size_t n, int *ret_fd,
					       bool *ret_dir)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS };
	_cleanup_close_ int fd = (int)syscall(SYS_openat2, AT_FDCWD, m->point, &how, sizeof(how));
	struct statx stx;

	if (fd < 0 || statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC,
			    STATX_MNT_ID | STATX_TYPE, &stx) < 0)
		return NULL;
	if (!(stx.stx_mask & STATX_MNT_ID) || !(stx.stx_mask & STATX_TYPE) ||
	    !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return NULL;
	*ret_dir = S_ISDIR(stx.stx_mode);
	for (size_t i = 0; i < n; i++) {
		if ((uint64_t)m[i].id == stx.stx_mnt_id) {
			*ret_fd = TAKE_FD(fd);
			return &m[i];
		}
	}
	return NULL;
}

static int add_path_rule(int ruleset, int fd, bool dir, uint64_t access, uint64_t handled)
{
	struct ll_path_beneath_attr attr = { .parent_fd = fd };

	if (!dir)
		access &= LL_FS_FILE_RIGHTS;
	attr.allowed_access = access & handled;
	if (syscall(__NR_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &attr, 0) < 0)
		return -errno;
	return 0;
}

/* The rights a rule on mount @id gave, or 0 when it got none. */
static uint64_t granted_to(const int *ids, const uint64_t *rights, size_t n, int id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return rights[i];
	return 0;
}

/* Each mount of the view, readable, and writable when the mount is: the
 * rights follow the mount the path resolves to now (the top one). A mount
 * alone at its point whose parent mount's rule already grants all it would
 * get needs no rule of its own (Landlock grants what any rule on the path up
 * to the root grants, across mount points): /usr, /etc, /opt under the
 * read-only root, the device nodes and /dev/pts under /dev. That saves five
 * system calls per mount on the command's way to exec; the access is the same. */
static int add_mount_rules(int ruleset, const struct landlock_plan *p, struct sbx_error *e)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ struct landlock_mount *mounts = NULL;
	_cleanup_free_ int *ids = NULL;
	_cleanup_free_ uint64_t *rights = NULL;
	size_t n = 0, n_ruled = 0;
	int r = 0;

	/* Called once, in the command just before exec: the snapshot is taken. */
	if (view_mountinfo) {
		text = TAKE_PTR(view_mountinfo);
	} else {
		_cleanup_close_ int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);

		r = read_mountinfo(fd, &text, e);
	}
	if (r < 0)
		return r;
	mounts = view_mounts(text, &n);
	ids = xreallocarray(NULL, n ? n : 1, sizeof(*ids));
	rights = xreallocarray(NULL, n ? n : 1, sizeof(*rights));
	/* Sorted by point: a parent mount comes before what is mounted on it. */
	for (size_t i = 0, k; i < n; i = k) {
		_cleanup_close_ int fd = -1;
		const struct landlock_mount *top;
		uint64_t access;
		bool dir = false;

		for (k = i + 1; k < n && strcmp(mounts[k].point, mounts[i].point) == 0; k++)
			;
		access = mounts[i].ro ? LL_FS_READ : p->fs;
		if (k == i + 1 && (access & ~granted_to(ids, rights, n_ruled, mounts[i].parent)) == 0)
			continue;
		/* Hidden or vanished mount points get no rule: less access, never more. */
		top = open_mount(&mounts[i], k - i, &fd, &dir);
		if (!top)
			continue;
		access = top->ro ? LL_FS_READ : p->fs;
		r = add_path_rule(ruleset, fd, dir, access, p->fs);
		if (r < 0)
			return sbx_error_set(e, r, "landlock: rule for %s", top->point);
		if (dir) {
			ids[n_ruled] = top->id;
			rights[n_ruled++] = access;
		}
	}
	return 0;
}

/* A file or directory handed in with --pass-fd can be read through, not
 * written through: it is outside the view, so no mount rule covers it. */
static int add_pass_fd_rules(int ruleset, const struct sbx_config *c, const struct landlock_plan *p,
			     struct sbx_error *e)
{
	for (size_t i = 0; i < c->n_pass_fds; i++) {
		struct stat st;
		int r;

		if (fstat(c->pass_fds[i], &st) < 0 || !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)))
			continue;
		r = add_path_rule(ruleset, c->pass_fds[i], S_ISDIR(st.st_mode), LL_FS_READ, p->fs);
		if (r < 0)
			return sbx_error_set(e, r, "landlock: rule for --pass-fd %d", c->pass_fds[i]);
	}
	return 0;
}

static int add_port_rules(int ruleset, const uint16_t *ports, size_t n, uint64_t access,
			  const char *option, struct sbx_error *e)
{
	for (size_t i = 0; i < n; i++) {
		struct ll_net_port_attr attr = { .allowed_access = access, .port = ports[i] };
		if (syscall(__NR_landlock_add_rule, ruleset, LL_RULE_NET_PORT, &attr, 0) < 0)
			return sbx_error_set(e, errno, "landlock: --%s %u", option, ports[i]);
	}
	return 0;
}

int landlock_apply(const struct sbx_config *c, const struct landlock_plan *p, struct sbx_error *e)
{
	struct ll_ruleset_attr attr = { .handled_access_fs = p->fs,
					.handled_access_net = p->net,
					.scoped = p->scoped };
	/* An older kernel refuses a structure with fields it does not know. */
	size_t size = p->abi >= 6 ? sizeof(attr) : p->abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
	_cleanup_close_ int ruleset = -1;
	int r = 0;

	if (!p->fs && !p->net && !p->scoped)
		return 0;
	ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0);
	if (ruleset < 0)
		return sbx_error_set(e, errno, "landlock_create_ruleset");
	if (p->fs)
		r = add_mount_rules(ruleset, p, e);
	if (r == 0 && p->fs)
		r = add_pass_fd_rules(ruleset, c, p, e);
	if (r == 0)
		r = add_port_rules(ruleset, c->allow_connect, c->n_allow_connect, LL_NET_CONNECT_TCP,
				   "allow-connect", e);
	if (r == 0)
		r = add_port_rules(ruleset, c->allow_bind, c->n_allow_bind, LL_NET_BIND_TCP,
				   "allow-bind", e);
	if (r < 0)
		return r;
	if (syscall(__NR_landlock_restrict_self, ruleset, 0) < 0)
		return sbx_error_set(e, errno, "landlock_restrict_self");
	return 0;
}
