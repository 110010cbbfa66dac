/* lifecycle.c - a named sandbox from sbx's side: claim, detach, state file, end
 *
 * sandbox_run() calls lifecycle_begin() before anything starts (a taken name
 * ends sbx there, 125, nothing done), lifecycle_end() as its last cleanup
 * (after pid 1, the network helper and the bypass worker are gone: then the
 * state directory goes, and the lock with it). The supervisor's loop serves
 * the control socket (ctl.c) and hears from the spawner (spawner.c).
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lifecycle.h"
#include "lifecycle_int.h"
#include "net.h"
#include "profile.h"
#include "util.h"

static const char *net_name(enum sbx_net_mode net)
{
	return net == SBX_NET_HOST ? "host" : net == SBX_NET_SLIRP ? "slirp" : "none";
}

/* The command as one line (shown by sbx ls; spaces inside words are not
 * quoted: it is for people, the options file is for programs). */
static void put_command(FILE *f, const struct sbx_config *c)
{
	fputs("command=", f);
	for (size_t i = 0; c->argv[i]; i++) {
		fprintf(f, "%s", i ? " " : "");
		for (const char *s = c->argv[i]; *s; s++)
			fputc(*s == '\n' ? ' ' : *s, f);
	}
	fputc('\n', f);
}

static void put_namespaces(FILE *f, pid_t pid)
{
	for (int ns = 0; ns < SBX_NS_COUNT; ns++) {
		char path[64], link[128];
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid,
			 config_ns_name((enum sbx_ns)ns));
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		fprintf(f, "ns_%s=%s\n", config_ns_name((enum sbx_ns)ns), link);
	}
}

/* --memory, --memory-swap, --pids, --cpus as asked (bytes, count, CPUs)
 * and what enforces them; nothing without limits. */
static void put_limits(FILE *f, const struct lifecycle *l)
{
	const struct sbx_config *c = l->c;

	if (!l->limits_mech || strcmp(l->limits_mech, "none") == 0)
		return;
	fprintf(f, "limits=%s\n", l->limits_mech);
	if (c->limit_memory)
		fprintf(f, "limit_memory=%llu\n", c->limit_memory);
	if (c->limit_memory_swap_set)
		fprintf(f, "limit_memory_swap=%llu\n", c->limit_memory_swap);
	if (c->limit_pids)
		fprintf(f, "limit_pids=%lu\n", c->limit_pids);
	if (c->limit_cpus_milli) {
		char cpus[32];
		size_t n = (size_t)snprintf(cpus, sizeof(cpus), "%u.%03u", c->limit_cpus_milli / 1000,
					    c->limit_cpus_milli % 1000);

		/* "0.5", "2": as the user would write it */
		while (cpus[n - 1] == '0')
			cpus[--n] = '\0';
		if (cpus[n - 1] == '.')
			cpus[--n] = '\0';
		fprintf(f, "limit_cpus=%s\n", cpus);
	}
}

/* The state file: key=value lines, read by sbx ls. */
static void write_state(struct lifecycle *l, bool running)
{
	const struct sbx_config *c = l->c;
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	fprintf(f, "name=%s\nsbx_pid=%d\nstarted=%lld\nrunning=%d\ndetached=%d\n", l->reg.name,
		(int)getpid(), (long long)l->started, running, c->detach);
	if (running && l->pid1)
		fprintf(f, "pid1=%d\n", (int)l->pid1->pid);
	put_command(f, c);
	fprintf(f, "net=%s\n", net_name(c->net));
	if (c->net == SBX_NET_SLIRP)
		fprintf(f, "address=%s\ngateway=%s\n", NET_ADDR4, NET_GATEWAY4);
	fputs("ports=", f);
	for (size_t i = 0; i < c->n_publish; i++)
		fprintf(f, "%s%s", i ? "," : "", c->publish[i].spec);
	fputc('\n', f);
	put_limits(f, l);
	if (running && l->ns_pid > 0)
		put_namespaces(f, l->ns_pid);
	if (fclose(f) == 0)
		registry_write(&l->reg, REGISTRY_STATE, text);
}

static void write_options(struct lifecycle *l)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	profile_print(f, l->c);
	if (fclose(f) == 0)
		registry_write(&l->reg, REGISTRY_OPTIONS, text);
}

/* The detached parent: wait for "started" or the child's end. */
static int wait_for_detached(struct lifecycle *l, pid_t child, int ready_fd, int log_fd)
{
	char b, buf[4096];
	ssize_t n;
	int status;

	do
		n = read(ready_fd, &b, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1) {
		printf("%s\n", l->reg.name);
		return fflush(stdout) == 0 ? 0 : SBX_EXIT_SETUP;
	}
	/* It failed before the command ran: what it said is in its log. */
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	while ((n = read(log_fd, buf, sizeof(buf))) > 0)
		if (write_all(STDERR_FILENO, buf, (size_t)n) < 0)
			break;
	return WIFEXITED(status) ? WEXITSTATUS(status) : SBX_EXIT_SETUP;
}

/* The detached child: a session of its own, the log for output. */
static int become_detached(struct lifecycle *l, struct sbx_error *e)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int log = openat(l->reg.dirfd, REGISTRY_LOG, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);

	if (null < 0 || log < 0 || setsid() < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    dup2(log, STDOUT_FILENO) < 0 || dup2(log, STDERR_FILENO) < 0) {
		int err = errno;
		if (null >= 0)
			close(null);
		if (log >= 0)
			close(log);
		return sbx_error_set(e, err, "--detach");
	}
	close(null);
	close(log);
	return 0;
}

static int detach(struct lifecycle *l, int *ret_status, struct sbx_error *e)
{
	_cleanup_close_ int log_fd = -1;
	int ready[2];
	pid_t pid;

	log_fd = openat(l->reg.dirfd, REGISTRY_LOG,
			O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (log_fd < 0)
		return sbx_error_set(e, errno, "%s/%s", l->reg.dir, REGISTRY_LOG);
	if (pipe2(ready, O_CLOEXEC) < 0)
		return sbx_error_set(e, errno, "--detach: pipe");
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(ready[0]);
		close(ready[1]);
		return sbx_error_set(e, errno, "--detach: fork");
	}
	if (pid > 0) {
		close(ready[1]);
		*ret_status = wait_for_detached(l, pid, ready[0], log_fd);
		close(ready[0]);
		return 1;
	}
	close(ready[0]);
	l->detach_fd = ready[1];
	return become_detached(l, e);
}

static struct lifecycle *lifecycle_new(const struct sbx_config *c)
{
	struct lifecycle *l = calloc(1, sizeof(*l));

	if (!l)
		abort();
	l->reg = REGISTRY_ENTRY_NONE;
	l->c = c;
	l->listen_fd = l->spawner_fd = l->timer_fd = l->detach_fd = -1;
	for (size_t i = 0; i < CTL_CONNS_MAX; i++)
		l->conns[i] = (struct ctl_conn){ .src = { .fd = -1 }, .l = l };
	l->started = time(NULL);
	return l;
}

/* The parent of a detached sandbox: forget it without removing anything. */
static void lifecycle_forget(struct lifecycle *l)
{
	if (l->listen_fd >= 0)
		close(l->listen_fd);
	registry_close(&l->reg);
	free(l);
}

int lifecycle_begin(const struct sbx_config *c, struct lifecycle **ret, int *ret_status,
		    struct sbx_error *e)
{
	_cleanup_free_ char *auto_name = NULL;
	struct lifecycle *l;
	int r;

	*ret = NULL;
	if (!c->name && !c->detach)
		return 0;
	if (!c->name)
		auto_name = xasprintf("sbx-%d", (int)getpid());
	l = lifecycle_new(c);
	r = registry_create(&l->reg, c->name ? c->name : auto_name, e);
	if (r == 0 && c->detach)
		r = detach(l, ret_status, e);
	/* After the fork: the socket's credentials, which clients check
	 * (SO_PEERCRED), are the listening process's, alive as long as it. */
	if (r == 0)
		r = ctl_listen(l, e);
	if (r == 1) {
		lifecycle_forget(l);
		return 1;
	}
	*ret = l;
	if (r < 0)
		return r;
	write_options(l);
	write_state(l, false);
	return 0;
}

void lifecycle_end(struct lifecycle **lp)
{
	struct lifecycle *l = *lp;

	if (!l)
		return;
	/* The directory first: a stop client's EOF (our connections'
	 * close) means the name is free again. */
	registry_remove(&l->reg);
	ctl_close(l);
	if (l->spawner_fd >= 0)
		close(l->spawner_fd);
	if (l->timer_fd >= 0)
		close(l->timer_fd);
	if (l->detach_fd >= 0)
		close(l->detach_fd);
	free(l);
	*lp = NULL;
}

int lifecycle_watch(struct lifecycle *l, struct loop *loop, const struct proc *pid1)
{
	l->loop = loop;
	l->pid1 = pid1;
	return ctl_watch(l);
}

void lifecycle_set_limits(struct lifecycle *l, const char *mechanism)
{
	l->limits_mech = mechanism;
}

void lifecycle_started(struct lifecycle *l)
{
	write_state(l, true);
}

void lifecycle_write_state(struct lifecycle *l)
{
	write_state(l, true);
}

void lifecycle_ready(struct lifecycle *l)
{
	if (l->detach_fd >= 0) {
		if (write(l->detach_fd, "", 1) < 0) {
			/* The parent is gone: nobody to tell. */
		}
		close(l->detach_fd);
		l->detach_fd = -1;
	}
}
