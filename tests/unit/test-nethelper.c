/* test-nethelper - the network helper's seccomp allow-list, loaded as the
 * helper loads it (nethelper_lockdown_rules()) in a forked child, then tried */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nethelper_lockdown.h"
#include "proc.h"
#include "tap.h"

/* Run @fn under the helper's filter in a child. Return: its wait status. */
static int under_filter_status(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));

		if (!ctx || nethelper_lockdown_rules(ctx) < 0 || seccomp_load(ctx) < 0)
			_exit(255);
		_exit(fn());
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return status;
}

/* Return: what @fn returned under the filter (an errno, 0 for success), or
 * -1 when the filter could not be loaded or the child was killed. */
static int under_filter(int (*fn)(void))
{
	int status = under_filter_status(fn);

	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) == 255)
		return -1;
	return WEXITSTATUS(status);
}

static int map_with(int prot)
{
	void *p = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? errno : 0;
}

static int map_rw(void)
{
	return map_with(PROT_READ | PROT_WRITE);
}

static int map_exec(void)
{
	return map_with(PROT_READ | PROT_EXEC);
}

static int map_rwx(void)
{
	return map_with(PROT_READ | PROT_WRITE | PROT_EXEC);
}

/* A file mapping is how a loader would bring in code. */
static int map_file_exec(void)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	void *p;

	if (fd < 0)
		return 253; /* the filter allows read-only opens */
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	return p == MAP_FAILED ? errno : 0;
}

static int protect_exec(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 254;
	return mprotect(p, 4096, PROT_READ | PROT_EXEC) < 0 ? errno : 0;
}

/* The other ways to executable memory or code: all outside the allow-list. */
static int pkey_protect_exec(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 254;
	return syscall(SYS_pkey_mprotect, p, 4096, PROT_READ | PROT_EXEC, -1) < 0 ? errno : 0;
}

static int remap_pages(void)
{
	void *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 254;
	return syscall(SYS_remap_file_pages, p, 4096, 0, 1, 0) < 0 ? errno : 0;
}

/* F_SETOWN with O_ASYNC would let the helper signal any process of the user. */
static int fcntl_setown(void)
{
	return fcntl(0, F_SETOWN, 1) < 0 ? errno : 0;
}

static int fcntl_setsig(void)
{
	return fcntl(0, F_SETSIG, SIGKILL) < 0 ? errno : 0;
}

static int fcntl_getfl(void)
{
	return fcntl(0, F_GETFL) < 0 ? errno : 0;
}

static int memfd(void)
{
	return syscall(SYS_memfd_create, "x", 0) < 0 ? errno : 0;
}

/* A file of the user's, non-empty, made before the filter (see main()). */
static char trunc_path[] = "/tmp/test-nethelper-XXXXXX";

static int open_read(void)
{
	int fd = open(trunc_path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* O_RDONLY | O_TRUNC empties a file the user may write, without O_WRONLY. */
static int open_truncate(void)
{
	int fd = open(trunc_path, O_RDONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int exec_at(void)
{
	char *argv[] = { "true", NULL };

	syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, argv + 1, 0);
	return errno;
}

#if defined(__x86_64__)
/* mmap2 (i386 192) through int 0x80 with PROT_EXEC: another ABI, killed. */
static int i386_mmap2_exec(void)
{
	long r;

	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(192L), "b"(0L), "c"(4096L), "d"((long)(PROT_READ | PROT_EXEC)),
			   "S"((long)(MAP_PRIVATE | MAP_ANONYMOUS)), "D"(-1L)
			 : "memory");
	return r < 0 && r > -4096 ? (int)-r : 0;
}

/* mmap on the x32 ABI: the same audit arch, told apart by a bit. */
static int x32_mmap_exec(void)
{
	long r = syscall(0x40000000L | 9L, 0L, 4096L, (long)(PROT_READ | PROT_EXEC),
			 (long)(MAP_PRIVATE | MAP_ANONYMOUS), -1L, 0L);

	return r < 0 ? errno : 0;
}
#endif

static int unix_socket(void)
{
	return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0) < 0 ? errno : 0;
}

static int ip_socket(void)
{
	return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) < 0 ? errno : 0;
}

/*
 * Stage 0 on a kernel before close_range() (Linux 5.9), made here by a
 * filter that fails it with ENOSYS: every fd but the kept ones must still
 * be closed. Exit status: 0 if so, else the first fd left open (or 1xx).
 */
static int detach_without_close_range(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int a[2], b[2], keep[1];

	if (pipe2(a, O_CLOEXEC) < 0 || pipe2(b, 0) < 0 || dup2(b[0], 200) < 0)
		return 100;
	if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(close_range), 0) < 0 ||
	    seccomp_load(ctx) < 0)
		return 101;
	if (syscall(SYS_close_range, 1000U, 1001U, 0U) == 0 || errno != ENOSYS)
		return 102;
	keep[0] = a[1];
	proc_helper_detach(getppid(), keep, 1);
	if (fcntl(a[1], F_GETFD) < 0)
		return 103; /* the kept one went too */
	for (int fd = 3; fd < 256; fd++)
		if (fd != a[1] && fcntl(fd, F_GETFD) >= 0)
			return fd;
	return 0;
}

/*
 * Stage 0 with a terminal as stderr, open for reading too (as sbx's usually
 * is): the helper keeps it for writing only, so hostile code in it cannot
 * read what the user types. Exit status: 0 if so.
 */
static int detach_keeps_tty_write_only(void)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), tty, keep[1];
	char c;

	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		return 100;
	tty = open(ptsname(master), O_RDWR | O_NOCTTY);
	if (tty < 0 || dup2(tty, STDERR_FILENO) < 0 || write(master, "typed\n", 6) != 6)
		return 101;
	keep[0] = master; /* the terminal stays up, as the user's does */
	proc_helper_detach(getppid(), keep, 1);
	if (write(STDERR_FILENO, "", 0) < 0)
		return 102; /* stderr must still take the sanitizers' reports */
	return read(STDERR_FILENO, &c, 1) == 1 ? 103 : 0;
}

static void test_detach_tty(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0)
		_exit(detach_keeps_tty_write_only());
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "stage 0: a terminal on stderr is kept for writing only (status %d)",
	   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void test_detach_fallback(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0)
		_exit(detach_without_close_range());
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "stage 0 without close_range(): every fd but the kept one closed (status %d)",
	   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int main(void)
{
	test_detach_fallback();
	test_detach_tty();
	ok(under_filter(map_rw) == 0, "the helper may map read-write memory");
	ok(under_filter(map_exec) == EPERM, "the helper may not map executable memory (EPERM)");
	ok(under_filter(map_rwx) == EPERM, "the helper may not map writable executable memory");
	ok(under_filter(map_file_exec) == EPERM, "the helper may not map a file executable");
	ok(under_filter(protect_exec) == EPERM, "the helper may not make memory executable");
	ok(under_filter(pkey_protect_exec) == EPERM, "nor through pkey_mprotect()");
	ok(under_filter(remap_pages) == EPERM, "remap_file_pages() is refused");
	ok(under_filter(memfd) == EPERM, "memfd_create() is refused");
	ok(under_filter(fcntl_getfl) == 0, "fcntl(F_GETFL) is allowed (libslirp sets O_NONBLOCK)");
	ok(under_filter(fcntl_setown) == EPERM, "fcntl(F_SETOWN) is refused (SIGIO to any process of the user)");
	ok(under_filter(fcntl_setsig) == EPERM, "fcntl(F_SETSIG) is refused");
	ok(under_filter(exec_at) == EPERM, "execveat() is refused");
	{
		int fd = mkstemp(trunc_path);
		struct stat st;

		ok(fd >= 0 && write(fd, "x", 1) == 1, "a non-empty file to open");
		ok(under_filter(open_read) == 0, "the helper may open a file read-only");
		ok(under_filter(open_truncate) == EPERM, "nor with O_TRUNC (O_RDONLY | O_TRUNC truncates)");
		ok(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 1, "the file is still whole");
		if (fd >= 0)
			close(fd);
		unlink(trunc_path);
	}
#if defined(__x86_64__)
	{
		int st = under_filter_status(i386_mmap2_exec);
		/* SIGSEGV: a kernel without the i386 ABI at all. */
		ok(st >= 0 && WIFSIGNALED(st) && (WTERMSIG(st) == SIGSYS || WTERMSIG(st) == SIGSEGV),
		   "i386 mmap2() through int 0x80: killed (status %#x)", st);
		st = under_filter_status(x32_mmap_exec);
		ok(st >= 0 && ((WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS) ||
			       (WIFEXITED(st) && WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 255)),
		   "x32 mmap(): refused or killed (status %#x)", st);
	}
#endif
	ok(under_filter(ip_socket) == 0, "the helper may create IP sockets");
	ok(under_filter(unix_socket) == EPERM, "the helper may not create unix sockets");
	return tap_done();
}
