/* seccomp_profile_int.h - what the two halves of the JSON profile compiler share */
#pragma once

#include <json.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "seccomp_lib.h"
#include "syscall_filter_set.h"

/* Past this many, one line says how many more were dropped. */
#define MAX_WARNINGS 64
#define MAX_DEPTH 16

/* One libseccomp context per ABI, merged at the end: a rule that cannot be
 * expressed on one ABI (i386 multiplexes socket calls through socketcall(),
 * whose arguments live in memory) then fails there alone, visibly, instead
 * of vanishing from every ABI. */
struct profile {
	scmp_filter_ctx ctx[4];
	uint32_t arch[4];
	size_t n_arch;
	uint32_t default_action;
	uint64_t caps;
	const char *source;
	struct syscall_filter *f;
	size_t n_unknown;
	int kernel_major, kernel_minor;
	/* The first pass over the rules only collects the distinct rules and
	 * what the program will have to compare with (seccomp_profile_size.c),
	 * bounded; the second adds each distinct rule once. */
	bool sizing;
	bool size_only; /* stop after the first pass (profile_estimate()) */
	size_t n_names, n_conflicts;
	uint64_t *consts; /* a set of constants: CONST_USED | k */
	size_t n_consts;
	uint64_t *nodes; /* a set of comparison nodes' hashes (seccomp_profile_size.c) */
	size_t n_nodes;
	struct profile_rule *rules; /* a set of rules, rules_cap slots (a power of two) */
	size_t rules_cap, n_rules_total, n_rules[4], n_arg_rules[4];
};

/* One-line errors naming the profile and the place ("syscalls[3].names"). */
int profile_fail(const struct profile *p, struct sbx_error *e, const char *where, const char *what);
void profile_warn_unknown(struct profile *p, const char *name);
int profile_get_string(const struct profile *p, json_object *obj, const char *where,
		       const char **ret, struct sbx_error *e);
int profile_get_u64(const struct profile *p, json_object *obj, const char *where, uint64_t max,
		    uint64_t *ret, struct sbx_error *e);
/* A member that must be an array when present; *ret NULL when absent or null. */
int profile_get_array(const struct profile *p, json_object *obj, const char *key,
		      const char *where, json_object **ret, struct sbx_error *e);

/* First pass: record one rule for p->arch[@a] (@nr: the native number,
 * @arch_nr: that ABI's), and the constants it puts into the program; -E2BIG
 * with @e filled past a limit (PROFILE_MAX_*, the kernel's 4096 instructions). */
int profile_size_add_rule(struct profile *p, size_t a, int nr, int arch_nr, uint32_t action,
			  const struct scmp_arg_cmp *cmps, unsigned n, const char *where,
			  struct sbx_error *e);
/* Second pass: whether this rule goes to libseccomp now (false: added already). */
bool profile_size_first_add(struct profile *p, size_t a, int nr, uint32_t action,
			    const struct scmp_arg_cmp *cmps, unsigned n);
/* After the first pass: refuse a profile whose program cannot fit the
 * kernel's limit, before libseccomp spends minutes finding out. */
int profile_size_check(struct profile *p, struct sbx_error *e);
/**
 * profile_estimate() - the first pass alone, for tests
 * @text, @len: the profile
 * @ret: its estimated lower bound on the BPF program's length, in instructions
 * @e: filled on error
 *
 * Return: 0, or -errno with @e filled (the profile is refused, e.g. as too large).
 */
int profile_estimate(const char *text, size_t len, size_t *ret, struct sbx_error *e);
/* Free what the first pass collected. */
void profile_size_free(struct profile *p);

/* "SCMP_ARCH_X86_64" -> SCMP_ARCH_X86_64, or 0 */
uint32_t profile_arch_token(const char *name);
/* Fill p->arch from "architectures"/"archMap" (the whole native family when
 * the profile names none). */
int profile_parse_archs(struct profile *p, json_object *root, struct sbx_error *e);
/* Whether @name ("amd64", "x86_64"...) is the native architecture. */
bool profile_is_native_arch_name(const char *name);
