/* supervise.c - the supervisor outside the sandbox
 *
 * From the moment the id maps are written until pid 1 has been reaped, sbx
 * does nothing but react, in one event loop (loop.c) with these sources:
 *
 *  signals	a signalfd for the forwarded signals and SIGCHLD
 *  pid 1	its pidfd, readable when it ends (SIGCHLD without pidfds)
 *  sync	messages from the sandbox: log lines, errors, "started",
 *		"stopped" for job control, fds for the helper and the bypass
 *  helper	the network helper's control socket (its "ready", passed on
 *		to pid 1, which holds the command until then; or why it
 *		failed) and its pidfd
 *  bypass	the TCP bypass worker's control socket: its "locked down",
 *		a setup error, or EOF when it is gone
 *
 * Two phases. Until pid 1 says the command started, a terminating signal
 * ends the setup and sbx (128+N), and any error ends it with its message.
 * Then signals go to pid 1, and sbx ends with pid 1's status. The network
 * helper or the bypass worker ending is fatal in both: without them the
 * sandbox has no network.
 * Whatever ends the loop, pid 1 is killed if still there and reaped, so
 * nothing is left behind.
 */
#include "autoconf.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bypass.h"
#include "limits_ctl.h"
#include "lifecycle.h"
#include "log.h"
#include "loop.h"
#include "nethelper.h"
#include "pid1.h"
#include "proc.h"
#include "status_fd.h"
#include "supervise.h"
#include "sync.h"
#include "term.h"
#include "userns_holder.h"
#include "util.h"

/* Messages read per wake-up: a chatty sandbox must not starve the others. */
#define SYNC_BATCH 64

struct supervisor {
	const struct supervise_target *t;
	struct sbx_error *e;
	struct loop loop;
	int sfd;
	bool started;
	bool holder_told; /* userns_holder_started(): once, at the first of SYNC_STARTING/READY */
	bool failed;
	bool pid1_ended;
	int pid1_status;
	struct loop_source signals, pid1, sync, helper_ctl, helper_exit, bypass, limits;
};

/* End the loop with @r (-errno) and @s->e, filled by the caller. */
static void fail(struct supervisor *s, int r)
{
	s->failed = true;
	loop_exit(&s->loop, r);
}

/* --- the sandbox's messages ------------------------------------------------ */

static void setup_failed(struct supervisor *s, const struct sbx_error *reported)
{
	*s->e = *reported;
	if (!s->e->exit_code)
		s->e->exit_code = SBX_EXIT_SETUP;
	fail(s, -(s->e->err ? s->e->err : EINVAL));
}

static void command_stopped(const struct supervisor *s, int sig)
{
	/* The sandbox ended while this message waited: nothing to stop for. */
	if (s->pid1_ended)
		return;
	/* The command stopped at the terminal (^Z): stop ourselves too, so
	 * the user's shell sees a stopped job. Its `fg` sends us SIGCONT,
	 * which pid 1 turns into the command's resumption. SIGTTIN and
	 * SIGTTOU stop only a background group: the terminal is someone
	 * else's then (the shell's, after `bg`), not ours to take. */
	if (s->t->own_tty && sig == SIGTSTP)
		term_take_foreground();
	kill(getpid(), SIGSTOP);
}

/* Hand the fd that came with a message to where it goes. Return: 0 or -errno. */
static int pass_fd_on(struct supervisor *s, const struct sync_msg *m, int fd)
{
	if ((m->type == SYNC_NET_BYPASS || m->type == SYNC_NET_BYPASS_RELAY) && s->t->bypass &&
	    fd >= 0) {
		bypass_take_listener(s->t->bypass, m, fd);
		return 0;
	}
	if (s->t->net)
		return nethelper_forward(s->t->net, m, fd, s->e);
	if (fd >= 0)
		close(fd);
	return 0;
}

static void handle_message(struct supervisor *s, const struct sync_msg *m, int fd)
{
	int r;

	switch (m->type) {
	case SYNC_READY:
		if (s->t->status) /* --info-fd, --json-status-fd */
			status_fd_started(s->t->status, s->t->pid1->pid);
		s->started = true;
		log_phase("command started");
		if (!s->holder_told)
			userns_holder_started();
		s->holder_told = true;
		if (s->t->life)
			lifecycle_started(s->t->life);
		break;
	case SYNC_STARTING:
		/* pid 1 sleeps until the command has exec'd: signals still end
		 * the setup (nothing could pass them on); the holder can start. */
		if (!s->holder_told)
			userns_holder_started();
		s->holder_told = true;
		break;
	case SYNC_SETUP_ERROR:
		if (s->t->status)
			status_fd_failed(s->t->status);
		if (!s->started)
			setup_failed(s, &m->error);
		else
			log_error(&m->error);
		break;
	case SYNC_EXEC_ERROR:
		if (s->t->status)
			status_fd_failed(s->t->status);
		/* May come before SYNC_READY; the status (126/127) still
		 * comes from pid 1. */
		log_error(&m->error);
		break;
	case SYNC_LOG:
		log_verbose(1, "%s", m->error.msg);
		break;
	case SYNC_CMD_STOPPED:
		command_stopped(s, m->value);
		break;
	case SYNC_SPAWNER:
		lifecycle_take_spawner(s->t->life, TAKE_FD(fd));
		break;
	case SYNC_NET_BYPASS:
	case SYNC_NET_BYPASS_RELAY:
	case SYNC_NET_TAP:
	case SYNC_NET_FACTORY:
		r = pass_fd_on(s, m, TAKE_FD(fd));
		if (r < 0)
			fail(s, r);
		break;
	default:
		if (!s->started)
			fail(s, sbx_error_set(s->e, EPROTO, "unexpected message %u from the sandbox",
					      m->type));
		break;
	}
	if (fd >= 0)
		close(fd);
}

/* Read up to @max queued messages. Return: false once the sandbox's end is closed. */
static bool read_messages(struct supervisor *s, size_t max)
{
	for (size_t i = 0; i < max && !s->loop.done; i++) {
		struct sync_msg m;
		int fd = -1, r = sync_recv(s->t->sync_fd, &m, &fd, MSG_DONTWAIT);

		if (r == -EAGAIN)
			return true;
		if (r < 0)
			return false;
		handle_message(s, &m, fd);
	}
	return true;
}

static void on_sync(struct loop_source *src, uint32_t events)
{
	struct supervisor *s = src->data;

	(void)events;
	/* At EOF pid 1 is gone or going: its pidfd or SIGCHLD tells. */
	if (!read_messages(s, SYNC_BATCH))
		loop_remove(src);
}

/* --- the processes --------------------------------------------------------- */

/* End the loop once pid 1 has ended and the helper's verdict is in: a
 * command quicker than the helper must not hide that the helper failed. */
static void maybe_finish(struct supervisor *s)
{
	const struct nethelper *h = s->t->net;

	if (s->loop.done || !s->pid1_ended)
		return;
	if (!s->started)
		fail(s, sbx_error_set(s->e, 0, "the sandbox ended during setup"));
	else if (!h || h->ready)
		loop_exit(&s->loop, proc_exit_code(s->pid1_status));
}

static void check_pid1(struct supervisor *s)
{
	int r;

	if (s->pid1_ended)
		return;
	r = proc_try_reap(s->t->pid1, &s->pid1_status);
	if (r == 0)
		return;
	/* Closing its pidfd took it out of the epoll set; forget it here too
	 * (no fd was opened since, so the number names nothing else). */
	loop_remove(&s->pid1);
	if (r < 0) {
		/* Not ours to wait for any more: never spin on its pidfd. */
		fail(s, sbx_error_set(s->e, r, "waiting for the sandbox"));
		return;
	}
	s->pid1_ended = true;
	/* Whatever the sandbox said before it ended is queued: read it all. */
	read_messages(s, SIZE_MAX);
	maybe_finish(s);
}

static void check_helper(struct supervisor *s)
{
	struct nethelper *h = s->t->net;
	char how[64];
	int status, r;

	if (!h || h->proc.pid <= 0)
		return;
	r = proc_try_reap(&h->proc, &status);
	if (r == 0)
		return;
	loop_remove(&s->helper_exit); /* as in check_pid1() */
	if (r < 0) {
		fail(s, sbx_error_set(s->e, r, "waiting for the network helper"));
		return;
	}
	/* Before it was ready it may have said why it gave up. */
	r = nethelper_check_ready(h, s->e);
	if (r < 0 && r != -EAGAIN && r != -EPIPE) {
		fail(s, r);
		return;
	}
	proc_describe(status, how, sizeof(how));
	if (!s->started)
		fail(s, sbx_error_set(s->e, 0, "the network helper ended during setup (%s)", how));
	else
		fail(s, sbx_error_set(s->e, 0, "the network helper ended (%s): stopping the sandbox",
				      how));
}

static void on_pid1_exit(struct loop_source *src, uint32_t events)
{
	(void)events;
	check_pid1(src->data);
}

static void on_helper_exit(struct loop_source *src, uint32_t events)
{
	(void)events;
	check_helper(src->data);
}

/* pid 1 holds the command until now (pid1.c wait_for_network()). A sandbox
 * already gone cannot read it: its end is reported by check_pid1(). */
static void helper_ready(struct supervisor *s)
{
	int r;

	log_phase("network helper ready");
	r = sync_send_simple(s->t->sync_fd, SYNC_NET_READY, 0);
	if (r < 0 && r != -EPIPE && r != -ECONNRESET) {
		fail(s, sbx_error_set(s->e, r, "sync with the sandbox"));
		return;
	}
	maybe_finish(s);
}

static void on_helper_ctl(struct loop_source *src, uint32_t events)
{
	struct supervisor *s = src->data;
	struct nethelper *h = s->t->net;
	struct sync_msg m;
	int r;

	(void)events;
	if (!h->ready) {
		r = nethelper_check_ready(h, s->e);
		if (r == 0) {
			helper_ready(s);
		} else if (r == -EPIPE) {
			loop_remove(src); /* its end is reported by check_helper() */
		} else if (r != -EAGAIN) {
			fail(s, r);
		}
		return;
	}
	/* Once ready, the helper has nothing to say here: drop what comes,
	 * notice its end. */
	r = sync_recv(h->ctl_fd, &m, NULL, MSG_DONTWAIT);
	if (r < 0 && r != -EAGAIN)
		loop_remove(src);
}

/* --- signals --------------------------------------------------------------- */

static void on_signal(struct loop_source *src, uint32_t events)
{
	struct supervisor *s = src->data;
	struct signalfd_siginfo si;

	(void)events;
	while (!s->loop.done && read(s->sfd, &si, sizeof(si)) == sizeof(si)) {
		int sig = (int)si.ssi_signo;

		if (sig == SIGCHLD) {
			/* Kernels without pidfds; harmless with them. */
			check_pid1(s);
			check_helper(s);
		} else if (s->started && !s->pid1_ended) {
			proc_signal(s->t->pid1, sig);
		} else if (sig != SIGWINCH && sig != SIGCONT) {
			/* No command to pass it to (yet, or any more: waiting for
			 * the helper's verdict): sbx ends here. */
			log_verbose(1, "setup interrupted by SIG%s", sigabbrev_np(sig));
			loop_exit(&s->loop, 128 + sig);
		}
	}
}

/* --- the TCP bypass worker --------------------------------------------------- */

/* The worker holds the only copy of the command's listener: once it is gone
 * the command's connect() calls would fail with ENOSYS, so its end (or a
 * setup error it reports) ends the sandbox, as the helper's does. */
static void on_bypass(struct loop_source *src, uint32_t events)
{
	struct supervisor *s = src->data;
	int r;

	(void)events;
	r = bypass_event(s->t->bypass, s->e);
	if (r == 0)
		return;
	loop_remove(src);
	if (!s->e->exit_code)
		s->e->exit_code = SBX_EXIT_SETUP;
	fail(s, r);
}

/* --- the sandbox's cgroup --------------------------------------------------- */

/* memory.events or pids.events changed: say so if the kernel killed for
 * --memory or refused a fork for --pids. */
static void on_limits(struct loop_source *src, uint32_t events)
{
	struct supervisor *s = src->data;
	char msg[96];

	(void)events;
	while (limits_check_events(s->t->limits, msg, sizeof(msg)))
		log_warn("%s", msg);
}

/* --- the loop --------------------------------------------------------------- */

static int watch(struct supervisor *s, struct loop_source *src, int fd, loop_handler_fn *handler)
{
	*src = (struct loop_source){ .fd = fd, .events = EPOLLIN, .handler = handler, .data = s };
	return fd >= 0 ? loop_add(&s->loop, src) : 0;
}

/* A control socket or a status fd is one more watch() of its fd. */
static int add_sources(struct supervisor *s)
{
	const struct supervise_target *t = s->t;
	int r = watch(s, &s->signals, s->sfd, on_signal);

	if (r == 0)
		r = watch(s, &s->pid1, t->pid1->pidfd, on_pid1_exit);
	if (r == 0)
		r = watch(s, &s->sync, t->sync_fd, on_sync);
	if (r == 0 && t->net)
		r = watch(s, &s->helper_ctl, t->net->ctl_fd, on_helper_ctl);
	if (r == 0 && t->net)
		r = watch(s, &s->helper_exit, t->net->proc.pidfd, on_helper_exit);
	if (r == 0 && t->bypass)
		r = watch(s, &s->bypass, bypass_watch_fd(t->bypass), on_bypass);
	if (r == 0 && t->limits)
		r = watch(s, &s->limits, limits_watch_fd(t->limits), on_limits);
	if (r == 0 && t->life)
		r = lifecycle_watch(t->life, &s->loop, t->pid1);
	return r;
}

int supervise(const struct supervise_target *t, int *ret_status, struct sbx_error *e)
{
	struct supervisor s = { .t = t, .e = e, .sfd = -1, .loop = { .epfd = -1 } };
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old_ttou;
	sigset_t set;
	int r;

	/* pid 1, continued in the background (bg), finds out with SIGTTOU to
	 * our whole process group that the terminal is not ours: that must not
	 * stop sbx (see pid1.c resume_command()). */
	sigaction(SIGTTOU, &ignore, &old_ttou);
	pid1_forwarded_signals(&set);
	s.sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	r = s.sfd < 0 ? -errno : loop_init(&s.loop);
	if (r == 0)
		r = add_sources(&s);
	if (r == 0)
		r = loop_run(&s.loop);
	if (r < 0 && !s.failed)
		sbx_error_set(e, r, "supervisor");
	/* Setup interrupted or failed, the helper gone: nothing may stay. */
	proc_kill_and_reap(t->pid1);
	if (t->own_tty)
		term_reclaim_foreground();
	loop_free(&s.loop);
	if (s.sfd >= 0)
		close(s.sfd);
	sigaction(SIGTTOU, &old_ttou, NULL);
	if (r < 0)
		return r;
	*ret_status = r;
	return 0;
}
