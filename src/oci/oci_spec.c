/* oci_spec.c - config.json (runtime-spec 1.0-1.2) into struct oci_spec */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "oci_json.h"
#include "oci_spec.h"
#include "util.h"

int oci_read_file(const char *path, size_t max, const char *what, char **ret, size_t *ret_len,
		  struct sbx_error *e)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	size_t len = 0;
	int r;

	if (fd < 0)
		return sbx_error_set(e, errno, "%s %s", what, path);
	if (fstat(fd, &st) < 0)
		return sbx_error_set(e, errno, "%s %s", what, path);
	if (!S_ISREG(st.st_mode))
		return sbx_error_set(e, EINVAL, "%s %s: not a regular file", what, path);
	r = read_all(fd, max, ret, &len);
	if (r == -EFBIG)
		return sbx_error_set(e, EFBIG, "%s %s: larger than %zu bytes", what, path, max);
	if (r < 0)
		return sbx_error_set(e, -r, "%s %s", what, path);
	if (ret_len)
		*ret_len = len;
	return 0;
}

static int parse_mounts(json_object *root, const char *bundle, struct oci_spec *s,
			struct sbx_error *e)
{
	json_object *a;
	int r = oci_json_array(root, "mounts", "", &a, e);

	if (r < 0 || !a)
		return r;
	s->mounts = xreallocarray(NULL, json_object_array_length(a) + 1, sizeof(*s->mounts));
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *o = json_object_array_get_idx(a, i);
		struct oci_mount *m = &s->mounts[s->n_mounts];
		const char *dest = NULL, *type = NULL, *src = NULL;
		char **opts = NULL;
		size_t n_opts = 0;
		static const char *const unsupported[] = { "uidMappings", "gidMappings", NULL };

		memset(m, 0, sizeof(*m));
		r = oci_json_string(o, "destination", "mounts", &dest, e);
		if (r == 0)
			r = oci_json_string(o, "type", "mounts", &type, e);
		if (r == 0)
			r = oci_json_string(o, "source", "mounts", &src, e);
		if (r == 0)
			r = oci_json_refuse(o, "mounts", unsupported, e);
		if (r < 0)
			return r;
		if (!dest || dest[0] != '/')
			return sbx_error_set(e, EINVAL, "config.json: mounts[%zu].destination: not an absolute path", i);
		s->n_mounts++;
		m->dest = xstrdup(dest);
		r = oci_json_strv(o, "options", "mounts", &opts, &n_opts, e);
		if (r == 0)
			r = oci_mount_options((const char *const *)opts, n_opts, m, e);
		oci_strv_free(opts);
		if (r < 0)
			return r;
		if (type && strcmp(type, "bind") == 0)
			m->bind = true;
		m->type = xstrdup(type && *type ? type : m->bind ? "bind" : "none");
		if (!src)
			src = m->type;
		/* A relative bind source is relative to the bundle. */
		m->source = m->bind && src[0] != '/' ? xasprintf("%s/%s", bundle, src) : xstrdup(src);
	}
	return 0;
}

static const char *const hook_names[OCI_HOOK_KINDS] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

static int parse_hooks(json_object *root, struct oci_spec *s, struct sbx_error *e)
{
	json_object *hooks;
	int r = oci_json_object(root, "hooks", "", &hooks, e);

	for (int k = 0; r == 0 && hooks && k < OCI_HOOK_KINDS; k++) {
		json_object *a;

		r = oci_json_array(hooks, hook_names[k], "hooks", &a, e);
		if (r < 0 || !a)
			continue;
		s->hooks[k] = xreallocarray(NULL, json_object_array_length(a) + 1, sizeof(struct oci_hook));
		for (size_t i = 0; r == 0 && i < json_object_array_length(a); i++) {
			json_object *o = json_object_array_get_idx(a, i);
			struct oci_hook *h = &s->hooks[k][s->n_hooks[k]];
			const char *path = NULL;
			int64_t timeout = 0;

			memset(h, 0, sizeof(*h));
			r = oci_json_string(o, "path", "hooks", &path, e);
			if (r == 0 && (!path || path[0] != '/'))
				r = sbx_error_set(e, EINVAL, "config.json: hooks.%s[%zu].path: not absolute",
						  hook_names[k], i);
			if (r < 0)
				break;
			s->n_hooks[k]++;
			h->path = xstrdup(path);
			r = oci_json_strv(o, "args", "hooks", &h->args, NULL, e);
			if (r == 0)
				r = oci_json_strv(o, "env", "hooks", &h->env, NULL, e);
			if (r == 0)
				r = oci_json_i64(o, "timeout", "hooks", 1, 86400, &timeout, e);
			h->timeout = (int)timeout;
		}
	}
	return r;
}

static int parse_annotations(json_object *root, struct oci_spec *s, struct sbx_error *e)
{
	json_object *a;
	const char *v;
	int r = oci_json_object(root, "annotations", "", &a, e);

	if (r < 0)
		return r;
	s->annotations_json =
		xstrdup(a ? json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN) : "{}");
	if (!a)
		return 0;
	json_object_object_foreach(a, key, val)
	{
		if (!json_object_is_type(val, json_type_string))
			return sbx_error_set(e, EINVAL, "config.json: annotations.%.64s: expected a string", key);
	}
	v = NULL;
	r = oci_json_string(a, "org.sbx.landlock.fs", "annotations", &v, e);
	if (r == 0 && v)
		s->landlock_fs = xstrdup(v);
	v = NULL;
	if (r == 0)
		r = oci_json_string(a, "org.sbx.landlock.net", "annotations", &v, e);
	if (r == 0 && v)
		s->landlock_net = xstrdup(v);
	if (r == 0)
		r = oci_landlock_parse(s->landlock_fs, s->landlock_net, &s->landlock, e);
	return r;
}

static int parse_root(json_object *root, const char *bundle, struct oci_spec *s,
		      struct sbx_error *e)
{
	static const char *const unsupported[] = { "solaris", "windows", "vm", "zos", "domainname", NULL };
	json_object *ro = NULL, *proc;
	const char *path = NULL, *version = NULL, *host = NULL;
	int r = oci_json_refuse(root, "", unsupported, e);

	if (r == 0)
		r = oci_json_string(root, "ociVersion", "", &version, e);
	if (r == 0 && (!version || strncmp(version, "1.", 2) != 0))
		r = sbx_error_set(e, EINVAL, "config.json: ociVersion: '%.32s' is not 1.x", version ? version : "");
	if (r == 0)
		r = oci_json_object(root, "root", "", &ro, e);
	if (r == 0 && ro)
		r = oci_json_string(ro, "path", "root", &path, e);
	if (r == 0 && ro)
		r = oci_json_bool(ro, "readonly", "root", &s->root_readonly, e);
	if (r == 0 && (!path || !*path))
		r = sbx_error_set(e, EINVAL, "config.json: root.path: missing");
	if (r == 0)
		r = oci_json_string(root, "hostname", "", &host, e);
	if (r < 0)
		return r;
	s->oci_version = xstrdup(version);
	s->root = path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", bundle, path);
	s->hostname = host && *host ? xstrdup(host) : NULL;
	if (!json_object_object_get_ex(root, "process", &proc) || !proc)
		return sbx_error_set(e, EINVAL, "config.json: process: missing");
	return oci_process_from_json(proc, &s->process, e);
}

int oci_spec_parse(const char *text, size_t len, const char *bundle, struct oci_spec *ret,
		   struct sbx_error *e)
{
	json_tokener *tok;
	json_object *root;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (len > OCI_SPEC_MAX_BYTES)
		return sbx_error_set(e, EFBIG, "config.json: larger than %d bytes", OCI_SPEC_MAX_BYTES);
	tok = json_tokener_new_ex(64);
	if (!tok)
		return sbx_error_set(e, ENOMEM, "json-c");
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		r = sbx_error_set(e, EINVAL, "config.json: not valid JSON (%s at byte %zu)",
				  json_tokener_error_desc(json_tokener_get_error(tok)),
				  json_tokener_get_parse_end(tok));
		json_object_put(root);
		json_tokener_free(tok);
		return r;
	}
	json_tokener_free(tok);
	if (!json_object_is_type(root, json_type_object))
		r = sbx_error_set(e, EINVAL, "config.json: expected an object");
	else
		r = parse_root(root, bundle, ret, e);
	if (r == 0)
		r = parse_mounts(root, bundle, ret, e);
	if (r == 0)
		r = oci_spec_linux_parse(root, ret, e);
	if (r == 0)
		r = parse_hooks(root, ret, e);
	if (r == 0)
		r = parse_annotations(root, ret, e);
	json_object_put(root);
	return r;
}

int oci_spec_load(const char *bundle, struct oci_spec *ret, struct sbx_error *e)
{
	_cleanup_free_ char *path = xasprintf("%s/config.json", bundle);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = oci_read_file(path, OCI_SPEC_MAX_BYTES, "bundle", &text, &len, e);
	if (r < 0)
		return r;
	return oci_spec_parse(text, len, bundle, ret, e);
}

void oci_spec_free(struct oci_spec *s)
{
	free(s->cgroups_path);
	free(s->oci_version);
	free(s->root);
	free(s->hostname);
	oci_process_free(&s->process);
	for (size_t i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].dest);
		free(s->mounts[i].type);
		free(s->mounts[i].source);
		free(s->mounts[i].data);
	}
	free(s->mounts);
	for (size_t i = 0; i < s->n_ns; i++)
		free(s->ns[i].path);
	oci_strv_free(s->masked);
	oci_strv_free(s->readonly);
	for (size_t i = 0; i < s->n_devices; i++)
		free(s->devices[i].path);
	free(s->devices);
	oci_strv_free(s->sysctl);
	for (int k = 0; k < OCI_HOOK_KINDS; k++) {
		for (size_t i = 0; i < s->n_hooks[k]; i++) {
			free(s->hooks[k][i].path);
			oci_strv_free(s->hooks[k][i].args);
			oci_strv_free(s->hooks[k][i].env);
		}
		free(s->hooks[k]);
	}
	free(s->seccomp_json);
	free(s->annotations_json);
	free(s->landlock_fs);
	free(s->landlock_net);
	oci_landlock_free(&s->landlock);
	memset(s, 0, sizeof(*s));
}
