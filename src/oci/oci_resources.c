/* oci_resources.c - linux.resources through sbx's limits (see oci_resources.h) */
#include "autoconf.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "oci_cgroup.h"
#include "oci_resources.h"
#include "rlimit.h"
#include "util.h"

/* RLIMIT_NPROC @n in @p's rlimits: lowered to @n if the process already
 * sets one, else added. */
static void set_nproc(struct oci_process *p, unsigned long n)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct oci_rlimit *l = &p->rlimits[i];

		if (l->resource != RLIMIT_NPROC)
			continue;
		if (l->hard > n)
			l->hard = n;
		if (l->soft > l->hard)
			l->soft = l->hard;
		return;
	}
	p->rlimits = xreallocarray(p->rlimits, p->n_rlimits + 1, sizeof(*p->rlimits));
	p->rlimits[p->n_rlimits++] = (struct oci_rlimit){ RLIMIT_NPROC, n, n };
}

int oci_resources_map(const struct oci_resources *res, const struct oci_resources_host *h,
		      struct oci_process *p, struct sbx_error *e)
{
	const char *field = res->memory ? "memory.limit"
			    : res->swap ? "memory.swap"
			    : res->cpu_quota ? "cpu.quota"
			    : res->cpu_period ? "cpu.period"
					     : NULL;

	if (field)
		return sbx_error_set(e, EOPNOTSUPP,
				     "config.json: linux.resources.%s: cannot be applied: no usable cgroup v2 (%s)",
				     field, h->cgroup);
	if (!res->pids)
		return 0;
	if (h->root)
		return sbx_error_set(e, EOPNOTSUPP,
				     "config.json: linux.resources.pids.limit: cannot be applied: RLIMIT_NPROC does not apply to root (uid 0 on the host)");
	if (!h->nproc_per_userns)
		return sbx_error_set(e, EOPNOTSUPP,
				     "config.json: linux.resources.pids.limit: cannot be applied: before Linux 5.14 RLIMIT_NPROC counts all of the user's processes, not the container's");
	set_nproc(p, res->pids);
	return 0;
}

/* Without a cgroup for the container: oci_resources_map() on this host. */
static int fallback(const struct oci_resources *res, const char *why, struct oci_process *p,
		    struct sbx_error *e)
{
	struct oci_resources_host h = { .root = geteuid() == 0,
					.nproc_per_userns = rlimit_nproc_per_userns(NULL),
					.cgroup = why };

	return oci_resources_map(res, &h, p, e);
}

int oci_resources_setup(struct oci_spec *s, const char *id, const char *state_dir,
			int *ret_cgroup_fd, struct sbx_error *e)
{
	char why[2 * SBX_ERROR_MSG_MAX];
	int r;

	*ret_cgroup_fd = -1;
	if (!oci_cgroup_wanted(s))
		return 0;
	r = oci_cgroup_create(s, id, state_dir, ret_cgroup_fd, why, sizeof(why), e);
	if (r <= 0)
		return r;
	return fallback(&s->resources, why, &s->process, e);
}

int oci_resources_join(const struct oci_spec *s, const char *state_dir, struct oci_process *p,
		       struct sbx_error *e)
{
	_cleanup_close_ int fd = -1;

	if (!oci_cgroup_wanted(s))
		return 0;
	fd = oci_cgroup_open(state_dir);
	if (fd >= 0)
		return oci_cgroup_enter(fd, 0, e);
	return fallback(&s->resources, "the container has no cgroup", p, e);
}
