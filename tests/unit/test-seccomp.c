/* test-seccomp - run sbx's compiled filters through a classic-BPF interpreter
 *
 * The integration tests make real calls, but only on the ABIs this machine
 * runs and only where the kernel's own answer differs from the filter's. Here
 * every rule is checked on every ABI of the family (x32 too), as the kernel
 * would evaluate it: all programs run, the strictest action wins. */
#include "autoconf.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "config.h"
#include "seccomp_default.h"
#include "seccomp_lib.h"
#include "syscall_filter.h"
#include "seccomp_profile.h"
#include "seccomp_profile_int.h"
#include "tap.h"
#include "util.h"

static uint32_t run_prog(const struct sock_fprog *prog, const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };

	for (unsigned pc = 0; pc < prog->len; pc++) {
		const struct sock_filter *f = &prog->filter[pc];
		uint32_t k = f->k;

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (k + 4 > sizeof(*d))
				return 0xdeadbeef;
			memcpy(&a, (const char *)d + k, 4);
			break;
		case BPF_LD | BPF_MEM: a = mem[k % BPF_MEMWORDS]; break;
		case BPF_LDX | BPF_MEM: x = mem[k % BPF_MEMWORDS]; break;
		case BPF_ST: mem[k % BPF_MEMWORDS] = a; break;
		case BPF_STX: mem[k % BPF_MEMWORDS] = x; break;
		case BPF_LD | BPF_IMM: a = k; break;
		case BPF_ALU | BPF_AND | BPF_K: a &= k; break;
		case BPF_MISC | BPF_TAX: x = a; break;
		case BPF_MISC | BPF_TXA: a = x; break;
		case BPF_JMP | BPF_JA: pc += k; break;
		case BPF_JMP | BPF_JEQ | BPF_K: pc += a == k ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JGT | BPF_K: pc += a > k ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JGE | BPF_K: pc += a >= k ? f->jt : f->jf; break;
		case BPF_JMP | BPF_JSET | BPF_K: pc += (a & k) ? f->jt : f->jf; break;
		case BPF_RET | BPF_K: return k;
		case BPF_RET | BPF_A: return a;
		default:
			printf("# unknown BPF opcode 0x%x\n", f->code);
			return 0xdeadbeef;
		}
	}
	return 0xdeadbeef;
}

/* As the kernel does: every program runs, the lowest action (as s32) wins. */
static uint32_t evaluate(const struct syscall_filter *f, uint32_t arch, int nr, uint64_t a0,
			 uint64_t a1)
{
	struct seccomp_data d = { .nr = nr, .arch = arch, .args = { a0, a1 } };
	uint32_t best = SECCOMP_RET_ALLOW;

	for (size_t i = 0; i < f->n_progs; i++) {
		uint32_t r = run_prog(&f->progs[i], &d);
		if ((int32_t)(r & SECCOMP_RET_ACTION_FULL) < (int32_t)(best & SECCOMP_RET_ACTION_FULL))
			best = r;
	}
	return best;
}

struct abi {
	uint32_t token;	     /* libseccomp's, for syscall numbers */
	uint32_t audit_arch; /* what the kernel puts in seccomp_data */
	const char *name;
	uint32_t base; /* where its numbers start (x32: __X32_SYSCALL_BIT) */
};

static const struct abi abis[] = {
	{ SCMP_ARCH_X86_64, AUDIT_ARCH_X86_64, "x86_64", 0 },
	{ SCMP_ARCH_X86, AUDIT_ARCH_I386, "x86", 0 },
	{ SCMP_ARCH_X32, AUDIT_ARCH_X86_64, "x32", 0x40000000 },
};

static uint32_t call(const struct syscall_filter *f, const struct abi *abi, const char *name,
		     uint64_t a0, uint64_t a1)
{
	int nr = seccomp_syscall_resolve_name_arch(abi->token, name);

	if (nr < 0)
		return SECCOMP_RET_ALLOW; /* no such call on this ABI */
	return evaluate(f, abi->audit_arch, nr, a0, a1);
}

#define EPERM_RET (SECCOMP_RET_ERRNO | EPERM)
#define ENOSYS_RET (SECCOMP_RET_ERRNO | ENOSYS)

static void build(struct sbx_config *c, struct syscall_filter *f)
{
	struct sbx_error e = { 0 };
	int r = syscall_filter_build(c, f, &e);

	ok(r == 0, "filter builds (%s)", e.msg);
}

static void test_default(void)
{
	static const char *const refused[] = {
		"keyctl", "add_key", "request_key", "bpf", "userfaultfd", "perf_event_open",
		"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
		"open_by_handle_at", "name_to_handle_at", "acct", "swapon", "swapoff", "reboot",
		"settimeofday", "clock_settime", "clock_settime64", "adjtimex", "clock_adjtime",
		"syslog", "quotactl", "quotactl_fd", "lookup_dcookie", "mount", "umount", "umount2",
		"pivot_root", "chroot", "fsopen", "fsconfig", "fsmount", "fspick", "open_tree",
		"move_mount", "mount_setattr", "io_uring_setup", "io_uring_enter", "io_uring_register",
	};
	struct sbx_config c = { 0 };
	struct syscall_filter f;

	build(&c, &f);
	for (size_t a = 0; a < sizeof(abis) / sizeof(abis[0]); a++) {
		const struct abi *abi = &abis[a];
		int bad = 0;

		for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
			uint32_t r = call(&f, abi, refused[i], 0, 0);
			int exists = seccomp_syscall_resolve_name_arch(abi->token, refused[i]) >= 0;
			if (exists && r != EPERM_RET) {
				printf("# %s: %s -> 0x%x\n", abi->name, refused[i], r);
				bad++;
			}
		}
		ok(bad == 0, "%s: every listed call answers EPERM", abi->name);
		ok(call(&f, abi, "getppid", 0, 0) == SECCOMP_RET_ALLOW, "%s: getppid allowed", abi->name);
		ok(call(&f, abi, "ioctl", 0, TIOCSTI) == EPERM_RET, "%s: TIOCSTI refused", abi->name);
		ok(call(&f, abi, "ioctl", 0, TIOCLINUX) == EPERM_RET, "%s: TIOCLINUX refused", abi->name);
		ok(call(&f, abi, "ioctl", 0, TIOCSTI | 0xffffffff00000000ULL) == EPERM_RET,
		   "%s: TIOCSTI with garbage in the upper half refused", abi->name);
		ok(call(&f, abi, "ioctl", 0, TCGETS) == SECCOMP_RET_ALLOW, "%s: TCGETS allowed", abi->name);
		ok(call(&f, abi, "personality", 0x40000, 0) == EPERM_RET &&
			   call(&f, abi, "personality", 0x0400000, 0) == EPERM_RET,
		   "%s: personality(ADDR_NO_RANDOMIZE / READ_IMPLIES_EXEC) refused", abi->name);
		ok(call(&f, abi, "personality", 0, 0) == SECCOMP_RET_ALLOW &&
			   call(&f, abi, "personality", 8, 0) == SECCOMP_RET_ALLOW &&
			   call(&f, abi, "personality", 0x20008, 0) == SECCOMP_RET_ALLOW &&
			   call(&f, abi, "personality", 0xffffffff, 0) == SECCOMP_RET_ALLOW,
		   "%s: harmless personality values allowed", abi->name);
		ok(call(&f, abi, "unshare", CLONE_NEWUSER | CLONE_NEWNS, 0) == EPERM_RET &&
			   call(&f, abi, "unshare", CLONE_NEWNS, 0) == SECCOMP_RET_ALLOW,
		   "%s: unshare(CLONE_NEWUSER) refused, others allowed", abi->name);
		ok(call(&f, abi, "clone", CLONE_NEWUSER | SIGCHLD, 0) == EPERM_RET &&
			   call(&f, abi, "clone", CLONE_VM | CLONE_THREAD, 0) == SECCOMP_RET_ALLOW,
		   "%s: clone(CLONE_NEWUSER) refused, threads allowed", abi->name);
		ok(call(&f, abi, "clone3", 0, 0) == (SECCOMP_RET_ERRNO | ENOSYS), "%s: clone3 ENOSYS",
		   abi->name);
	}
	ok(evaluate(&f, AUDIT_ARCH_AARCH64, 1, 0, 0) == SECCOMP_RET_KILL_PROCESS,
	   "an ABI outside the family is killed");
	syscall_filter_release(&f);
}

/* Numbers past what libseccomp knew at build time answer ENOSYS: a call the
 * kernel added since (open_tree_attr, 6.15, is 467 on every ABI here) was
 * never judged by the deny-list. */
static void test_numbers(void)
{
	/* The mount API's numbers since Linux 5.1 numbered new calls alike. */
	static const struct {
		const char *name;
		uint32_t nr;
	} mount_api[] = {
		{ "open_tree", 428 }, { "move_mount", 429 }, { "fsopen", 430 }, { "fsconfig", 431 },
		{ "fsmount", 432 },   { "fspick", 433 },	 { "mount_setattr", 442 },
		{ "open_tree_attr", 467 },
	};
	struct sbx_config c = { 0 }, admin = { .cap_add = UINT64_C(1) << 21 };
	struct syscall_filter f, fa;

	build(&c, &f);
	build(&admin, &fa);
	for (size_t a = 0; a < sizeof(abis) / sizeof(abis[0]); a++) {
		const struct abi *abi = &abis[a];
		long max = seccomp_default_known_max(abi->token);
		int bad = 0, gap = -1;

		ok(max > 0, "%s: libseccomp knows numbers up to %ld", abi->name, max);
		ok(evaluate(&f, abi->audit_arch, (int)(max + 1), 0, 0) == ENOSYS_RET &&
			   evaluate(&f, abi->audit_arch, (int)(max + 1000), 0, 0) == ENOSYS_RET &&
			   evaluate(&fa, abi->audit_arch, (int)(max + 1), 0, 0) == ENOSYS_RET,
		   "%s: numbers past the table's end answer ENOSYS, --cap-add SYS_ADMIN too", abi->name);
		ok(evaluate(&f, abi->audit_arch, (int)(abi->base + 0x3fffffffu), 0, 0) == ENOSYS_RET &&
			   evaluate(&f, abi->audit_arch, -1, 0, 0) == ENOSYS_RET,
		   "%s: the largest numbers answer ENOSYS", abi->name);
		ok(evaluate(&f, abi->audit_arch, (int)max, 0, 0) != ENOSYS_RET,
		   "%s: the last known number does not", abi->name);
		/* A hole of unknown numbers inside the table (x86-64's 335-423,
		 * where uretprobe landed in 6.11) answers ENOSYS too. */
		for (uint32_t nr = abi->base + 300; nr < abi->base + 424 && gap < 0; nr++) {
			char *name = seccomp_syscall_resolve_num_arch(abi->token, (int)nr);
			bool hole = !name;

			free(name);
			for (uint32_t k = nr; hole && k < nr + 20; k++) {
				name = seccomp_syscall_resolve_num_arch(abi->token, (int)k);
				hole = !name;
				free(name);
			}
			if (hole)
				gap = (int)nr;
		}
		if (gap >= 0)
			ok(evaluate(&f, abi->audit_arch, gap, 0, 0) == ENOSYS_RET,
			   "%s: a hole in the table (%#x) answers ENOSYS", abi->name, (unsigned)gap);
		else
			ok(1, "%s: no hole in the table # SKIP", abi->name);
		for (size_t i = 0; i < sizeof(mount_api) / sizeof(mount_api[0]); i++) {
			uint32_t r = evaluate(&f, abi->audit_arch, (int)(abi->base + mount_api[i].nr), 0, 0);
			if (r != EPERM_RET && r != ENOSYS_RET) {
				printf("# %s: %s (%u) -> 0x%x\n", abi->name, mount_api[i].name, mount_api[i].nr, r);
				bad++;
			}
		}
		ok(bad == 0, "%s: every mount-API call, open_tree_attr too, refused by name or number",
		   abi->name);
		ok(evaluate(&fa, abi->audit_arch, (int)(abi->base + 428), 0, 0) == SECCOMP_RET_ALLOW,
		   "%s: --cap-add SYS_ADMIN allows open_tree", abi->name);
	}
	syscall_filter_release(&f);
	syscall_filter_release(&fa);
}

static void test_hatches(void)
{
	struct sbx_config c = { .allow_userns = true, .allow_io_uring = true,
				.cap_add = UINT64_C(1) << 21 };
	struct syscall_filter f;
	const struct abi *abi = &abis[1];

	build(&c, &f);
	ok(call(&f, abi, "unshare", CLONE_NEWUSER, 0) == SECCOMP_RET_ALLOW &&
		   call(&f, abi, "clone3", 0, 0) == SECCOMP_RET_ALLOW,
	   "--allow-userns: user namespaces allowed");
	ok(call(&f, abi, "io_uring_setup", 0, 0) == SECCOMP_RET_ALLOW, "--allow-io-uring");
	ok(call(&f, abi, "mount", 0, 0) == SECCOMP_RET_ALLOW &&
		   call(&f, abi, "chroot", 0, 0) == EPERM_RET,
	   "--cap-add SYS_ADMIN allows the mount family, not chroot");
	ok(call(&f, abi, "keyctl", 0, 0) == EPERM_RET && call(&f, abi, "ioctl", 0, TIOCSTI) == EPERM_RET,
	   "the rest stays");
	syscall_filter_release(&f);

	c = (struct sbx_config){ .seccomp = SBX_SECCOMP_UNCONFINED };
	build(&c, &f);
	ok(f.n_progs == 0, "unconfined: no program");
	syscall_filter_release(&f);
}

/* The table seccomp-gen wrote at build time must be what libseccomp makes now. */
static void test_precompiled(void)
{
	for (unsigned v = 0; v < SECCOMP_DEFAULT_VARIANTS; v++) {
		struct sbx_config c = {
			.cap_add = ((v & SECCOMP_VARIANT_SYS_ADMIN) ? UINT64_C(1) << 21 : 0) |
				   ((v & SECCOMP_VARIANT_SYS_CHROOT) ? UINT64_C(1) << 18 : 0),
			.allow_io_uring = (v & SECCOMP_VARIANT_IO_URING) != 0,
			.allow_userns = (v & SECCOMP_VARIANT_USERNS) != 0,
		};
		struct syscall_filter table, fresh;
		struct sbx_error e = { 0 };
		int same;

		ok(seccomp_default_variant(&c) == v, "variant %u from the options", v);
		ok(syscall_filter_build(&c, &table, &e) == 0 &&
			   seccomp_default_compile(v, &fresh, &e) == 0 &&
			   seccomp_default_merge(&fresh) == 0,
		   "variant %u builds both ways", v);
		same = table.n_progs == fresh.n_progs;
		for (size_t i = 0; same && i < table.n_progs; i++)
			same = table.progs[i].len == fresh.progs[i].len &&
			       memcmp(table.progs[i].filter, fresh.progs[i].filter,
				      table.progs[i].len * sizeof(struct sock_filter)) == 0;
		ok(same, "variant %u: the build-time table equals a fresh compilation", v);
		syscall_filter_release(&table);
		syscall_filter_release(&fresh);
	}
}

/* As the kernel does for several programs: the newest runs first, and a
 * later one's answer replaces it only if its action is stricter. */
static uint32_t evaluate_kernel(const struct syscall_filter *f, const struct seccomp_data *d)
{
	uint32_t best = SECCOMP_RET_ALLOW;

	for (size_t i = f->n_progs; i-- > 0;) {
		uint32_t r = run_prog(&f->progs[i], d);
		if ((int32_t)(r & SECCOMP_RET_ACTION_FULL) < (int32_t)(best & SECCOMP_RET_ACTION_FULL))
			best = r;
	}
	return best;
}

/* The default filter loaded as one program answers every call, on every
 * ABI (and a foreign one), as its two programs did. */
static void test_merged(void)
{
	static const uint32_t audits[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64 };
	static const uint32_t bases[] = { 0, 0x40000000 };
	/* Besides plain values, those the argument rules look at (ioctl's
	 * request, clone's and unshare's flags), alone, with other bits and
	 * with the upper half set: without them a merge that lost an
	 * argument rule would answer as the two programs did. */
	static const uint64_t args[] = { 0, 1, 8, 0x20000, 0x400000, 0x0800000, 0xffffffff,
					 UINT64_C(0x100000000), TIOCSTI, TIOCLINUX,
					 UINT64_C(0x100000000) | TIOCSTI, CLONE_NEWUSER,
					 CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD,
					 UINT64_C(0xffffffff00000000) | CLONE_NEWUSER };

	for (unsigned v = 0; v < SECCOMP_DEFAULT_VARIANTS; v++) {
		struct syscall_filter two, one;
		struct sbx_error e = { 0 };
		size_t n = 0, differ = 0, by_arg = 0;

		if (seccomp_default_compile(v, &two, &e) < 0 ||
		    seccomp_default_compile(v, &one, &e) < 0 || seccomp_default_merge(&one) < 0) {
			ok(0, "variant %u: compiles and merges (%s)", v, e.msg);
			continue;
		}
		for (size_t a = 0; a < ARRAY_SIZE(audits); a++)
			for (size_t b = 0; b < ARRAY_SIZE(bases); b++)
				for (uint32_t nr = 0; nr < 1100; nr++)
					for (size_t k = 0; k < ARRAY_SIZE(args); k++) {
						struct seccomp_data d = {
							.nr = (int)(bases[b] + nr), .arch = audits[a],
							.args = { args[k], args[ARRAY_SIZE(args) - 1 - k],
								  args[k], args[k], args[k], args[k] },
						}, zero = d;
						uint32_t want = evaluate_kernel(&two, &d);

						n++;
						differ += want != run_prog(&one.progs[0], &d);
						/* an answer an argument rule gave */
						memset(zero.args, 0, sizeof(zero.args));
						by_arg += k == 0 && want != evaluate_kernel(&two, &zero);
						d.args[0] = args[ARRAY_SIZE(args) - 1 - k];
						d.args[1] = args[k];
						want = evaluate_kernel(&two, &d);
						differ += want != run_prog(&one.progs[0], &d);
						memset(zero.args, 0, sizeof(zero.args));
						by_arg += want != evaluate_kernel(&two, &zero);
					}
		ok(one.n_progs == 1 && differ == 0 && by_arg > 0,
		   "variant %u: one program answers as the two did (%zu calls, %zu by an argument rule, %zu differ)",
		   v, 2 * n, by_arg, differ);
		syscall_filter_release(&two);
		syscall_filter_release(&one);
	}
}

static void test_profile(void)
{
	static const char good[] =
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,\n"
		" \"syscalls\": [{\"names\": [\"getppid\", \"nosuchcall\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
		"  {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 1, "
		"\"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}\n";
	static const char bad[] = "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [ }\n";
	struct syscall_filter f = { 0 };
	struct sbx_error e = { 0 };
	int r = seccomp_profile_build(good, strlen(good), 0, "p.json", &f, &e);

	ok(r == 0, "a small profile compiles (%s)", e.msg);
	ok(f.n_warnings == 1 && strstr(f.warnings[0], "'nosuchcall'"), "unknown name: one warning");
	for (size_t a = 0; a < sizeof(abis) / sizeof(abis[0]); a++) {
		ok(call(&f, &abis[a], "getppid", 0, 0) == SECCOMP_RET_ALLOW &&
			   call(&f, &abis[a], "getpid", 0, 0) == (SECCOMP_RET_ERRNO | 38) &&
			   call(&f, &abis[a], "kill", 1, 0) == SECCOMP_RET_ALLOW &&
			   call(&f, &abis[a], "kill", 1, 9) == (SECCOMP_RET_ERRNO | 38) &&
			   call(&f, &abis[a], "ioctl", 0, TIOCSTI) == EPERM_RET,
		   "%s: profile rules, default errno and the terminal guard", abis[a].name);
	}
	syscall_filter_release(&f);

	r = seccomp_profile_build(bad, strlen(bad), 0, "b.json", &f, &e);
	ok(r < 0 && strstr(e.msg, "b.json: line 3, column 17:"), "malformed: %s", e.msg);
	syscall_filter_release(&f);
}

/* A rule listed twice (a name repeated, an entry repeated, alternatives on
 * one argument repeated) is added once: the same program as listed once. */
static void test_profile_repeats(void)
{
	static const char once[] =
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		"{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
		"{\"index\": 1, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"}]},"
		"{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\"}]}";
	static const char twice[] =
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		"{\"names\": [\"kill\", \"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
		"{\"index\": 1, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"},"
		"{\"index\": 1, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]},"
		"{\"names\": [\"getppid\", \"getppid\"], \"action\": \"SCMP_ACT_ERRNO\"},"
		"{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
		"{\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"}]}]}";
	struct syscall_filter f1 = { 0 }, f2 = { 0 };
	struct sbx_error e = { 0 };
	bool same;

	ok(seccomp_profile_build(once, strlen(once), 0, "once", &f1, &e) == 0 &&
		   seccomp_profile_build(twice, strlen(twice), 0, "twice", &f2, &e) == 0,
	   "both profiles compile (%s)", e.msg);
	same = f1.n_progs == f2.n_progs && f2.n_warnings == 0;
	for (size_t i = 0; same && i < f1.n_progs; i++)
		same = f1.progs[i].len == f2.progs[i].len &&
		       memcmp(f1.progs[i].filter, f2.progs[i].filter,
			      f1.progs[i].len * sizeof(*f1.progs[i].filter)) == 0;
	ok(same, "rules listed twice give the program of rules listed once, and no warning");
	ok(call(&f2, &abis[0], "kill", 1, 9) == EPERM_RET && call(&f2, &abis[0], "kill", 1, 15) == SECCOMP_RET_ALLOW,
	   "... which applies them");
	syscall_filter_release(&f1);
	syscall_filter_release(&f2);
}

/* Append to @buf a profile of @n rules on @names, each comparing @nargs
 * arguments with @op; @shape 0: distinct values, 1: siblings (the same first
 * comparison, distinct last ones), 2: shared tails (distinct first
 * comparisons, the same last ones), 3: values with upper halves, masks. */
static void gen_profile(char *buf, size_t size, const char *names, const char *op,
			const char *archs, unsigned n, unsigned nargs, unsigned shape)
{
	size_t len = (size_t)snprintf(buf, size, "{\"defaultAction\": \"SCMP_ACT_ALLOW\", %s%s%s\"syscalls\": [",
				      *archs ? "\"architectures\": [" : "", archs, *archs ? "], " : "");

	for (unsigned i = 0; i < n && len < size; i++) {
		len += (size_t)snprintf(buf + len, size - len, "%s{\"names\": [%s], \"action\": \"%s\", \"args\": [",
					i ? ", " : "", names, i % 3 ? "SCMP_ACT_ERRNO" : "SCMP_ACT_TRAP");
		for (unsigned k = 0; k < nargs && len < size; k++) {
			unsigned long long v = i * 7 + k + 100, w = i + 1;

			if (shape == 1 && k + 1 < nargs)
				v = k + 1;
			if (shape == 2 && k > 0)
				v = k + 5;
			if (shape == 3)
				v |= (unsigned long long)(i % 3) << 32, w = 0xff000000ffULL;
			len += (size_t)snprintf(buf + len, size - len,
						"%s{\"index\": %u, \"value\": %llu, \"valueTwo\": %llu, \"op\": \"SCMP_CMP_%s\"}",
						k ? ", " : "", k, v, w, op);
		}
		len += (size_t)snprintf(buf + len, size - len, "]}");
	}
	if (len < size)
		snprintf(buf + len, size - len, "]}");
}

/* The size estimate refuses a profile before libseccomp builds it: it must
 * stay a lower bound, or a profile the kernel would take is refused. */
static void test_profile_estimate(void)
{
	static const char *const ops[] = { "EQ", "NE", "GT", "LE", "MASKED_EQ" };
	static const char *const archs[] = { "", "\"SCMP_ARCH_X86_64\"", "\"SCMP_ARCH_X86\"",
					     "\"SCMP_ARCH_X32\"" };
	static const char *const names[] = { "\"read\"", "\"read\", \"write\", \"pread64\"" };
	static char buf[1 << 16];
	unsigned checked = 0, bad = 0;
	size_t est_sum = 0, real_sum = 0;

	for (unsigned shape = 0; shape < 4; shape++)
		for (size_t o = 0; o < ARRAY_SIZE(ops); o++)
			for (size_t a = 0; a < ARRAY_SIZE(archs); a++) {
				struct syscall_filter f = { 0 };
				struct sbx_error e = { 0 };
				/* Small enough for libseccomp to build at once: chained
				 * range comparisons (GT, LE) on 64-bit arguments grow
				 * its tree exponentially with their number. */
				unsigned n = 2 + 3 * (unsigned)((shape + o + a) % 2), nargs = 1 + (unsigned)(o + a) % 3;
				size_t est = 0, real = 0;

				gen_profile(buf, sizeof(buf), names[(o + shape) % 2], ops[o], archs[a], n, nargs, shape);
				if (profile_estimate(buf, strlen(buf), &est, &e) < 0 ||
				    seccomp_profile_build(buf, strlen(buf), 0, "gen", &f, &e) < 0) {
					printf("# shape %u %s [%s]: %s\n", shape, ops[o], archs[a], e.msg);
					bad++;
					continue;
				}
				real = f.progs[f.n_progs - 1].len;
				if (est > real) {
					printf("# shape %u %s [%s] %u x %u: estimate %zu > %zu instructions\n",
					     shape, ops[o], archs[a], n, nargs, est, real);
					bad++;
				}
				checked++;
				est_sum += est;
				real_sum += real;
				syscall_filter_release(&f);
			}
	ok(bad == 0 && checked > 0, "the size estimate is at most the real size on %u generated profiles "
	   "(%zu instructions estimated, %zu real)", checked, est_sum, real_sum);
}

int main(void)
{
	test_default();
	test_numbers();
	test_hatches();
	test_precompiled();
	test_merged();
	test_profile();
	test_profile_repeats();
	test_profile_estimate();
	return tap_done();
}
