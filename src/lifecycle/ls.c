/* ls.c - sbx ls (alias ps): the user's live named sandboxes */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "lifecycle_verbs.h"
#include "limits_parse.h"
#include "registry.h"
#include "util.h"
#include "verb.h"

/* A state file's value for @key, up to the end of its line (NULL if none). */
static char *state_get(const char *state, const char *key)
{
	size_t klen = strlen(key);

	for (const char *p = state; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=')
			return strndup(p + klen + 1, len - klen - 1);
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static void format_age(char *buf, size_t len, long long secs)
{
	if (secs < 0)
		secs = 0;
	if (secs < 120)
		snprintf(buf, len, "%llds", secs);
	else if (secs < 7200)
		snprintf(buf, len, "%lldm", secs / 60);
	else if (secs < 172800)
		snprintf(buf, len, "%lldh", secs / 3600);
	else
		snprintf(buf, len, "%lldd", secs / 86400);
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* A state value that is a plain number ("512", "0.5"), else NULL: what
 * JSON may show unquoted. */
static const char *number_or_null(const char *v)
{
	return v && *v && v[strspn(v, "0123456789.")] == '\0' ? v : "null";
}

/* "limits": null, or the mechanism and the values asked (bytes, count, CPUs). */
static void print_json_limits(FILE *f, const char *st)
{
	_cleanup_free_ char *mech = state_get(st, "limits"), *mem = state_get(st, "limit_memory"),
			    *swap = state_get(st, "limit_memory_swap"), *pids = state_get(st, "limit_pids"),
			    *cpus = state_get(st, "limit_cpus");

	fputs(", \"limits\": ", f);
	if (!mech) {
		fputs("null", f);
		return;
	}
	fputs("{\"mechanism\": ", f);
	json_string(f, mech);
	fprintf(f, ", \"memory\": %s, \"memory_swap\": %s, \"pids\": %s, \"cpus\": %s}",
		number_or_null(mem), number_or_null(swap), number_or_null(pids), number_or_null(cpus));
}

static void print_json(FILE *f, const char *name, const char *st, bool first)
{
	static const char *const ns[] = { "user", "mnt", "pid", "ipc", "uts", "net", "cgroup", "time" };
	_cleanup_free_ char *pid = state_get(st, "sbx_pid"), *pid1 = state_get(st, "pid1"),
			    *started = state_get(st, "started"), *cmd = state_get(st, "command"),
			    *net = state_get(st, "net"), *addr = state_get(st, "address"),
			    *ports = state_get(st, "ports"), *det = state_get(st, "detached");
	bool any = false;

	fprintf(f, "%s\n  {\"name\": ", first ? "" : ",");
	json_string(f, name);
	fprintf(f, ", \"pid\": %s, \"pid1\": %s, \"started\": %s, \"command\": ", pid ? pid : "null",
		pid1 ? pid1 : "null", started ? started : "null");
	json_string(f, cmd);
	fprintf(f, ", \"net\": ");
	json_string(f, net);
	fprintf(f, ", \"address\": ");
	if (addr)
		json_string(f, addr);
	else
		fputs("null", f);
	fprintf(f, ", \"ports\": [");
	for (char *p = ports, *item; p && *p && (item = strsep(&p, ","));) {
		fputs(any ? ", " : "", f);
		json_string(f, item);
		any = true;
	}
	fprintf(f, "], \"detached\": %s, \"namespaces\": {", det && strcmp(det, "1") == 0 ? "true" : "false");
	any = false;
	for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
		_cleanup_free_ char *key = xasprintf("ns_%s", ns[i]);
		_cleanup_free_ char *v = state_get(st, key);
		if (!v)
			continue;
		fprintf(f, "%s\"%s\": ", any ? ", " : "", ns[i]);
		json_string(f, v);
		any = true;
	}
	fputc('}', f);
	print_json_limits(f, st);
	fputc('}', f);
}

/* The table's LIMITS: "--memory 512M --pids 100 (cgroup v2)", or "-". */
static void format_limits(char *buf, size_t len, const char *st)
{
	_cleanup_free_ char *mech = state_get(st, "limits"), *mem = state_get(st, "limit_memory"),
			    *swap = state_get(st, "limit_memory_swap"), *pids = state_get(st, "limit_pids"),
			    *cpus = state_get(st, "limit_cpus");
	char size[32];
	size_t n = 0;

	snprintf(buf, len, "-");
	if (!mech)
		return;
	if (mem) {
		limits_format_size(strtoull(mem, NULL, 10), size, sizeof(size));
		n += (size_t)snprintf(buf + n, len - n, "--memory %s ", size);
	}
	if (swap && n < len) {
		limits_format_size(strtoull(swap, NULL, 10), size, sizeof(size));
		n += (size_t)snprintf(buf + n, len - n, "--memory-swap %s ", size);
	}
	if (pids && n < len)
		n += (size_t)snprintf(buf + n, len - n, "--pids %s ", pids);
	if (cpus && n < len)
		n += (size_t)snprintf(buf + n, len - n, "--cpus %s ", cpus);
	if (n < len)
		snprintf(buf + n, len - n, "(%s)", mech);
}

static void print_line(FILE *f, const char *name, const char *st)
{
	_cleanup_free_ char *pid = state_get(st, "sbx_pid"), *started = state_get(st, "started"),
			    *cmd = state_get(st, "command"), *net = state_get(st, "net"),
			    *ports = state_get(st, "ports");
	char age[32] = "-", limits[256];

	if (started)
		format_age(age, sizeof(age), (long long)time(NULL) - atoll(started));
	format_limits(limits, sizeof(limits), st);
	fprintf(f, "%-16s %-8s %-6s %-6s %-16s %-16s %s\n", name, pid ? pid : "-", age,
		net ? net : "-", ports && *ports ? ports : "-", limits, cmd ? cmd : "-");
}

enum ls_format { LS_TABLE, LS_JSON, LS_NAMES };

static int parse_args(int argc, char **argv, enum ls_format *fmt)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			*fmt = LS_JSON;
		else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0)
			*fmt = LS_NAMES;
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
		else
			return verb_misuse(argc, argv, "unexpected argument '%s'", argv[i]);
	}
	return 0;
}

int ls_main(int argc, char **argv)
{
	struct sbx_error e = { 0 };
	enum ls_format fmt = LS_TABLE;
	char **names = NULL;
	size_t n = 0;
	int r = parse_args(argc, argv, &fmt);

	if (r == 1) {
		printf("Usage: sbx %s [--json|-q]\nList your running named sandboxes "
		       "(name, sbx's pid, age, network, published ports, limits and what\n"
		       "enforces them, command).\n",
		       argv[0]);
		return 0;
	}
	if (r)
		return r;
	if (registry_list(&names, &n, &e) < 0)
		return client_fail(&e);
	if (fmt == LS_TABLE)
		printf("%-16s %-8s %-6s %-6s %-16s %-16s %s\n", "NAME", "PID", "AGE", "NET", "PORTS",
		       "LIMITS", "COMMAND");
	if (fmt == LS_JSON)
		fputc('[', stdout);
	for (size_t i = 0, shown = 0; i < n; i++) {
		struct registry_entry reg;
		_cleanup_free_ char *st = NULL;
		struct sbx_error ignored = { 0 };

		/* A sandbox is listed once its state file is there: sbx
		 * writes it after its control socket listens. Its lock alone
		 * is held earlier, and an `sbx enter` on a name -q printed
		 * then found no socket (status 125). */
		if (registry_open(&reg, names[i], &ignored) == 0) {
			if (registry_read(&reg, REGISTRY_STATE, &st) == 0) {
				if (fmt == LS_NAMES)
					printf("%s\n", names[i]);
				else if (fmt == LS_JSON)
					print_json(stdout, names[i], st, shown++ == 0);
				else
					print_line(stdout, names[i], st);
			}
			registry_close(&reg);
		}
		free(names[i]);
	}
	free(names);
	if (fmt == LS_JSON)
		fputs("\n]\n", stdout);
	return fflush(stdout) == 0 ? 0 : SBX_EXIT_SETUP;
}
