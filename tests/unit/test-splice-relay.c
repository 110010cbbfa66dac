/* test-splice-relay.c - splice_relay.c: a relay with nothing to do is not woken */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pollset.h"
#include "splice_relay.h"
#include "tap.h"

/* A connected TCP pair on 127.0.0.1; *@b non-blocking (the relay's end).
 * @rcvbuf: *@a's receive buffer (0: the default). Return: 0, or -1. */
static int tcp_pair(int *a, int *b, int rcvbuf)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(in);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	*a = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (rcvbuf)
		setsockopt(*a, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (l < 0 || *a < 0 || bind(l, (struct sockaddr *)&in, sizeof(in)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&in, &len) < 0 ||
	    connect(*a, (struct sockaddr *)&in, len) < 0)
		return -1;
	*b = accept4(l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	close(l);
	return *b < 0 ? -1 : 0;
}

static int step(struct splice_relay_pool *pool, struct splice_relay *c)
{
	return splice_relay_step(pool, c, POLLIN | POLLOUT, POLLIN | POLLOUT);
}

/* The program (p) shut its sending side and reads nothing; the host (h)
 * sent more than the pipe and the program's buffers hold, then closed. The
 * host socket is hung up (FIN both ways) with bytes still to pass: until
 * the program reads, there is nothing to do, and poll() must not say
 * otherwise (before, POLLHUP woke the loop at once, every turn: a busy
 * worker for as long as the program liked). */
static void test_idle_after_hangup(void)
{
	struct splice_relay_pool pool = { 0 };
	struct splice_relay c;
	struct pollset ps = { 0 };
	static char buf[16384];
	int h, h_relay, p, p_relay, inq = 0, n = 0, woken = 0;
	bool read_some = false;
	ssize_t got;
	struct pollfd fin;

	if (tcp_pair(&h, &h_relay, 0) < 0 || tcp_pair(&p, &p_relay, 4096) < 0) {
		ok(0, "loopback TCP pairs: %s", strerror(errno));
		return;
	}
	splice_relay_init(&c, h_relay, p_relay);
	shutdown(p, SHUT_WR);
	for (int i = 0; i < 100 && !c.dir[1].shut; i++)
		step(&pool, &c);
	ok(c.dir[1].shut, "the program's EOF is passed to the host");
	/* Until bytes stay in the host socket's queue: the pipe is full. The
	 * last chunk fits in that queue: the FIN can follow. */
	for (int i = 0; i < 100000 && inq == 0; i++) {
		send(h, buf, sizeof(buf), MSG_DONTWAIT);
		step(&pool, &c);
		if (ioctl(h_relay, SIOCINQ, &inq) < 0)
			break;
	}
	ok(inq > 0, "the relay's pipe and the program's buffers are full");
	close(h);
	fin = (struct pollfd){ .fd = h_relay, .events = POLLRDHUP };
	ok(poll(&fin, 1, 10000) == 1, "the host's FIN arrived");
	step(&pool, &c);
	splice_relay_fill(&c, &ps);
	for (size_t i = 0; i < ps.n; i++)
		n += ps.fds[i].fd >= 0;
	ok(poll(ps.fds, ps.n, 0) == 0, "nothing to do: poll() reports nothing (%d fds polled)", n);
	ok(c.dir[0].queued > 0, "the bytes for the program are still held");
	/* The program reads: they go on. */
	ps.n = 0;
	splice_relay_fill(&c, &ps);
	for (int i = 0; i < 100000 && woken <= 0; i++) {
		got = recv(p, buf, sizeof(buf), MSG_DONTWAIT);
		read_some |= got > 0;
		woken = poll(ps.fds, ps.n, got > 0 ? 0 : 1000);
	}
	ok(read_some && woken > 0 && splice_relay_step_polled(&pool, &c, &ps) >= 0,
	   "the program reads: the relay is woken to pass more");
	splice_relay_close(&pool, &c, true);
	splice_relay_pool_free(&pool);
	close(p);
	free(ps.fds);
}

int main(void)
{
	test_idle_after_hangup();
	return tap_done();
}
