/* seccomp_profile.c - Docker/OCI JSON seccomp profiles -> BPF, with json-c */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "seccomp_default.h"
#include "seccomp_profile.h"
#include "seccomp_profile_int.h"
#include "util.h"

static int parse_action(const struct profile *p, const char *name, json_object *errno_ret,
			uint32_t default_errno, const char *where, uint32_t *ret, struct sbx_error *e)
{
	uint64_t value = default_errno;

	if (errno_ret && profile_get_u64(p, errno_ret, where, 4095, &value, e) < 0)
		return -EINVAL;
	if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
		*ret = SCMP_ACT_ALLOW;
	else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
		*ret = SCMP_ACT_ERRNO((uint32_t)value);
	else if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
		*ret = SCMP_ACT_KILL_THREAD;
	else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
		*ret = SCMP_ACT_KILL_PROCESS;
	else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
		*ret = SCMP_ACT_TRAP;
	else if (strcmp(name, "SCMP_ACT_TRACE") == 0)
		*ret = SCMP_ACT_TRACE((uint32_t)value);
	else if (strcmp(name, "SCMP_ACT_LOG") == 0)
		*ret = SCMP_ACT_LOG;
	else if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
		return profile_fail(p, e, where, "SCMP_ACT_NOTIFY needs a seccomp listener, which sbx does not run");
	else
		return sbx_error_set(e, 0, "--seccomp %s: %s: unknown action '%.64s'", p->source, where,
				     name);
	return 0;
}

static int parse_op(const char *name, enum scmp_compare *ret)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
		{ "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
		{ "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (strcmp(name, ops[i].name) == 0) {
			*ret = ops[i].op;
			return 0;
		}
	return -EINVAL;
}

static int cap_number(const char *name)
{
	cap_value_t cap;
	_cleanup_free_ char *lower = xstrdup(name);

	for (char *s = lower; *s; s++)
		*s = (char)tolower((unsigned char)*s);
	if (cap_from_name(lower, &cap) < 0 || cap < 0 || cap > 63)
		return -1;
	return cap;
}

struct condition {
	bool has_caps, all_caps, any_cap;
	bool has_arches, native_listed;
	bool has_min_kernel, kernel_at_least;
};

/* What one "includes"/"excludes" object states, judged against this sandbox. */
static int eval_condition(const struct profile *p, json_object *obj, const char *where,
			  struct condition *ret, struct sbx_error *e)
{
	json_object *caps, *arches, *min_kernel = NULL;
	const char *s = NULL;

	*ret = (struct condition){ .all_caps = true };
	if (!json_object_is_type(obj, json_type_object))
		return profile_fail(p, e, where, "includes/excludes: expected an object");
	if (profile_get_array(p, obj, "caps", where, &caps, e) < 0 ||
	    profile_get_array(p, obj, "arches", where, &arches, e) < 0)
		return -EINVAL;
	for (size_t i = 0; caps && i < json_object_array_length(caps); i++) {
		int cap;
		if (profile_get_string(p, json_object_array_get_idx(caps, i), where, &s, e) < 0)
			return -EINVAL;
		cap = cap_number(s);
		ret->has_caps = true;
		if (cap >= 0 && (p->caps & (UINT64_C(1) << cap)))
			ret->any_cap = true;
		else
			ret->all_caps = false;
	}
	for (size_t i = 0; arches && i < json_object_array_length(arches); i++) {
		if (profile_get_string(p, json_object_array_get_idx(arches, i), where, &s, e) < 0)
			return -EINVAL;
		ret->has_arches = true;
		ret->native_listed = ret->native_listed || profile_is_native_arch_name(s);
	}
	if (json_object_object_get_ex(obj, "minKernel", &min_kernel) && min_kernel) {
		int major = 0, minor = 0;
		if (profile_get_string(p, min_kernel, where, &s, e) < 0)
			return -EINVAL;
		if (sscanf(s, "%d.%d", &major, &minor) != 2)
			return profile_fail(p, e, where, "minKernel: expected MAJOR.MINOR");
		ret->has_min_kernel = true;
		ret->kernel_at_least = p->kernel_major > major ||
				       (p->kernel_major == major && p->kernel_minor >= minor);
	}
	return 0;
}

/* Docker's semantics: "includes" needs every condition it states to hold
 * (all its caps kept); "excludes" drops the entry when any holds. */
static int entry_applies(const struct profile *p, json_object *entry, const char *where,
			 bool *ret, struct sbx_error *e)
{
	json_object *obj = NULL;
	struct condition c;

	*ret = true;
	if (json_object_object_get_ex(entry, "includes", &obj) && obj) {
		if (eval_condition(p, obj, where, &c, e) < 0)
			return -EINVAL;
		*ret = (!c.has_caps || c.all_caps) && (!c.has_arches || c.native_listed) &&
		       (!c.has_min_kernel || c.kernel_at_least);
	}
	if (json_object_object_get_ex(entry, "excludes", &obj) && obj) {
		if (eval_condition(p, obj, where, &c, e) < 0)
			return -EINVAL;
		if ((c.has_caps && c.any_cap) || (c.has_arches && c.native_listed) ||
		    (c.has_min_kernel && c.kernel_at_least))
			*ret = false;
	}
	return 0;
}

static int parse_args(const struct profile *p, json_object *args, const char *where,
		      struct scmp_arg_cmp *ret_cmps, unsigned *ret_n, struct sbx_error *e)
{
	size_t n = args ? json_object_array_length(args) : 0;

	*ret_n = 0;
	if (n > 6)
		return profile_fail(p, e, where, "more than 6 argument comparisons");
	for (size_t i = 0; i < n; i++) {
		json_object *a = json_object_array_get_idx(args, i), *v;
		uint64_t index, value = 0, value_two = 0;
		const char *op_name = NULL;
		enum scmp_compare op;

		if (!json_object_is_type(a, json_type_object) ||
		    !json_object_object_get_ex(a, "index", &v) || profile_get_u64(p, v, where, 5, &index, e) < 0)
			return profile_fail(p, e, where, "args: expected {\"index\": 0-5, ...}");
		if (json_object_object_get_ex(a, "value", &v) && profile_get_u64(p, v, where, UINT64_MAX, &value, e) < 0)
			return -EINVAL;
		if (json_object_object_get_ex(a, "valueTwo", &v) &&
		    profile_get_u64(p, v, where, UINT64_MAX, &value_two, e) < 0)
			return -EINVAL;
		if (!json_object_object_get_ex(a, "op", &v) || profile_get_string(p, v, where, &op_name, e) < 0 ||
		    parse_op(op_name, &op) < 0)
			return profile_fail(p, e, where, "args: unknown or missing \"op\"");
		/* MASKED_EQ: value is the mask, valueTwo what the masked argument must equal. */
		ret_cmps[i] = (struct scmp_arg_cmp){ .arg = (unsigned)index, .op = op,
						     .datum_a = value, .datum_b = value_two };
	}
	*ret_n = (unsigned)n;
	return 0;
}

/* Comparisons on distinct arguments are ANDed in one rule; several on the same
 * argument cannot be (libseccomp), and profiles mean them as alternatives, so
 * those become one rule each, as runc and crun do. */
static int add_rule(struct profile *p, size_t a, int nr, const char *name, uint32_t action,
		    const struct scmp_arg_cmp *cmps, unsigned n, const char *where, struct sbx_error *e)
{
	int r;

	if (p->sizing)
		return profile_size_add_rule(p, a, nr, seccomp_syscall_resolve_name_arch(p->arch[a], name),
					     action, cmps, n, where, e);
	if (!profile_size_first_add(p, a, nr, action, cmps, n))
		return 0; /* the same rule again (a name listed twice) */
	r = seccomp_rule_add_array(p->ctx[a], action, nr, n, cmps);
	/* -EEXIST: it contradicts an earlier rule on this ABI. */
	if (r == -EEXIST && ++p->n_conflicts <= MAX_WARNINGS)
		syscall_filter_add_warning(p->f, "--seccomp %s: %s: the rule for %s conflicts with "
					   "an earlier one on %s, ignored there", p->source, where,
					   name, seccomp_lib_arch_name(p->arch[a]));
	else if (r < 0 && r != -EEXIST && r != -EACCES) /* -EACCES: the default action already */
		return sbx_error_set(e, r, "--seccomp %s: %s: cannot add a rule for %s",
				     p->source, where, name);
	return 0;
}

static int add_rules(struct profile *p, int nr, const char *name, uint32_t action,
		     const struct scmp_arg_cmp *cmps, unsigned n, const char *where, struct sbx_error *e)
{
	bool repeated = false;
	int r = 0;

	for (unsigned i = 0; i < n; i++)
		for (unsigned k = i + 1; k < n; k++)
			repeated = repeated || cmps[i].arg == cmps[k].arg;
	for (size_t a = 0; a < p->n_arch && r == 0; a++) {
		if (!repeated)
			r = add_rule(p, a, nr, name, action, cmps, n, where, e);
		for (unsigned i = 0; repeated && i < n && r == 0; i++)
			r = add_rule(p, a, nr, name, action, &cmps[i], 1, where, e);
	}
	return r;
}

static int add_name(struct profile *p, json_object *name_obj, uint32_t action,
		    const struct scmp_arg_cmp *cmps, unsigned n, const char *where, struct sbx_error *e)
{
	const char *name = NULL;
	int nr;

	if (profile_get_string(p, name_obj, where, &name, e) < 0)
		return -EINVAL;
	/* Resolving a name scans libseccomp's table: bound how many. */
	if (p->sizing && ++p->n_names > PROFILE_MAX_NAMES)
		return sbx_error_set(e, 0, "--seccomp %s: %s: more than %d system call names in all",
				     p->source, where, PROFILE_MAX_NAMES);
	nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR) {
		if (!p->sizing)
			profile_warn_unknown(p, name);
		return 0;
	}
	return add_rules(p, nr, name, action, cmps, n, where, e);
}

static int parse_entry(struct profile *p, json_object *entry, size_t index, struct sbx_error *e)
{
	json_object *names = NULL, *name = NULL, *action_obj = NULL, *errno_ret = NULL, *args;
	struct scmp_arg_cmp cmps[6];
	char where[48];
	const char *action_name = NULL;
	uint32_t action;
	unsigned n_cmps = 0;
	bool applies;

	snprintf(where, sizeof(where), "syscalls[%zu]", index);
	if (!json_object_is_type(entry, json_type_object))
		return profile_fail(p, e, where, "expected an object");
	if (entry_applies(p, entry, where, &applies, e) < 0)
		return -EINVAL;
	if (!applies)
		return 0;
	if (!json_object_object_get_ex(entry, "action", &action_obj) ||
	    profile_get_string(p, action_obj, where, &action_name, e) < 0)
		return profile_fail(p, e, where, "missing \"action\"");
	json_object_object_get_ex(entry, "errnoRet", &errno_ret);
	if (parse_action(p, action_name, errno_ret, EPERM, where, &action, e) < 0 ||
	    profile_get_array(p, entry, "args", where, &args, e) < 0 ||
	    parse_args(p, args, where, cmps, &n_cmps, e) < 0 ||
	    profile_get_array(p, entry, "names", where, &names, e) < 0)
		return -EINVAL;
	if (action == p->default_action)
		return 0;
	for (size_t i = 0; names && i < json_object_array_length(names); i++)
		if (add_name(p, json_object_array_get_idx(names, i), action, cmps, n_cmps, where, e) < 0)
			return -EINVAL;
	/* The older single-name form. */
	if (json_object_object_get_ex(entry, "name", &name) && name)
		return add_name(p, name, action, cmps, n_cmps, where, e);
	if (!names)
		return profile_fail(p, e, where, "missing \"names\"");
	return 0;
}

static int parse_flags(struct profile *p, json_object *root, struct sbx_error *e)
{
	json_object *flags;
	size_t unknown = 0;

	if (profile_get_array(p, root, "flags", "flags", &flags, e) < 0)
		return -EINVAL;
	for (size_t i = 0; flags && i < json_object_array_length(flags); i++) {
		const char *s = NULL;
		if (profile_get_string(p, json_object_array_get_idx(flags, i), "flags", &s, e) < 0)
			return -EINVAL;
		if (strcmp(s, "SECCOMP_FILTER_FLAG_LOG") == 0)
			p->f->load_flags |= SECCOMP_FILTER_FLAG_LOG;
		else if (strcmp(s, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
			p->f->load_flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		else if (strcmp(s, "SECCOMP_FILTER_FLAG_TSYNC") != 0 && /* one thread: moot */
			 ++unknown <= MAX_WARNINGS)
			syscall_filter_add_warning(p->f, "--seccomp %s: unknown flag '%.64s', ignored",
						   p->source, s);
	}
	if (unknown > MAX_WARNINGS)
		syscall_filter_add_warning(p->f, "--seccomp %s: %zu more unknown flags ignored", p->source,
					   unknown - MAX_WARNINGS);
	return 0;
}

static int create_contexts(struct profile *p, struct sbx_error *e)
{
	for (size_t a = 0; a < p->n_arch; a++) {
		int r;

		p->ctx[a] = seccomp_init(p->default_action);
		if (!p->ctx[a])
			return sbx_error_set(e, EINVAL, "--seccomp %s: seccomp_init", p->source);
		r = seccomp_attr_set(p->ctx[a], SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
		if (r == 0)
			r = seccomp_attr_set(p->ctx[a], SCMP_FLTATR_CTL_OPTIMIZE, 2);
		if (r == 0 && a > 0) {
			r = seccomp_arch_remove(p->ctx[a], SCMP_ARCH_NATIVE);
			if (r == 0)
				r = seccomp_arch_add(p->ctx[a], p->arch[a]);
		}
		if (r < 0)
			return sbx_error_set(e, r, "--seccomp %s: filter for %s", p->source,
					     seccomp_lib_arch_name(p->arch[a]));
	}
	return 0;
}

/* Fold every ABI's context into the first; seccomp_merge() consumes its source. */
static int merge_contexts(struct profile *p, struct sbx_error *e)
{
	for (size_t a = 1; a < p->n_arch; a++) {
		int r = seccomp_merge(p->ctx[0], p->ctx[a]);
		if (r < 0)
			return sbx_error_set(e, r, "--seccomp %s: merging the %s filter", p->source,
					     seccomp_lib_arch_name(p->arch[a]));
		p->ctx[a] = NULL;
	}
	return 0;
}

static int parse_root(struct profile *p, json_object *root, struct sbx_error *e)
{
	json_object *v = NULL, *syscalls;
	const char *name = NULL;
	uint64_t default_errno = EPERM;
	int r;

	if (!json_object_is_type(root, json_type_object))
		return profile_fail(p, e, "top level", "expected an object");
	if (!json_object_object_get_ex(root, "defaultAction", &v) ||
	    profile_get_string(p, v, "defaultAction", &name, e) < 0)
		return profile_fail(p, e, "defaultAction", "missing (e.g. \"SCMP_ACT_ERRNO\")");
	if (json_object_object_get_ex(root, "defaultErrnoRet", &v) && v &&
	    profile_get_u64(p, v, "defaultErrnoRet", 4095, &default_errno, e) < 0)
		return -EINVAL;
	if (parse_action(p, name, NULL, (uint32_t)default_errno, "defaultAction", &p->default_action, e) < 0)
		return -EINVAL;
	p->arch[p->n_arch++] = seccomp_arch_native();
	if (profile_parse_archs(p, root, e) < 0 || parse_flags(p, root, e) < 0 ||
	    profile_get_array(p, root, "syscalls", "syscalls", &syscalls, e) < 0)
		return -EINVAL;
	/* First only the constants the rules need: a profile that cannot fit
	 * is refused before libseccomp takes minutes to find out. */
	p->sizing = true;
	for (size_t i = 0; syscalls && i < json_object_array_length(syscalls); i++)
		if (parse_entry(p, json_object_array_get_idx(syscalls, i), i, e) < 0)
			return -EINVAL;
	p->sizing = false;
	r = profile_size_check(p, e);
	if (r == 0 && p->size_only)
		return 0;
	if (r == 0)
		r = create_contexts(p, e);
	if (r < 0)
		return r;
	for (size_t i = 0; syscalls && i < json_object_array_length(syscalls); i++)
		if (parse_entry(p, json_object_array_get_idx(syscalls, i), i, e) < 0)
			return -EINVAL;
	if (p->n_unknown > MAX_WARNINGS)
		syscall_filter_add_warning(p->f, "--seccomp %s: %zu more unknown system calls ignored",
					   p->source, p->n_unknown - MAX_WARNINGS);
	if (p->n_conflicts > MAX_WARNINGS)
		syscall_filter_add_warning(p->f, "--seccomp %s: %zu more conflicting rules ignored",
					   p->source, p->n_conflicts - MAX_WARNINGS);
	return 0;
}

static int parse_json(const char *text, size_t len, const char *source, json_object **ret,
		      struct sbx_error *e)
{
	json_tokener *tok = json_tokener_new_ex(MAX_DEPTH);
	enum json_tokener_error jerr;
	size_t end, line = 1, col = 1;
	json_object *obj;

	if (!tok)
		return sbx_error_set(e, ENOMEM, "json_tokener_new");
	if (len > SECCOMP_PROFILE_MAX_BYTES || memchr(text, '\0', len)) {
		json_tokener_free(tok);
		return sbx_error_set(e, 0, "--seccomp %s: not a JSON text file", source);
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	/* Only whitespace may follow the value. */
	while (jerr == json_tokener_success && end < len && isspace((unsigned char)text[end]))
		end++;
	if (jerr == json_tokener_success && end == len) {
		*ret = obj;
		return 0;
	}
	json_object_put(obj);
	for (size_t i = 0; i < end && i < len; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return sbx_error_set(e, 0, "--seccomp %s: line %zu, column %zu: %s", source, line, col,
			     jerr == json_tokener_continue ? "unexpected end of file"
			     : jerr == json_tokener_success ? "unexpected data after the profile"
							    : json_tokener_error_desc(jerr));
}

static void describe_profile_archs(struct profile *p)
{
	size_t len = 0;

	p->f->archs[0] = '\0';
	for (size_t i = 0; i < p->n_arch && len < sizeof(p->f->archs); i++)
		len += (size_t)snprintf(p->f->archs + len, sizeof(p->f->archs) - len, "%s%s",
					i ? "," : "", seccomp_lib_arch_name(p->arch[i]));
}

int seccomp_profile_build(const char *text, size_t len, uint64_t caps, const char *source,
			  struct syscall_filter *f, struct sbx_error *e)
{
	struct profile p = { .caps = caps, .source = source, .f = f };
	json_object *root = NULL;
	struct utsname u;
	int r;

	if (uname(&u) == 0)
		sscanf(u.release, "%d.%d", &p.kernel_major, &p.kernel_minor);
	r = parse_json(text, len, source, &root, e);
	if (r < 0)
		return r;
	/* The guard goes first: the profile, loaded last, may well refuse
	 * seccomp() itself. */
	r = seccomp_default_tty_guard(f, e);
	if (r == 0)
		r = parse_root(&p, root, e);
	json_object_put(root);
	profile_size_free(&p);
	if (r == 0 && f->n_progs >= SYSCALL_FILTER_MAX_PROGS)
		r = sbx_error_set(e, E2BIG, "too many seccomp programs");
	if (r == 0)
		r = merge_contexts(&p, e);
	if (r == 0)
		r = seccomp_lib_export(p.ctx[0], &f->progs[f->n_progs], e);
	if (r == 0) {
		f->n_progs++;
		describe_profile_archs(&p);
	}
	for (size_t a = 0; a < p.n_arch; a++)
		if (p.ctx[a])
			seccomp_release(p.ctx[a]);
	return r;
}

int profile_estimate(const char *text, size_t len, size_t *ret, struct sbx_error *e)
{
	struct syscall_filter f = { 0 };
	struct profile p = { .source = "profile", .f = &f, .size_only = true };
	json_object *root = NULL;
	int r = parse_json(text, len, p.source, &root, e);

	if (r == 0)
		r = parse_root(&p, root, e);
	*ret = p.n_consts > p.n_nodes ? p.n_consts : p.n_nodes;
	json_object_put(root);
	profile_size_free(&p);
	syscall_filter_release(&f);
	return r;
}

/* Open @path for reading only if it is a regular file: O_PATH opens nothing
 * (a FIFO does not wait for a writer, a device's open() has no side effect, a
 * socket gives no ENXIO), and the reopen through /proc reaches the inode
 * that was checked. */
static int open_regular(const char *path, struct sbx_error *e)
{
	_cleanup_close_ int pfd = open(path, O_PATH | O_CLOEXEC);
	char proc[64];
	struct stat st;
	int fd;

	if (pfd < 0 || fstat(pfd, &st) < 0)
		return sbx_error_set(e, errno, "--seccomp %s", path);
	if (!S_ISREG(st.st_mode))
		return sbx_error_set(e, 0, "--seccomp %s: not a regular file", path);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	/* No /proc: open the path again, checked again below. */
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return sbx_error_set(e, errno, "--seccomp %s", path);
	return fd;
}

int seccomp_profile_build_file(const struct sbx_config *c, const char *path,
			       struct syscall_filter *f, struct sbx_error *e)
{
	_cleanup_close_ int fd = open_regular(path, e);
	_cleanup_free_ char *text = NULL;
	struct stat st;
	size_t len = 0;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return sbx_error_set(e, errno, "--seccomp %s", path);
	if (!S_ISREG(st.st_mode))
		return sbx_error_set(e, 0, "--seccomp %s: not a regular file", path);
	if (st.st_size > SECCOMP_PROFILE_MAX_BYTES)
		return sbx_error_set(e, EFBIG, "--seccomp %s: larger than %d bytes", path,
				     SECCOMP_PROFILE_MAX_BYTES);
	text = xreallocarray(NULL, (size_t)st.st_size + 1, 1);
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, text + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sbx_error_set(e, errno, "--seccomp %s", path);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return seccomp_profile_build(text, len, c->cap_add, path, f, e);
}
