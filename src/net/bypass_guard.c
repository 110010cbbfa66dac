/* bypass_guard.c - calls on a program's socket that the program could make wait
 *
 * The worker acts on duplicates of the program's sockets (pidfd_getfd): the
 * same open file, the same socket. Whatever the worker checks first, another
 * thread of the program can change right after: clear O_NONBLOCK, so that
 * the worker's connect() waits for a handshake the program keeps from
 * completing; set SO_LINGER and close its own descriptor, so that the
 * worker's close() is the last and waits, up to the linger time (years),
 * for queued bytes to reach a peer that never reads. One worker serves the
 * whole sandbox: every later connect() would wait with it.
 *
 * Both waits end when a signal is pending. The worker arms a one-shot
 * ITIMER_REAL around such calls; its SIGALRM handler does nothing and is
 * installed without SA_RESTART, so the call returns (connect(): EINTR, the
 * handshake goes on without us; close(): the descriptor is gone, the kernel
 * sends what is left on its own). A call that returns before the timer
 * costs two setitimer() calls; a signal that comes after the call, before
 * the disarm, interrupts nothing the loop does not retry (poll(), splice()).
 */
#include "autoconf.h"

#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "bypass_guard.h"

/* Long enough for any call that does not wait on the program. */
#define BYPASS_GUARD_MS 20

static bool guard_ready;

static void on_alarm(int sig)
{
	(void)sig;
}

void bypass_guard_init(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART: the waiting call returns */
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	guard_ready = sigaction(SIGALRM, &sa, NULL) == 0 &&
		      sigprocmask(SIG_UNBLOCK, &set, NULL) == 0;
}

void bypass_guard_arm(void)
{
	struct itimerval t = { .it_value = { .tv_usec = BYPASS_GUARD_MS * 1000 } };

	if (guard_ready)
		setitimer(ITIMER_REAL, &t, NULL);
}

void bypass_guard_disarm(void)
{
	struct itimerval t = { 0 };

	if (guard_ready)
		setitimer(ITIMER_REAL, &t, NULL);
}

void bypass_guard_close(int fd)
{
	if (fd < 0)
		return;
	bypass_guard_arm();
	close(fd);
	bypass_guard_disarm();
}
