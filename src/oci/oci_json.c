/* oci_json.c - typed getters for config.json: every error names the member */
#include "autoconf.h"

#include <errno.h>
#include <string.h>

#include "oci_json.h"
#include "oci_spec.h"
#include "util.h"

static json_object *member(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (!obj || !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

static int wrong(struct sbx_error *e, const char *where, const char *key, const char *what)
{
	return sbx_error_set(e, EINVAL, "config.json: %s%s%s: expected %s", where, *where ? "." : "",
			     key, what);
}

int oci_json_string(json_object *obj, const char *key, const char *where, const char **ret,
		    struct sbx_error *e)
{
	json_object *v = member(obj, key);

	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return wrong(e, where, key, "a string");
	*ret = json_object_get_string(v);
	return 0;
}

int oci_json_bool(json_object *obj, const char *key, const char *where, bool *ret,
		  struct sbx_error *e)
{
	json_object *v = member(obj, key);

	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return wrong(e, where, key, "true or false");
	*ret = json_object_get_boolean(v);
	return 0;
}

int oci_json_i64(json_object *obj, const char *key, const char *where, int64_t min, int64_t max,
		 int64_t *ret, struct sbx_error *e)
{
	json_object *v = member(obj, key);
	int64_t n;

	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return wrong(e, where, key, "an integer");
	n = json_object_get_int64(v);
	if (n < min || n > max)
		return wrong(e, where, key, "a number in range");
	*ret = n;
	return 0;
}

int oci_json_u64(json_object *obj, const char *key, const char *where, uint64_t max,
		 uint64_t *ret, struct sbx_error *e)
{
	json_object *v = member(obj, key);
	uint64_t n;

	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return wrong(e, where, key, "a non-negative integer");
	/* json-c keeps numbers above INT64_MAX as unsigned. */
	n = json_object_get_uint64(v);
	if ((json_object_get_int64(v) < 0 && n <= INT64_MAX) || n > max)
		return wrong(e, where, key, "a non-negative integer in range");
	*ret = n;
	return 0;
}

static int typed(json_object *obj, const char *key, const char *where, json_type type,
		 const char *what, json_object **ret, struct sbx_error *e)
{
	json_object *v = member(obj, key);

	*ret = NULL;
	if (!v)
		return 0;
	if (!json_object_is_type(v, type))
		return wrong(e, where, key, what);
	*ret = v;
	return 0;
}

int oci_json_array(json_object *obj, const char *key, const char *where, json_object **ret,
		   struct sbx_error *e)
{
	int r = typed(obj, key, where, json_type_array, "an array", ret, e);

	if (r == 0 && *ret && json_object_array_length(*ret) > OCI_MAX_LIST)
		return sbx_error_set(e, E2BIG, "config.json: %s.%s: more than %d entries", where,
				     key, OCI_MAX_LIST);
	return r;
}

int oci_json_object(json_object *obj, const char *key, const char *where, json_object **ret,
		    struct sbx_error *e)
{
	return typed(obj, key, where, json_type_object, "an object", ret, e);
}

int oci_json_strv(json_object *obj, const char *key, const char *where, char ***ret,
		  size_t *ret_n, struct sbx_error *e)
{
	json_object *a;
	size_t n;
	char **v;
	int r = oci_json_array(obj, key, where, &a, e);

	*ret = NULL;
	if (ret_n)
		*ret_n = 0;
	if (r < 0 || !a)
		return r;
	n = json_object_array_length(a);
	v = xreallocarray(NULL, n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(a, i);

		if (!json_object_is_type(s, json_type_string)) {
			v[i] = NULL;
			oci_strv_free(v);
			return sbx_error_set(e, EINVAL, "config.json: %s.%s[%zu]: expected a string",
					     where, key, i);
		}
		v[i] = xstrdup(json_object_get_string(s));
	}
	v[n] = NULL;
	*ret = v;
	if (ret_n)
		*ret_n = n;
	return 0;
}

int oci_json_refuse(json_object *obj, const char *where, const char *const *unsupported,
		    struct sbx_error *e)
{
	for (size_t i = 0; unsupported[i]; i++) {
		json_object *v = member(obj, unsupported[i]);

		/* Empty values ask for nothing (engines often send "" or {}). */
		if (!v || (json_object_is_type(v, json_type_string) && !*json_object_get_string(v)) ||
		    (json_object_is_type(v, json_type_object) && json_object_object_length(v) == 0) ||
		    (json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0))
			continue;
		return sbx_error_set(e, EOPNOTSUPP, "config.json: %s.%s: not supported by sbx",
				     where, unsupported[i]);
	}
	return 0;
}

void oci_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}
