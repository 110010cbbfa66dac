/* test-nethelper - the network helper's seccomp allow-list, loaded as the
 * helper loads it (nethelper_lockdown_rules()) in a forked child, then tried */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nethelper_lockdown.h"
#include "tap.h"

/* Run @fn under the helper's filter in a child. Return: what it returned
 * (an errno, 0 for success), or -1 when the filter could not be loaded. */
static int under_filter(int (*fn)(void))
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
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) == 255)
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

static int unix_socket(void)
{
	return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0) < 0 ? errno : 0;
}

static int ip_socket(void)
{
	return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) < 0 ? errno : 0;
}

int main(void)
{
	ok(under_filter(map_rw) == 0, "the helper may map read-write memory");
	ok(under_filter(map_exec) == EPERM, "the helper may not map executable memory (EPERM)");
	ok(under_filter(map_rwx) == EPERM, "the helper may not map writable executable memory");
	ok(under_filter(map_file_exec) == EPERM, "the helper may not map a file executable");
	ok(under_filter(protect_exec) == EPERM, "the helper may not make memory executable");
	ok(under_filter(ip_socket) == 0, "the helper may create IP sockets");
	ok(under_filter(unix_socket) == EPERM, "the helper may not create unix sockets");
	return tap_done();
}
