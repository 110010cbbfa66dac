/* oci_spec_linux.c - config.json's "linux" object: namespaces, id maps,
 * devices, sysctl, resources, masked and read-only paths, seccomp */
#include "autoconf.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>

#include "oci_json.h"
#include "oci_spec.h"
#include "util.h"

static const struct {
	const char *name;
	int flag;
} ns_names[] = {
	{ "pid", CLONE_NEWPID },   { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
	{ "ipc", CLONE_NEWIPC },   { "uts", CLONE_NEWUTS },	{ "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

static int parse_namespaces(json_object *linux_obj, struct oci_spec *s, struct sbx_error *e)
{
	json_object *a;
	int r = oci_json_array(linux_obj, "namespaces", "linux", &a, e);

	if (r < 0 || !a)
		return r;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *o = json_object_array_get_idx(a, i);
		const char *type = NULL, *path = NULL;
		int flag = 0;

		r = oci_json_string(o, "type", "linux.namespaces", &type, e);
		if (r == 0)
			r = oci_json_string(o, "path", "linux.namespaces", &path, e);
		if (r < 0)
			return r;
		for (size_t k = 0; type && k < ARRAY_SIZE(ns_names); k++)
			if (strcmp(type, ns_names[k].name) == 0)
				flag = ns_names[k].flag;
		if (!flag)
			return sbx_error_set(e, EINVAL, "config.json: linux.namespaces[%zu].type: unknown namespace '%.32s'",
					     i, type ? type : "");
		for (size_t k = 0; k < s->n_ns; k++)
			if (s->ns[k].type == flag)
				return sbx_error_set(e, EINVAL, "config.json: linux.namespaces: '%s' twice", type);
		if (path && path[0] != '/')
			return sbx_error_set(e, EINVAL, "config.json: linux.namespaces[%zu].path: not absolute", i);
		s->ns[s->n_ns++] = (struct oci_ns){ flag, path && *path ? xstrdup(path) : NULL };
	}
	return 0;
}

static int parse_idmap(json_object *linux_obj, const char *key, char *text, struct sbx_error *e)
{
	json_object *a;
	size_t used = 0;
	int r = oci_json_array(linux_obj, key, "linux", &a, e);

	if (r < 0 || !a)
		return r;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *o = json_object_array_get_idx(a, i);
		uint64_t in = 0, out = 0, size = 0;
		int n;

		r = oci_json_u64(o, "containerID", key, UINT32_MAX, &in, e);
		if (r == 0)
			r = oci_json_u64(o, "hostID", key, UINT32_MAX, &out, e);
		if (r == 0)
			r = oci_json_u64(o, "size", key, UINT32_MAX, &size, e);
		if (r < 0)
			return r;
		if (!size)
			return sbx_error_set(e, EINVAL, "config.json: linux.%s[%zu].size: 0", key, i);
		n = snprintf(text + used, OCI_IDMAP_TEXT - used, "%llu %llu %llu\n",
			     (unsigned long long)in, (unsigned long long)out, (unsigned long long)size);
		if (n < 0 || (size_t)n >= OCI_IDMAP_TEXT - used)
			return sbx_error_set(e, E2BIG, "config.json: linux.%s: too many entries", key);
		used += (size_t)n;
	}
	return 0;
}

static int parse_devices(json_object *linux_obj, struct oci_spec *s, struct sbx_error *e)
{
	json_object *a;
	int r = oci_json_array(linux_obj, "devices", "linux", &a, e);

	if (r < 0 || !a)
		return r;
	s->devices = xreallocarray(NULL, json_object_array_length(a) + 1, sizeof(*s->devices));
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *o = json_object_array_get_idx(a, i);
		struct oci_device *d = &s->devices[s->n_devices];
		const char *path = NULL, *type = NULL;
		uint64_t major = 0, minor = 0, mode = 0666, uid = 0, gid = 0;

		r = oci_json_string(o, "path", "linux.devices", &path, e);
		if (r == 0)
			r = oci_json_string(o, "type", "linux.devices", &type, e);
		if (r == 0)
			r = oci_json_u64(o, "major", "linux.devices", 0xfff, &major, e);
		if (r == 0)
			r = oci_json_u64(o, "minor", "linux.devices", 0xfffff, &minor, e);
		if (r == 0)
			r = oci_json_u64(o, "fileMode", "linux.devices", 07777, &mode, e);
		if (r == 0)
			r = oci_json_u64(o, "uid", "linux.devices", UINT32_MAX - 1, &uid, e);
		if (r == 0)
			r = oci_json_u64(o, "gid", "linux.devices", UINT32_MAX - 1, &gid, e);
		if (r < 0)
			return r;
		if (!path || path[0] != '/' || !type || strlen(type) != 1 || !strchr("cbup", type[0]))
			return sbx_error_set(e, EINVAL, "config.json: linux.devices[%zu]: needs an absolute path and a type c, b, u or p", i);
		*d = (struct oci_device){ xstrdup(path), type[0], (unsigned)major, (unsigned)minor,
					  (mode_t)mode, (uid_t)uid, (gid_t)gid };
		s->n_devices++;
	}
	return 0;
}

static bool has_ns(const struct oci_spec *s, int type)
{
	for (size_t i = 0; i < s->n_ns; i++)
		if (s->ns[i].type == type)
			return true;
	return false;
}

/* The namespace a sysctl belongs to (as runc validates them), or 0 for one
 * that is the host's whatever the container: writing it would change the
 * machine, not the container. */
static int sysctl_ns(const char *key)
{
	static const char *const ipc[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
					   "kernel.sem", "kernel.shmall", "kernel.shmmax",
					   "kernel.shmmni", "kernel.shm_rmid_forced", NULL };

	for (size_t i = 0; ipc[i]; i++)
		if (strcmp(key, ipc[i]) == 0)
			return CLONE_NEWIPC;
	if (strncmp(key, "fs.mqueue.", 10) == 0)
		return CLONE_NEWIPC;
	if (strncmp(key, "net.", 4) == 0)
		return CLONE_NEWNET;
	if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
		return CLONE_NEWUTS;
	return 0;
}

static int parse_sysctl(json_object *linux_obj, struct oci_spec *s, struct sbx_error *e)
{
	json_object *o;
	int r = oci_json_object(linux_obj, "sysctl", "linux", &o, e);

	if (r < 0 || !o)
		return r;
	s->sysctl = xreallocarray(NULL, (size_t)json_object_object_length(o) + 1, sizeof(char *));
	s->sysctl[0] = NULL;
	json_object_object_foreach(o, key, val)
	{
		if (!json_object_is_type(val, json_type_string))
			return sbx_error_set(e, EINVAL, "config.json: linux.sysctl.%.64s: expected a string", key);
		if (strstr(key, "..") || strchr(key, '/') || !*key)
			return sbx_error_set(e, EINVAL, "config.json: linux.sysctl.%.64s: not a sysctl name", key);
		if (!sysctl_ns(key) || !has_ns(s, sysctl_ns(key)))
			return sbx_error_set(e, EPERM, "config.json: linux.sysctl.%.64s: %s", key,
					     sysctl_ns(key) ? "needs the container's own namespace (it would change the host's)"
							    : "not a namespaced sysctl (it would change the host's)");
		s->sysctl[s->n_sysctl++] = xasprintf("%s=%s", key, json_object_get_string(val));
		s->sysctl[s->n_sysctl] = NULL;
	}
	return 0;
}

/* Does @v ask for nothing: null, false, 0, -1 (unlimited), "", an empty
 * array or object, or only such members? cpu.shares 1024 is the kernel's
 * default weight, which containerd always sends. */
static bool asks_nothing(const char *key, json_object *v, int depth)
{
	if (!v)
		return true;
	switch (json_object_get_type(v)) {
	case json_type_null:
		return true;
	case json_type_boolean:
		return !json_object_get_boolean(v);
	case json_type_int:
		return json_object_get_int64(v) == 0 || json_object_get_int64(v) == -1 ||
		       (strcmp(key, "shares") == 0 && json_object_get_int64(v) == 1024);
	case json_type_string:
		return !*json_object_get_string(v);
	case json_type_array:
		return json_object_array_length(v) == 0;
	case json_type_object:
		if (depth > 4)
			return false;
		json_object_object_foreach(v, k, m)
		{
			if (!asks_nothing(k, m, depth + 1))
				return false;
		}
		return true;
	default:
		return false;
	}
}

/* One limit of linux.resources: a positive number is a limit, 0 or -1
 * (runc's and crun's "unlimited") none. */
static int resource_limit(json_object *obj, const char *key, const char *where,
			  unsigned long long *ret, struct sbx_error *e)
{
	int64_t n = 0;
	int r = oci_json_i64(obj, key, where, -1, INT64_MAX, &n, e);

	if (r == 0 && n > 0)
		*ret = (unsigned long long)n;
	return r;
}

/* The members of one controller's object sbx reads (@known); any other that
 * asks for something is refused, naming it. */
static int resource_rest(json_object *obj, const char *where, const char *const *known,
			 struct sbx_error *e)
{
	json_object_object_foreach(obj, key, val)
	{
		bool ok = asks_nothing(key, val, 0);

		for (size_t i = 0; !ok && known[i]; i++)
			ok = strcmp(key, known[i]) == 0;
		if (!ok)
			return sbx_error_set(e, EOPNOTSUPP,
					     "config.json: %s.%.64s: cannot be applied: sbx does not enforce it",
					     where, key);
	}
	return 0;
}

static int parse_resource(const char *key, json_object *val, struct oci_resources *res,
			  struct sbx_error *e)
{
	static const char *const pids[] = { "limit", NULL }, *const mem[] = { "limit", "swap", NULL },
				 *const cpu[] = { "quota", "period", NULL };
	unsigned long long n = 0;
	int r;

	if (!json_object_is_type(val, json_type_object))
		return sbx_error_set(e, EINVAL, "config.json: linux.resources.%.64s: expected an object", key);
	if (strcmp(key, "pids") == 0) {
		r = resource_limit(val, "limit", "linux.resources.pids", &n, e);
		if (r == 0 && n > ULONG_MAX / 2)
			n = 0; /* as good as unlimited */
		res->pids = n;
		return r < 0 ? r : resource_rest(val, "linux.resources.pids", pids, e);
	}
	if (strcmp(key, "memory") == 0) {
		r = resource_limit(val, "limit", "linux.resources.memory", &res->memory, e);
		if (r == 0)
			r = resource_limit(val, "swap", "linux.resources.memory", &res->swap, e);
		return r < 0 ? r : resource_rest(val, "linux.resources.memory", mem, e);
	}
	r = resource_limit(val, "quota", "linux.resources.cpu", &res->cpu_quota, e);
	if (r == 0)
		r = resource_limit(val, "period", "linux.resources.cpu", &res->cpu_period, e);
	return r < 0 ? r : resource_rest(val, "linux.resources.cpu", cpu, e);
}

/* linux.resources: pids, memory and cpu limits are read into @s->resources
 * and applied where the host allows (oci_resources.c), else refused there,
 * naming them, as the runtime-spec asks. Any other limit is refused here;
 * values that ask for nothing (engines' defaults) are fine. Device rules
 * are the exception: without a cgroup nothing but the nodes sbx creates
 * (the defaults and linux.devices) exists in the container, which is what
 * an allow-list of those nodes asks for. */
static int parse_resources(json_object *linux_obj, struct oci_spec *s, struct sbx_error *e)
{
	json_object *res;
	int r = oci_json_object(linux_obj, "resources", "linux", &res, e);

	if (r < 0 || !res)
		return r;
	json_object_object_foreach(res, key, val)
	{
		if (strcmp(key, "pids") == 0 || strcmp(key, "memory") == 0 ||
		    strcmp(key, "cpu") == 0) {
			r = parse_resource(key, val, &s->resources, e);
			if (r < 0)
				return r;
			continue;
		}
		if (strcmp(key, "devices") == 0 || asks_nothing(key, val, 0))
			continue;
		return sbx_error_set(e, EOPNOTSUPP,
				     "config.json: linux.resources.%.64s: cannot be applied: sbx does not enforce it",
				     key);
	}
	return 0;
}

static int parse_paths(json_object *linux_obj, struct oci_spec *s, struct sbx_error *e)
{
	const char *prop = NULL;
	int r = oci_json_strv(linux_obj, "maskedPaths", "linux", &s->masked, &s->n_masked, e);

	if (r == 0)
		r = oci_json_strv(linux_obj, "readonlyPaths", "linux", &s->readonly, &s->n_readonly, e);
	if (r == 0)
		r = oci_json_string(linux_obj, "rootfsPropagation", "linux", &prop, e);
	if (r < 0 || !prop || !*prop)
		return r;
	{
		const char *opt[] = { prop };
		struct oci_mount m = { .dest = (char *)"/" };

		r = oci_mount_options(opt, 1, &m, e);
		free(m.data);
		if (r == 0 && !m.propagation)
			return sbx_error_set(e, EINVAL, "config.json: linux.rootfsPropagation: unknown '%.32s'", prop);
		s->rootfs_propagation = m.propagation;
	}
	return r;
}

int oci_spec_linux_parse(json_object *root, struct oci_spec *s, struct sbx_error *e)
{
	static const char *const unsupported[] = { "intelRdt", "personality", "mountLabel",
						   "memoryPolicy", "netDevices", "timeOffsets", NULL };
	json_object *lx, *sc;
	int r = oci_json_object(root, "linux", "", &lx, e);

	if (r < 0 || !lx)
		return r;
	r = oci_json_refuse(lx, "linux", unsupported, e);
	if (r == 0)
		r = parse_namespaces(lx, s, e);
	if (r == 0)
		r = parse_idmap(lx, "uidMappings", s->uid_map, e);
	if (r == 0)
		r = parse_idmap(lx, "gidMappings", s->gid_map, e);
	if (r == 0)
		r = parse_devices(lx, s, e);
	if (r == 0)
		r = parse_sysctl(lx, s, e);
	if (r == 0)
		r = parse_resources(lx, s, e);
	if (r == 0) {
		const char *cp = NULL;

		r = oci_json_string(lx, "cgroupsPath", "linux", &cp, e);
		s->cgroups_path = cp && *cp ? xstrdup(cp) : NULL;
	}
	if (r == 0)
		r = parse_paths(lx, s, e);
	if (r == 0)
		r = oci_json_object(lx, "seccomp", "linux", &sc, e);
	if (r == 0 && sc) {
		static const char *const sc_unsupported[] = { "listenerPath", "listenerMetadata", NULL };

		r = oci_json_refuse(sc, "linux.seccomp", sc_unsupported, e);
		s->seccomp_json = xstrdup(json_object_to_json_string_ext(sc, JSON_C_TO_STRING_PLAIN));
	}
	return r;
}
