/* oci_cgroup.c - a container's own cgroup v2 (see oci_cgroup.h) */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "oci_cgroup.h"
#include "util.h"

#define OCI_CGROUP_FILE "cgroup"

bool oci_cgroup_wanted(const struct oci_spec *s)
{
	const struct oci_resources *r = &s->resources;

	return r->pids || r->memory || r->swap || r->cpu_quota || r->cpu_period;
}

/* Is @path @top or below it? (The caller's own cgroup is never the
 * container's: delete would kill the caller.) */
static bool is_within(const char *path, const char *top)
{
	size_t n = strlen(top);

	return strncmp(path, top, n) == 0 && (path[n] == '/' || !path[n]);
}

/* Where the container's cgroup goes, below the hierarchy's mount. */
static void choose_path(const struct oci_spec *s, const char *id, const struct cgroup_v2 *cg,
			char *buf, size_t len)
{
	char parent[CGROUP_PATH_MAX];
	const char *slash;
	size_t n;

	snprintf(parent, sizeof(parent), "%s", cg->path);
	slash = strrchr(parent, '/');
	n = slash ? (size_t)(slash - parent) : 0;
	parent[n] = '\0';
	if (s->cgroups_path && s->cgroups_path[0] == '/' && !strstr(s->cgroups_path, "/..") &&
	    strncmp(s->cgroups_path, parent, n) == 0 && s->cgroups_path[n] == '/' &&
	    s->cgroups_path[n + 1] && strlen(s->cgroups_path) < len &&
	    !is_within(cg->path, s->cgroups_path)) {
		snprintf(buf, len, "%s", s->cgroups_path);
		return;
	}
	if ((size_t)snprintf(buf, len, "%s/sbx-oci-%s", parent, id) >= len)
		buf[0] = '\0'; /* an id too long for a cgroup name: no cgroup */
}

/* The limits, each failure naming its field. */
static int write_limits(int fd, const struct oci_resources *r, struct sbx_error *e)
{
	char v[64];
	int rc = 0;
	const char *field = NULL;

	if (r->pids) {
		snprintf(v, sizeof(v), "%lu", r->pids);
		if ((rc = write_file_at(fd, "pids.max", v)) < 0)
			field = "pids.limit";
	}
	if (!field && r->memory) {
		snprintf(v, sizeof(v), "%llu", r->memory);
		if ((rc = write_file_at(fd, "memory.max", v)) < 0)
			field = "memory.limit";
	}
	/* The spec's swap is memory + swap; cgroup v2 counts swap alone. */
	if (!field && r->swap) {
		snprintf(v, sizeof(v), "%llu", r->swap > r->memory ? r->swap - r->memory : 0);
		if ((rc = write_file_at(fd, "memory.swap.max", v)) < 0)
			field = "memory.swap";
	}
	if (!field && (r->cpu_quota || r->cpu_period)) {
		if (r->cpu_quota)
			snprintf(v, sizeof(v), "%llu %llu", r->cpu_quota,
				 r->cpu_period ? r->cpu_period : CGROUP_CPU_PERIOD_US);
		else
			snprintf(v, sizeof(v), "max %llu", r->cpu_period);
		if ((rc = write_file_at(fd, "cpu.max", v)) < 0)
			field = "cpu.quota";
	}
	if (!field)
		return 0;
	return sbx_error_set(e, rc, "config.json: linux.resources.%s: cannot be applied: cgroup v2", field);
}

/* The controllers @r needs, enabled for the children of @parent_fd. */
static int enable(int parent_fd, const struct oci_resources *r, const char *parent,
		  struct sbx_error *e)
{
	const char *names[] = { r->pids ? "pids" : NULL, r->memory || r->swap ? "memory" : NULL,
				r->cpu_quota || r->cpu_period ? "cpu" : NULL };
	char have[256] = "";
	_cleanup_close_ int fd = openat(parent_fd, "cgroup.subtree_control", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, have, sizeof(have) - 1);

	if (n > 0)
		have[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char w[16];
		int rc;

		if (!names[i])
			continue;
		snprintf(w, sizeof(w), "%s", names[i]);
		if (strstr(have, w))
			continue;
		snprintf(w, sizeof(w), "+%s", names[i]);
		rc = write_file_at(parent_fd, "cgroup.subtree_control", w);
		if (rc < 0)
			return sbx_error_set(e, rc, "linux.resources: cannot enable the %s controller in %s",
					     names[i], parent);
	}
	return 0;
}

int oci_cgroup_create(const struct oci_spec *s, const char *id, const char *state_dir,
		      int *ret_fd, char *why, size_t why_len, struct sbx_error *e)
{
	struct cgroup_v2 cg = CGROUP_V2_INIT;
	struct sbx_error w = { 0 };
	char rel[CGROUP_PATH_MAX], full[2 * CGROUP_PATH_MAX], *slash;
	_cleanup_close_ int parent = -1;
	_cleanup_free_ char *rec = NULL;
	int fd, r;

	*ret_fd = -1;
	if (cgroup_v2_find("/sys/fs/cgroup", "/proc/self/cgroup", &cg, &w) < 0) {
		sbx_error_format(&w, why, why_len);
		return 1;
	}
	choose_path(s, id, &cg, rel, sizeof(rel));
	if (!rel[0]) {
		snprintf(why, why_len, "the container id is too long for a cgroup name");
		return 1;
	}
	snprintf(full, sizeof(full), "%s%s", cg.root, rel);
	slash = strrchr(full, '/');
	*slash = '\0';
	parent = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent < 0 || faccessat(parent, "cgroup.procs", W_OK, AT_EACCESS) < 0) {
		snprintf(why, why_len, "%s: not delegated to us (%s)", full, strerror(parent < 0 ? errno : EACCES));
		return 1;
	}
	*slash = '/';
	r = enable(parent, &s->resources, rel, e);
	if (r < 0)
		return r;
	/* Recorded first: whatever happens next, delete finds it. */
	rec = xasprintf("%s/" OCI_CGROUP_FILE, state_dir);
	fd = open(rec, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	r = fd < 0 ? -errno : write_all(fd, full, strlen(full));
	if (fd >= 0)
		close(fd);
	if (r < 0)
		return sbx_error_set(e, r, "%s", rec);
	/* cgroupsPath may name a cgroup the engine made for it already. */
	if (mkdirat(parent, slash + 1, 0755) < 0 && (errno != EEXIST || !s->cgroups_path))
		return sbx_error_set(e, errno, "linux.resources: cgroup %s", rel);
	fd = openat(parent, slash + 1, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		unlinkat(parent, slash + 1, AT_REMOVEDIR);
		return sbx_error_set(e, errno, "linux.resources: cgroup %s", rel);
	}
	r = write_limits(fd, &s->resources, e);
	if (r < 0) {
		close(fd);
		oci_cgroup_remove(state_dir);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

int oci_cgroup_enter(int fd, pid_t pid, struct sbx_error *e)
{
	char v[16];
	int r;

	snprintf(v, sizeof(v), "%d", (int)pid);
	r = write_file_at(fd, "cgroup.procs", v);
	if (r < 0)
		return sbx_error_set(e, r, "linux.resources: cannot move the process into its cgroup");
	return 0;
}

/* The recorded path, only if it is a cgroup v2 directory. */
static int read_record(const char *state_dir, char *buf, size_t len)
{
	_cleanup_free_ char *rec = xasprintf("%s/" OCI_CGROUP_FILE, state_dir);
	_cleanup_close_ int fd = open(rec, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);

	if (n <= 0)
		return -ENOENT;
	buf[n] = '\0';
	return strncmp(buf, "/sys/fs/cgroup/", 15) == 0 && !strstr(buf, "/..") ? 0 : -EINVAL;
}

int oci_cgroup_open(const char *state_dir)
{
	char path[2 * CGROUP_PATH_MAX];

	if (read_record(state_dir, path, sizeof(path)) < 0)
		return -1;
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

void oci_cgroup_remove(const char *state_dir)
{
	_cleanup_free_ char *rec = xasprintf("%s/" OCI_CGROUP_FILE, state_dir);
	char path[2 * CGROUP_PATH_MAX];
	int fd;

	if (read_record(state_dir, path, sizeof(path)) < 0) {
		unlink(rec);
		return;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		write_file_at(fd, "cgroup.kill", "1");
		cgroup_v2_wait_empty(fd);
		close(fd);
		rmdir(path);
	}
	unlink(rec);
}
