/* seccomp_profile_size.c - what a profile costs, known before libseccomp
 * builds it: its distinct rules, and a lower bound on its BPF program size
 *
 * libseccomp's rule database and BPF generator are quadratic in the number of
 * rules: a 2 MB profile of 20,000 argument rules took 96 s of CPU to be
 * refused as larger than the kernel's 4096 instructions, one of 19,200 rules
 * over few constants 42 s to be accepted (its generator shares identical
 * blocks), and 500,000 copies of one name took minutes and 270 MB. So the
 * first pass over the profile collects its distinct rules, per ABI, in a set
 * that stops growing at the limits (PROFILE_MAX_*), and the second pass adds
 * each distinct rule once.
 *
 * Every constant the program compares with or loads from (syscall numbers,
 * argument values and masks, offsets into seccomp_data, actions,
 * architectures) is the k of at least one instruction, so the number of
 * distinct ones is a lower bound on the program's length. A profile above the
 * kernel's limit by that bound cannot load; one below it is built and checked
 * exactly. */
#include "autoconf.h"

#include <endian.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp_profile.h"
#include "seccomp_profile_int.h"
#include "util.h"

/* One rule as libseccomp gets it, zero-padded so that its bytes are its key. */
struct profile_rule {
	uint32_t state; /* 0: free slot, 1: seen, 2: added to libseccomp */
	uint32_t arch_idx;
	int32_t nr;
	uint32_t action;
	uint32_t n;
	uint32_t pad;
	struct {
		uint32_t arg, op;
		uint64_t a, b;
	} cmp[6];
};

/* The constants set: 2^13 slots hold BPF_MAXINSNS + 1 values at half load. */
#define CONST_SLOTS 8192
#define CONST_USED (UINT64_C(1) << 32)

static uint64_t hash_bytes(const void *data, size_t len)
{
	const unsigned char *s = data;
	uint64_t h = UINT64_C(1469598103934665603);

	for (size_t i = 0; i < len; i++)
		h = (h ^ s[i]) * UINT64_C(1099511628211);
	return h;
}

/* Record @k; Return: whether the count of distinct constants stays in bounds. */
static bool push(struct profile *p, uint32_t k)
{
	size_t i;

	if (!p->consts) {
		p->consts = xreallocarray(NULL, CONST_SLOTS, sizeof(*p->consts));
		memset(p->consts, 0, CONST_SLOTS * sizeof(*p->consts));
	}
	for (i = hash_bytes(&k, sizeof(k)) % CONST_SLOTS; p->consts[i]; i = (i + 1) % CONST_SLOTS)
		if (p->consts[i] == (CONST_USED | k))
			return true;
	p->consts[i] = CONST_USED | k;
	return ++p->n_consts <= BPF_MAXINSNS;
}

/* The upper word is compared only where arguments are 64 bits wide. */
static bool wide_args(const struct profile *p)
{
	for (size_t a = 0; a < p->n_arch; a++)
		if ((p->arch[a] & __AUDIT_ARCH_64BIT) || p->arch[a] == SCMP_ARCH_X32)
			return true;
	return false;
}

/* Record the node @key (a hash: two nodes that collide count once, so the
 * count stays a lower bound); Return: whether the count stays in bounds. */
static bool push_node(struct profile *p, uint64_t key)
{
	size_t i;

	key |= 1; /* 0 marks a free slot */
	if (!p->nodes) {
		p->nodes = xreallocarray(NULL, CONST_SLOTS, sizeof(*p->nodes));
		memset(p->nodes, 0, CONST_SLOTS * sizeof(*p->nodes));
	}
	for (i = key % CONST_SLOTS; p->nodes[i]; i = (i + 1) % CONST_SLOTS)
		if (p->nodes[i] == key)
			return true;
	p->nodes[i] = key;
	return ++p->n_nodes <= BPF_MAXINSNS;
}

/* libseccomp splits a comparison into one on each 32-bit half (the upper one
 * only where arguments are 64 bits wide, skipping a masked half whose mask is
 * 0), chains a rule's comparisons by argument, and shares a block between
 * system calls whose rules are the same. So each distinct (ABI width,
 * argument, half, operator, value, mask) costs at least one conditional jump,
 * an AND (k: the mask) before it when masked, and a load of its word unless
 * it is the last half its rule compares: the comparison before it, or the
 * failure of a later one that comes back to it, left another word in the
 * accumulator (only the last ones, whose failure falls through to a sibling
 * on the same word, may skip it). The last comparison of a rule on a 32-bit
 * ABI is not counted, as its block may be shared with a 64-bit ABI's. Each
 * of these minimums was checked against libseccomp 2.5.4's output
 * (tests/unit/test-seccomp.c compares the estimate with the real size). */
static bool push_cmp(struct profile *p, size_t a, const struct scmp_arg_cmp *c, bool last)
{
	bool wide = (p->arch[a] & __AUDIT_ARCH_64BIT) || p->arch[a] == SCMP_ARCH_X32;
	bool masked = c->op == SCMP_CMP_MASKED_EQ;

	if (!wide && last)
		return true;
	for (unsigned half = 0; half < (wide ? 2u : 1u); half++) {
		uint32_t datum = (uint32_t)(c->datum_a >> (32 * half));
		uint32_t value = (uint32_t)(c->datum_b >> (32 * half));
		/* the lower half is compared last; the upper one is when the lower is skipped */
		bool final = last && (half == 0 || (masked && (uint32_t)c->datum_a == 0));
		struct { uint32_t tag, wide, arg, half, op, a, b; } key = {
			0, wide, c->arg, half, (uint32_t)c->op, datum, masked ? value : 0
		};

		if (masked && datum == 0)
			continue; /* nothing to compare */
		if (!push_node(p, hash_bytes(&key, sizeof(key))))
			return false;
		key.tag = 1; /* the load */
		if (!final && !push_node(p, hash_bytes(&key, sizeof(key))))
			return false;
		key.tag = 2; /* the AND */
		if (masked && datum != UINT32_MAX && !push_node(p, hash_bytes(&key, sizeof(key))))
			return false;
	}
	return true;
}

static bool push64(struct profile *p, uint64_t v)
{
	return push(p, (uint32_t)v) && (!wide_args(p) || push(p, (uint32_t)(v >> 32)));
}

static void make_key(struct profile_rule *ret, size_t a, int nr, uint32_t action,
		     const struct scmp_arg_cmp *cmps, unsigned n)
{
	memset(ret, 0, sizeof(*ret));
	ret->arch_idx = (uint32_t)a;
	ret->nr = nr;
	ret->action = action;
	ret->n = n;
	for (unsigned i = 0; i < n && i < ARRAY_SIZE(ret->cmp); i++) {
		ret->cmp[i].arg = cmps[i].arg;
		ret->cmp[i].op = (uint32_t)cmps[i].op;
		ret->cmp[i].a = cmps[i].datum_a;
		ret->cmp[i].b = cmps[i].datum_b;
	}
}

/* The slot of @key in the set: its own, or the free one where it belongs. */
static struct profile_rule *find(const struct profile *p, const struct profile_rule *key)
{
	const size_t off = offsetof(struct profile_rule, arch_idx);
	size_t i = hash_bytes((const char *)key + off, sizeof(*key) - off) & (p->rules_cap - 1);

	for (;; i = (i + 1) & (p->rules_cap - 1)) {
		struct profile_rule *r = &p->rules[i];

		if (!r->state || memcmp((char *)r + off, (const char *)key + off, sizeof(*r) - off) == 0)
			return r;
	}
}

static void grow(struct profile *p)
{
	struct profile_rule *old = p->rules;
	size_t old_cap = p->rules_cap;

	p->rules_cap = old_cap ? 2 * old_cap : 64;
	p->rules = xreallocarray(NULL, p->rules_cap, sizeof(*p->rules));
	memset(p->rules, 0, p->rules_cap * sizeof(*p->rules));
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].state)
			*find(p, &old[i]) = old[i];
	free(old);
}

int profile_size_add_rule(struct profile *p, size_t a, int nr, int arch_nr, uint32_t action,
			  const struct scmp_arg_cmp *cmps, unsigned n, const char *where,
			  struct sbx_error *e)
{
	const uint32_t low = __BYTE_ORDER == __LITTLE_ENDIAN ? 0 : 4;
	struct profile_rule key, *slot;
	unsigned last_arg = 0;
	bool fits;

	make_key(&key, a, nr, action, cmps, n);
	if (2 * (p->n_rules_total + 1) > p->rules_cap)
		grow(p);
	slot = find(p, &key);
	if (slot->state)
		return 0; /* the same rule again: it adds nothing */
	key.state = 1;
	*slot = key;
	p->n_rules_total++;
	if (++p->n_rules[a] > PROFILE_MAX_RULES)
		return sbx_error_set(e, 0, "--seccomp %s: %s: more than %d distinct rules on %s",
				     p->source, where, PROFILE_MAX_RULES, seccomp_lib_arch_name(p->arch[a]));
	if (n && ++p->n_arg_rules[a] > PROFILE_MAX_ARG_RULES)
		return sbx_error_set(e, 0, "--seccomp %s: %s: more than %d distinct rules with argument comparisons on %s (each name and each alternative counts)",
				     p->source, where, PROFILE_MAX_ARG_RULES,
				     seccomp_lib_arch_name(p->arch[a]));
	if (arch_nr < 0) /* a pseudo number (i386's socketcall family): no rule there */
		return 0;
	for (unsigned i = 0; i < n; i++) /* libseccomp compares the arguments in order */
		last_arg = cmps[i].arg > last_arg ? cmps[i].arg : last_arg;
	fits = push(p, (uint32_t)arch_nr) && push(p, action);
	for (unsigned i = 0; fits && i < n; i++) {
		fits = push(p, (uint32_t)offsetof(struct seccomp_data, args[cmps[i].arg]) + low) &&
		       push64(p, cmps[i].datum_a) &&
		       (cmps[i].op != SCMP_CMP_MASKED_EQ || push64(p, cmps[i].datum_b)) &&
		       push_cmp(p, a, &cmps[i], cmps[i].arg == last_arg);
	}
	if (!fits)
		return sbx_error_set(e, 0, "--seccomp %s: too large: by an estimate, its filter needs more than the kernel's %d BPF instructions",
				     p->source, BPF_MAXINSNS);
	return 0;
}

bool profile_size_first_add(struct profile *p, size_t a, int nr, uint32_t action,
			    const struct scmp_arg_cmp *cmps, unsigned n)
{
	struct profile_rule key, *slot;

	make_key(&key, a, nr, action, cmps, n);
	if (!p->rules_cap)
		return true;
	slot = find(p, &key);
	if (slot->state == 2)
		return false;
	if (slot->state == 1)
		slot->state = 2;
	return true;
}

int profile_size_check(struct profile *p, struct sbx_error *e)
{
	bool fits = push(p, offsetof(struct seccomp_data, nr)) &&
		    push(p, offsetof(struct seccomp_data, arch)) && push(p, p->default_action);

	for (size_t a = 0; fits && a < p->n_arch; a++)
		fits = push(p, p->arch[a] == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : p->arch[a]);
	if (!fits)
		return sbx_error_set(e, 0, "--seccomp %s: too large: by an estimate, its filter needs more than the kernel's %d BPF instructions",
				     p->source, BPF_MAXINSNS);
	return 0;
}

void profile_size_free(struct profile *p)
{
	free(p->consts);
	free(p->nodes);
	free(p->rules);
	p->consts = NULL;
	p->nodes = NULL;
	p->rules = NULL;
	p->rules_cap = 0;
}
