/* exec_start.c - pid 1 starts the command in its own memory (no fork, no copy) */
#include "autoconf.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exec.h"
#include "exec_start.h"

/* exec_command() and execvp() need a few pages (sbx_error, Landlock's and
 * libc's frames, execvp's PATH buffer), plus, for a script without "#!",
 * execvp's copy of argv on the stack (as glibc's posix_spawn() sizes its
 * own); only the pages touched cost. The lowest page is a guard: an
 * overflow faults instead of writing into whatever pid 1 has mapped below. */
#define EXEC_START_STACK (256 * 1024)

static size_t exec_start_stack_size(const struct sbx_config *c)
{
	size_t argc = 0;

	while (c->argv[argc])
		argc++;
	/* argc is bounded by ARG_MAX: this cannot overflow. */
	return EXEC_START_STACK + (argc + 3) * sizeof(char *);
}

#if defined(__SANITIZE_ADDRESS__)
#define EXEC_START_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EXEC_START_ASAN 1
#endif
#endif

struct exec_start_args {
	const struct sbx_config *c;
	const struct child_plan *plan;
	pid_t pid1;
};

static int exec_start_child(void *arg)
{
	const struct exec_start_args *a = arg;

	exec_command(a->c, a->plan, -1, a->pid1);
}

bool exec_start_can_share(const struct sbx_config *c, const struct child_plan *plan)
{
#ifdef EXEC_START_ASAN
	/* ASan knows one stack per thread: the child, instrumented code on
	 * a stack ASan does not know, poisons pid 1's (shared) shadow memory
	 * behind its back, and each start printed "ASan is ignoring requested
	 * __asan_handle_no_return ... False positive error reports may
	 * follow" on stderr (at exec_command(), _Noreturn). glibc's
	 * posix_spawn() does the same clone, but its child is uninstrumented
	 * libc code. Sanitizer builds take the fork. */
	(void)c;
	(void)plan;
	return false;
#else
	/* Each of these needs the forked start and its gate:
	 * --cap-add: pid 1 would have to keep the capabilities the command
	 *	raises (and CAP_SETPCAP) while the command sets itself up;
	 * bwrap mode: the command keeps the caller's capabilities and fds,
	 *	pid 1 locks files and keeps --sync-fd after the fork;
	 * --net slirp (and its tcp bypass): the command sets itself up while
	 *	the network helper starts, then waits for it at the gate; the
	 *	bypass hands listeners to sbx before the gate opens;
	 * --name: the command forks the spawner of sbx enter from itself;
	 * the D-Bus proxy: the command waits for it to be ready;
	 * a terminal: ^Z could stop the command before its exec, while pid 1
	 *	sleeps in the vfork and can neither pass the stop out nor
	 *	continue it. */
	return c->cap_add == 0 && !c->bwrap.enabled && c->net != SBX_NET_SLIRP &&
	       !plan->tcp_bypass && !plan->spawner && !c->dbus_proxy_pending && !plan->take_tty;
#endif
}

int exec_start_shared(const struct sbx_config *c, const struct child_plan *plan, pid_t *ret_pid,
		      struct sbx_error *e)
{
	struct exec_start_args args = { .c = c, .plan = plan, .pid1 = getpid() };
	size_t page = sysconf(_SC_PAGESIZE) > 0 ? (size_t)sysconf(_SC_PAGESIZE) : 4096;
	size_t size = (exec_start_stack_size(c) + page - 1) & ~(page - 1);
	char *stack;
	pid_t pid;
	int err;

	stack = mmap(NULL, size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
	if (stack == MAP_FAILED)
		return sbx_error_set(e, errno, "cannot start the command: stack");
	if (mprotect(stack, page, PROT_NONE) < 0) {
		err = errno;
		munmap(stack, size);
		return sbx_error_set(e, err, "cannot start the command: stack guard");
	}
	/* Returns once the child has exec'd or exited: its stack is free. */
	pid = clone(exec_start_child, stack + size, CLONE_VM | CLONE_VFORK | SIGCHLD,
		    &args);
	err = errno;
	munmap(stack, size);
	/* pid 1 has unshared a time namespace for its children, and older
	 * kernels refuse a child in another time namespace that shares its
	 * parent's memory, even with CLONE_VFORK (6.1: EINVAL; 6.18 allows
	 * it). A plain fork then: everything pid 1 had to give up is given
	 * up already, the child inherits it as it would here; only the
	 * copy's cost comes back. */
	if (pid < 0 && err == EINVAL) {
		pid = fork();
		if (pid == 0)
			exec_start_child(&args);
		err = errno;
	}
	if (pid < 0)
		return sbx_error_set(e, err, "cannot start the command");
	*ret_pid = pid;
	return 0;
}
