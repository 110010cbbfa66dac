/* seccomp_lib.c - libseccomp helpers every filter in sbx shares */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp_lib.h"
#include "util.h"

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

size_t seccomp_lib_arch_family(uint32_t *ret_archs, size_t max)
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

const char *seccomp_lib_arch_name(uint32_t arch)
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

uint32_t seccomp_lib_audit_arch(uint32_t arch)
{
	/* libseccomp's tokens are the AUDIT_ARCH_* values, but for x32. */
	return arch == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : arch;
}

int seccomp_lib_export(scmp_filter_ctx ctx, struct sock_fprog *ret, struct sbx_error *e)
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
		return sbx_error_set(e, E2BIG, "the seccomp filter has %lld instructions, more than the kernel's %d",
				     (long long)(st.st_size / (off_t)sizeof(struct sock_filter)), BPF_MAXINSNS);
	buf = xreallocarray(NULL, (size_t)st.st_size, 1);
	if (pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
		free(buf);
		return sbx_error_set(e, errno ? errno : EIO, "cannot read the seccomp filter back");
	}
	ret->filter = buf;
	ret->len = (unsigned short)(st.st_size / (off_t)sizeof(struct sock_filter));
	return 0;
}

int seccomp_lib_allow_list(scmp_filter_ctx ctx, const int *nrs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nrs[i], 0);
		if (r < 0)
			return r;
	}
	return 0;
}

int seccomp_lib_allow_ip_sockets(scmp_filter_ctx ctx)
{
	int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				 SCMP_A0(SCMP_CMP_EQ, AF_INET, 0));

	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				     SCMP_A0(SCMP_CMP_EQ, AF_INET6, 0));
	return r;
}

int seccomp_lib_allow_arg1_in(scmp_filter_ctx ctx, int nr, const scmp_datum_t *values, size_t n)
{
	int r = 0;

	/* Compared on all 64 bits: a value with its upper half set is none of
	 * these, though the kernel may read only the lower half. */
	for (size_t i = 0; r == 0 && i < n; i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A1(SCMP_CMP_EQ, values[i], 0));
	return r;
}

int seccomp_lib_allow_helper_basics(scmp_filter_ctx ctx)
{
	/* Opening is for reading only: O_RDONLY | O_TRUNC would still empty
	 * a file the user may write (the worker may see the caller's files). */
	int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
				 SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY));

	/* No executable memory: neither made so later nor mapped so at once
	 * (an unconditional mmap would undo the mprotect rule); mremap() keeps
	 * a mapping's protection. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	return r;
}

int seccomp_lib_load_allow_list(int (*add_rules)(scmp_filter_ctx ctx), const char *who,
				struct sbx_error *e)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int r;

	if (!ctx)
		return sbx_error_set(e, ENOMEM, "%s: seccomp_init", who);
	r = add_rules(ctx);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0)
		return sbx_error_set(e, r, "%s: seccomp", who);
	return 0;
}

/* One conditional jump: the offset of the branch taken. */
static unsigned jump(const struct sock_filter *f, bool taken)
{
	return taken ? f->jt : f->jf;
}

uint32_t seccomp_lib_run(const struct sock_fprog *prog, const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };

	/* Every jump goes forward, so the loop ends within len steps. */
	for (size_t pc = 0; pc < prog->len; pc++) {
		const struct sock_filter *f = &prog->filter[pc];
		uint32_t k = f->k;

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (k > sizeof(*d) - 4 || k % 4)
				return SECCOMP_RET_KILL_PROCESS;
			memcpy(&a, (const char *)d + k, 4);
			break;
		case BPF_LD | BPF_IMM: a = k; break;
		case BPF_LDX | BPF_IMM: x = k; break;
		case BPF_LD | BPF_MEM: a = mem[k % BPF_MEMWORDS]; break;
		case BPF_LDX | BPF_MEM: x = mem[k % BPF_MEMWORDS]; break;
		case BPF_ST: mem[k % BPF_MEMWORDS] = a; break;
		case BPF_STX: mem[k % BPF_MEMWORDS] = x; break;
		case BPF_ALU | BPF_AND | BPF_K: a &= k; break;
		case BPF_ALU | BPF_OR | BPF_K: a |= k; break;
		case BPF_MISC | BPF_TAX: x = a; break;
		case BPF_MISC | BPF_TXA: a = x; break;
		case BPF_JMP | BPF_JA: pc += k; break;
		case BPF_JMP | BPF_JEQ | BPF_K: pc += jump(f, a == k); break;
		case BPF_JMP | BPF_JGT | BPF_K: pc += jump(f, a > k); break;
		case BPF_JMP | BPF_JGE | BPF_K: pc += jump(f, a >= k); break;
		case BPF_JMP | BPF_JSET | BPF_K: pc += jump(f, (a & k) != 0); break;
		case BPF_JMP | BPF_JEQ | BPF_X: pc += jump(f, a == x); break;
		case BPF_JMP | BPF_JGT | BPF_X: pc += jump(f, a > x); break;
		case BPF_JMP | BPF_JGE | BPF_X: pc += jump(f, a >= x); break;
		case BPF_RET | BPF_K: return k;
		case BPF_RET | BPF_A: return a;
		default: return SECCOMP_RET_KILL_PROCESS;
		}
	}
	return SECCOMP_RET_KILL_PROCESS;
}
