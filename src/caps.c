/* caps.c - capability sets through libcap */
#include "autoconf.h"

#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "caps.h"

static void cleanup_cap(cap_t *c)
{
	if (*c)
		cap_free(*c);
}

int caps_drop_for_exec(uint64_t keep, struct sbx_error *e)
{
	__attribute__((cleanup(cleanup_cap))) cap_t caps = NULL;
	cap_value_t last = (cap_value_t)cap_max_bits() - 1;

	/* The bounding set first: dropping from it needs CAP_SETPCAP, which
	 * the next step may remove. */
	for (cap_value_t cap = 0; cap <= last; cap++) {
		if (cap < 64 && (keep & (UINT64_C(1) << cap)))
			continue;
		if (cap_drop_bound(cap) < 0 && errno != EINVAL)
			return sbx_error_set(e, errno, "cannot drop capability %d from the bounding set",
					     cap);
	}
	/* One prctl(): libcap's cap_reset_ambient() first asks about each
	 * capability in turn (41 calls on the command's way to exec). */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return sbx_error_set(e, errno, "cannot clear the ambient capabilities");

	caps = cap_init();
	if (!caps)
		return sbx_error_set(e, errno, "cap_init");
	for (cap_value_t cap = 0; cap <= last && cap < 64; cap++) {
		if (!(keep & (UINT64_C(1) << cap)))
			continue;
		if (cap_set_flag(caps, CAP_PERMITTED, 1, &cap, CAP_SET) < 0 ||
		    cap_set_flag(caps, CAP_EFFECTIVE, 1, &cap, CAP_SET) < 0 ||
		    cap_set_flag(caps, CAP_INHERITABLE, 1, &cap, CAP_SET) < 0)
			return sbx_error_set(e, errno, "cap_set_flag");
	}
	if (cap_set_proc(caps) < 0)
		return sbx_error_set(e, errno, "cannot set the command's capabilities");
	for (cap_value_t cap = 0; cap <= last && cap < 64; cap++) {
		if (!(keep & (UINT64_C(1) << cap)))
			continue;
		if (cap_set_ambient(cap, CAP_SET) < 0)
			return sbx_error_set(e, errno, "--cap-add: cannot raise capability %d", cap);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return sbx_error_set(e, errno, "cannot set no_new_privs");
	return 0;
}

int caps_drop_all_now(struct sbx_error *e)
{
	__attribute__((cleanup(cleanup_cap))) cap_t caps = cap_init();

	if (!caps || cap_set_proc(caps) < 0)
		return sbx_error_set(e, errno, "cannot drop capabilities");
	return 0;
}
