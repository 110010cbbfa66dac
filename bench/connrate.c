/* connrate.c - connection-rate load for bench/net.sh
 *
 *   connrate serve PORT          accept forever: read a request, answer, close
 *   connrate run HOST PORT SECS  count connect+request+response+close per second
 *   connrate once HOST PORT      retry connecting until it works, then exit 0
 *   connrate ready HOST PORT     the same, but a connection must stay up for
 *                                300 ms without a reset (a forwarder accepts
 *                                before the server behind it listens)
 *
 * HOST is a numeric IPv4 or IPv6 address.
 */
#define _GNU_SOURCE /* POLLRDHUP */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char request[] = "GET / HTTP/1.0\r\n\r\n";
static const char response[] = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok";

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static socklen_t make_addr(const char *host, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(host, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		inet_pton(AF_INET6, host, &s6->sin6_addr);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons((unsigned short)port);
	inet_pton(AF_INET, host, &s4->sin_addr);
	return sizeof(*s4);
}

static int one(const struct sockaddr_storage *ss, socklen_t len)
{
	char buf[256];
	int fd = socket(ss->ss_family, SOCK_STREAM, 0), one = 1;
	struct timeval tv = { .tv_sec = 2 };
	ssize_t n;

	/* A stuck connection counts as a failure instead of hanging the run. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)ss, len) < 0 ||
	    write(fd, request, sizeof(request) - 1) < 0) {
		close(fd);
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	return n == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (argc == 3 && strcmp(argv[1], "serve") == 0) {
		int lfd = socket(AF_INET6, SOCK_STREAM, 0), zero = 0, on = 1;
		setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		len = make_addr("::", atoi(argv[2]), &ss);
		if (bind(lfd, (struct sockaddr *)&ss, len) < 0 || listen(lfd, 1024) < 0) {
			perror("serve");
			return 1;
		}
		for (;;) {
			char buf[256];
			int fd = accept(lfd, NULL, NULL);
			if (fd < 0)
				continue;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
			if (read(fd, buf, sizeof(buf)) > 0)
				write(fd, response, sizeof(response) - 1);
			close(fd);
		}
	}
	if (argc == 4 && (strcmp(argv[1], "once") == 0 || strcmp(argv[1], "ready") == 0)) {
		int wait_ms = strcmp(argv[1], "ready") == 0 ? 300 : 0;
		len = make_addr(argv[2], atoi(argv[3]), &ss);
		for (int i = 0; i < 20000; i++) {
			int fd = socket(ss.ss_family, SOCK_STREAM, 0);
			if (connect(fd, (struct sockaddr *)&ss, len) == 0) {
				/* A forwarder accepts for a server that may not listen
				 * yet, and resets the connection then: wait and see. */
				struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };
				char c;
				if (!wait_ms || poll(&p, 1, wait_ms) == 0 ||
				    recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0)
					return 0;
			}
			close(fd);
			usleep(500);
		}
		return 1;
	}
	if (argc == 5 && strcmp(argv[1], "run") == 0) {
		double secs = atof(argv[4]), start, end;
		long done = 0, failed = 0;
		len = make_addr(argv[2], atoi(argv[3]), &ss);
		start = now();
		end = start + secs;
		while (now() < end) {
			if (one(&ss, len) == 0)
				done++;
			else
				failed++;
		}
		printf("%.0f %ld\n", (double)done / (now() - start), failed);
		return 0;
	}
	fprintf(stderr, "usage: connrate serve PORT | run HOST PORT SECS | once|ready HOST PORT\n");
	return 2;
}
