/* test-loop.c - the supervisor's event loop (loop.c) and child processes (proc.c) */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loop.h"
#include "proc.h"
#include "tap.h"

struct pipe_src {
	struct loop_source src;
	int fds[2];
	int reads;
	int exit_after; /* end the loop with 100 + reads at this read */
	struct loop_source *remove; /* removed at the first read */
};

static void on_pipe(struct loop_source *s, uint32_t events)
{
	struct pipe_src *p = s->data;
	char c;

	if (!(events & EPOLLIN) || read(p->fds[0], &c, 1) != 1)
		return;
	p->reads++;
	if (p->remove) {
		loop_remove(p->remove);
		p->remove = NULL;
	}
	if (p->reads == p->exit_after)
		loop_exit(s->loop, 100 + p->reads);
}

static void pipe_src_init(struct pipe_src *p, int exit_after)
{
	*p = (struct pipe_src){ .exit_after = exit_after };
	if (pipe2(p->fds, O_CLOEXEC | O_NONBLOCK) < 0)
		p->fds[0] = p->fds[1] = -1;
	p->src = (struct loop_source){
		.fd = p->fds[0], .events = EPOLLIN, .handler = on_pipe, .data = p
	};
}

static void pipe_src_close(struct pipe_src *p)
{
	close(p->fds[0]);
	close(p->fds[1]);
}

static void test_fd_sources(void)
{
	struct loop l;
	struct pipe_src a, b;

	ok(loop_init(&l) == 0, "loop_init");
	pipe_src_init(&a, 2);
	pipe_src_init(&b, 0);
	ok(loop_add(&l, &a.src) == 0 && loop_add(&l, &b.src) == 0, "two pipe sources added");
	ok(loop_add(&l, &a.src) == -EBUSY, "adding a source twice: EBUSY");
	/* b's read removes a, then a second byte in a must not be seen;
	 * b itself ends the loop at its second read. */
	b.remove = &a.src;
	b.exit_after = 2;
	ok(write(b.fds[1], "xy", 2) == 2 && write(a.fds[1], "z", 1) == 1, "bytes written");
	ok(loop_run(&l) == 102, "a handler's loop_exit() is what loop_run() returns");
	ok(a.reads == 0 || a.reads == 1, "a source removed by another handler gets at most the event already in its batch");
	ok(a.src.loop == NULL, "a removed source belongs to no loop");
	loop_remove(&a.src); /* twice: harmless */
	ok(loop_modify(&b.src, EPOLLOUT) == 0 && b.src.events == EPOLLOUT, "loop_modify");
	loop_free(&l);
	pipe_src_close(&a);
	pipe_src_close(&b);
}

/* Three sources readable in one batch, in the order a, b, c (epoll reports
 * in the order they became ready): a's handler takes b out and puts it back
 * on another fd, never readable, as an owner replacing a socket would; c
 * ends the loop. b's event from the batch belongs to its old fd. */
struct batch_src {
	struct loop_source src;
	int fds[2];
	int calls;
	int order;
	struct batch_src *readd; /* a: this one, re-added on... */
	int readd_fd;		 /* ...this fd */
	bool exit;		 /* c */
};

static int batch_calls;

static void on_batch(struct loop_source *s, uint32_t events)
{
	struct batch_src *p = s->data;
	struct loop *l = s->loop;
	char c;

	(void)events;
	p->calls++;
	p->order = ++batch_calls;
	(void)!read(p->fds[0], &c, 1);
	if (p->readd) {
		loop_remove(&p->readd->src);
		p->readd->src.fd = p->readd_fd;
		ok(loop_add(l, &p->readd->src) == 0, "a source re-added on a new fd");
		p->readd = NULL;
	}
	if (p->exit)
		loop_exit(l, 7);
}

static void test_remove_in_batch(void)
{
	struct batch_src src[3];
	int quiet[2];
	struct loop l;

	ok(loop_init(&l) == 0 && pipe2(quiet, O_CLOEXEC | O_NONBLOCK) == 0, "loop and a quiet pipe");
	for (int i = 0; i < 3; i++) {
		src[i] = (struct batch_src){ .calls = 0 };
		if (pipe2(src[i].fds, O_CLOEXEC | O_NONBLOCK) < 0)
			src[i].fds[0] = src[i].fds[1] = -1;
		src[i].src = (struct loop_source){
			.fd = src[i].fds[0], .events = EPOLLIN, .handler = on_batch, .data = &src[i]
		};
		ok(loop_add(&l, &src[i].src) == 0, "source %d added", i);
	}
	src[0].readd = &src[1];
	src[0].readd_fd = quiet[0];
	src[2].exit = true;
	for (int i = 0; i < 3; i++)
		ok(write(src[i].fds[1], "x", 1) == 1, "source %d readable", i);
	ok(loop_run(&l) == 7, "the loop ran the batch");
	if (src[0].order != 1)
		ok(1, "# SKIP epoll reported the batch in another order");
	else
		ok(src[1].calls == 0,
		   "a source removed and re-added by an earlier handler does not get its old fd's event");
	loop_free(&l);
	for (int i = 0; i < 3; i++) {
		close(src[i].fds[0]);
		close(src[i].fds[1]);
	}
	close(quiet[0]);
	close(quiet[1]);
}

static void test_bad_source(void)
{
	struct loop l;
	struct loop_source bad = { .fd = -1 };

	ok(loop_init(&l) == 0, "loop_init");
	ok(loop_add(&l, &bad) == -EBADF, "a source without an fd: EBADF");
	loop_free(&l);
}

static void test_proc(void)
{
	struct proc p = PROC_NONE;
	int status = -1, fds[2];
	char c;
	pid_t pid;

	ok(proc_try_reap(&p, &status) == -ECHILD, "no process: nothing to reap");
	proc_kill_and_reap(&p); /* no process: does nothing */
	ok(proc_signal(&p, 0) == -ESRCH, "no process: nothing to signal");

	if (pipe2(fds, O_CLOEXEC) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		read(fds[0], &c, 1);
		_exit(3);
	}
	proc_adopt(&p, pid);
	ok(p.pid == pid, "adopted");
	ok(proc_try_reap(&p, &status) == 0 && p.pid == pid, "running: not reaped");
	ok(write(fds[1], "x", 1) == 1, "let it go");
	if (p.pidfd >= 0) {
		struct pollfd pfd = { .fd = p.pidfd, .events = POLLIN };
		ok(poll(&pfd, 1, -1) == 1, "its pidfd becomes readable when it ends");
	} else {
		waitid(P_PID, (id_t)pid, NULL, WEXITED | WNOWAIT);
		ok(1, "no pidfds here: waited with WNOWAIT");
	}
	ok(proc_try_reap(&p, &status) == 1 && p.pid == -1 && p.pidfd == -1, "reaped; the proc is empty");
	ok(proc_exit_code(status) == 3, "its exit status 3");

	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	proc_adopt(&p, pid);
	proc_kill_and_reap(&p);
	ok(p.pid == -1 && waitpid(pid, NULL, WNOHANG) < 0 && errno == ECHILD,
	   "proc_kill_and_reap: killed and reaped");
	close(fds[0]);
	close(fds[1]);
}

static void test_describe(void)
{
	char buf[64];

	proc_describe(9, buf, sizeof(buf));
	is_str(buf, "killed by SIGKILL", "a status of signal 9");
	proc_describe(2 << 8, buf, sizeof(buf));
	is_str(buf, "exited with status 2", "a status of exit 2");
	ok(proc_exit_code(15) == 143 && proc_exit_code(1 << 8) == 1, "128+N for signals");
}

int main(void)
{
	test_fd_sources();
	test_remove_in_batch();
	test_bad_source();
	test_proc();
	test_describe();
	return tap_done();
}
