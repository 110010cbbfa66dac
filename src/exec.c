/* exec.c - the command's last steps inside the sandbox, up to execvp()
 *
 * Run either in a fork of pid 1 (which opens a gate once it has dropped its
 * own privileges) or, started by exec_start.c, in pid 1's own memory while
 * pid 1 sleeps: then everything here must leave pid 1's state usable (no
 * half-written stdio buffer: stderr is unbuffered; the heap and environ may
 * change, pid 1 uses neither for anything the command set; errno is shared). */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "bwrap_inside.h"
#include "bypass_filter.h"
#include "caps.h"
#include "dbus_proxy_wait.h"
#include "exec.h"
#include "limits_ctl.h"
#include "spawner.h"
#include "log.h"
#include "sync.h"
#include "util.h"

static _Noreturn void fail(const struct child_plan *plan, const struct sbx_error *e)
{
	sync_send_error(plan->sync_fd, SYNC_SETUP_ERROR, e);
	_exit(SBX_EXIT_SETUP);
}

static int apply_environment(const struct sbx_config *c, struct sbx_error *e)
{
	if (c->clearenv && clearenv() != 0)
		return sbx_error_set(e, ENOMEM, "--clearenv");
	for (size_t i = 0; i < c->n_env_ops; i++) {
		const struct sbx_env_op *op = &c->env_ops[i];
		int r = op->value ? setenv(op->name, op->value, 1) : unsetenv(op->name);
		if (r < 0)
			return sbx_error_set(e, errno, "%s %s", op->value ? "--setenv" : "--unsetenv",
					     op->name);
	}
	return 0;
}

/* Everything but 0, 1, 2 and --pass-fd closes on exec, including our sync socket. */
static int close_other_fds(const struct sbx_config *c, struct sbx_error *e)
{
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		/* Before Linux 5.11: mark them one by one. */
		long max = sysconf(_SC_OPEN_MAX);
		for (int fd = 3; fd < (max > 0 ? max : 1024); fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	for (size_t i = 0; i < c->n_pass_fds; i++)
		if (fcntl(c->pass_fds[i], F_SETFD, 0) < 0)
			return sbx_error_set(e, errno, "--pass-fd %d", c->pass_fds[i]);
	return 0;
}

static void take_terminal(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;

	/* We are a background group until this call succeeds; without
	 * ignoring SIGTTOU the call would stop us. */
	sigaction(SIGTTOU, &ign, &old);
	tcsetpgrp(STDIN_FILENO, getpid());
	sigaction(SIGTTOU, &old, NULL);
}

/* Hand connect() to sbx (bypass.c). Before the command's own filter, which
 * may refuse seccomp(); a failure only costs speed, so it is just reported.
 * The relay's listeners go first, so the worker has them before the first
 * connect() (without one, connections go through slirp). */
static void start_tcp_bypass(const struct child_plan *plan)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct sync_msg m = { .type = SYNC_LOG };
	int fd, r;

	if (!plan->tcp_bypass)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		struct sync_msg relay = { .type = SYNC_NET_BYPASS_RELAY, .value = families[i] };

		if (bypass_relay_listen(families[i], &fd) < 0)
			continue;
		sync_send(plan->sync_fd, &relay, fd);
		close(fd);
	}
	r = bypass_listener_install(&fd);
	if (r == 0) {
		m.type = SYNC_NET_BYPASS;
		sync_send(plan->sync_fd, &m, fd);
		close(fd);
		return;
	}
	snprintf(m.error.msg, sizeof(m.error.msg), "tcp bypass: no connect() listener: %s",
		 strerror(-r));
	sync_send(plan->sync_fd, &m, -1);
}

/* Nothing of the command runs before pid 1 has given up its capabilities:
 * on EOF pid 1 failed, has reported it, and will kill us anyway. */
static void wait_for_pid1(int gate_fd)
{
	char b;
	ssize_t n;

	if (gate_fd < 0)
		return;
	do
		n = read(gate_fd, &b, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(SBX_EXIT_SETUP);
	close(gate_fd);
}

_Noreturn void exec_command(const struct sbx_config *c, const struct child_plan *plan, int gate_fd,
			    pid_t shared_with)
{
	struct sbx_error e = { 0 };
	int err;

	/* Its own process group: terminal signals (^C, ^Z) go to the command's
	 * job, not to sbx or pid 1, and a shell inside can run job control. */
	if (!c->bwrap.new_session) { /* bwrap --new-session: setsid() instead, later */
		setpgid(0, 0);
		if (plan->take_tty)
			take_terminal();
	}
	if (c->die_with_parent) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		/* The shared start has no gate whose EOF would say that pid 1
		 * died (--share-pid: nothing else ends us) before that line. */
		if (shared_with && getppid() != shared_with)
			_exit(SBX_EXIT_SETUP);
	}

	if (c->bwrap.enabled) {
		/* bwrap: the caller's fds reach the command; its own capabilities */
		if (apply_environment(c, &e) < 0 ||
		    bwrap_inside_exec_prepare(c, &plan->orig_mask, &e) < 0)
			fail(plan, &e);
	} else if (apply_environment(c, &e) < 0 ||
		   /* shared: pid 1 dropped them for both of us (without CAP_SETPCAP now) */
		   (!shared_with && caps_drop_for_exec(c->cap_add, &e) < 0) ||
		   close_other_fds(c, &e) < 0 || dbus_proxy_wait(c, &e) < 0) {
		fail(plan, &e);
	}
	/* Both need no_new_privs (set with the capabilities). Landlock reads
	 * the view and opens paths, which the filter might refuse, so the
	 * filter comes last: from then on this process is what runs. The
	 * wait for pid 1 comes before it too (the filter may refuse read()). */
	log_phase("command: environment, capabilities, fds");
	if (!c->bwrap.enabled && landlock_apply(c, plan->landlock, &e) < 0)
		fail(plan, &e);
	log_phase("command: landlock");
	start_tcp_bypass(plan);
	wait_for_pid1(gate_fd);
	log_phase("command: gate open");
	/* --pids, --memory without cgroup v2 (src/limits/rlimit.h): as late
	 * as the filter allows, so sbx's own code here (a sanitizer build's
	 * allocator too) runs without RLIMIT_DATA. */
	if (limits_apply_in_command(plan->limits, &e) < 0)
		fail(plan, &e);
	if (syscall_filter_load(plan->filter, &e) < 0 || bwrap_inside_seccomp(c, &e) < 0)
		fail(plan, &e);
	log_phase("command: seccomp loaded, execve");

	sigprocmask(SIG_SETMASK, &plan->orig_mask, NULL);
	/* --name: sbx enter's processes come from a copy of us as we are now. */
	spawner_start(plan);
	execvp(c->bwrap.exec_path ? c->bwrap.exec_path : c->argv[0], c->argv);
	err = errno;

	e.exit_code = (err == ENOENT || err == ENOTDIR) ? SBX_EXIT_NOT_FOUND : SBX_EXIT_CANNOT_EXEC;
	sbx_error_set(&e, err, "cannot run '%s'", c->argv[0]);
	sync_send_error(plan->sync_fd, SYNC_EXEC_ERROR, &e);
	_exit(e.exit_code);
}
