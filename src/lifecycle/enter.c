/* enter.c - sbx enter: a new process inside a named sandbox
 *
 * The request goes to the sandbox's spawner (spawner.c), which forks the
 * process with the sandbox's confinement. Our stdin, stdout and stderr go
 * with it (SCM_RIGHTS), except on a terminal: a process in a session of its
 * own (which an interactive shell needs for job control) cannot take our
 * terminal as its controlling one while it is our shell's. So it gets a new
 * pseudo-terminal, set up like ours, and we relay between the two with ours
 * in raw mode (^C, ^Z are the inner terminal's then), passing on its size.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "client.h"
#include "log.h"
#include "lifecycle_verbs.h"
#include "util.h"
#include "verb.h"

/* Passed on to the entered process's session; WINCH, CONT and TSTP are ours. */
static const int relayed[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT,
			       SIGTSTP };

struct enter_state {
	int conn;
	int master;    /* the pseudo-terminal's master, -1 without one */
	int sfd;       /* signalfd */
	bool raw;      /* our terminal is in raw mode */
	struct termios saved;
	bool stdin_open;
	bool done;
	int status;
	struct sbx_error error; /* from the spawner, printed at the end */
};

static const char *default_shell(void)
{
	const char *sh = getenv("SHELL");
	struct passwd *pw;

	if (sh && *sh)
		return sh;
	pw = getpwuid(getuid());
	return pw && pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh";
}

/* TERM, the directory, the arguments: NUL-terminated, in @req->data. */
static int build_request(struct ctl_request *req, const char *dir, int argc, char **argv)
{
	const char *term = getenv("TERM");
	size_t at = 0;

	*req = (struct ctl_request){ .magic = CTL_MAGIC, .type = CTL_ENTER, .argc = (uint32_t)argc };
	if (argc > CTL_ARGS_MAX)
		return -E2BIG;
	for (int i = -2; i < argc; i++) {
		const char *w = i == -2 ? (term ? term : "") : i == -1 ? (dir ? dir : "") : argv[i];
		size_t n = strlen(w) + 1;

		if (at + n > CTL_DATA_MAX)
			return -E2BIG;
		memcpy(req->data + at, w, n);
		at += n;
	}
	req->len = (uint32_t)at;
	return 0;
}

/* A new pseudo-terminal with our terminal's modes and size. */
static int open_pty(int *ret_master, int *ret_slave, struct sbx_error *e)
{
	_cleanup_close_ int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	char name[128];
	struct termios t;
	struct winsize ws;
	int slave;

	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, name, sizeof(name)) != 0)
		return sbx_error_set(e, errno, "enter: a pseudo-terminal");
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return sbx_error_set(e, errno, "enter: %s", name);
	if (tcgetattr(STDIN_FILENO, &t) == 0)
		tcsetattr(slave, TCSANOW, &t);
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(slave, TIOCSWINSZ, &ws);
	*ret_master = TAKE_FD(master);
	*ret_slave = slave;
	return 0;
}

static void make_raw(struct enter_state *s)
{
	struct termios raw;

	/* Already raw (a SIGCONT while running): keep the modes to restore. */
	if (s->raw || tcgetattr(STDIN_FILENO, &s->saved) < 0)
		return;
	raw = s->saved;
	cfmakeraw(&raw);
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0)
		s->raw = true;
}

static void restore_tty(struct enter_state *s)
{
	if (s->raw)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &s->saved);
	s->raw = false;
}

/* Stopped from outside (kill -TSTP; a ^Z of ours goes to the inner
 * terminal): the shell gets its terminal back as it left it. The signal's
 * own default action stops us (the kernel drops it in an orphaned process
 * group: then we just go on, raw again). */
static void stop_self(struct enter_state *s)
{
	sigset_t tstp;

	restore_tty(s);
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	kill(getpid(), SIGTSTP);
	sigprocmask(SIG_UNBLOCK, &tstp, NULL);
	sigprocmask(SIG_BLOCK, &tstp, NULL);
	if (s->master >= 0)
		make_raw(s);
}

static void forward_signal(struct enter_state *s, int sig)
{
	struct ctl_request req = { .magic = CTL_MAGIC, .type = CTL_KILL, .value = sig };

	client_send(s->conn, &req, NULL, 0);
}

static void on_signal(struct enter_state *s)
{
	struct signalfd_siginfo si;
	struct winsize ws;

	while (read(s->sfd, &si, sizeof(si)) == sizeof(si)) {
		int sig = (int)si.ssi_signo;

		if (sig == SIGWINCH) {
			if (s->master >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
				ioctl(s->master, TIOCSWINSZ, &ws);
		} else if (sig == SIGCONT) {
			if (s->master >= 0)
				make_raw(s);
		} else if (sig == SIGTSTP) {
			stop_self(s);
		} else {
			forward_signal(s, sig);
		}
	}
}

static void on_reply(struct enter_state *s)
{
	struct ctl_reply rep;
	int r = client_recv(s->conn, &rep);

	if (r < 0) {
		/* No status: the sandbox (and our process with it) is gone. */
		if (!s->error.msg[0]) {
			sbx_error_set(&s->error, 0, "the sandbox ended");
			s->error.exit_code = 128 + SIGKILL;
		}
		s->status = 128 + SIGKILL;
		s->done = true;
		return;
	}
	if (rep.type == CTL_ERROR) {
		s->error = rep.error;
		if (!s->error.exit_code)
			s->error.exit_code = SBX_EXIT_SETUP;
	} else if (rep.type == CTL_EXITED) {
		s->status = rep.value;
		s->done = true;
	}
}

/* Copy what is there from @from to @to; false at EOF or an error. */
static bool copy_some(int from, int to)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	return write_all(to, buf, (size_t)n) == 0;
}

static void relay(struct enter_state *s)
{
	while (!s->done) {
		struct pollfd p[4] = {
			{ .fd = s->conn, .events = POLLIN },
			{ .fd = s->sfd, .events = POLLIN },
			{ .fd = s->master >= 0 && s->stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
			{ .fd = s->master, .events = POLLIN },
		};

		if (poll(p, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[3].revents && !copy_some(s->master, STDOUT_FILENO)) {
			close(s->master); /* EIO: every process left the terminal */
			s->master = -1;
		}
		if (p[2].revents && !copy_some(STDIN_FILENO, s->master))
			s->stdin_open = false;
		if (p[1].revents)
			on_signal(s);
		if (p[0].revents)
			on_reply(s);
	}
	/* What the process wrote last may still wait in the terminal (a
	 * process it left behind may keep it open: never wait for more). */
	if (s->master >= 0) {
		char buf[16384];
		ssize_t n;

		fcntl(s->master, F_SETFL, O_NONBLOCK);
		while ((n = read(s->master, buf, sizeof(buf))) > 0)
			if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
				break;
	}
}

static int parse_args(int argc, char **argv, const char **dir, int *first)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			printf("Usage: sbx enter [--chdir DIR] NAME [COMMAND [ARG]...]\nRun COMMAND "
			       "(default: your shell) inside the running sandbox NAME, with its "
			       "confinement, environment (TERM yours) and start directory.\n");
			return 1;
		}
		if (strcmp(argv[i], "--chdir") == 0 && i + 1 < argc)
			*dir = argv[++i];
		else
			return verb_misuse(argc, argv, "unexpected argument '%s'", argv[i]);
	}
	if (i >= argc)
		return verb_misuse(argc, argv, "missing NAME");
	*first = i;
	return 0;
}

static int start(struct enter_state *s, const struct ctl_request *req, const char *name,
		 struct sbx_error *e)
{
	struct registry_entry reg = REGISTRY_ENTRY_NONE;
	_cleanup_close_ int slave = -1;
	bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	int fds[3] = { STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO }, r;
	struct ctl_request *q = (struct ctl_request *)req;

	r = client_connect(name, &reg, &s->conn, e);
	registry_close(&reg);
	if (r < 0)
		return r;
	if (tty) {
		r = open_pty(&s->master, &slave, e);
		if (r < 0)
			return r;
		fds[0] = fds[1] = fds[2] = slave;
		q->flags |= CTL_ENTER_TTY;
	}
	r = client_send(s->conn, req, fds, 3);
	if (r < 0)
		return sbx_error_set(e, r, "sandbox '%s': sending the request", name);
	if (tty)
		make_raw(s);
	return 0;
}

int enter_main(int argc, char **argv)
{
	struct enter_state s = { .conn = -1, .master = -1, .sfd = -1, .stdin_open = true };
	_cleanup_free_ struct ctl_request *req = NULL;
	const char *dir = NULL;
	char *shell[2] = { NULL, NULL };
	struct sbx_error e = { 0 };
	sigset_t set;
	int first = 0, r;

	r = parse_args(argc, argv, &dir, &first);
	if (r)
		return r == 1 ? 0 : r;
	shell[0] = (char *)default_shell();
	req = calloc(1, sizeof(*req));
	if (!req)
		return SBX_EXIT_SETUP;
	r = first + 1 < argc ? build_request(req, dir, argc - first - 1, argv + first + 1)
			     : build_request(req, dir, 1, shell);
	if (r < 0) {
		sbx_error_set(&e, -r, "enter: the command line");
		return client_fail(&e);
	}
	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(relayed); i++)
		sigaddset(&set, relayed[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	s.sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s.sfd < 0)
		r = sbx_error_set(&e, errno, "signalfd");
	else
		r = start(&s, req, argv[first], &e);
	if (r == 0)
		relay(&s);
	restore_tty(&s);
	if (s.master >= 0)
		close(s.master);
	if (s.conn >= 0)
		close(s.conn);
	if (s.sfd >= 0)
		close(s.sfd);
	if (r < 0)
		return client_fail(&e);
	if (s.error.msg[0]) {
		log_error(&s.error);
		return s.error.exit_code ? s.error.exit_code : s.status;
	}
	return s.status;
}
