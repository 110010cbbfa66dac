/* oci_spec_process.c - config.json's "process" (user, capabilities, rlimits)
 * and the words of a mount's "options" */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/mount.h>

#include "oci_json.h"
#include "oci_spec.h"
#include "util.h"

int oci_cap_number(const char *name)
{
	cap_value_t v;
	char lower[64];
	size_t i;

	if (strncasecmp(name, "CAP_", 4) != 0)
		return -1;
	for (i = 0; i < sizeof(lower) - 1 && name[i]; i++)
		lower[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i]);
	lower[i] = '\0';
	if (name[i] || cap_from_name(lower, &v) < 0 || v < 0 || v > 63)
		return -1;
	return v;
}

static int parse_caps(json_object *proc, struct oci_process *p, struct sbx_error *e)
{
	static const char *const sets[OCI_CAP_SETS] = { "bounding", "effective", "inheritable",
							"permitted", "ambient" };
	json_object *caps;
	int r = oci_json_object(proc, "capabilities", "process", &caps, e);

	if (r < 0 || !caps)
		return r;
	for (int s = 0; s < OCI_CAP_SETS; s++) {
		json_object *a;

		r = oci_json_array(caps, sets[s], "process.capabilities", &a, e);
		if (r < 0)
			return r;
		for (size_t i = 0; a && i < json_object_array_length(a); i++) {
			json_object *n = json_object_array_get_idx(a, i);
			int cap = json_object_is_type(n, json_type_string)
					  ? oci_cap_number(json_object_get_string(n))
					  : -1;

			if (cap < 0)
				return sbx_error_set(e, EINVAL,
						     "config.json: process.capabilities.%s[%zu]: unknown capability '%.64s'",
						     sets[s], i, json_object_get_string(n));
			p->caps[s] |= UINT64_C(1) << cap;
		}
	}
	return 0;
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS },		{ "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },		{ "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },		{ "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },	{ "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

static int parse_rlimits(json_object *proc, struct oci_process *p, struct sbx_error *e)
{
	json_object *a;
	int r = oci_json_array(proc, "rlimits", "process", &a, e);

	if (r < 0 || !a)
		return r;
	p->rlimits = xreallocarray(NULL, json_object_array_length(a) + 1, sizeof(*p->rlimits));
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *o = json_object_array_get_idx(a, i);
		const char *type = NULL;
		uint64_t soft = 0, hard = 0;
		int res = -1;

		if (!json_object_is_type(o, json_type_object))
			return sbx_error_set(e, EINVAL, "config.json: process.rlimits[%zu]: expected an object", i);
		r = oci_json_string(o, "type", "process.rlimits", &type, e);
		if (r == 0)
			r = oci_json_u64(o, "soft", "process.rlimits", UINT64_MAX, &soft, e);
		if (r == 0)
			r = oci_json_u64(o, "hard", "process.rlimits", UINT64_MAX, &hard, e);
		if (r < 0)
			return r;
		for (size_t k = 0; type && k < ARRAY_SIZE(rlimit_names); k++)
			if (strcmp(type, rlimit_names[k].name) == 0)
				res = rlimit_names[k].resource;
		if (res < 0)
			return sbx_error_set(e, EINVAL, "config.json: process.rlimits[%zu].type: unknown limit '%.64s'",
					     i, type ? type : "");
		p->rlimits[p->n_rlimits++] = (struct oci_rlimit){ res, soft, hard };
	}
	return 0;
}

static int parse_user(json_object *proc, struct oci_process *p, struct sbx_error *e)
{
	static const char *const unsupported[] = { "username", NULL };
	json_object *user, *groups = NULL;
	uint64_t v = 0;
	int r = oci_json_object(proc, "user", "process", &user, e);

	if (r < 0 || !user)
		return r;
	r = oci_json_refuse(user, "process.user", unsupported, e);
	if (r == 0 && (r = oci_json_u64(user, "uid", "process.user", UINT32_MAX - 1, &v, e)) == 0)
		p->uid = (uid_t)v;
	v = 0;
	if (r == 0 && (r = oci_json_u64(user, "gid", "process.user", UINT32_MAX - 1, &v, e)) == 0)
		p->gid = (gid_t)v;
	v = 0;
	if (r == 0 && json_object_object_get_ex(user, "umask", NULL)) {
		r = oci_json_u64(user, "umask", "process.user", 0777, &v, e);
		p->has_umask = true;
		p->umask = (mode_t)v;
	}
	if (r == 0)
		r = oci_json_array(user, "additionalGids", "process.user", &groups, e);
	if (r < 0 || !groups)
		return r;
	p->groups = xreallocarray(NULL, json_object_array_length(groups) + 1, sizeof(gid_t));
	for (size_t i = 0; i < json_object_array_length(groups); i++) {
		json_object *g = json_object_array_get_idx(groups, i);

		if (!json_object_is_type(g, json_type_int) || json_object_get_int64(g) < 0 ||
		    json_object_get_int64(g) >= UINT32_MAX)
			return sbx_error_set(e, EINVAL, "config.json: process.user.additionalGids[%zu]: expected a gid", i);
		p->groups[p->n_groups++] = (gid_t)json_object_get_int64(g);
	}
	return 0;
}

static int parse_process_obj(json_object *proc, struct oci_process *p, struct sbx_error *e)
{
	static const char *const unsupported[] = { "apparmorProfile", "selinuxLabel", "ioPriority",
						   "scheduler", "execCPUAffinity", "commandLine", NULL };
	json_object *size;
	const char *cwd = "/";
	int64_t oom = 0;
	int r = oci_json_refuse(proc, "process", unsupported, e);

	if (r == 0)
		r = oci_json_bool(proc, "terminal", "process", &p->terminal, e);
	if (r == 0)
		r = oci_json_strv(proc, "args", "process", &p->args, NULL, e);
	if (r == 0)
		r = oci_json_strv(proc, "env", "process", &p->env, NULL, e);
	if (r == 0)
		r = oci_json_string(proc, "cwd", "process", &cwd, e);
	if (r == 0)
		r = oci_json_bool(proc, "noNewPrivileges", "process", &p->no_new_privs, e);
	if (r == 0 && json_object_object_get_ex(proc, "oomScoreAdj", NULL)) {
		r = oci_json_i64(proc, "oomScoreAdj", "process", -1000, 1000, &oom, e);
		p->has_oom_score_adj = true;
		p->oom_score_adj = (int)oom;
	}
	if (r == 0)
		r = oci_json_object(proc, "consoleSize", "process", &size, e);
	if (r == 0 && size) {
		uint64_t h = 0, w = 0;

		r = oci_json_u64(size, "height", "process.consoleSize", 65535, &h, e);
		if (r == 0)
			r = oci_json_u64(size, "width", "process.consoleSize", 65535, &w, e);
		p->rows = (unsigned short)h;
		p->cols = (unsigned short)w;
	}
	if (r == 0)
		r = parse_user(proc, p, e);
	if (r == 0)
		r = parse_caps(proc, p, e);
	if (r == 0)
		r = parse_rlimits(proc, p, e);
	if (r < 0)
		return r;
	if (!p->args || !p->args[0])
		return sbx_error_set(e, EINVAL, "config.json: process.args: empty");
	if (cwd[0] != '/')
		return sbx_error_set(e, EINVAL, "config.json: process.cwd: not an absolute path");
	p->cwd = xstrdup(cwd);
	if (!p->env)
		p->env = xreallocarray(NULL, 1, sizeof(char *)), p->env[0] = NULL;
	return 0;
}

int oci_process_from_json(json_object *proc, struct oci_process *p, struct sbx_error *e)
{
	memset(p, 0, sizeof(*p));
	if (!json_object_is_type(proc, json_type_object))
		return sbx_error_set(e, EINVAL, "config.json: process: expected an object");
	return parse_process_obj(proc, p, e);
}

int oci_process_parse(const char *text, size_t len, struct oci_process *ret, struct sbx_error *e)
{
	json_tokener *tok = json_tokener_new();
	json_object *root;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (!tok)
		return sbx_error_set(e, ENOMEM, "json");
	root = json_tokener_parse_ex(tok, text, (int)len);
	json_tokener_free(tok);
	if (!root)
		return sbx_error_set(e, EINVAL, "--process: not valid JSON");
	r = oci_process_from_json(root, ret, e);
	json_object_put(root);
	return r;
}

void oci_process_free(struct oci_process *p)
{
	oci_strv_free(p->args);
	oci_strv_free(p->env);
	free(p->cwd);
	free(p->groups);
	free(p->rlimits);
	memset(p, 0, sizeof(*p));
}

static const struct {
	const char *name;
	bool clear;
	unsigned long flag;
} mount_flags[] = {
	{ "ro", false, MS_RDONLY },	      { "rw", true, MS_RDONLY },
	{ "nosuid", false, MS_NOSUID },	      { "suid", true, MS_NOSUID },
	{ "nodev", false, MS_NODEV },	      { "dev", true, MS_NODEV },
	{ "noexec", false, MS_NOEXEC },	      { "exec", true, MS_NOEXEC },
	{ "sync", false, MS_SYNCHRONOUS },    { "async", true, MS_SYNCHRONOUS },
	{ "dirsync", false, MS_DIRSYNC },     { "remount", false, MS_REMOUNT },
	{ "mand", false, MS_MANDLOCK },	      { "nomand", true, MS_MANDLOCK },
	{ "atime", true, MS_NOATIME },	      { "noatime", false, MS_NOATIME },
	{ "diratime", true, MS_NODIRATIME },  { "nodiratime", false, MS_NODIRATIME },
	{ "relatime", false, MS_RELATIME },   { "norelatime", true, MS_RELATIME },
	{ "strictatime", false, MS_STRICTATIME }, { "nostrictatime", true, MS_STRICTATIME },
};

static const struct {
	const char *name;
	unsigned long flag;
} propagations[] = {
	{ "private", MS_PRIVATE },	       { "rprivate", MS_PRIVATE | MS_REC },
	{ "shared", MS_SHARED },	       { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE },		       { "rslave", MS_SLAVE | MS_REC },
	{ "unbindable", MS_UNBINDABLE },       { "runbindable", MS_UNBINDABLE | MS_REC },
};

/* Options engines send that change nothing here: SELinux relabelling
 * (podman strips z/Z itself, containerd may not) and crun's copy-up of the
 * image's content into a tmpfs, which sbx does not do (the tmpfs starts
 * empty, as with runc). */
static const char *const ignored_options[] = { "z", "Z", "tmpcopyup", "notmpcopyup",
					       "copy-symlink", "nocopy", NULL };

/* Options whose meaning sbx would silently lose: refused by name. */
static const char *const refused_options[] = { "idmap", "ridmap", "rro", "rrw", "rnosuid", "rnodev",
					       "rnoexec", "rsuid", "rdev", "rexec", NULL };

int oci_mount_options(const char *const *opts, size_t n, struct oci_mount *m, struct sbx_error *e)
{
	char data[1024] = "";
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		const char *o = opts[i];
		bool known = false;

		if (strcmp(o, "bind") == 0 || strcmp(o, "rbind") == 0) {
			m->bind = true;
			if (o[0] == 'r')
				m->flags |= MS_REC;
			continue;
		}
		for (size_t k = 0; k < ARRAY_SIZE(mount_flags) && !known; k++) {
			if (strcmp(o, mount_flags[k].name) != 0)
				continue;
			known = true;
			if (mount_flags[k].clear)
				m->flags &= ~mount_flags[k].flag;
			else
				m->flags |= mount_flags[k].flag;
		}
		for (size_t k = 0; k < ARRAY_SIZE(propagations) && !known; k++)
			if (strcmp(o, propagations[k].name) == 0) {
				known = true;
				m->propagation = propagations[k].flag;
			}
		for (size_t k = 0; ignored_options[k] && !known; k++)
			known = strcmp(o, ignored_options[k]) == 0;
		if (known)
			continue;
		for (size_t k = 0; refused_options[k]; k++)
			if (strcmp(o, refused_options[k]) == 0)
				return sbx_error_set(e, EOPNOTSUPP,
						     "config.json: mounts %s: option '%s' not supported by sbx",
						     m->dest ? m->dest : "", o);
		if (strlen(o) + used + 2 >= sizeof(data))
			return sbx_error_set(e, E2BIG, "config.json: mounts %s: options too long",
					     m->dest ? m->dest : "");
		used += (size_t)snprintf(data + used, sizeof(data) - used, "%s%s", used ? "," : "", o);
	}
	m->data = xstrdup(data);
	return 0;
}
