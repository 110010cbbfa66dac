/* lifecycle_state.c - the state and options files of a named sandbox
 *
 * What sbx ls and sbx ps read about a running sandbox: the state file
 * (key=value lines, rewritten as the sandbox's life goes on) and the
 * options file (the options it was started with, as a profile). Both are
 * written through the registry (registry_write()), so a reader never sees
 * half a file.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lifecycle_int.h"
#include "lifecycle_state.h"
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

void lifecycle_state_write(struct lifecycle *l, bool running)
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

void lifecycle_state_write_options(struct lifecycle *l)
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
