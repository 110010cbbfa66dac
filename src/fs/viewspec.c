/* viewspec.c - the filesystem-view options, parsed into one ordered list */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "cli_path.h"
#include "util.h"
#include "viewspec.h"

static char *dup_n(const char *s, size_t n)
{
	return xasprintf("%.*s", (int)n, s);
}

struct sbx_mount_spec *viewspec_new_op(struct sbx_config *c, enum sbx_mount_kind kind,
				       const char *option)
{
	struct sbx_mount_spec *m;

	c->mounts = xreallocarray(c->mounts, c->n_mounts + 1, sizeof(*c->mounts));
	m = &c->mounts[c->n_mounts++];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->option = option;
	m->fd = -1;
	return m;
}

bool viewspec_takes_perms(enum sbx_mount_kind kind)
{
	return kind == SBX_MOUNT_TMPFS || kind == SBX_MOUNT_DIR || kind == SBX_MOUNT_FILE ||
	       kind == SBX_MOUNT_BIND_DATA || kind == SBX_MOUNT_RO_BIND_DATA;
}

static bool is_overlay(enum sbx_mount_kind kind)
{
	return kind == SBX_MOUNT_OVERLAY || kind == SBX_MOUNT_TMP_OVERLAY ||
	       kind == SBX_MOUNT_RO_OVERLAY;
}

static mode_t default_mode(enum sbx_mount_kind kind)
{
	switch (kind) {
	case SBX_MOUNT_FILE:
		return 0666;
	case SBX_MOUNT_BIND_DATA:
	case SBX_MOUNT_RO_BIND_DATA:
		return 0600;
	default:
		return 0755;
	}
}

/* --perms, --size and --overlay-src modify exactly the next operation; any
 * other view operation in between is a mistake worth reporting. */
static int take_pending(struct sbx_config *c, struct sbx_mount_spec *m, struct sbx_error *e)
{
	struct sbx_view_pending *p = &c->view_pending;

	if (p->has_perms && !viewspec_takes_perms(m->kind))
		return sbx_error_set(e, 0, "--perms must be followed by --tmpfs, --dir, --file, "
					   "--bind-data or --ro-bind-data, not --%s", m->option);
	if (p->size && m->kind != SBX_MOUNT_TMPFS)
		return sbx_error_set(e, 0, "--size must be followed by --tmpfs, not --%s", m->option);
	if (p->n_layers && !is_overlay(m->kind))
		return sbx_error_set(e, 0, "--overlay-src must be followed by --overlay, "
					   "--tmp-overlay or --ro-overlay, not --%s", m->option);
	m->mode = p->has_perms ? p->perms : default_mode(m->kind);
	m->size = p->size;
	m->layers = TAKE_PTR(p->layers);
	m->n_layers = p->n_layers;
	p->n_layers = 0;
	p->has_perms = false;
	p->size = 0;
	return 0;
}

static int set_dest(struct sbx_config *c, struct sbx_mount_spec *m, const char *dest,
		    struct sbx_error *e)
{
	if (!*dest)
		return sbx_error_set(e, 0, "--%s: empty path", m->option);
	if (cli_resolve_arg(c, m->option, dest, &m->dest, e) < 0)
		return -EINVAL;
	if (strcmp(m->dest, "/") == 0 && m->kind != SBX_MOUNT_CHMOD && m->kind != SBX_MOUNT_DIR)
		return sbx_error_set(e, 0, "--%s %s: cannot mount over the sandbox's /", m->option,
				     dest);
	return take_pending(c, m, e);
}

/* "H:S:C" with all three decimal, C > 0 and neither range past 2^32-2. */
static int parse_range(const char *s, struct sbx_idmap_range *ret)
{
	_cleanup_free_ char *copy = xstrdup(s);
	char *save = NULL, *h, *sb, *n;

	h = strtok_r(copy, ":", &save);
	sb = strtok_r(NULL, ":", &save);
	n = strtok_r(NULL, ":", &save);
	if (!h || !sb || !n || strtok_r(NULL, ":", &save) || s[strlen(s) - 1] == ':')
		return -EINVAL;
	if (parse_uint(h, 0xfffffffeUL, &ret->host) < 0 ||
	    parse_uint(sb, 0xfffffffeUL, &ret->sandbox) < 0 ||
	    parse_uint(n, 0xffffffffUL, &ret->count) < 0 || ret->count == 0)
		return -EINVAL;
	if (ret->host + ret->count - 1 > 0xfffffffeUL || ret->sandbox + ret->count - 1 > 0xfffffffeUL)
		return -ERANGE;
	return 0;
}

static bool overlaps(unsigned long a, unsigned long b, unsigned long n_a, unsigned long n_b)
{
	return a < b + n_b && b < a + n_a;
}

/* The kernel refuses a map whose ranges overlap on either side. */
static bool ranges_overlap(const struct sbx_idmap_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (overlaps(r[i].host, r[j].host, r[i].count, r[j].count) ||
			    overlaps(r[i].sandbox, r[j].sandbox, r[i].count, r[j].count))
				return true;
	return false;
}

static int add_range(struct sbx_mount_idmap *map, bool uid, bool gid, const char *item)
{
	struct sbx_idmap_range r;
	int ret = parse_range(item, &r);

	if (ret < 0)
		return ret;
	if ((uid && map->n_uid == SBX_IDMAP_MAX_RANGES) || (gid && map->n_gid == SBX_IDMAP_MAX_RANGES))
		return -E2BIG;
	if (uid)
		map->uid[map->n_uid++] = r;
	if (gid)
		map->gid[map->n_gid++] = r;
	return 0;
}

int viewspec_parse_bind_options(struct sbx_mount_spec *m, const char *opts, const char *option,
				const char *arg, struct sbx_error *e)
{
	_cleanup_free_ char *copy = xstrdup(opts);
	bool uid = false, gid = false; /* what a bare "H:S:C" item continues */
	char *save = NULL;

	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		const char *ranges = NULL;
		int r;

		if (strcmp(item, "sandbox-src") == 0) {
			m->sandbox_src = true;
			uid = gid = false;
			continue;
		}
		if (strncmp(item, "idmap", 5) == 0 && (item[5] == '\0' || item[5] == '=')) {
			uid = gid = true;
			ranges = item[5] ? item + 6 : NULL;
		} else if (strncmp(item, "uidmap=", 7) == 0) {
			uid = true, gid = false;
			ranges = item + 7;
		} else if (strncmp(item, "gidmap=", 7) == 0) {
			uid = false, gid = true;
			ranges = item + 7;
		} else if (isdigit((unsigned char)item[0]) && (uid || gid)) {
			ranges = item;
		} else {
			return sbx_error_set(e, 0, "--%s %s: unknown option '%s' (idmap, idmap=, uidmap=, "
						   "gidmap=, sandbox-src)", option, arg, item);
		}
		if (!m->idmap) {
			m->idmap = xreallocarray(NULL, 1, sizeof(*m->idmap));
			memset(m->idmap, 0, sizeof(*m->idmap));
		}
		if (!ranges)
			continue;
		r = add_range(m->idmap, uid, gid, ranges);
		if (r == -E2BIG)
			return sbx_error_set(e, 0, "--%s %s: more than %d id ranges", option, arg,
					     SBX_IDMAP_MAX_RANGES);
		if (r < 0)
			return sbx_error_set(e, 0, "--%s %s: '%s' is not HOSTID:SANDBOXID:COUNT",
					     option, arg, ranges);
	}
	if (m->idmap && (ranges_overlap(m->idmap->uid, m->idmap->n_uid) ||
			 ranges_overlap(m->idmap->gid, m->idmap->n_gid)))
		return sbx_error_set(e, 0, "--%s %s: id ranges overlap", option, arg);
	return 0;
}

int viewspec_add_bind(struct sbx_config *c, enum sbx_mount_kind kind, bool try_src,
		      const char *option, const char *arg, struct sbx_error *e)
{
	_cleanup_free_ char *src = NULL, *dest = NULL;
	const char *colon = strchr(arg, ':'), *opts = NULL;
	struct sbx_mount_spec *m;
	int r;

	src = colon ? dup_n(arg, (size_t)(colon - arg)) : xstrdup(arg);
	if (colon) {
		const char *colon2 = strchr(colon + 1, ':');
		dest = colon2 ? dup_n(colon + 1, (size_t)(colon2 - colon - 1)) : xstrdup(colon + 1);
		opts = colon2 ? colon2 + 1 : NULL;
		if (!colon2 && !*dest)
			return sbx_error_set(e, 0, "--%s %s: expected SRC[:DEST[:OPTIONS]]", option, arg);
	}
	if (!*src)
		return sbx_error_set(e, 0, "--%s %s: empty source path", option, arg);

	m = viewspec_new_op(c, kind, option);
	m->try_src = try_src;
	r = cli_resolve_arg(c, option, src, &m->src, e);
	if (r < 0)
		return r;
	r = set_dest(c, m, dest && *dest ? dest : src, e);
	if (r < 0)
		return r;
	if (opts)
		return viewspec_parse_bind_options(m, opts, option, arg, e);
	return 0;
}

int viewspec_add_dest_op(struct sbx_config *c, enum sbx_mount_kind kind, const char *option,
			 const char *dest, struct sbx_error *e)
{
	struct sbx_mount_spec *m = viewspec_new_op(c, kind, option);
	int r = set_dest(c, m, dest, e);

	if (r < 0)
		return r;
	if (kind == SBX_MOUNT_TMP_OVERLAY && m->n_layers < 1)
		return sbx_error_set(e, 0, "--%s %s: needs at least one --overlay-src before it",
				     option, dest);
	/* Without an upper layer overlayfs needs two lower ones. */
	if (kind == SBX_MOUNT_RO_OVERLAY && m->n_layers < 2)
		return sbx_error_set(e, 0, "--%s %s: needs at least two --overlay-src before it",
				     option, dest);
	return 0;
}

int viewspec_add_symlink(struct sbx_config *c, const char *option, const char *target,
			 const char *dest, struct sbx_error *e)
{
	struct sbx_mount_spec *m = viewspec_new_op(c, SBX_MOUNT_SYMLINK, option);

	if (!*target)
		return sbx_error_set(e, 0, "--%s: empty link target", option);
	m->src = xstrdup(target);
	return set_dest(c, m, dest, e);
}

int viewspec_add_fd_op(struct sbx_config *c, enum sbx_mount_kind kind, const char *option,
		       const char *fd_arg, const char *dest, struct sbx_error *e)
{
	struct sbx_mount_spec *m = viewspec_new_op(c, kind, option);
	unsigned long fd;

	if (parse_uint(fd_arg, 1 << 20, &fd) < 0)
		return sbx_error_set(e, 0, "--%s %s: not a file descriptor number", option, fd_arg);
	m->fd = (int)fd;
	return set_dest(c, m, dest, e);
}

int viewspec_add_chmod(struct sbx_config *c, const char *option, const char *mode_arg,
		       const char *path, struct sbx_error *e)
{
	struct sbx_mount_spec *m = viewspec_new_op(c, SBX_MOUNT_CHMOD, option);
	mode_t mode;
	int r;

	if (viewspec_parse_mode(mode_arg, &mode) < 0)
		return sbx_error_set(e, 0, "--%s %s: not an octal mode", option, mode_arg);
	r = set_dest(c, m, path, e);
	m->mode = mode;
	return r;
}

int viewspec_add_overlay(struct sbx_config *c, const char *option, const char *rwdir,
			 const char *workdir, const char *dest, struct sbx_error *e)
{
	struct sbx_mount_spec *m = viewspec_new_op(c, SBX_MOUNT_OVERLAY, option);
	int r;

	if (!*rwdir || !*workdir)
		return sbx_error_set(e, 0, "--%s: empty path", option);
	r = cli_resolve_arg(c, option, rwdir, &m->src, e);
	if (r == 0)
		r = cli_resolve_arg(c, option, workdir, &m->workdir, e);
	if (r == 0)
		r = set_dest(c, m, dest, e);
	if (r < 0)
		return r;
	if (m->n_layers < 1)
		return sbx_error_set(e, 0, "--%s %s: needs at least one --overlay-src before it",
				     option, dest);
	return 0;
}

int viewspec_add_overlay_src(struct sbx_config *c, const char *option, const char *src,
			     struct sbx_error *e)
{
	struct sbx_view_pending *p = &c->view_pending;
	int r;

	if (!*src)
		return sbx_error_set(e, 0, "--%s: empty path", option);
	/* overlayfs itself stops at 500 layers; 128 is plenty and bounded. */
	if (p->n_layers == 128)
		return sbx_error_set(e, 0, "--%s: too many layers (at most 128)", option);
	p->layers = xreallocarray(p->layers, p->n_layers + 1, sizeof(char *));
	r = cli_resolve_arg(c, option, src, &p->layers[p->n_layers], e);
	if (r < 0)
		return r;
	p->n_layers++;
	return 0;
}

int viewspec_parse_mode(const char *s, mode_t *ret_mode)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 5)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '7')
			return -EINVAL;
		v = v * 8 + (unsigned long)(*p - '0');
	}
	if (v > 07777)
		return -EINVAL;
	*ret_mode = (mode_t)v;
	return 0;
}

int viewspec_parse_size(const char *s, unsigned long long *ret_size)
{
	_cleanup_free_ char *digits = xstrdup(s);
	size_t len = strlen(digits);
	unsigned long long mult = 1;
	unsigned long v;

	if (len > 0) {
		switch (digits[len - 1] | 0x20) {
		case 'k':
			mult = 1ULL << 10;
			break;
		case 'm':
			mult = 1ULL << 20;
			break;
		case 'g':
			mult = 1ULL << 30;
			break;
		}
		if (mult > 1)
			digits[len - 1] = '\0';
	}
	if (parse_uint(digits, (unsigned long)(VIEWSPEC_MAX_SIZE / mult), &v) < 0)
		return -EINVAL;
	if (v == 0)
		return -ERANGE;
	*ret_size = v * mult;
	return 0;
}

int viewspec_set_perms(struct sbx_config *c, const char *option, const char *arg,
		       struct sbx_error *e)
{
	if (viewspec_parse_mode(arg, &c->view_pending.perms) < 0)
		return sbx_error_set(e, 0, "--%s %s: not an octal mode (at most 07777)", option, arg);
	c->view_pending.has_perms = true;
	return 0;
}

int viewspec_set_size(struct sbx_config *c, const char *option, const char *arg,
		      struct sbx_error *e)
{
	if (viewspec_parse_size(arg, &c->view_pending.size) < 0)
		return sbx_error_set(e, 0, "--%s %s: not a size (1 to 2^44 bytes, k/m/g suffixes)",
				     option, arg);
	return 0;
}

int viewspec_finish(struct sbx_config *c, struct sbx_error *e)
{
	const struct sbx_view_pending *p = &c->view_pending;

	if (p->has_perms)
		return sbx_error_set(e, 0, "--perms must be followed by the option it applies to");
	if (p->size)
		return sbx_error_set(e, 0, "--size must be followed by --tmpfs");
	if (p->n_layers)
		return sbx_error_set(e, 0, "--overlay-src must be followed by --overlay, "
					   "--tmp-overlay or --ro-overlay");
	for (size_t i = 0; i < c->n_mounts; i++) {
		struct sbx_mount_idmap *map = c->mounts[i].idmap;

		if (!map)
			continue;
		if (map->n_uid == 0)
			map->uid[map->n_uid++] = (struct sbx_idmap_range){ c->host_uid, c->uid, 1 };
		if (map->n_gid == 0)
			map->gid[map->n_gid++] = (struct sbx_idmap_range){ c->host_gid, c->gid, 1 };
	}
	return 0;
}

int viewspec_check_fds(const struct sbx_config *c, struct sbx_error *e)
{
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct sbx_mount_spec *m = &c->mounts[i];

		if (m->kind != SBX_MOUNT_FILE && m->kind != SBX_MOUNT_BIND_DATA &&
		    m->kind != SBX_MOUNT_RO_BIND_DATA)
			continue;
		if (fcntl(m->fd, F_GETFD) < 0)
			return sbx_error_set(e, errno, "--%s %d %s", m->option, m->fd, m->dest);
	}
	return 0;
}

void viewspec_free(struct sbx_config *c)
{
	for (size_t i = 0; i < c->n_mounts; i++) {
		struct sbx_mount_spec *m = &c->mounts[i];

		for (size_t k = 0; k < m->n_layers; k++)
			free(m->layers[k]);
		free(m->layers);
		free(m->workdir);
		free(m->idmap);
	}
	for (size_t k = 0; k < c->view_pending.n_layers; k++)
		free(c->view_pending.layers[k]);
	free(c->view_pending.layers);
}
