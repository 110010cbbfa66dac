/* status_fd.c - --info-fd and --json-status-fd: the sandbox's pid, namespaces, exit code
 *
 * The formats are bubblewrap's, which Flatpak and others parse: --info-fd
 * gets one pretty-printed JSON object, --json-status-fd one object a line.
 * Namespace ids are the inode numbers of /proc/PID/ns/NAME, for the new
 * namespaces only (the mount namespace always), in bwrap's order.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status_fd.h"
#include "util.h"

static const struct {
	enum sbx_ns ns;
	const char *name;
} reported[] = {
	{ SBX_NS_CGROUP, "cgroup" }, { SBX_NS_IPC, "ipc" }, { SBX_NS_MNT, "mnt" },
	{ SBX_NS_NET, "net" },	     { SBX_NS_PID, "pid" }, { SBX_NS_UTS, "uts" },
};

void status_fd_init(struct status_fd *s, const struct sbx_config *c)
{
	*s = (struct status_fd){ .info_fd = c->info_fd, .json_fd = c->json_status_fd };
	for (int ns = 0; ns < SBX_NS_COUNT; ns++)
		s->report[ns] = !c->share[ns];
	s->report[SBX_NS_MNT] = true;
}

void status_fd_set_limits(struct status_fd *s, const struct sbx_config *c, const char *mechanism)
{
	if (c->bwrap.enabled || !mechanism || strcmp(mechanism, "none") == 0)
		return;
	s->limits = mechanism;
}

/* Written whole or not at all is up to the reader; a closed reader is
 * no reason to stop the sandbox (bwrap would, we do not). */
static void put(int fd, const char *text)
{
	if (fd >= 0)
		write_all(fd, text, strlen(text));
}

void status_fd_started(struct status_fd *s, pid_t pid)
{
	char info[1024], json[1024];
	int ni, nj;

	if (s->started || (s->info_fd < 0 && s->json_fd < 0))
		return;
	s->started = true;
	ni = snprintf(info, sizeof(info), "{\n    \"child-pid\": %d", (int)pid);
	nj = snprintf(json, sizeof(json), "{ \"child-pid\": %d", (int)pid);
	for (size_t i = 0; i < ARRAY_SIZE(reported); i++) {
		char path[64];
		struct stat st;

		if (!s->report[reported[i].ns])
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, reported[i].name);
		if (stat(path, &st) < 0)
			continue;
		ni += snprintf(info + ni, sizeof(info) - (size_t)ni, ",\n    \"%s-namespace\": %ju",
			       reported[i].name, (uintmax_t)st.st_ino);
		nj += snprintf(json + nj, sizeof(json) - (size_t)nj, ", \"%s-namespace\": %ju",
			       reported[i].name, (uintmax_t)st.st_ino);
	}
	/* Last: a name of our own after bwrap's members. */
	if (s->limits) {
		ni += snprintf(info + ni, sizeof(info) - (size_t)ni, ",\n    \"sbx-limits\": \"%s\"",
			       s->limits);
		nj += snprintf(json + nj, sizeof(json) - (size_t)nj, ", \"sbx-limits\": \"%s\"",
			       s->limits);
	}
	snprintf(info + ni, sizeof(info) - (size_t)ni, "\n}\n");
	snprintf(json + nj, sizeof(json) - (size_t)nj, " }\n");
	put(s->info_fd, info);
	put(s->json_fd, json);
	if (s->info_fd >= 0)
		close(TAKE_FD(s->info_fd));
}

void status_fd_failed(struct status_fd *s)
{
	s->failed = true;
}

void status_fd_exited(struct status_fd *s, int status)
{
	char line[64];

	if (s->started && !s->failed && s->json_fd >= 0) {
		snprintf(line, sizeof(line), "{ \"exit-code\": %d }\n", status);
		put(s->json_fd, line);
	}
	status_fd_close(s);
}

void status_fd_close(struct status_fd *s)
{
	if (s->info_fd >= 0)
		close(TAKE_FD(s->info_fd));
	if (s->json_fd >= 0)
		close(TAKE_FD(s->json_fd));
}
