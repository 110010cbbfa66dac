/* idmap_mount.c - idmapped bind mounts, from outside (host sources) or inside */
#include "autoconf.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdlimit.h"
#include "idmap_mount.h"
#include "mount.h"
#include "util.h"

int idmap_mount_compose(const struct sbx_idmap_range *ranges, size_t n,
			const struct idmap *sandbox_map, struct idmap *ret,
			unsigned long *ret_unmapped)
{
	ret->n = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned long done = 0;

		while (done < ranges[i].count) {
			unsigned long s = ranges[i].sandbox + done, len;
			const struct idmap_line *l = NULL;

			for (size_t k = 0; k < sandbox_map->n && !l; k++)
				if (s >= sandbox_map->lines[k].inside &&
				    s - sandbox_map->lines[k].inside < sandbox_map->lines[k].count)
					l = &sandbox_map->lines[k];
			if (!l) {
				*ret_unmapped = s;
				return -ERANGE;
			}
			len = l->inside + l->count - s;
			if (len > ranges[i].count - done)
				len = ranges[i].count - done;
			if (ret->n == IDMAP_MAX_LINES)
				return -E2BIG;
			ret->lines[ret->n++] = (struct idmap_line){ ranges[i].host + done,
								    l->outside + (s - l->inside), len };
			done += len;
		}
	}
	return 0;
}

static int write_map(const char *pid, const char *file, const struct idmap *m)
{
	char path[64], buf[IDMAP_MAX_LINES * 40];

	snprintf(path, sizeof(path), "/proc/%s/%s", pid, file);
	idmap_format(m, buf, sizeof(buf));
	return write_file_at(AT_FDCWD, path, buf);
}

/* In the helper: a new user namespace, then park until the creator is done.
 * It reports its pid as the mounted /proc sees it (the sandbox's pid 1 works
 * with the host's /proc, where fork()'s answer would be the wrong number). */
static _Noreturn void park_in_new_userns(int ready, int hold)
{
	char self[32];
	ssize_t n;

	if (unshare(CLONE_NEWUSER) < 0)
		_exit(1);
	n = readlink("/proc/self", self, sizeof(self));
	if (n <= 0 || write(ready, self, (size_t)n) != n)
		_exit(1);
	close(ready);
	while (read(hold, self, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/*
 * A user namespace with the given maps, as an fd. A helper process creates
 * it and waits; we write its maps and open it; closing @hold lets it go.
 * @ret_maps_ok: false when the maps could not be written (an unprivileged
 * caller may only map its own ids); the namespace is still returned so the
 * kernel can be asked whether it would allow the mount at all.
 */
static int mapping_userns(const struct idmap *uids, const struct idmap *gids, bool privileged,
			  int *ret_nsfd, bool *ret_maps_ok)
{
	_cleanup_close_ int ready_r = -1, hold_w = -1;
	int ready[2], hold[2], status, r = 0;
	char pid_text[32], path[64];
	ssize_t n;
	pid_t pid;

	/* The helper's /proc files must be ours to write: after the setresuid()
	 * of --userns isolated we (and a fork of us) are no longer dumpable,
	 * which hands those files to root. */
	if (prctl(PR_GET_DUMPABLE) != 1)
		prctl(PR_SET_DUMPABLE, 1);
	if (pipe2(ready, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(hold, O_CLOEXEC) < 0) {
		close(ready[0]);
		close(ready[1]);
		return -errno;
	}
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(hold[1]);
		park_in_new_userns(ready[1], hold[0]);
	}
	ready_r = ready[0];
	hold_w = hold[1];
	close(ready[1]);
	close(hold[0]);
	if (pid < 0)
		return -errno;

	do
		n = read(ready_r, pid_text, sizeof(pid_text) - 1);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		r = -EPERM; /* the helper could not unshare */
	} else {
		pid_text[n] = '\0';
		*ret_maps_ok = write_map(pid_text, "uid_map", uids) == 0;
		if (!privileged) {
			snprintf(path, sizeof(path), "/proc/%s/setgroups", pid_text);
			write_file_at(AT_FDCWD, path, "deny");
		}
		if (write_map(pid_text, "gid_map", gids) < 0)
			*ret_maps_ok = false;
		snprintf(path, sizeof(path), "/proc/%s/ns/user", pid_text);
		*ret_nsfd = open(path, O_RDONLY | O_CLOEXEC);
		if (*ret_nsfd < 0)
			r = -errno;
	}
	close(TAKE_FD(hold_w));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return r;
}

static int set_idmap(int mfd, int nsfd)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)nsfd };

	/* Recursive: a bind of a tree with sub-mounts maps them all, or fails. */
	if (mount_setattr(mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return -errno;
	return 0;
}

int idmap_mount_apply_inner(int mfd, const struct sbx_mount_idmap *map)
{
	_cleanup_close_ int nsfd = -1;
	struct idmap uids = { .n = 0 }, gids = { .n = 0 };
	bool maps_ok = false;
	int r;

	/* Our mapping namespace is a child of the sandbox's: its "outside"
	 * ids are sandbox ids, so the ranges go in as given. */
	for (size_t i = 0; i < map->n_uid; i++)
		uids.lines[uids.n++] = (struct idmap_line){ map->uid[i].host, map->uid[i].sandbox,
							    map->uid[i].count };
	for (size_t i = 0; i < map->n_gid; i++)
		gids.lines[gids.n++] = (struct idmap_line){ map->gid[i].host, map->gid[i].sandbox,
							    map->gid[i].count };
	r = mapping_userns(&uids, &gids, true, &nsfd, &maps_ok);
	if (r < 0)
		return r;
	if (!maps_ok)
		return -ERANGE; /* a sandbox id that the sandbox does not have */
	return set_idmap(mfd, nsfd);
}

static int host_bind(const struct userns_plan *plan,
		     const struct sbx_mount_spec *m, int *ret_fd, struct sbx_error *e)
{
	_cleanup_close_ int nsfd = -1, mfd = -1;
	struct idmap uids, gids;
	unsigned long unmapped = 0;
	bool maps_ok = false;
	uint64_t attrs = MOUNT_ATTR_NOSUID |
			 (m->kind == SBX_MOUNT_DEV_BIND ? 0 : MOUNT_ATTR_NODEV) |
			 (m->kind == SBX_MOUNT_RO_BIND ? MOUNT_ATTR_RDONLY : 0);
	int r;

	r = idmap_mount_compose(m->idmap->uid, m->idmap->n_uid, &plan->uid_map, &uids, &unmapped);
	if (r == -ERANGE)
		return sbx_error_set(e, 0, "--%s %s: uid %lu is not mapped in the sandbox",
				     m->option, m->src, unmapped);
	if (r == 0)
		r = idmap_mount_compose(m->idmap->gid, m->idmap->n_gid, &plan->gid_map, &gids,
					&unmapped);
	if (r == -ERANGE)
		return sbx_error_set(e, 0, "--%s %s: gid %lu is not mapped in the sandbox",
				     m->option, m->src, unmapped);
	if (r < 0)
		return sbx_error_set(e, r, "--%s %s", m->option, m->src);

	/* An unprivileged caller fails already here (cloning a mount tree
	 * needs CAP_SYS_ADMIN over our mount namespace), where it would fail
	 * at MOUNT_ATTR_IDMAP anyway: both are the kernel's refusal. */
	r = mnt_clone_tree(AT_FDCWD, m->src, true, &mfd);
	if (r == -ENOENT && m->try_src)
		return 0;
	if (r == -EMFILE)
		return fdlimit_bind_error(m, e);
	if (r == -EPERM)
		return idmap_mount_refused(m, e);
	if (r == 0)
		r = mnt_set_attr(mfd, attrs, 0, true);
	if (r < 0)
		return sbx_error_set(e, r, "--%s %s", m->option, m->src);
	r = mapping_userns(&uids, &gids, plan->privileged, &nsfd, &maps_ok);
	if (r == 0)
		r = set_idmap(mfd, nsfd);
	if (r == -EPERM)
		return idmap_mount_refused(m, e);
	if (r == -EMFILE)
		return fdlimit_bind_error(m, e);
	if (r == -EINVAL)
		return sbx_error_set(e, 0, "--%s %s: the filesystem (or one mounted below it) does "
					   "not support idmapped mounts", m->option, m->src);
	if (r < 0)
		return sbx_error_set(e, r, "--%s %s: idmapped mount", m->option, m->src);
	if (!maps_ok)
		return sbx_error_set(e, EPERM, "--%s %s: cannot write the idmap %s", m->option,
				     m->src, "(only root may map other users' ids)");
	*ret_fd = TAKE_FD(mfd);
	return 0;
}

int idmap_mount_prepare_host(const struct sbx_config *c, const struct userns_plan *plan,
			     int **ret_fds, struct sbx_error *e)
{
	int *fds = NULL;

	*ret_fds = NULL;
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct sbx_mount_spec *m = &c->mounts[i];
		int r;

		if (!m->idmap || m->sandbox_src)
			continue;
		if (!fds) {
			/* One fd per bind until the sandbox attaches them; the
			 * sandbox gives the command the caller's limit back. */
			fdlimit_raise();
			fds = xreallocarray(NULL, c->n_mounts, sizeof(int));
			for (size_t k = 0; k < c->n_mounts; k++)
				fds[k] = -1;
			*ret_fds = fds;
		}
		r = host_bind(plan, m, &fds[i], e);
		if (r < 0)
			return r;
	}
	return 0;
}

void idmap_mount_release(int *fds, size_t n)
{
	if (!fds)
		return;
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
}

int idmap_mount_refused(const struct sbx_mount_spec *m, struct sbx_error *e)
{
	sbx_error_set(e, 0, "--%s %s:%s:idmap: the kernel refuses idmapped mounts of host "
			    "filesystems to unprivileged users; drop ':idmap' to use the default "
			    "keep-id mapping (your files appear as the sandbox user's)",
		      m->option, m->src ? m->src : "", m->dest);
	return -EPERM;
}
