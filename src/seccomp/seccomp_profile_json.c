/* seccomp_profile_json.c - reading a JSON seccomp profile: typed getters with
 * errors that name the place, and the "architectures"/"archMap" lists */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <json.h>
#include <string.h>

#include "seccomp_profile_int.h"
#include "util.h"

int profile_fail(const struct profile *p, struct sbx_error *e, const char *where, const char *what)
{
	return sbx_error_set(e, 0, "--seccomp %s: %s: %s", p->source, where, what);
}

void profile_warn_unknown(struct profile *p, const char *name)
{
	if (++p->n_unknown <= MAX_WARNINGS)
		syscall_filter_add_warning(p->f, "--seccomp %s: unknown system call '%.64s', ignored",
					   p->source, name);
}

int profile_get_string(const struct profile *p, json_object *obj, const char *where,
		      const char **ret, struct sbx_error *e)
{
	*ret = "";
	if (!json_object_is_type(obj, json_type_string))
		return profile_fail(p, e, where, "expected a string");
	*ret = json_object_get_string(obj);
	return 0;
}

int profile_get_u64(const struct profile *p, json_object *obj, const char *where, uint64_t max,
		   uint64_t *ret, struct sbx_error *e)
{
	if (!json_object_is_type(obj, json_type_int) || json_object_get_int64(obj) < 0)
		return profile_fail(p, e, where, "expected a non-negative integer");
	*ret = json_object_get_uint64(obj);
	if (*ret > max)
		return profile_fail(p, e, where, "number out of range");
	return 0;
}

/* A member that must be an array when present; NULL when absent or null. */
int profile_get_array(const struct profile *p, json_object *obj, const char *key, const char *where,
		     json_object **ret, struct sbx_error *e)
{
	json_object *v = NULL;

	*ret = NULL;
	if (!json_object_object_get_ex(obj, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return profile_fail(p, e, where, "expected an array");
	*ret = v;
	return 0;
}

/* "SCMP_ARCH_X86_64" -> SCMP_ARCH_X86_64, or 0 */
uint32_t profile_arch_token(const char *name)
{
	char lower[32];
	size_t i;

	if (strncmp(name, "SCMP_ARCH_", 10) == 0)
		name += 10;
	for (i = 0; i < sizeof(lower) - 1 && name[i]; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[i] = '\0';
	return seccomp_arch_resolve_name(lower);
}

/* Only ABIs this kernel can run matter; the others are left out of the filter. */
static int profile_add_arch(struct profile *p, const char *name, struct sbx_error *e)
{
	uint32_t family[4], token = profile_arch_token(name);
	size_t n = seccomp_lib_arch_family(family, ARRAY_SIZE(family));

	for (size_t i = 1; i < n; i++) {
		bool known = false;

		if (family[i] != token)
			continue;
		for (size_t k = 0; k < p->n_arch; k++)
			known = known || p->arch[k] == token;
		if (!known && p->n_arch < ARRAY_SIZE(p->arch))
			p->arch[p->n_arch++] = token;
	}
	return 0;
}

static int profile_arch_list(struct profile *p, json_object *list, const char *where, struct sbx_error *e)
{
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		const char *name = NULL;
		int r = profile_get_string(p, json_object_array_get_idx(list, i), where, &name, e);

		if (r == 0)
			r = profile_add_arch(p, name, e);
		if (r < 0)
			return r;
	}
	return 0;
}

/* "architectures": [...] and/or "archMap": [{architecture, subArchitectures}].
 * A profile that names none gets the whole family, so 32-bit programs meet
 * the same rules rather than the bad-architecture kill. */
int profile_parse_archs(struct profile *p, json_object *root, struct sbx_error *e)
{
	json_object *archs, *map;
	uint32_t family[4];
	size_t n_family = seccomp_lib_arch_family(family, ARRAY_SIZE(family));
	int r;

	if (profile_get_array(p, root, "architectures", "architectures", &archs, e) < 0 ||
	    profile_get_array(p, root, "archMap", "archMap", &map, e) < 0)
		return -EINVAL;
	r = profile_arch_list(p, archs, "architectures", e);
	for (size_t i = 0; r == 0 && map && i < json_object_array_length(map); i++) {
		json_object *entry = json_object_array_get_idx(map, i), *main_arch = NULL, *subs;
		const char *name = NULL;

		if (!json_object_is_type(entry, json_type_object) ||
		    !json_object_object_get_ex(entry, "architecture", &main_arch))
			return profile_fail(p, e, "archMap", "expected objects with an \"architecture\"");
		r = profile_get_string(p, main_arch, "archMap", &name, e);
		if (r == 0 && profile_arch_token(name) != family[0])
			continue;
		if (r == 0)
			r = profile_get_array(p, entry, "subArchitectures", "archMap", &subs, e);
		if (r == 0)
			r = profile_arch_list(p, subs, "archMap", e);
	}
	if (r < 0 || archs || map)
		return r;
	for (size_t i = 1; i < n_family; i++)
		p->arch[p->n_arch++] = family[i];
	return 0;
}

/* The native ABI under the names profiles use (Go's GOARCH and libseccomp's). */
bool profile_is_native_arch_name(const char *name)
{
	static const struct {
		uint32_t token;
		const char *names[2];
	} aliases[] = {
		{ SCMP_ARCH_X86_64, { "amd64", "x86_64" } },
		{ SCMP_ARCH_X86, { "386", "x86" } },
		{ SCMP_ARCH_AARCH64, { "arm64", "aarch64" } },
		{ SCMP_ARCH_ARM, { "arm", "arm" } },
		{ SCMP_ARCH_PPC64LE, { "ppc64le", "ppc64le" } },
		{ SCMP_ARCH_S390X, { "s390x", "s390x" } },
		{ SCMP_ARCH_RISCV64, { "riscv64", "riscv64" } },
		{ SCMP_ARCH_MIPSEL64, { "mips64le", "mipsel64" } },
		{ SCMP_ARCH_MIPS64, { "mips64", "mips64" } },
	};
	uint32_t native = seccomp_arch_native();

	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++)
		if (aliases[i].token == native &&
		    (strcmp(name, aliases[i].names[0]) == 0 || strcmp(name, aliases[i].names[1]) == 0))
			return true;
	return false;
}
