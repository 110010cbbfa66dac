/* seccomp_profile_size.c - a lower bound on a profile's BPF program size,
 * known before libseccomp builds it
 *
 * libseccomp's rule database and BPF generator are quadratic in the number of
 * argument rules: a 2 MB profile of 20,000 rules took 96 s of CPU to be
 * refused as larger than the kernel's 4096 instructions. Every constant the
 * program compares with or loads from (syscall numbers, argument values and
 * masks, offsets into seccomp_data, actions, architectures) is the k of at
 * least one instruction, so the number of distinct ones is a lower bound on
 * the program's length, found in milliseconds. A profile above the limit by
 * that bound cannot load; one below it is built and checked exactly. */
#include "autoconf.h"

#include <endian.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>

#include "seccomp_profile_int.h"
#include "util.h"

static void push(struct profile *p, uint32_t k)
{
	/* Bounded by the profile's size (SECCOMP_PROFILE_MAX_BYTES): a rule
	 * takes more bytes of JSON than it adds constants here. */
	if (p->n_consts == p->cap_consts) {
		p->cap_consts = 2 * p->cap_consts + 64;
		p->consts = xreallocarray(p->consts, p->cap_consts, sizeof(*p->consts));
	}
	p->consts[p->n_consts++] = k;
}

/* The upper word is compared only where arguments are 64 bits wide. */
static bool wide_args(const struct profile *p)
{
	for (size_t a = 0; a < p->n_arch; a++)
		if ((p->arch[a] & __AUDIT_ARCH_64BIT) || p->arch[a] == SCMP_ARCH_X32)
			return true;
	return false;
}

static void push64(struct profile *p, uint64_t v)
{
	push(p, (uint32_t)v);
	if (wide_args(p))
		push(p, (uint32_t)(v >> 32));
}

void profile_size_add_rule(struct profile *p, int nr, uint32_t action,
			   const struct scmp_arg_cmp *cmps, unsigned n)
{
	const uint32_t low = __BYTE_ORDER == __LITTLE_ENDIAN ? 0 : 4;

	push(p, (uint32_t)nr);
	push(p, action);
	for (unsigned i = 0; i < n; i++) {
		push(p, (uint32_t)offsetof(struct seccomp_data, args[cmps[i].arg]) + low);
		push64(p, cmps[i].datum_a);
		if (cmps[i].op == SCMP_CMP_MASKED_EQ)
			push64(p, cmps[i].datum_b);
	}
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

int profile_size_check(struct profile *p, struct sbx_error *e)
{
	size_t distinct = 0;

	push(p, offsetof(struct seccomp_data, nr));
	push(p, offsetof(struct seccomp_data, arch));
	push(p, p->default_action);
	for (size_t a = 0; a < p->n_arch; a++)
		push(p, p->arch[a] == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : p->arch[a]);
	qsort(p->consts, p->n_consts, sizeof(*p->consts), cmp_u32);
	for (size_t i = 0; i < p->n_consts; i++)
		distinct += i == 0 || p->consts[i] != p->consts[i - 1];
	free(p->consts);
	p->consts = NULL;
	p->n_consts = p->cap_consts = 0;
	if (distinct > BPF_MAXINSNS)
		return sbx_error_set(e, 0, "--seccomp %s: too large: by an estimate, its filter needs at least %zu BPF instructions, more than the kernel's %d",
				     p->source, distinct, BPF_MAXINSNS);
	return 0;
}
