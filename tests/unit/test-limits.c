/* test-limits.c - the limits' arguments, and the cgroup code against a fake
 * cgroupfs (a tree of plain directories: this host's cgroups are never touched) */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "limits_parse.h"
#include "rlimit.h"
#include "tap.h"

static void test_sizes(void)
{
	static const struct {
		const char *s;
		int r;
		unsigned long long bytes;
	} cases[] = {
		{ "512M", 0, 512ULL << 20 },	  { "512m", 0, 512ULL << 20 },
		{ "1.5G", 0, 3ULL << 29 },	  { "4G", 0, 4ULL << 30 },
		{ "65536", 0, 65536 },		  { "2K", 0, 2048 },
		{ "1T", 0, 1ULL << 40 },	  { "100MB", 0, 100ULL << 20 },
		{ "100MiB", 0, 100ULL << 20 },	  { "0.5k", 0, 512 },
		{ "", -EINVAL, 0 },		  { "M", -EINVAL, 0 },
		{ "12X", -EINVAL, 0 },		  { "-1M", -EINVAL, 0 },
		{ "1.2345G", -EINVAL, 0 },	  { "1 G", -EINVAL, 0 },
		{ "1e9", -EINVAL, 0 },		  { "5000000000T", -ERANGE, 0 },
		{ "99999999999999999999", -ERANGE, 0 }, { "65536B", -EINVAL, 0 },
		/* Above ULLONG_MAX / 1000 but within range: no wrap in thousandths. */
		{ "18446744073709552", 0, 18446744073709552ULL },
		{ "1152921504606846976", 0, 1ULL << 60 },
		{ "1152921504606846977", -ERANGE, 0 },
		{ "18446744073709552G", -ERANGE, 0 }, { "18446744073709552.5", 0, 18446744073709552ULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned long long b = 0;
		int r = limits_parse_size(cases[i].s, &b);

		ok(r == cases[i].r && (r < 0 || b == cases[i].bytes), "size '%s' -> %d %llu",
		   cases[i].s, r, b);
	}
}

static void test_cpus(void)
{
	static const struct {
		const char *s;
		int r;
		unsigned milli;
	} cases[] = {
		{ "0.5", 0, 500 },   { "2", 0, 2000 },	     { "1.25", 0, 1250 },
		{ ".5", 0, 500 },    { "0.01", 0, 10 },	     { "1024", 0, 1024000 },
		{ "0", -ERANGE, 0 }, { "0.001", -ERANGE, 0 }, { "1025", -ERANGE, 0 },
		{ "0.5x", -EINVAL, 0 }, { "", -EINVAL, 0 },  { "1.0001", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned m = 0;
		int r = limits_parse_cpus(cases[i].s, &m);

		ok(r == cases[i].r && (r < 0 || m == cases[i].milli), "cpus '%s' -> %d %u",
		   cases[i].s, r, m);
	}
}

static void test_format(void)
{
	char buf[32];

	limits_format_size(512ULL << 20, buf, sizeof(buf));
	is_str(buf, "512M", "512M formats as 512M");
	limits_format_size(3ULL << 29, buf, sizeof(buf));
	is_str(buf, "1536M", "1.5G formats as 1536M");
	limits_format_size(4ULL << 30, buf, sizeof(buf));
	is_str(buf, "4G", "4G formats as 4G");
	limits_format_size(1000, buf, sizeof(buf));
	is_str(buf, "1000", "1000 bytes stay bytes");
}

static void test_kernel_versions(void)
{
	ok(rlimit_nproc_per_userns("5.14.0"), "5.14 counts RLIMIT_NPROC per user namespace");
	ok(rlimit_nproc_per_userns("6.1.0-13-amd64"), "6.1 does");
	ok(!rlimit_nproc_per_userns("5.13.19"), "5.13 does not");
	ok(!rlimit_nproc_per_userns("4.19.0"), "4.19 does not");
	ok(!rlimit_nproc_per_userns("garbage"), "an unreadable release is taken as too old");
}

/* --- a fake cgroupfs -------------------------------------------------------- */

static char root[256];

static void put(const char *rel, const char *data)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (f) {
		fputs(data, f);
		fclose(f);
	}
}

static char *get(const char *rel)
{
	static char buf[256];
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static bool exists(const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return stat(path, &st) == 0;
}

/* A user's delegated cgroup with @procs in it and @controllers offered. */
static void fake_tree(const char *controllers, const char *procs)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/user", root);
	mkdir(path, 0755);
	put("user/cgroup.controllers", controllers);
	put("user/cgroup.procs", procs);
	put("user/cgroup.subtree_control", "");
}

static void start(struct cgroup_v2 *cg)
{
	*cg = (struct cgroup_v2)CGROUP_V2_INIT;
	snprintf(cg->root, sizeof(cg->root), "%s", root);
	snprintf(cg->path, sizeof(cg->path), "/user");
	cg->fake = true;
}

static void test_fake_cgroup(void)
{
	struct cgroup_request req = { .memory = 512ULL << 20, .pids = 64, .cpus_milli = 500 };
	struct cgroup_v2 cg;
	struct sbx_error e = { 0 };
	char self[32], leaf[64], limit[64], file[128];
	int r;

	snprintf(root, sizeof(root), "%s/sbx-test-limits.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(root)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(self, sizeof(self), "%ld\n", (long)getpid());
	snprintf(leaf, sizeof(leaf), "user/sbx-%ld.supervisor", (long)getpid());
	snprintf(limit, sizeof(limit), "user/sbx-%ld", (long)getpid());

	/* Not writable, a controller missing, other processes: refused with
	 * what to do, and nothing made. */
	fake_tree("memory pids\n", self);
	start(&cg);
	r = cgroup_v2_check(&cg, CGROUP_MEMORY | CGROUP_CPU, &e);
	ok(r == -EOPNOTSUPP && strstr(e.msg, "the cpu controller is not enabled") &&
		   strstr(e.msg, "Delegate="),
	   "a controller not offered is named, with the fix: %s", e.msg);
	cgroup_v2_destroy(&cg);
	put("user/cgroup.procs", "1\n");
	put("user/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
	start(&cg);
	r = cgroup_v2_check(&cg, CGROUP_MEMORY, &e);
	ok(r == -EBUSY && strstr(e.msg, "other processes") && strstr(e.msg, "systemd-run"),
	   "a cgroup shared with other processes is refused: %s", e.msg);
	cgroup_v2_destroy(&cg);
	ok(!exists(leaf) && !exists(limit), "nothing made after a refusal");

	/* sbx alone in it: the whole subtree, the limits written. */
	put("user/cgroup.procs", self);
	start(&cg);
	r = cgroup_v2_check(&cg, CGROUP_MEMORY | CGROUP_PIDS | CGROUP_CPU, &e);
	ok(r == 0, "sbx alone in a delegated cgroup: usable (%s)", r ? e.msg : "");
	r = cgroup_v2_create(&cg, CGROUP_MEMORY | CGROUP_PIDS | CGROUP_CPU, &req, &e);
	ok(r == 0, "cgroups made (%s)", r ? e.msg : "");
	snprintf(file, sizeof(file), "%s/cgroup.procs", leaf);
	is_str(get(file), "0", "sbx moved itself into its leaf");
	is_str(get("user/cgroup.subtree_control"), "+memory +pids +cpu",
	       "controllers enabled for the children");
	snprintf(file, sizeof(file), "%s/memory.max", limit);
	is_str(get(file), "536870912", "memory.max");
	snprintf(file, sizeof(file), "%s/memory.swap.max", limit);
	is_str(get(file), "0", "memory.swap.max 0 without --memory-swap");
	snprintf(file, sizeof(file), "%s/pids.max", limit);
	is_str(get(file), "64", "pids.max");
	snprintf(file, sizeof(file), "%s/cpu.max", limit);
	is_str(get(file), "50000 100000", "cpu.max for --cpus 0.5");
	snprintf(file, sizeof(file), "%s/sandbox", limit);
	ok(exists(file) && cg.sandbox_fd >= 0, "the sandbox's own cgroup, below the limits");
	snprintf(file, sizeof(file), "%s/cgroup.max.depth", limit);
	is_str(get(file), "16", "cgroup.max.depth: no deeper nesting than the end removes");

	/* The sandbox made a cgroup of its own; an OOM kill happened. */
	snprintf(file, sizeof(file), "%s/sandbox/nested", limit);
	mkdir(strcat(strcat(strcpy((char[512]){ 0 }, root), "/"), file), 0755);
	snprintf(file, sizeof(file), "%s/memory.events", limit);
	put(file, "low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\n");
	{
		unsigned long long n = 0;
		ok(cgroup_v2_event_count(&cg, "memory.events", "oom_kill", &n) == 0 && n == 2,
		   "oom_kill read from memory.events");
		ok(cgroup_v2_event_count(&cg, "memory.events", "oom", &n) == 0 && n == 1,
		   "a key is matched whole (oom, not oom_kill)");
	}
	cgroup_v2_destroy(&cg);
	ok(!exists(leaf) && !exists(limit), "everything removed at the end, nested cgroups too");
	is_str(get("user/cgroup.subtree_control"), "-memory -pids -cpu", "controllers given back");
	is_str(get("user/cgroup.procs"), "0", "sbx moved back");
	cgroup_v2_destroy(&cg);
	ok(1, "destroy twice is harmless");

	/* --memory-swap set; no cpu asked: cpu.max untouched. */
	put("user/cgroup.subtree_control", "");
	put("user/cgroup.procs", self);
	start(&cg);
	req = (struct cgroup_request){ .memory = 64ULL << 20, .memory_swap = 1ULL << 30, .swap_set = true };
	r = cgroup_v2_check(&cg, CGROUP_MEMORY, &e);
	if (r == 0)
		r = cgroup_v2_create(&cg, CGROUP_MEMORY, &req, &e);
	ok(r == 0, "memory only (%s)", r ? e.msg : "");
	snprintf(file, sizeof(file), "%s/memory.swap.max", limit);
	is_str(get(file), "1073741824", "memory.swap.max from --memory-swap");
	is_str(get("user/cgroup.subtree_control"), "+memory", "only the memory controller enabled");
	cgroup_v2_destroy(&cg);

	put("user/cgroup.procs", "");
	unlink(strcat(strcat(strcpy((char[512]){ 0 }, root), "/"), "user/cgroup.procs"));
	unlink(strcat(strcat(strcpy((char[512]){ 0 }, root), "/"), "user/cgroup.controllers"));
	unlink(strcat(strcat(strcpy((char[512]){ 0 }, root), "/"), "user/cgroup.subtree_control"));
	rmdir(strcat(strcat(strcpy((char[512]){ 0 }, root), "/"), "user"));
	ok(rmdir(root) == 0, "the fake tree is empty at the end");
}

static void test_find(void)
{
	char dir[256], proc[300];
	struct cgroup_v2 cg = CGROUP_V2_INIT;
	struct sbx_error e = { 0 };
	FILE *f;
	int r;

	snprintf(dir, sizeof(dir), "%s/sbx-test-find.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(proc, sizeof(proc), "%s/cgroup", dir);
	f = fopen(proc, "w");
	fputs("9:name=systemd:/\n8:pids:/\n4:memory:/x\n1:cpu,cpuacct:/\n0::/\n", f);
	fclose(f);
	r = cgroup_v2_find(dir, proc, &cg, &e);
	ok(r == -EOPNOTSUPP && strstr(e.msg, "cgroup v1 host") && strstr(e.msg, "unified_cgroup_hierarchy"),
	   "a hybrid host is named as such: %s", e.msg);
	f = fopen(proc, "w");
	fputs("1:name=systemd:/\n0::/user.slice/user-1000.slice/session-1.scope\n", f);
	fclose(f);
	r = cgroup_v2_find(dir, proc, &cg, &e);
	ok(r == -ENOENT && strstr(e.msg, "no cgroup v2 hierarchy at"),
	   "no cgroup2 mounted where expected: %s", e.msg);
	unlink(proc);
	rmdir(dir);
}

int main(void)
{
	test_sizes();
	test_cpus();
	test_format();
	test_kernel_versions();
	test_find();
	test_fake_cgroup();
	return tap_done();
}
