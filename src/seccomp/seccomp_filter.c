/* seccomp_filter.c - the default system-call filter, profile dispatch and loading */
#include "autoconf.h"

#include <endian.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp_default_bpf.h"
#include "seccomp_filter.h"
#include "seccomp_profile.h"
#include "util.h"

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

/* The kernel's interfaces for administering the machine, loading code into it
 * or handing it attack surface that no ordinary program needs. Docker refuses
 * the same ones; a name libseccomp does not know is skipped. */
static const char *const denied[] = {
	/* kernel keyrings: not namespaced */
	"keyctl", "add_key", "request_key",
	/* code and probes in the kernel */
	"bpf", "perf_event_open", "kexec_load", "kexec_file_load", "init_module",
	"finit_module", "delete_module", "lookup_dcookie",
	/* page-fault handling from user space: a favourite of kernel exploits */
	"userfaultfd",
	/* file handles bypass the mount view (the "shocker" escape) */
	"open_by_handle_at", "name_to_handle_at",
	/* machine administration */
	"acct", "swapon", "swapoff", "reboot", "syslog", "quotactl", "quotactl_fd",
	"settimeofday", "stime", "clock_settime", "clock_settime64", "adjtimex",
	"clock_adjtime", "clock_adjtime64",
	/* legacy i386 and hardware interfaces */
	"uselib", "vm86", "vm86old", "ioperm", "iopl", "_sysctl", "nfsservctl",
};

/* Changing the mount view after setup: only with --cap-add SYS_ADMIN, where
 * the user explicitly wants the command to mount (like Docker). */
static const char *const mount_family[] = {
	"mount",   "umount",  "umount2",   "pivot_root", "fsopen",	"fsconfig",
	"fsmount", "fspick",  "open_tree", "move_mount", "mount_setattr",
};

static const char *const io_uring[] = { "io_uring_setup", "io_uring_enter",
					"io_uring_register" };

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

static const struct {
	uint32_t native;
	uint32_t compat[2];
} arch_families[] = {
	{ SCMP_ARCH_X86_64, { SCMP_ARCH_X86, SCMP_ARCH_X32 } },
	{ SCMP_ARCH_AARCH64, { SCMP_ARCH_ARM, 0 } },
	{ SCMP_ARCH_PPC64, { SCMP_ARCH_PPC, 0 } },
	{ SCMP_ARCH_S390X, { SCMP_ARCH_S390, 0 } },
	{ SCMP_ARCH_MIPS64, { SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64N32 } },
	{ SCMP_ARCH_MIPSEL64, { SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64N32 } },
	{ SCMP_ARCH_PARISC64, { SCMP_ARCH_PARISC, 0 } },
};

size_t seccomp_arch_family(uint32_t *ret_archs, size_t max)
{
	uint32_t native = seccomp_arch_native();
	size_t n = 0;

	if (max == 0)
		return 0;
	ret_archs[n++] = native;
	for (size_t i = 0; i < ARRAY_SIZE(arch_families); i++) {
		if (arch_families[i].native != native)
			continue;
		for (size_t k = 0; k < 2 && n < max; k++)
			if (arch_families[i].compat[k])
				ret_archs[n++] = arch_families[i].compat[k];
	}
	return n;
}

const char *seccomp_arch_name(uint32_t arch)
{
	static const struct {
		uint32_t token;
		const char *name;
	} names[] = {
		{ SCMP_ARCH_X86_64, "x86_64" },	 { SCMP_ARCH_X86, "x86" },
		{ SCMP_ARCH_X32, "x32" },	 { SCMP_ARCH_AARCH64, "aarch64" },
		{ SCMP_ARCH_ARM, "arm" },	 { SCMP_ARCH_PPC64, "ppc64" },
		{ SCMP_ARCH_PPC64LE, "ppc64le" }, { SCMP_ARCH_PPC, "ppc" },
		{ SCMP_ARCH_S390X, "s390x" },	 { SCMP_ARCH_S390, "s390" },
		{ SCMP_ARCH_MIPS, "mips" },	 { SCMP_ARCH_MIPS64, "mips64" },
		{ SCMP_ARCH_MIPS64N32, "mips64n32" }, { SCMP_ARCH_MIPSEL, "mipsel" },
		{ SCMP_ARCH_MIPSEL64, "mipsel64" }, { SCMP_ARCH_MIPSEL64N32, "mipsel64n32" },
		{ SCMP_ARCH_PARISC, "parisc" },	 { SCMP_ARCH_PARISC64, "parisc64" },
		{ SCMP_ARCH_RISCV64, "riscv64" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].token == arch)
			return names[i].name;
	return "?";
}

void syscall_filter_add_warning(struct syscall_filter *f, const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		abort();
	va_end(ap);
	f->warnings = xreallocarray(f->warnings, f->n_warnings + 1, sizeof(char *));
	f->warnings[f->n_warnings++] = line;
}

int seccomp_ctx_export(scmp_filter_ctx ctx, struct sock_fprog *ret, struct sbx_error *e)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	void *buf;
	int r;

	/* libseccomp 2.5 can only write the program to an fd; a memfd keeps it
	 * off the disk. */
	fd = memfd_create("sbx-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return sbx_error_set(e, errno, "memfd_create");
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return sbx_error_set(e, r, "cannot compile the seccomp filter");
	if (fstat(fd, &st) < 0)
		return sbx_error_set(e, errno, "fstat");
	if (st.st_size <= 0 || st.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
	    st.st_size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS)
		return sbx_error_set(e, E2BIG, "the seccomp filter has %lld bytes, more than the kernel's %d instructions",
				     (long long)st.st_size, BPF_MAXINSNS);
	buf = xreallocarray(NULL, (size_t)st.st_size, 1);
	if (pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
		free(buf);
		return sbx_error_set(e, errno ? errno : EIO, "cannot read the seccomp filter back");
	}
	ret->filter = buf;
	ret->len = (unsigned short)(st.st_size / (off_t)sizeof(struct sock_filter));
	return 0;
}

int seccomp_allow_list(scmp_filter_ctx ctx, const int *nrs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nrs[i], 0);
		if (r < 0)
			return r;
	}
	return 0;
}

int seccomp_allow_ip_sockets(scmp_filter_ctx ctx)
{
	int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				 SCMP_A0(SCMP_CMP_EQ, AF_INET, 0));

	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				     SCMP_A0(SCMP_CMP_EQ, AF_INET6, 0));
	return r;
}

static int deny_list(scmp_filter_ctx ctx, const char *const *names, size_t n, int err,
		     struct sbx_error *e)
{
	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);
		int r;

		if (nr == __NR_SCMP_ERROR)
			continue;
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), nr, 0);
		if (r < 0)
			return sbx_error_set(e, r, "seccomp rule for %s", names[i]);
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
		r = deny_list(ctx, (const char *const[]){ "chroot" }, 1, EPERM, e);
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

static int archs_add(scmp_filter_ctx ctx, const uint32_t *archs, size_t n, struct sbx_error *e)
{
	for (size_t i = 1; i < n; i++) {
		int r = seccomp_arch_add(ctx, archs[i]);
		if (r < 0 && r != -EEXIST)
			return sbx_error_set(e, r, "seccomp: cannot add architecture %s",
					     seccomp_arch_name(archs[i]));
	}
	return 0;
}

static void cleanup_ctx(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

static void describe_archs(struct syscall_filter *f, const uint32_t *archs, size_t n)
{
	size_t len = 0;

	f->archs[0] = '\0';
	for (size_t i = 0; i < n && len < sizeof(f->archs); i++)
		len += (size_t)snprintf(f->archs + len, sizeof(f->archs) - len, "%s%s",
					i ? "," : "", seccomp_arch_name(archs[i]));
}

/* An allow-by-default filter over the whole architecture family. */
static int new_family_ctx(scmp_filter_ctx *ret_ctx, struct syscall_filter *f, struct sbx_error *e)
{
	__attribute__((cleanup(cleanup_ctx))) scmp_filter_ctx ctx = NULL;
	uint32_t archs[4];
	size_t n_archs = seccomp_arch_family(archs, ARRAY_SIZE(archs));
	int r;

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return sbx_error_set(e, ENOMEM, "seccomp_init");
	r = archs_add(ctx, archs, n_archs, e);
	if (r < 0)
		return r;
	/* An ABI the filter does not know is refused outright, and the binary
	 * tree keeps the cost of a syscall logarithmic in the rule count. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r < 0)
		return sbx_error_set(e, r, "seccomp filter attributes");
	if (!f->archs[0])
		describe_archs(f, archs, n_archs);
	*ret_ctx = TAKE_PTR(ctx);
	return 0;
}

static int export_into(scmp_filter_ctx ctx, struct syscall_filter *f, struct sbx_error *e)
{
	int r;

	if (f->n_progs >= SYSCALL_FILTER_MAX_PROGS)
		return sbx_error_set(e, E2BIG, "too many seccomp programs");
	r = seccomp_ctx_export(ctx, &f->progs[f->n_progs], e);
	if (r < 0)
		return r;
	f->n_progs++;
	return 0;
}

int seccomp_tty_guard_build(struct syscall_filter *f, struct sbx_error *e)
{
	__attribute__((cleanup(cleanup_ctx))) scmp_filter_ctx ctx = NULL;
	int r = new_family_ctx(&ctx, f, e);

	if (r == 0)
		r = add_tty_rules(ctx, e);
	if (r == 0)
		r = export_into(ctx, f, e);
	return r;
}

/* Everything but personality(): one libseccomp filter. */
static int build_default(unsigned variant, struct syscall_filter *f, struct sbx_error *e)
{
	__attribute__((cleanup(cleanup_ctx))) scmp_filter_ctx ctx = NULL;
	int r = new_family_ctx(&ctx, f, e);

	if (r == 0)
		r = add_default_rules(variant, ctx, e);
	if (r == 0)
		r = export_into(ctx, f, e);
	return r;
}

#define STMT(code, k) ((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP(code, k, jt, jf))

/* libseccomp allows one comparison per argument in a rule and refuses ALLOW
 * rules in an allow-by-default filter, so "refuse unless the value is one of
 * five" cannot be said there. This small second filter says it; the kernel
 * applies the stricter answer of the two. Every other syscall is a constant
 * ALLOW here, which the kernel's per-syscall cache skips entirely. */
static int build_personality(struct syscall_filter *f, struct sbx_error *e)
{
	const size_t n_ok = ARRAY_SIZE(harmless_personalities);
	uint32_t archs[4];
	size_t n_archs = seccomp_arch_family(archs, ARRAY_SIZE(archs));
	struct sock_filter *p;
	size_t n = 0, check;
	/* personality() takes an unsigned int: test the low word only. */
	const uint32_t arg0_low = offsetof(struct seccomp_data, args[0]) +
				  (__BYTE_ORDER == __LITTLE_ENDIAN ? 0 : 4);

	if (f->n_progs >= SYSCALL_FILTER_MAX_PROGS)
		return sbx_error_set(e, E2BIG, "too many seccomp programs");
	p = xreallocarray(NULL, 4 * n_archs + n_ok + 4, sizeof(*p));
	/* Per ABI: [ld arch][jeq arch][ld nr][jeq personality -> check]. The
	 * check block follows the final ALLOW, so all jumps are forward. */
	check = 4 * n_archs + 1;
	for (size_t i = 0; i < n_archs; i++) {
		int nr = seccomp_syscall_resolve_name_arch(archs[i], "personality");
		uint32_t audit_arch = archs[i] == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : archs[i];

		if (nr < 0) /* pseudo number: no such call on this ABI */
			nr = -1;
		p[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
		p[n++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, audit_arch, 0, 2);
		p[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
		p[n] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, (uint8_t)(check - n - 1), 0);
		n++;
	}
	p[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	p[n++] = STMT(BPF_LD | BPF_W | BPF_ABS, arg0_low);
	for (size_t i = 0; i < n_ok; i++, n++)
		p[n] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, harmless_personalities[i],
			    (uint8_t)(n_ok - i), 0);
	p[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA));
	p[n++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);

	f->progs[f->n_progs].filter = p;
	f->progs[f->n_progs].len = (unsigned short)n;
	f->n_progs++;
	return 0;
}

int seccomp_default_compile(unsigned variant, struct syscall_filter *ret, struct sbx_error *e)
{
	int r;

	memset(ret, 0, sizeof(*ret));
	r = build_default(variant, ret, e);
	if (r < 0)
		return r;
	return build_personality(ret, e);
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
static int use_precompiled(unsigned variant, struct syscall_filter *f)
{
	uint32_t archs[4];

	if (variant >= SECCOMP_DEFAULT_VARIANTS || seccomp_default_bpf[variant].len == 0 ||
	    seccomp_default_bpf_arch != seccomp_arch_native())
		return -ENOENT;
	memset(f, 0, sizeof(*f));
	copy_program(&f->progs[0], &seccomp_default_bpf[variant]);
	copy_program(&f->progs[1], &seccomp_personality_bpf);
	f->n_progs = 2;
	describe_archs(f, archs, seccomp_arch_family(archs, ARRAY_SIZE(archs)));
	return 0;
}

int syscall_filter_build(const struct sbx_config *c, struct syscall_filter *ret,
			 struct sbx_error *e)
{
	unsigned variant = seccomp_default_variant(c);

	memset(ret, 0, sizeof(*ret));
	switch (c->seccomp) {
	case SBX_SECCOMP_UNCONFINED:
		return 0;
	case SBX_SECCOMP_PROFILE:
		return seccomp_profile_build_file(c, c->seccomp_profile, ret, e);
	case SBX_SECCOMP_DEFAULT:
		break;
	}
	if (use_precompiled(variant, ret) == 0)
		return 0;
	return seccomp_default_compile(variant, ret, e);
}

int syscall_filter_load(const struct syscall_filter *f, struct sbx_error *e)
{
	for (size_t i = 0; i < f->n_progs; i++)
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->load_flags, &f->progs[i]) < 0)
			return sbx_error_set(e, errno, "cannot install the seccomp filter");
	return 0;
}

void syscall_filter_release(struct syscall_filter *f)
{
	for (size_t i = 0; i < f->n_progs; i++)
		free(f->progs[i].filter);
	for (size_t i = 0; i < f->n_warnings; i++)
		free(f->warnings[i]);
	free(f->warnings);
	memset(f, 0, sizeof(*f));
}
