/* systemd_scope.c - a transient scope with Delegate=yes from systemd's user manager
 *
 * sd-bus from libsystemd.so.0, opened with dlopen(): sbx needs no build
 * dependency and no library at start-up for this fallback, which only runs
 * when limits are asked for and sbx's own cgroup is not delegated. The few
 * entry points are declared here as libsystemd's stable ABI defines them.
 */
#include "autoconf.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "systemd_scope.h"
#include "util.h"

/* How long the manager may take to start the scope. */
#define SCOPE_TIMEOUT_US (10ULL * 1000 * 1000)

typedef struct sd_bus sd_bus;
typedef struct sd_bus_message sd_bus_message;
typedef struct sd_bus_slot sd_bus_slot;
typedef struct {
	const char *name;
	const char *message;
	int _need_free;
} sd_bus_error;
typedef int (*sd_bus_message_handler_t)(sd_bus_message *m, void *userdata, sd_bus_error *ret);

struct sdbus {
	void *lib;
	int (*open_user)(sd_bus **ret);
	int (*open_system)(sd_bus **ret);
	int (*match_signal)(sd_bus *bus, sd_bus_slot **ret, const char *sender, const char *path,
			    const char *interface, const char *member,
			    sd_bus_message_handler_t callback, void *userdata);
	int (*new_method_call)(sd_bus *bus, sd_bus_message **m, const char *destination,
			       const char *path, const char *interface, const char *member);
	int (*append)(sd_bus_message *m, const char *types, ...);
	int (*open_container)(sd_bus_message *m, char type, const char *contents);
	int (*close_container)(sd_bus_message *m);
	int (*call)(sd_bus *bus, sd_bus_message *m, uint64_t usec, sd_bus_error *ret_error,
		    sd_bus_message **reply);
	int (*read)(sd_bus_message *m, const char *types, ...);
	int (*process)(sd_bus *bus, sd_bus_message **r);
	int (*wait)(sd_bus *bus, uint64_t timeout_usec);
	sd_bus *(*flush_close_unref)(sd_bus *bus);
	sd_bus_message *(*message_unref)(sd_bus_message *m);
	sd_bus_slot *(*slot_unref)(sd_bus_slot *s);
	void (*error_free)(sd_bus_error *e);
};

/* What JobRemoved told us about our job. */
struct job_wait {
	const struct sdbus *sd;
	const char *job;
	bool done;
	char result[32];
};

/* Whose scope: root's come from the system manager, a user's from theirs. */
static const char *manager(void)
{
	return geteuid() == 0 ? "system" : "user";
}

static int load(struct sdbus *sd, struct sbx_error *e)
{
	static const char *const names[] = {
		"sd_bus_open_user",		 "sd_bus_open_system",
		"sd_bus_match_signal",
		"sd_bus_message_new_method_call", "sd_bus_message_append",
		"sd_bus_message_open_container", "sd_bus_message_close_container",
		"sd_bus_call",			 "sd_bus_message_read",
		"sd_bus_process",		 "sd_bus_wait",
		"sd_bus_flush_close_unref",	 "sd_bus_message_unref",
		"sd_bus_slot_unref",		 "sd_bus_error_free",
	};
	void **slots[] = {
		(void **)&sd->open_user,      (void **)&sd->open_system,
		(void **)&sd->match_signal,
		(void **)&sd->new_method_call, (void **)&sd->append,
		(void **)&sd->open_container, (void **)&sd->close_container,
		(void **)&sd->call,	      (void **)&sd->read,
		(void **)&sd->process,	      (void **)&sd->wait,
		(void **)&sd->flush_close_unref, (void **)&sd->message_unref,
		(void **)&sd->slot_unref,     (void **)&sd->error_free,
	};

	sd->lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!sd->lib)
		return sbx_error_set(e, ENOENT, "systemd %s manager: libsystemd.so.0 not found",
				     manager());
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		*slots[i] = dlsym(sd->lib, names[i]);
		if (!*slots[i])
			return sbx_error_set(e, ENOSYS, "systemd %s manager: libsystemd has no %s",
					     manager(), names[i]);
	}
	return 0;
}

/* Implements sd_bus_message_handler_t for JobRemoved(u id, o job, s unit, s result). */
static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret)
{
	struct job_wait *w = userdata;
	const char *job = NULL, *unit = NULL, *result = NULL;
	uint32_t id;

	(void)ret;
	if (w->sd->read(m, "uoss", &id, &job, &unit, &result) < 0 || !w->job || !job)
		return 0;
	if (strcmp(job, w->job) == 0) {
		w->done = true;
		snprintf(w->result, sizeof(w->result), "%s", result ? result : "?");
	}
	return 0;
}

static int build_call(const struct sdbus *sd, sd_bus *bus, const char *name, sd_bus_message **m)
{
	int r = sd->new_method_call(bus, m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
				    "org.freedesktop.systemd1.Manager", "StartTransientUnit");

	if (r >= 0)
		r = sd->append(*m, "ss", name, "fail");
	if (r >= 0)
		r = sd->open_container(*m, 'a', "(sv)");
	if (r >= 0)
		r = sd->append(*m, "(sv)", "PIDs", "au", 1, (uint32_t)getpid());
	if (r >= 0)
		r = sd->append(*m, "(sv)", "Delegate", "b", 1);
	if (r >= 0)
		r = sd->append(*m, "(sv)", "Description", "s", "sbx sandbox (resource limits)");
	if (r >= 0)
		r = sd->close_container(*m);
	if (r >= 0)
		r = sd->append(*m, "a(sa(sv))", 0);
	return r;
}

static int start_scope(const struct sdbus *sd, sd_bus *bus, const char *name, struct sbx_error *e)
{
	sd_bus_error err = { 0 };
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_slot *slot = NULL;
	struct job_wait w = { .sd = sd };
	const char *job = NULL;
	int64_t deadline = monotonic_ms() + (int64_t)(SCOPE_TIMEOUT_US / 1000);
	int r;

	/* Subscribed before the call: the job may end before the reply. */
	r = sd->match_signal(bus, &slot, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
			     "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, &w);
	if (r >= 0)
		r = build_call(sd, bus, name, &m);
	if (r < 0) {
		sbx_error_set(e, r, "systemd %s manager: cannot ask for a scope", manager());
		goto out;
	}
	r = sd->call(bus, m, SCOPE_TIMEOUT_US, &err, &reply);
	if (r < 0) {
		sbx_error_set(e, r, "systemd %s manager: StartTransientUnit: %s", manager(),
			      err.message ? err.message : "failed");
		goto out;
	}
	r = sd->read(reply, "o", &job);
	w.job = job;
	while (r >= 0 && !w.done) {
		int64_t left = deadline - monotonic_ms();

		/* Checked on every turn: a manager busy with other jobs sends
		 * JobRemoved signals without end, each one a turn with r > 0. */
		if (left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		r = sd->process(bus, NULL);
		if (r == 0 && !w.done)
			r = sd->wait(bus, (uint64_t)left * 1000);
	}
	if (r < 0)
		sbx_error_set(e, r, "systemd %s manager: waiting for scope %s", manager(), name);
	else if (strcmp(w.result, "done") != 0)
		r = sbx_error_set(e, EIO, "systemd %s manager: scope %s: %s", manager(), name,
				  w.result);
out:
	sd->error_free(&err);
	if (reply)
		sd->message_unref(reply);
	if (m)
		sd->message_unref(m);
	if (slot)
		sd->slot_unref(slot);
	return r < 0 ? r : 0;
}

int systemd_scope_enter(char *ret_name, size_t len, struct sbx_error *e)
{
	struct sdbus sd = { 0 };
	sd_bus *bus = NULL;
	int r = load(&sd, e);

	/* root has no user manager to speak of: the system's makes its scopes
	 * (as for podman run by root). */
	if (r == 0) {
		r = geteuid() == 0 ? sd.open_system(&bus) : sd.open_user(&bus);
		if (r < 0)
			sbx_error_set(e, r, "systemd %s manager: no bus", manager());
	}
	if (r == 0) {
		snprintf(ret_name, len, "sbx-%ld-%lld.scope", (long)getpid(),
			 (long long)(monotonic_ms() % 1000000));
		r = start_scope(&sd, bus, ret_name, e);
	}
	if (bus)
		sd.flush_close_unref(bus);
	/* The library stays loaded: unloading code that may have left an
	 * atexit() or a thread-local destructor behind is not worth it. */
	return r;
}
