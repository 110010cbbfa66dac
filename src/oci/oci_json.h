/* oci_json.h - typed getters for config.json: every error names the member */
#pragma once

#include <json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Each getter: absent (or null) members leave *ret untouched and return 0;
 * a member of the wrong type is -EINVAL with "WHERE: expected ..." in @e. */
int oci_json_string(json_object *obj, const char *key, const char *where, const char **ret,
		    struct sbx_error *e);
int oci_json_bool(json_object *obj, const char *key, const char *where, bool *ret,
		  struct sbx_error *e);
int oci_json_u64(json_object *obj, const char *key, const char *where, uint64_t max,
		 uint64_t *ret, struct sbx_error *e);
int oci_json_i64(json_object *obj, const char *key, const char *where, int64_t min, int64_t max,
		 int64_t *ret, struct sbx_error *e);
/* Arrays and objects: *ret NULL when absent. */
int oci_json_array(json_object *obj, const char *key, const char *where, json_object **ret,
		   struct sbx_error *e);
int oci_json_object(json_object *obj, const char *key, const char *where, json_object **ret,
		    struct sbx_error *e);
/* An array of strings into a NULL-terminated vector (NULL when absent). */
int oci_json_strv(json_object *obj, const char *key, const char *where, char ***ret,
		  size_t *ret_n, struct sbx_error *e);
/* Refuse @obj's members named in @unsupported (NULL-terminated). */
int oci_json_refuse(json_object *obj, const char *where, const char *const *unsupported,
		    struct sbx_error *e);
/* Free a NULL-terminated vector of strings. */
void oci_strv_free(char **v);

struct oci_process;
/* config.json's "process" object (oci_spec_process.c) into @p. */
int oci_process_from_json(json_object *proc, struct oci_process *p, struct sbx_error *e);

struct oci_spec;
/* config.json's "linux" object of @root (oci_spec_linux.c), if any, into @s. */
int oci_spec_linux_parse(json_object *root, struct oci_spec *s, struct sbx_error *e);
