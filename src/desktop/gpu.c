/* gpu.c - --gpu: /dev/dri, /dev/nvidia*, /dev/kfd and their /sys entries */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "desktop_int.h"
#include "gpu.h"
#include "util.h"

/* @base (a directory, relative to the sysfs root, starting with "/") joined
 * with the link text @rel, with "." and ".." applied by hand: the result is
 * a path relative to the sysfs root, or NULL if it climbs above it. */
static char *join_lexical(const char *base, const char *rel)
{
	_cleanup_free_ char *tmp = rel[0] == '/' ? xstrdup(rel) : xasprintf("%s/%s", base, rel);
	char *out = xreallocarray(NULL, strlen(tmp) + 2, 1), *save = NULL;
	size_t len = 0;

	out[0] = '\0';
	for (char *part = strtok_r(tmp, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		if (strcmp(part, ".") == 0)
			continue;
		if (strcmp(part, "..") == 0) {
			char *slash = strrchr(out, '/');

			if (!slash) {
				free(out);
				return NULL;
			}
			*slash = '\0';
			len = (size_t)(slash - out);
			continue;
		}
		len += (size_t)sprintf(out + len, "/%s", part);
	}
	return out;
}

static bool under_devices(const char *p)
{
	return strncmp(p, "/devices/", 9) == 0;
}

static char *read_link_at(const char *sysroot, const char *rel)
{
	char buf[PATH_MAX];
	_cleanup_free_ char *path = xasprintf("%s%s", sysroot, rel);
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

int gpu_sys_resolve(const char *sysroot, dev_t rdev, struct gpu_sys_entry *ret)
{
	_cleanup_free_ char *node = NULL, *dev_link = NULL, *dev_rel = NULL;

	memset(ret, 0, sizeof(*ret));
	snprintf(ret->link, sizeof(ret->link), "/dev/char/%u:%u", major(rdev), minor(rdev));
	ret->link_target = read_link_at(sysroot, ret->link);
	if (!ret->link_target)
		return errno == EINVAL ? -ENOENT : -errno;
	node = join_lexical("/dev/char", ret->link_target);
	if (!node || !under_devices(node)) {
		gpu_sys_entry_free(ret);
		return -EXDEV;
	}
	/* The bus device (a PCI function, a platform device) holds what
	 * libdrm reads: uevent, vendor, device, config. The node's own
	 * directory is below it. A node without one (vgem) shows itself. */
	dev_rel = xasprintf("%s/device", node);
	dev_link = read_link_at(sysroot, dev_rel);
	if (dev_link) {
		char *dev = join_lexical(node, dev_link);

		if (dev && under_devices(dev) && strncmp(node, dev, strlen(dev)) == 0 &&
		    node[strlen(dev)] == '/') {
			ret->device_dir = dev;
			return 0;
		}
		free(dev);
	}
	ret->device_dir = TAKE_PTR(node);
	return 0;
}

void gpu_sys_entry_free(struct gpu_sys_entry *s)
{
	free(s->link_target);
	free(s->device_dir);
	s->link_target = s->device_dir = NULL;
}

static bool has_dest(const struct sbx_config *c, const char *dest)
{
	for (size_t i = 0; i < c->n_mounts; i++)
		if (c->mounts[i].dest && strcmp(c->mounts[i].dest, dest) == 0)
			return true;
	return false;
}

/* The /sys entries of one node; a node /sys does not know is shown alone. */
static void add_sys_entries(struct sbx_config *c, const char *root, dev_t rdev)
{
	_cleanup_free_ char *sysroot = xasprintf("%s/sys", root), *link = NULL, *src = NULL,
			    *dest = NULL;
	struct gpu_sys_entry s;

	if (gpu_sys_resolve(sysroot, rdev, &s) < 0)
		return;
	link = xasprintf("/sys%s", s.link);
	if (!has_dest(c, link))
		desktop_plan_add_symlink(c, s.link_target, link);
	src = xasprintf("%s%s", sysroot, s.device_dir);
	dest = xasprintf("/sys%s", s.device_dir);
	if (!has_dest(c, dest))
		desktop_plan_add_bind(c, SBX_MOUNT_RO_BIND, src, dest, true);
	gpu_sys_entry_free(&s);
}

static bool gpu_name(const char *dir, const char *name)
{
	if (strcmp(dir, "/dev/dri") == 0)
		return name[0] != '.';
	return strncmp(name, "nvidia", 6) == 0 || strcmp(name, "kfd") == 0;
}

/* The char device nodes of @dir (/dev/dri, or /dev for nvidia* and kfd).
 * Return: how many. */
static int add_nodes(struct sbx_config *c, const char *root, const char *dir)
{
	_cleanup_free_ char *host_dir = xasprintf("%s%s", root, dir);
	DIR *d = opendir(host_dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		_cleanup_free_ char *src = NULL, *dest = NULL;
		struct stat st;

		if (!gpu_name(dir, de->d_name))
			continue;
		src = xasprintf("%s/%s", host_dir, de->d_name);
		/* The node itself: a link named like one could lead to any
		 * device of /dev (by-path links are in a directory of their own). */
		if (lstat(src, &st) < 0 || !S_ISCHR(st.st_mode))
			continue;
		dest = xasprintf("%s/%s", dir, de->d_name);
		/* /dev/dri is bound whole (its by-path links too); the others
		 * one by one: /dev holds far more than GPUs. */
		if (strcmp(dir, "/dev") == 0)
			desktop_plan_add_bind(c, SBX_MOUNT_DEV_BIND, src, dest, true);
		add_sys_entries(c, root, st.st_rdev);
		n++;
	}
	closedir(d);
	if (n && strcmp(dir, "/dev/dri") == 0)
		desktop_plan_add_bind(c, SBX_MOUNT_DEV_BIND, host_dir, dir, true);
	return n;
}

int gpu_prepare(struct sbx_config *c, struct desktop_run *run, bool required, struct sbx_error *e)
{
	/* Tests point this at a fake tree (a node made by mknod, a fake
	 * /sys): the GPU this machine may not have. */
	const char *root = getenv("SBX_TEST_GPU_ROOT");
	int n;

	if (!root)
		root = "";
	n = add_nodes(c, root, "/dev/dri");
	n += add_nodes(c, root, "/dev");
	if (n == 0) {
		if (required)
			return sbx_error_set(e, 0, "--gpu: no GPU device nodes (/dev/dri, /dev/nvidia*, "
						   "/dev/kfd)");
		desktop_plan_note(run, "--gui: no GPU device nodes: GPU skipped");
		return 0;
	}
	/* The /sys entries are made on the sandbox's own root: no /sys is
	 * mounted, so nothing else of it shows. */
	return 1;
}
