/* doctor_sandbox.c - `sbx doctor`'s end-to-end checks: sbx itself
 * (/proc/self/exe) runs `true` with its defaults, an overlay, an idmapped
 * bind and --net slirp; what it says on failure becomes the meaning */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "doctor_sandbox.h"
#include "util.h"

/* Longest a probe may take: a sandbox that has not ended by then hangs. */
#define PROBE_TIMEOUT_MS 60000

/* Run sbx @argv (NULL-terminated, without argv[0]); its first "sbx: " line
 * of stderr goes to @msg. Return: its exit status, or -errno. */
static int probe_run(const char *const *argv, char *msg, size_t len)
{
	const char *args[16] = { "sbx" };
	char buf[2048];
	size_t used = 0, n = 1;
	int fds[2], status = 0;
	_cleanup_close_ int pidfd = -1;
	struct pollfd p;
	pid_t pid;
	char *line;

	msg[0] = '\0';
	while (argv[n - 1] && n < ARRAY_SIZE(args) - 1) {
		args[n] = argv[n - 1];
		n++;
	}
	args[n] = NULL;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(fds[1], 2) < 0)
			_exit(125);
		execv("/proc/self/exe", (char **)args);
		_exit(127);
	}
	close(fds[1]);
	/* Wait for the exit, bounded: a hung probe is killed, not waited on. */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0) {
		p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		if (poll(&p, 1, PROBE_TIMEOUT_MS) == 0) {
			kill(pid, SIGKILL);
			snprintf(msg, len, "did not end within %d s", PROBE_TIMEOUT_MS / 1000);
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* sbx has ended; a helper that inherited stderr must not block us. */
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	for (ssize_t k; used < sizeof(buf) - 1 && (k = read(fds[0], buf + used, sizeof(buf) - 1 - used)) > 0;)
		used += (size_t)k;
	close(fds[0]);
	buf[used] = '\0';
	if (!msg[0]) {
		line = strstr(buf, "sbx: ");
		if (line) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(msg, len, "%s", line + 5);
		}
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void probe(struct doctor_report *r, const char *what, enum doctor_state if_bad, const char *good,
		  const char *fix, const char *const *argv)
{
	char msg[DOCTOR_TEXT_MAX - 40];
	int rc = probe_run(argv, msg, sizeof(msg));

	if (rc == 0)
		doctor_add(r, what, DOCTOR_OK, NULL, "%s", good);
	else
		doctor_add(r, what, if_bad, fix, "exit %d: %s", rc, msg[0] ? msg : "(no message)");
}

void doctor_check_sandboxes(struct doctor_report *r)
{
	char dir[] = "/tmp/sbx-doctor.XXXXXX", bind[sizeof(dir) + 8];

	probe(r, "sandbox (defaults)", DOCTOR_FAIL, "`sbx true` runs",
	      "see the FAIL lines above", (const char *const[]){ "--", "true", NULL });
	probe(r, "overlay in a userns", DOCTOR_WARN, "`sbx --overlay-src /usr --tmp-overlay /usr true` runs",
	      "a kernel whose overlayfs mounts in user namespaces over a tmpfs upper layer (Linux >= 6.6: tmpfs user xattrs)",
	      (const char *const[]){ "--overlay-src", "/usr", "--tmp-overlay", "/usr", "--", "true", NULL });
	if (mkdtemp(dir)) {
		snprintf(bind, sizeof(bind), "%s::idmap", dir);
		probe(r, "idmapped bind", DOCTOR_INFO, "`sbx --bind DIR::idmap true` runs",
		      "a kernel and file system with idmapped mounts (Linux >= 5.12; tmpfs >= 6.3)",
		      (const char *const[]){ "--bind", bind, "--", "true", NULL });
		rmdir(dir);
	}
	probe(r, "--net slirp", DOCTOR_WARN, "`sbx --net slirp true` runs",
	      "see the /dev/net/tun and libslirp lines",
	      (const char *const[]){ "--net", "slirp", "--", "true", NULL });
}
