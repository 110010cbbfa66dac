/* seccomp_default.c - sbx's default system-call filter: the deny-list, its
 * variants, and a hand-written program for numbers past the build's tables */
#include "autoconf.h"

#include <endian.h>
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

#include "seccomp_default.h"
#include "seccomp_default_bpf.h"
#include "seccomp_lib.h"
#include "util.h"

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

/* A call the filter refuses by name. @unified: its number since Linux 5.1
 * numbered new calls alike on every architecture (424 and up, plus the ABI's
 * base), or 0 for older calls. seccomp-gen checks that a name libseccomp
 * cannot resolve lies past the table's end, where it answers ENOSYS. */
struct named_call {
	const char *name;
	unsigned unified;
};

/* The kernel's interfaces for administering the machine, loading code into it
 * or handing it attack surface that no ordinary program needs. Docker refuses
 * the same ones; a name libseccomp does not know is skipped. */
static const struct named_call denied[] = {
	/* kernel keyrings: not namespaced */
	{ "keyctl", 0 }, { "add_key", 0 }, { "request_key", 0 },
	/* code and probes in the kernel */
	{ "bpf", 0 }, { "perf_event_open", 0 }, { "kexec_load", 0 }, { "kexec_file_load", 0 },
	{ "init_module", 0 }, { "finit_module", 0 }, { "delete_module", 0 }, { "lookup_dcookie", 0 },
	/* page-fault handling from user space: a favourite of kernel exploits */
	{ "userfaultfd", 0 },
	/* file handles bypass the mount view (the "shocker" escape) */
	{ "open_by_handle_at", 0 }, { "name_to_handle_at", 0 },
	/* machine administration */
	{ "acct", 0 }, { "swapon", 0 }, { "swapoff", 0 }, { "reboot", 0 }, { "syslog", 0 }, { "quotactl", 0 },
	{ "quotactl_fd", 443 }, { "settimeofday", 0 }, { "stime", 0 }, { "clock_settime", 0 },
	{ "clock_settime64", 0 }, { "adjtimex", 0 }, { "clock_adjtime", 0 }, { "clock_adjtime64", 0 },
	/* legacy i386 and hardware interfaces */
	{ "uselib", 0 }, { "vm86", 0 }, { "vm86old", 0 }, { "ioperm", 0 }, { "iopl", 0 }, { "_sysctl", 0 },
	{ "nfsservctl", 0 },
};

/* Changing the mount view after setup: only with --cap-add SYS_ADMIN, where
 * the user explicitly wants the command to mount (like Docker). Every call of
 * the mount API up to Linux 6.18. statmount and listmount (6.8) are not here:
 * they only read the mount table of the caller's own namespace, which
 * /proc/self/mountinfo shows anyway. */
static const struct named_call mount_family[] = {
	{ "mount", 0 },	     { "umount", 0 },	    { "umount2", 0 },	  { "pivot_root", 0 },
	{ "open_tree", 428 }, { "move_mount", 429 }, { "fsopen", 430 },	  { "fsconfig", 431 },
	{ "fsmount", 432 },   { "fspick", 433 },     { "mount_setattr", 442 }, { "open_tree_attr", 467 },
};

static const struct named_call chroot_call[] = { { "chroot", 0 } };

static const struct named_call io_uring[] = {
	{ "io_uring_setup", 425 }, { "io_uring_enter", 426 }, { "io_uring_register", 427 },
};

/* personality() values that only select the 32-bit uname or query: Docker's
 * list. Anything else (e.g. READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE) is refused. */
static const uint32_t harmless_personalities[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };

/* clone()'s flags are its first argument everywhere but on s390, where the
 * stack pointer comes first (CLONE_BACKWARDS2). */
#if defined(__s390__) || defined(__s390x__)
#define CLONE_FLAGS_ARG 1
#else
#define CLONE_FLAGS_ARG 0
#endif

/* Where an ABI's system call numbers live: [base, base + span). Most start
 * at 0; x32's carry __X32_SYSCALL_BIT, MIPS's start at 4000/5000/6000, and
 * 32-bit ARM has a second, private range (cacheflush, set_tls...). */
static const struct {
	uint32_t token;
	uint32_t base, span;
} nr_ranges[] = {
	{ SCMP_ARCH_X32, 0x40000000, 1024 },
	{ SCMP_ARCH_ARM, 0, 1024 },
	{ SCMP_ARCH_ARM, 0x0f0000, 64 },
	{ SCMP_ARCH_MIPS, 4000, 1024 },
	{ SCMP_ARCH_MIPSEL, 4000, 1024 },
	{ SCMP_ARCH_MIPS64, 5000, 1024 },
	{ SCMP_ARCH_MIPSEL64, 5000, 1024 },
	{ SCMP_ARCH_MIPS64N32, 6000, 1024 },
	{ SCMP_ARCH_MIPSEL64N32, 6000, 1024 },
};

/* A run of known numbers: [lo, max]. */
struct nr_window {
	uint32_t lo, max;
	long personality; /* its number in this run, or -1 */
};

#define MAX_WINDOWS 8
/* Holes up to this size inside a run are calls the kernel removed long ago
 * (it answers ENOSYS itself); a larger one is where new calls may land, as
 * uretprobe (6.11) did in x86-64's 335-423 and new x32 calls do below 512. */
#define MAX_HOLE 16

/* Append the runs libseccomp knows in [base, base + span) to @w. Return: the
 * new count, or -ERANGE if a table reaches the end of the range (the span
 * above must grow) or there are too many runs. */
static int scan_range(uint32_t arch, uint32_t base, uint32_t span, struct nr_window *w, int n)
{
	long last = -1;

	for (uint32_t nr = base; nr < base + span; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(arch, (int)nr);

		if (!name)
			continue;
		free(name);
		if (last >= 0 && nr - (uint32_t)last <= MAX_HOLE) {
			w[n - 1].max = nr;
		} else {
			if (n == MAX_WINDOWS)
				return -ERANGE;
			w[n++] = (struct nr_window){ .lo = last < 0 ? base : nr, .max = nr };
		}
		last = nr;
	}
	if (last >= (long)(base + span) - MAX_HOLE)
		return -ERANGE;
	return n;
}

/* The runs of known numbers of @arch, highest first. Return: how many, or
 * -ERANGE (see scan_range()). */
static int arch_windows(uint32_t arch, struct nr_window *ret)
{
	int pers = seccomp_syscall_resolve_name_arch(arch, "personality");
	bool listed = false;
	int n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(nr_ranges) && n >= 0; i++)
		if (nr_ranges[i].token == arch) {
			listed = true;
			n = scan_range(arch, nr_ranges[i].base, nr_ranges[i].span, ret, n);
		}
	if (!listed)
		n = scan_range(arch, 0, 1024, ret, 0);
	for (int i = 0; i < n; i++) {
		ret[i].personality = pers >= 0 && (uint32_t)pers >= ret[i].lo &&
						     (uint32_t)pers <= ret[i].max ? pers : -1;
		for (int k = i; k > 0 && ret[k].lo > ret[k - 1].lo; k--) { /* sort, lo descending */
			struct nr_window tmp = ret[k];
			ret[k] = ret[k - 1];
			ret[k - 1] = tmp;
		}
	}
	return n;
}

long seccomp_default_known_max(uint32_t arch)
{
	struct nr_window w[MAX_WINDOWS];
	int n = arch_windows(arch, w);

	return n > 0 ? (long)w[0].max : -1;
}

static int deny_list(scmp_filter_ctx ctx, const struct named_call *calls, size_t n, int err,
		     struct sbx_error *e)
{
	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(calls[i].name);
		int r;

		if (nr == __NR_SCMP_ERROR)
			continue;
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), nr, 0);
		if (r < 0)
			return sbx_error_set(e, r, "seccomp rule for %s", calls[i].name);
	}
	return 0;
}

/* Whether @nr lies in one of @w's runs (the program passes it on). */
static bool in_windows(const struct nr_window *w, int n, uint32_t nr)
{
	for (int i = 0; i < n; i++)
		if (nr >= w[i].lo && nr <= w[i].max)
			return true;
	return false;
}

/* A name libseccomp cannot resolve is refused only because its number lies
 * outside every run of known numbers (ENOSYS); make sure it does on every
 * ABI, or fail the build. */
static int check_unnamed(const uint32_t *archs, size_t n_archs, const struct named_call *calls,
			 size_t n, struct sbx_error *e)
{
	for (size_t a = 0; a < n_archs; a++) {
		struct nr_window w[MAX_WINDOWS];
		int n_w = arch_windows(archs[a], w);

		for (size_t i = 0; i < n && n_w > 0; i++) {
			/* The main table's base: the lowest run's start. */
			uint32_t nr = w[n_w - 1].lo + calls[i].unified;

			if (!calls[i].unified ||
			    seccomp_syscall_resolve_name_arch(archs[a], calls[i].name) != __NR_SCMP_ERROR)
				continue;
			if (in_windows(w, n_w, nr))
				return sbx_error_set(e, ENOSYS, "seccomp: libseccomp knows %s system calls around %u but not %s: update it",
						     seccomp_lib_arch_name(archs[a]), nr, calls[i].name);
		}
	}
	return 0;
}

static int deny_masked(scmp_filter_ctx ctx, int nr, int err, unsigned arg, uint64_t mask,
		       uint64_t value, struct sbx_error *e)
{
	struct scmp_arg_cmp cmp = { .arg = arg, .op = SCMP_CMP_MASKED_EQ, .datum_a = mask,
				    .datum_b = value };
	int r = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(err), nr, 1, &cmp);

	if (r < 0)
		return sbx_error_set(e, r, "seccomp rule for system call %d", nr);
	return 0;
}

/* Injecting input into the terminal (TIOCSTI) or driving the console
 * (TIOCLINUX) would let the command type into the user's shell once it exits;
 * refusing them is what lets sbx keep the terminal without setsid(), so job
 * control works. The request is an unsigned int: compare the low 32 bits
 * only, whatever is in the upper half of the register. */
static int add_tty_rules(scmp_filter_ctx ctx, struct sbx_error *e)
{
	int r = deny_masked(ctx, SCMP_SYS(ioctl), EPERM, 1, 0xffffffffu, TIOCSTI, e);

	if (r == 0)
		r = deny_masked(ctx, SCMP_SYS(ioctl), EPERM, 1, 0xffffffffu, TIOCLINUX, e);
	return r;
}

unsigned seccomp_default_variant(const struct sbx_config *c)
{
	return ((c->cap_add & (UINT64_C(1) << 21 /* CAP_SYS_ADMIN */)) ? SECCOMP_VARIANT_SYS_ADMIN : 0) |
	       ((c->cap_add & (UINT64_C(1) << 18 /* CAP_SYS_CHROOT */)) ? SECCOMP_VARIANT_SYS_CHROOT : 0) |
	       (c->allow_io_uring ? SECCOMP_VARIANT_IO_URING : 0) |
	       (c->allow_userns ? SECCOMP_VARIANT_USERNS : 0);
}

static int add_default_rules(unsigned variant, scmp_filter_ctx ctx, struct sbx_error *e)
{
	int r;

	r = deny_list(ctx, denied, ARRAY_SIZE(denied), EPERM, e);
	if (r == 0 && !(variant & SECCOMP_VARIANT_SYS_ADMIN))
		r = deny_list(ctx, mount_family, ARRAY_SIZE(mount_family), EPERM, e);
	if (r == 0 && !(variant & SECCOMP_VARIANT_SYS_CHROOT))
		r = deny_list(ctx, chroot_call, ARRAY_SIZE(chroot_call), EPERM, e);
	if (r == 0 && !(variant & SECCOMP_VARIANT_IO_URING))
		r = deny_list(ctx, io_uring, ARRAY_SIZE(io_uring), EPERM, e);
	if (r < 0)
		return r;

	r = add_tty_rules(ctx, e);
	if (r < 0 || (variant & SECCOMP_VARIANT_USERNS))
		return r;

	/* Nested user namespaces give the command a fresh set of capabilities
	 * over new namespaces: the door to most unprivileged kernel bugs.
	 * clone3() passes its flags in memory the filter cannot read, so it
	 * answers "not implemented" and libc falls back to clone(). */
	r = deny_masked(ctx, SCMP_SYS(unshare), EPERM, 0, CLONE_NEWUSER, CLONE_NEWUSER, e);
	if (r == 0)
		r = deny_masked(ctx, SCMP_SYS(clone), EPERM, CLONE_FLAGS_ARG, CLONE_NEWUSER,
				CLONE_NEWUSER, e);
	if (r == 0 && seccomp_syscall_resolve_name("clone3") != __NR_SCMP_ERROR) {
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
		if (r < 0)
			return sbx_error_set(e, r, "seccomp rule for clone3");
	}
	return r;
}

static void cleanup_ctx(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

/* An allow-by-default filter over the whole architecture family. */
static int new_family_ctx(scmp_filter_ctx *ret_ctx, struct syscall_filter *f, struct sbx_error *e)
{
	__attribute__((cleanup(cleanup_ctx))) scmp_filter_ctx ctx = NULL;
	uint32_t archs[SECCOMP_LIB_MAX_ARCHS];
	size_t n_archs = seccomp_lib_arch_family(archs, ARRAY_SIZE(archs));
	int r;

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return sbx_error_set(e, ENOMEM, "seccomp_init");
	for (size_t i = 1; i < n_archs; i++) {
		r = seccomp_arch_add(ctx, archs[i]);
		if (r < 0 && r != -EEXIST)
			return sbx_error_set(e, r, "seccomp: cannot add architecture %s",
					     seccomp_lib_arch_name(archs[i]));
	}
	/* An ABI the filter does not know is refused outright, and the binary
	 * tree keeps the cost of a syscall logarithmic in the rule count. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r < 0)
		return sbx_error_set(e, r, "seccomp filter attributes");
	if (!f->archs[0])
		syscall_filter_describe_archs(f, archs, n_archs);
	*ret_ctx = TAKE_PTR(ctx);
	return 0;
}

static int export_into(scmp_filter_ctx ctx, struct syscall_filter *f, struct sbx_error *e)
{
	int r;

	if (f->n_progs >= SYSCALL_FILTER_MAX_PROGS)
		return sbx_error_set(e, E2BIG, "too many seccomp programs");
	r = seccomp_lib_export(ctx, &f->progs[f->n_progs], e);
	if (r < 0)
		return r;
	f->n_progs++;
	return 0;
}

int seccomp_default_tty_guard(struct syscall_filter *f, struct sbx_error *e)
{
	__attribute__((cleanup(cleanup_ctx))) scmp_filter_ctx ctx = NULL;
	int r = new_family_ctx(&ctx, f, e);

	if (r == 0)
		r = add_tty_rules(ctx, e);
	if (r == 0)
		r = export_into(ctx, f, e);
	return r;
}

/* Everything libseccomp can say: one filter. */
static int build_rules(unsigned variant, struct syscall_filter *f, struct sbx_error *e)
{
	__attribute__((cleanup(cleanup_ctx))) scmp_filter_ctx ctx = NULL;
	int r = new_family_ctx(&ctx, f, e);

	if (r == 0)
		r = add_default_rules(variant, ctx, e);
	if (r == 0)
		r = export_into(ctx, f, e);
	return r;
}

/* --- the hand-written program ---------------------------------------------- */

#define STMT(code, k) ((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP(code, k, jt, jf))

/* Far targets, reached with BPF_JA (a 32-bit offset), fixed up at the end. */
enum label { L_ALLOW, L_CHECK, L_ENOSYS, L_NEXT, N_LABELS };

struct prog {
	struct sock_filter p[BPF_MAXINSNS];
	size_t n;
	size_t fixup[BPF_MAXINSNS]; /* index of each BPF_JA ... */
	enum label target[BPF_MAXINSNS]; /* ... and its label */
	size_t n_fixups;
};

static void emit(struct prog *p, struct sock_filter insn)
{
	if (p->n < ARRAY_SIZE(p->p))
		p->p[p->n++] = insn;
}

static void emit_ja(struct prog *p, enum label to)
{
	if (p->n_fixups < ARRAY_SIZE(p->fixup)) {
		p->fixup[p->n_fixups] = p->n;
		p->target[p->n_fixups++] = to;
	}
	emit(p, STMT(BPF_JMP | BPF_JA, 0));
}

/* Resolve the jumps to @to emitted so far, to the current position. */
static void place(struct prog *p, enum label to)
{
	for (size_t i = 0; i < p->n_fixups; i++)
		if (p->target[i] == to) {
			p->p[p->fixup[i]].k = (uint32_t)(p->n - p->fixup[i] - 1);
			p->target[i] = N_LABELS; /* done */
		}
}

/* One run, tried from the highest down: a number at or above its start but
 * past its end -> ENOSYS (a hole or past the table); personality -> the
 * argument check; anything else -> ALLOW (the libseccomp program judges it). */
static void emit_window(struct prog *p, const struct nr_window *w)
{
	uint8_t rest = (uint8_t)(w->personality >= 0 ? 5 : 3);

	if (w->lo > 0)
		emit(p, JUMP(BPF_JMP | BPF_JGE | BPF_K, w->lo, 0, rest));
	emit(p, JUMP(BPF_JMP | BPF_JGT | BPF_K, w->max, 0, 1));
	emit_ja(p, L_ENOSYS);
	if (w->personality >= 0) {
		emit(p, JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)w->personality, 0, 1));
		emit_ja(p, L_CHECK);
	}
	emit_ja(p, L_ALLOW);
}

/* One audit architecture (x86-64 and x32 share one): its runs, highest first. */
static int emit_audit_arch(struct prog *p, uint32_t audit, const uint32_t *archs, size_t n_archs)
{
	struct nr_window w[SECCOMP_LIB_MAX_ARCHS * MAX_WINDOWS];
	int n = 0;

	for (size_t a = 0; a < n_archs; a++) {
		int k;

		if (seccomp_lib_audit_arch(archs[a]) != audit)
			continue;
		k = arch_windows(archs[a], w + n);
		if (k < 0)
			return k;
		n += k;
	}
	if (n == 0)
		return 0;
	for (int i = 1; i < n; i++) /* merge the ABIs' runs: lo descending */
		for (int k = i; k > 0 && w[k].lo > w[k - 1].lo; k--) {
			struct nr_window tmp = w[k];
			w[k] = w[k - 1];
			w[k - 1] = tmp;
		}
	emit(p, STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
	emit(p, JUMP(BPF_JMP | BPF_JEQ | BPF_K, audit, 1, 0));
	emit_ja(p, L_NEXT);
	emit(p, STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
	for (int i = 0; i < n; i++)
		emit_window(p, &w[i]);
	if (w[n - 1].lo > 0)
		emit_ja(p, L_ENOSYS);
	place(p, L_NEXT);
	return 0;
}

/*
 * What libseccomp cannot say in an allow-by-default filter:
 *  - a number above the highest one its tables (at build time) know for the
 *    ABI answers ENOSYS, as in Docker's allow-list: the deny-list above can
 *    only refuse what it knows, so a call the kernel added since (e.g.
 *    open_tree_attr, Linux 6.15, on a libseccomp 2.5 build) must not pass;
 *  - personality() is refused unless its argument is one of five values
 *    (libseccomp allows one comparison per argument and no ALLOW rule here).
 * The kernel applies the stricter answer of the two programs. Every known
 * call but personality is a constant ALLOW here, which the kernel's
 * per-syscall cache skips entirely.
 */
static int build_numbers(struct syscall_filter *f, struct sbx_error *e)
{
	_cleanup_free_ struct prog *p = xreallocarray(NULL, 1, sizeof(struct prog));
	const size_t n_ok = ARRAY_SIZE(harmless_personalities);
	uint32_t archs[SECCOMP_LIB_MAX_ARCHS], done[SECCOMP_LIB_MAX_ARCHS];
	size_t n_archs = seccomp_lib_arch_family(archs, ARRAY_SIZE(archs)), n_done = 0;
	/* personality() takes an unsigned int: test the low word only. */
	const uint32_t arg0_low = offsetof(struct seccomp_data, args[0]) +
				  (__BYTE_ORDER == __LITTLE_ENDIAN ? 0 : 4);
	int r;

	if (f->n_progs >= SYSCALL_FILTER_MAX_PROGS)
		return sbx_error_set(e, E2BIG, "too many seccomp programs");
	p->n = p->n_fixups = 0;
	for (size_t a = 0; a < n_archs; a++) {
		uint32_t audit = seccomp_lib_audit_arch(archs[a]);
		bool seen = false;

		for (size_t i = 0; i < n_done; i++)
			seen = seen || done[i] == audit;
		if (seen)
			continue;
		done[n_done++] = audit;
		r = emit_audit_arch(p, audit, archs, n_archs);
		if (r < 0)
			return sbx_error_set(e, r, "seccomp: the %s system call table is larger than sbx scans",
					     seccomp_lib_arch_name(archs[a]));
	}
	/* An ABI outside the family: the libseccomp program kills it. */
	place(p, L_ALLOW);
	emit(p, STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
	place(p, L_CHECK);
	emit(p, STMT(BPF_LD | BPF_W | BPF_ABS, arg0_low));
	for (size_t i = 0; i < n_ok; i++)
		emit(p, JUMP(BPF_JMP | BPF_JEQ | BPF_K, harmless_personalities[i], (uint8_t)(n_ok - i), 0));
	emit(p, STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)));
	emit(p, STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
	place(p, L_ENOSYS);
	emit(p, STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)));

	f->progs[f->n_progs].filter = xreallocarray(NULL, p->n, sizeof(struct sock_filter));
	memcpy(f->progs[f->n_progs].filter, p->p, p->n * sizeof(struct sock_filter));
	f->progs[f->n_progs].len = (unsigned short)p->n;
	f->n_progs++;
	return 0;
}

int seccomp_default_compile(unsigned variant, struct syscall_filter *ret, struct sbx_error *e)
{
	uint32_t archs[SECCOMP_LIB_MAX_ARCHS];
	size_t n_archs = seccomp_lib_arch_family(archs, ARRAY_SIZE(archs));
	int r;

	memset(ret, 0, sizeof(*ret));
	r = check_unnamed(archs, n_archs, mount_family, ARRAY_SIZE(mount_family), e);
	if (r == 0)
		r = check_unnamed(archs, n_archs, denied, ARRAY_SIZE(denied), e);
	if (r == 0)
		r = check_unnamed(archs, n_archs, io_uring, ARRAY_SIZE(io_uring), e);
	if (r == 0)
		r = build_rules(variant, ret, e);
	if (r < 0)
		return r;
	return build_numbers(ret, e);
}

static void copy_program(struct sock_fprog *to, const struct sbx_bpf_program *from)
{
	to->filter = xreallocarray(NULL, from->len, sizeof(*from->insns));
	memcpy(to->filter, from->insns, from->len * sizeof(*from->insns));
	to->len = from->len;
}

/*
 * The default filter is compiled when sbx is built (seccomp-gen writes every
 * variant into seccomp_default_bpf.c): having libseccomp generate it at run
 * time took about a millisecond of every sandbox's start.
 */
int seccomp_default_precompiled(unsigned variant, struct syscall_filter *f)
{
	uint32_t archs[SECCOMP_LIB_MAX_ARCHS];

	if (variant >= SECCOMP_DEFAULT_VARIANTS || seccomp_default_bpf[variant].len == 0 ||
	    seccomp_default_bpf_arch != seccomp_arch_native())
		return -ENOENT;
	memset(f, 0, sizeof(*f));
	copy_program(&f->progs[0], &seccomp_default_bpf[variant]);
	copy_program(&f->progs[1], &seccomp_default_numbers_bpf);
	f->n_progs = 2;
	syscall_filter_describe_archs(f, archs, seccomp_lib_arch_family(archs, ARRAY_SIZE(archs)));
	return 0;
}

/*
 * One program instead of two: each seccomp() load costs its own conversion,
 * JIT and per-syscall cache pass. The numbers program runs first; each of
 * its ALLOW answers becomes a jump to the start of libseccomp's program,
 * which then judges the call as it did on its own; its ENOSYS and EPERM
 * answers stay. With two programs the kernel took the stricter answer, and
 * the newer program's (the numbers') among equal actions: the same, since
 * libseccomp's program answers nothing stricter than ERRNO where the
 * numbers program refuses (test-seccomp checks every number and ABI).
 */
int seccomp_default_merge(struct syscall_filter *f)
{
	const struct sock_fprog *rules = &f->progs[0], *numbers = &f->progs[1];
	size_t n = numbers->len, total = (size_t)numbers->len + rules->len;
	struct sock_filter *p;

	if (f->n_progs != 2)
		return -EINVAL;
	if (total > BPF_MAXINSNS)
		return -E2BIG;
	p = xreallocarray(NULL, total, sizeof(*p));
	for (size_t i = 0; i < n; i++) {
		p[i] = numbers->filter[i];
		if (p[i].code == (BPF_RET | BPF_K) && p[i].k == SECCOMP_RET_ALLOW)
			p[i] = STMT(BPF_JMP | BPF_JA, (uint32_t)(n - i - 1));
	}
	memcpy(p + n, rules->filter, rules->len * sizeof(*p));
	free(f->progs[0].filter);
	free(f->progs[1].filter);
	f->progs[0] = (struct sock_fprog){ .len = (unsigned short)total, .filter = p };
	f->progs[1] = (struct sock_fprog){ 0 };
	f->n_progs = 1;
	return 0;
}
