/* oci_resources.c - linux.resources through sbx's limits (see oci_resources.h) */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cgroup.h"
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
				     "config.json: linux.resources.%s: cannot be applied: sbx oci enforces only pids.limit (RLIMIT_NPROC) so far; cgroup v2: %s",
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

int oci_resources_apply(const struct oci_resources *res, struct oci_process *p,
			struct sbx_error *e)
{
	struct oci_resources_host h = { .root = geteuid() == 0,
					.nproc_per_userns = rlimit_nproc_per_userns(NULL) };
	struct cgroup_v2 cg = CGROUP_V2_INIT;
	struct sbx_error why = { 0 };
	char text[SBX_ERROR_MSG_MAX];

	if (!res->memory && !res->swap && !res->cpu_quota && !res->cpu_period && !res->pids)
		return 0;
	if (cgroup_v2_find("/sys/fs/cgroup", "/proc/self/cgroup", &cg, &why) == 0)
		snprintf(text, sizeof(text), "present, not used by sbx oci yet");
	else
		sbx_error_format(&why, text, sizeof(text));
	h.cgroup = text;
	return oci_resources_map(res, &h, p, e);
}
