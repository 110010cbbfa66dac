/* logs.c - sbx logs NAME [-f]: a detached sandbox's output */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "client.h"
#include "lifecycle_verbs.h"
#include "util.h"
#include "verb.h"

/* Copy the rest of @fd to stdout. Return: 0 or -errno. */
static int copy_rest(int fd)
{
	char buf[16384];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		int r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		r = write_all(STDOUT_FILENO, buf, (size_t)n);
		if (r < 0)
			return r;
	}
}

/* -f: the log grows (inotify) until the sandbox is gone (our watch
 * connection's EOF: the supervisor closes it last). No polling. */
static int follow(int log, int conn)
{
	_cleanup_close_ int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", log);
	if (in < 0 || inotify_add_watch(in, path, IN_MODIFY) < 0)
		return -errno;
	for (;;) {
		struct pollfd p[2] = { { .fd = in, .events = POLLIN }, { .fd = conn, .events = POLLIN } };
		char ev[4096];
		int r = copy_rest(log);

		if (r < 0)
			return r;
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return -errno;
		while (read(in, ev, sizeof(ev)) > 0)
			;
		if (p[1].revents)
			return copy_rest(log);
	}
}

int logs_main(int argc, char **argv)
{
	struct ctl_request req = { .magic = CTL_MAGIC, .type = CTL_WATCH };
	struct registry_entry reg = REGISTRY_ENTRY_NONE;
	struct sbx_error e = { 0 };
	_cleanup_close_ int conn = -1, log = -1;
	const char *name = NULL;
	bool f = false;
	int r;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--follow") == 0) {
			f = true;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			printf("Usage: sbx logs NAME [-f]\nPrint what a sandbox started with --detach "
			       "wrote; -f: follow until it ends.\n");
			return 0;
		} else if (!name && argv[i][0] != '-') {
			name = argv[i];
		} else {
			return verb_misuse(argc, argv, "unexpected argument '%s'", argv[i]);
		}
	}
	if (!name)
		return verb_misuse(argc, argv, "missing NAME");
	r = client_connect(name, &reg, &conn, &e);
	if (r == 0) {
		log = openat(reg.dirfd, REGISTRY_LOG, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (log < 0)
			r = errno == ENOENT ? sbx_error_set(&e, 0, "sandbox '%s' has no log (it was not started with --detach)", name)
					    : sbx_error_set(&e, errno, "%s/%s", reg.dir, REGISTRY_LOG);
	}
	registry_close(&reg);
	if (r == 0 && f)
		r = client_send(conn, &req, NULL, 0);
	if (r < 0)
		return e.msg[0] ? client_fail(&e) : (sbx_error_set(&e, -r, "sbx logs"), client_fail(&e));
	r = f ? follow(log, conn) : copy_rest(log);
	if (r < 0) {
		sbx_error_set(&e, -r, "sbx logs %s", name);
		return client_fail(&e);
	}
	return 0;
}
