/* test-userns - subuid/subgid parsing and id-map building */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <net/if.h>

#include "tap.h"
#include "config.h"
#include "ns.h"
#include "userns.h"
#include "userns_holder.h"
#include "userns_spare.h"

static size_t parse_text(const char *text, const char *user, unsigned long id,
			 struct subid_range *r, size_t max)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	size_t n = subid_parse(f, user, id, r, max);
	fclose(f);
	return n;
}

static void test_subid(void)
{
	struct subid_range r[8];
	size_t n;

	n = parse_text("# comment\n\nalice:100000:65536\nbob:165536:65536\n", "bob", 1001, r, 8);
	ok(n == 1 && r[0].start == 165536 && r[0].count == 65536, "user by name");

	n = parse_text("1001:200000:1000\nalice:1:2\n", "bob", 1001, r, 8);
	ok(n == 1 && r[0].start == 200000, "user by numeric uid");

	n = parse_text("bob:100:10\nbob:500:20\n  # indented comment\nbob:900:30\n", "bob", 1, r, 8);
	ok(n == 3 && r[1].start == 500 && r[2].count == 30, "several ranges, in order");

	n = parse_text("bob:100\nbob:x:10\nbob:100:0\nbob:-1:5\nbob:1:2:3\n:1:2\nbob:4294967295:2\n"
		       "bob:7:8\n",
		       "bob", 1, r, 8);
	ok(n == 1 && r[0].start == 7 && r[0].count == 8, "malformed lines skipped");

	n = parse_text("bob:1:2", "bob", 1, r, 8);
	ok(n == 1, "last line without newline");

	n = parse_text("bobby:1:2\nbo:3:4\n", "bob", 1, r, 8);
	ok(n == 0, "no prefix matches");

	n = parse_text("bob:1:1\nbob:2:1\nbob:3:1\n", "bob", 1, r, 2);
	ok(n == 2, "bounded by max");

	char longline[2000];
	memset(longline, 'a', sizeof(longline));
	memcpy(longline + sizeof(longline) - 12, "\nbob:9:9\n", 10);
	n = parse_text(longline, "bob", 1, r, 8);
	ok(n == 1 && r[0].start == 9, "overlong line skipped, next line read");

	n = subid_load("/nonexistent/subuid", "bob", 1, r, 8);
	ok(n == 0, "missing file means no ranges");
}

static const char *fmt(const struct idmap *m)
{
	static char buf[4096];
	idmap_format(m, buf, sizeof(buf));
	return buf;
}

static void test_idmap(void)
{
	struct subid_range one = { 100000, 65536 };
	struct subid_range two[] = { { 100000, 1000 }, { 300000, 70000 } };
	struct idmap m;

	ok(idmap_build(1000, 1000, &one, 1, IDMAP_DEFAULT_SPAN, &m) == 0, "keep-id builds");
	is_str(fmt(&m), "1000 1000 1\n0 100000 1000\n1001 101000 64535\n",
	       "keep-id: caller at its own id, 0..65535 covered");

	ok(idmap_build(1000, 0, &one, 1, IDMAP_DEFAULT_SPAN, &m) == 0, "root builds");
	is_str(fmt(&m), "0 1000 1\n1 100000 65535\n", "--root: caller is 0, the rest above");

	ok(idmap_build(1000, 65534, &one, 1, IDMAP_DEFAULT_SPAN, &m) == 0, "top id");
	is_str(fmt(&m), "65534 1000 1\n0 100000 65534\n65535 165534 1\n", "caller at 65534");

	ok(idmap_build(1000, 1000, two, 2, IDMAP_DEFAULT_SPAN, &m) == 0, "two ranges");
	is_str(fmt(&m), "1000 1000 1\n0 100000 1000\n1001 300000 64535\n",
	       "ranges filled in order, split around the caller");

	ok(idmap_build(1000, 5, two, 2, IDMAP_DEFAULT_SPAN, &m) == 0, "two ranges, low id");
	is_str(fmt(&m), "5 1000 1\n0 100000 5\n6 100005 995\n1001 300000 64535\n",
	       "split inside the first range");

	ok(idmap_build(1000, 1000, NULL, 0, IDMAP_DEFAULT_SPAN, &m) == 0, "no ranges");
	is_str(fmt(&m), "1000 1000 1\n", "no ranges: single-id map");

	struct subid_range small = { 500000, 10 };
	ok(idmap_build(1000, 3, &small, 1, IDMAP_DEFAULT_SPAN, &m) == 0, "short range");
	is_str(fmt(&m), "3 1000 1\n0 500000 3\n4 500003 7\n", "a short range maps what it has");

	struct subid_range many[400];
	for (int i = 0; i < 400; i++)
		many[i] = (struct subid_range){ 100000 + 2 * (unsigned long)i, 1 };
	ok(idmap_build(1000, 1000, many, 400, IDMAP_DEFAULT_SPAN, &m) == -E2BIG,
	   "more than 340 lines refused");
	char text[8192];
	ok(m.n > 0 && idmap_format(&m, text, sizeof(text)) < IDMAP_MAX_TEXT &&
		   m.lines[0].outside == 1000 && idmap_count(&m) == m.n,
	   "...but what fits is kept: the caller's line first, %zu lines under a page", m.n);
}

static void test_identity(void)
{
	struct subid_range two[] = { { 300000, 65536 }, { 100000, 65536 } };
	struct subid_range touching[] = { { 100000, 1000 }, { 101000, 5 }, { 1000, 1 } };
	struct subid_range many[400];
	struct idmap m, parsed, child;

	ok(idmap_build_identity(1001, two, 2, &m) == 0, "parent map builds");
	is_str(fmt(&m), "1001 1001 1\n100000 100000 65536\n300000 300000 65536\n",
	       "parent map: own id and every range to itself, sorted");
	ok(idmap_build_identity(1000, touching, 3, &m) == 0, "touching ranges");
	is_str(fmt(&m), "1000 1000 1\n100000 100000 1005\n",
	       "adjacent and overlapping ranges merged (the kernel refuses overlaps)");

	ok(idmap_build_identity(1001, two, 2, &m) == 0 &&
		   idmap_build(1001, 1001, two, 2, IDMAP_DEFAULT_SPAN, &child) == 0 &&
		   idmap_outside_within(&child, &m),
	   "the sandbox's map can be written from the parent's");
	child.lines[1].outside = 99999;
	ok(!idmap_outside_within(&child, &m), "an outside id beyond the parent map is caught");

	ok(idmap_parse("      1001       1001          1\n    100000     100000      65536\n",
		       &parsed) == 0 && parsed.n == 2 && parsed.lines[1].count == 65536,
	   "/proc uid_map text parses");
	ok(idmap_parse("1 2\n", &parsed) < 0 && idmap_parse("1 2 3 4\n", &parsed) < 0 &&
		   idmap_parse("a b c\n", &parsed) < 0,
	   "malformed uid_map text refused");
	ok(idmap_parse("1001 1001 1\n", &parsed) == 0 && !idmap_equal(&parsed, &m),
	   "a map with lines missing differs");

	for (int i = 0; i < 400; i++)
		many[i] = (struct subid_range){ 100000 + 2 * (unsigned long)i, 1 };
	ok(idmap_build_identity(1000, many, 400, &m) == -E2BIG && m.n > 0,
	   "too many ranges for one parent map: said so");
}

/* Issue 10: 10,000 one-id ranges used to map 64 ids silently. */
static void test_many_ranges(void)
{
	char dir[] = "/tmp/sbx-unit-XXXXXX";
	char subuid[64], subgid[64];
	struct userns_plan p;
	struct sbx_error e = { 0 };
	FILE *f;

	ok(mkdtemp(dir) != NULL, "temp dir");
	snprintf(subuid, sizeof(subuid), "%s/subuid", dir);
	snprintf(subgid, sizeof(subgid), "%s/subgid", dir);
	f = fopen(subuid, "w");
	for (int i = 0; i < 10000; i++)
		fprintf(f, "u:%d:1\n", 200000 + i);
	fclose(f);
	f = fopen(subgid, "w");
	for (int i = 0; i < 10000; i++)
		fprintf(f, "u:%d:1\n", 200000 + 2 * i);
	fclose(f);
	ok(userns_plan_build(&p, 1000, 1000, "u", 1000, 1000, subuid, subgid, &e) == 0, "plan");
	ok(idmap_count(&p.uid_map) == 10001 && p.uid_map.n <= 3,
	   "10,000 adjacent one-id ranges: all mapped (%lu ids in %zu lines)",
	   idmap_count(&p.uid_map), p.uid_map.n);
	ok(strstr(p.warning, subgid) && strstr(p.warning, "340") &&
		   idmap_count(&p.gid_map) == p.gid_map.n && p.gid_map.n > 64,
	   "10,000 separate one-id ranges: %lu mapped, and said: %s", idmap_count(&p.gid_map),
	   p.warning);
	ok(p.uid_parent.n == 2 && p.uid_parent.lines[1].count == 10000,
	   "the parent map holds every adjacent range");
	unlink(subuid);
	unlink(subgid);
	rmdir(dir);
}

static void test_plan(void)
{
	char dir[] = "/tmp/sbx-unit-XXXXXX";
	char subuid[64], subgid[64];
	struct userns_plan p;
	struct sbx_error e = { 0 };
	FILE *f;

	ok(mkdtemp(dir) != NULL, "temp dir");
	snprintf(subuid, sizeof(subuid), "%s/subuid", dir);
	snprintf(subgid, sizeof(subgid), "%s/subgid", dir);
	f = fopen(subuid, "w");
	fputs("u:100000:65536\n", f);
	fclose(f);

	ok(userns_plan_build(&p, 1000, 1000, "u", 1000, 1000, subuid, subgid, &e) == 0, "plan");
	ok(!p.use_helpers && p.uid_map.n == 1 && strstr(p.warning, "subgid"),
	   "no subgid range: single-id maps and one warning: %s", p.warning);

	f = fopen(subgid, "w");
	fputs("1000:200000:65536\n", f);
	fclose(f);
	ok(userns_plan_build(&p, 1000, 1000, "u", 1000, 1000, subuid, subgid, &e) == 0, "plan 2");
	ok(p.uid_map.n == 3 && p.gid_map.n == 3 && p.gid_map.lines[1].outside == 200000,
	   "both ranges used");

	ok(userns_plan_build(&p, 0, 0, "root", 0, 0, "/nonexistent", "/nonexistent", &e) == 0,
	   "root plan");
	ok(p.privileged && p.uid_map.n == 1 && p.uid_map.lines[0].count == 65536 &&
		   p.uid_map.lines[0].outside == 0,
	   "root without ranges: identity 0..65535");
	ok(p.warning[0] == '\0', "root: no warning");

	ok(userns_plan_build(&p, 1000, 1000, "u", 1000, 1000, subuid, subgid, &e) == 0, "plan 3");
	userns_plan_single(&p);
	is_str(fmt(&p.uid_map), "1000 1000 1\n", "--userns single: only the caller's uid");
	is_str(fmt(&p.gid_map), "1000 1000 1\n", "--userns single: only the caller's gid");
	ok(!p.use_helpers && p.warning[0] == '\0', "--userns single: no helpers, no warning");

	unlink(subuid);
	unlink(subgid);
	rmdir(dir);
}

/* Write "INSIDE OUTSIDE 1" to /proc/PID/FILE. */
static int put_map(pid_t pid, const char *file, unsigned long inside, unsigned long outside)
{
	char path[64], text[64];
	int fd, n, r;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	n = strcmp(file, "setgroups") == 0 ? snprintf(text, sizeof(text), "deny")
					   : snprintf(text, sizeof(text), "%lu %lu 1\n", inside, outside);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = write(fd, text, (size_t)n) == n ? 0 : -errno;
	close(fd);
	return r;
}

static int wait_byte(int fd)
{
	char b;

	return read(fd, &b, 1) == 1 ? 0 : -1;
}

/* A child that unshares a user namespace X and says so ('x'); told to go
 * on, with @hop it unshares again, into a child Y of X, has Y mapped by a
 * process it leaves in X (only X may map Y) and says so ('y'); then it
 * waits for the end. Y maps U to X's 5, which the caller maps to U: seen
 * from outside, Y reads "U U 1" (our holder's map) while X reads "5 U 1". */
static pid_t ns_child(int *ret_up, int *ret_down, bool hop, unsigned long u, unsigned long g)
{
	int up[2], down[2], done[2];
	pid_t pid, mapper;

	if (pipe2(up, O_CLOEXEC) < 0 || pipe2(down, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid != 0) {
		close(up[1]);
		close(down[0]);
		*ret_up = up[0];
		*ret_down = down[1];
		return pid;
	}
	close(up[0]);
	close(down[1]);
	if (unshare(CLONE_NEWUSER) < 0 || write(up[1], "x", 1) != 1 || wait_byte(down[0]) < 0)
		_exit(1);
	if (hop) {
		if (pipe2(done, O_CLOEXEC) < 0)
			_exit(1);
		mapper = fork();
		if (mapper == 0) {
			pid_t a = getppid();

			_exit(wait_byte(done[0]) < 0 || put_map(a, "uid_map", u, 5) < 0 ||
			      put_map(a, "gid_map", g, 5) < 0);
		}
		if (mapper < 0 || unshare(CLONE_NEWUSER) < 0 || write(done[1], "y", 1) != 1)
			_exit(1);
		while (waitpid(mapper, NULL, 0) < 0 && errno == EINTR)
			;
		if (write(up[1], "y", 1) != 1)
			_exit(1);
	}
	wait_byte(down[0]);
	_exit(0);
}

/* Check the namespace the child @pid is in now, against "U U 1"/"G G 1". */
static int check_child(pid_t pid, int *ret_procfd, int *ret_nsfd)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	*ret_procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*ret_nsfd = openat(*ret_procfd, "ns/user", O_RDONLY | O_CLOEXEC);
	return *ret_procfd < 0 || *ret_nsfd < 0 ? -errno : 0;
}

static void end_child(pid_t pid, int up, int down)
{
	close(down);
	close(up);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* The holder's namespace must be checked as one: a process that moves to a
 * child namespace between the opening of its ns/user and the reading of
 * its maps would otherwise get another namespace joined than the one whose
 * maps were checked. */
static void test_holder_check(void)
{
	unsigned long u = getuid(), g = getgid();
	struct idmap uid_want = { .n = 1, .lines = { { u, u, 1 } } };
	struct idmap gid_want = { .n = 1, .lines = { { g, g, 1 } } };
	int up, down, procfd = -1, nsfd = -1, r;
	bool setgroups;
	pid_t pid;

	pid = ns_child(&up, &down, false, u, g);
	if (pid < 0 || wait_byte(up) < 0) {
		const char *must = getenv("SBX_MUST_WORK");

		ok(!(must && strcmp(must, "1") == 0), "holder check # SKIP no user namespace");
		if (pid > 0)
			end_child(pid, up, down);
		return;
	}
	ok(put_map(pid, "setgroups", 0, 0) == 0 && put_map(pid, "uid_map", u, u) == 0 &&
		   put_map(pid, "gid_map", g, g) == 0 && check_child(pid, &procfd, &nsfd) == 0,
	   "holder check: a namespace mapped U U 1");
	r = userns_holder_check(procfd, nsfd, &uid_want, &gid_want, &setgroups);
	ok(r == 0, "holder check: ours, mapped as wanted, accepted (%d)", r);
	close(procfd);
	close(nsfd);
	end_child(pid, up, down);

	pid = ns_child(&up, &down, true, u, g);
	ok(pid > 0 && wait_byte(up) == 0 && put_map(pid, "setgroups", 0, 0) == 0 &&
		   put_map(pid, "uid_map", 5, u) == 0 && put_map(pid, "gid_map", 5, g) == 0 &&
		   check_child(pid, &procfd, &nsfd) == 0 && write(down, "g", 1) == 1 &&
		   wait_byte(up) == 0,
	   "holder check: a namespace mapped 5 U 1, opened, then left for a child mapped U U 1");
	r = userns_holder_check(procfd, nsfd, &uid_want, &gid_want, &setgroups);
	ok(r == -EPERM, "holder check: the namespace left is refused, not judged by its child's maps (%d)",
	   r);
	close(procfd);
	close(nsfd);
	end_child(pid, up, down);
}

static void test_spare_request(void)
{
	struct idmap uid = { .n = 2, .lines = { { 0, 1000, 1 }, { 1, 100000, 65535 } } };
	struct idmap gid = { .n = 1, .lines = { { 0, 1000, 1 } } }, u2, g2;
	char msg[SPARE_REQUEST_MAX];
	int sv[2];
	ssize_t n;

	ok(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0, "spare: socketpair");
	ok(userns_spare_request(sv[0], &uid, &gid) == 0, "spare: request sent");
	n = recv(sv[1], msg, sizeof(msg), 0);
	ok(n > 0 && userns_spare_parse_request(msg, (size_t)n, &u2, &g2) == 0 &&
		   idmap_equal(&uid, &u2) && idmap_equal(&gid, &g2),
	   "spare: the request parses back to the same maps");
	ok(userns_spare_parse_request("S0 1 1", 6, &u2, &g2) == -EINVAL,
	   "spare: a request without its NULs is refused");
	ok(userns_spare_parse_request("X0 1 1\0000 1 1\000", 14, &u2, &g2) == -EINVAL,
	   "spare: another message type is refused");
	ok(userns_spare_parse_request("S0 1 1\000\000", 8, &u2, &g2) == -EINVAL,
	   "spare: an empty gid map is refused");
	ok(userns_spare_parse_request("S0 1\0000 1 1\000", 12, &u2, &g2) == -EINVAL,
	   "spare: a malformed map is refused");
	ok(userns_spare_parse_request("S0 1 1\0000 1 1\000x\000", 16, &u2, &g2) == -EINVAL,
	   "spare: a third part is refused");
	close(sv[0]);
	close(sv[1]);
}

static bool same_file(int a, int b)
{
	struct stat x, y;

	return fstat(a, &x) == 0 && fstat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* In a child: join the spare, read the uid map, and look at lo.
 * Exit status 0: mapped "0 0 1" and lo up. */
static int spare_probe(const struct userns_spare *s)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		char text[64] = "";
		struct ifreq ifr = { .ifr_name = "lo" };
		int fd, sock;

		if (setns(s->user, CLONE_NEWUSER) < 0 || setns(s->net, CLONE_NEWNET) < 0)
			_exit(1);
		fd = open("/proc/self/uid_map", O_RDONLY);
		if (fd < 0 || read(fd, text, sizeof(text) - 1) <= 0)
			_exit(2);
		if (strcmp(text, "         0          0          1\n") != 0)
			_exit(3);
		sock = socket(AF_INET, SOCK_DGRAM, 0);
		if (sock < 0 || ioctl(sock, SIOCGIFFLAGS, &ifr) < 0 || !(ifr.ifr_flags & IFF_UP))
			_exit(4);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

static const char *const spare_ns_names[USERNS_SPARE_FDS] = { "user", "net", "ipc", "uts" };

/* The inode numbers of @s's namespaces, in the order of spare_ns_names. */
static bool spare_inos(const struct userns_spare *s, ino_t ino[USERNS_SPARE_FDS])
{
	const int fds[USERNS_SPARE_FDS] = { s->user, s->net, s->ipc, s->uts };
	struct stat st;

	for (size_t i = 0; i < USERNS_SPARE_FDS; i++) {
		if (fstat(fds[i], &st) < 0)
			return false;
		ino[i] = st.st_ino;
	}
	return true;
}

/* In pid 1 made by ns_spawn(): exit 0 if it is pid 1 and in (@in) or in
 * none (!@in) of the namespaces of @ino (spare_inos()). */
static _Noreturn void spawned_check(const ino_t ino[USERNS_SPARE_FDS], bool in)
{
	char path[32];
	struct stat st;

	if (getpid() != 1)
		_exit(1);
	for (size_t i = 0; i < USERNS_SPARE_FDS; i++) {
		snprintf(path, sizeof(path), "/proc/self/ns/%s", spare_ns_names[i]);
		if (stat(path, &st) < 0)
			_exit(2);
		if (in != (st.st_ino == ino[i]))
			_exit(10 + (int)i);
	}
	_exit(0);
}

/* ns_spawn(): pid 1 in the spare when its maps are the plan's; a spare
 * mapped otherwise is dropped and pid 1 made in namespaces of its own. */
static void test_spawn(const struct idmap *maps)
{
	struct sbx_config c;
	struct userns_plan p;
	ino_t ino[USERNS_SPARE_FDS];
	int pidfd = -1, status = -1;
	pid_t pid;

	memset(&c, 0, sizeof(c));
	for (int round = 0; round < 2; round++) {
		memset(&p, 0, sizeof(p));
		p.uid_map = p.gid_map = *maps;
		if (round == 1)
			p.uid_map.lines[0].inside = 1; /* not what the spare has */
		if (userns_spare_make(maps, maps, &p.spare) < 0 || !spare_inos(&p.spare, ino)) {
			ok(0, "spawn: a spare made");
			return;
		}
		pid = ns_spawn(&c, &p, &pidfd);
		if (pid == 0)
			spawned_check(ino, round == 0);
		ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
			   WEXITSTATUS(status) == 0,
		   round == 0 ? "spawn: pid 1 of a new pid namespace, in the spare's namespaces (%d)"
			      : "spawn: a spare mapped otherwise: pid 1 in namespaces of its own (%d)",
		   status);
		ok(p.spare_used == (round == 0) && p.spare.user == -1 && p.spare.net == -1 &&
			   p.spare.ipc == -1 && p.spare.uts == -1 && pidfd >= 0,
		   round == 0 ? "spawn: the spare marked used, closed in sbx; a pidfd"
			      : "spawn: the spare not used, closed all the same; a pidfd");
		if (pidfd >= 0)
			close(pidfd);
	}
}

/* The holder's side and sbx's checks, from inside a user namespace of our
 * own (where we may map ids as the holder does in its parent namespace). */
/* The keeper lives in the namespaces a sandbox will get: it must hold none
 * of the holder's fds (its listener, other starts' connections and mount
 * namespaces), only its two pipes. @held: an fd of ours it must not have. */
static void test_keeper_fds(const struct idmap *maps, int held)
{
	struct userns_spare_maker m;
	struct userns_spare s = USERNS_SPARE_NONE;
	struct pollfd pfd;
	char path[64];
	bool leaked;
	int r = userns_spare_start(maps, maps, &m);

	if (r < 0) {
		ok(0, "keeper: started (%d)", r);
		return;
	}
	/* Ready reported: the keeper waits for the go's EOF, still alive. */
	pfd = (struct pollfd){ .fd = m.ready, .events = POLLIN };
	while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)m.pid, held);
	leaked = access(path, F_OK) == 0;
	ok(!leaked, "keeper: holds none of the holder's fds (fd %d: %s)", held,
	   leaked ? "inherited" : "closed");
	ok(userns_spare_finish(&m, &s) == 0 && s.user >= 0, "keeper: the spare still made");
	userns_spare_release(&s);
}

/* In a pid namespace of our own, its pid 1: the keeper reports, dies (killed
 * by someone of ours), is reaped, and its pid goes to another
 * process with namespaces of its own (a sandbox's, say). The spare must not
 * be that process's namespaces. Return: 0 if refused, else 1. */
static int keeper_reused_in_pidns(const struct idmap *maps)
{
	struct userns_spare_maker m;
	struct userns_spare s = USERNS_SPARE_NONE;
	struct clone_args args;
	struct pollfd pfd;
	pid_t tid, other;
	int hold[2], status, r;

	/* /proc/PID as the holder sees it: of this pid namespace */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return 4;
	if (pipe2(hold, O_CLOEXEC) < 0 || userns_spare_start(maps, maps, &m) < 0)
		return 2;
	pfd = (struct pollfd){ .fd = m.ready, .events = POLLIN };
	while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
		;
	tid = m.pid;
	kill(tid, SIGKILL);
	/* Reaped here (the holder ignores SIGCHLD: the kernel reaps it): its
	 * pid is free once waitpid() returns. */
	while (waitpid(tid, &status, 0) < 0 && errno == EINTR)
		;
	memset(&args, 0, sizeof(args));
	args.flags = CLONE_NEWUSER;
	args.exit_signal = SIGCHLD;
	args.set_tid = (uint64_t)(uintptr_t)&tid;
	args.set_tid_size = 1;
	other = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (other == 0) {
		char byte;

		close(hold[1]);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		(void)read(hold[0], &byte, 1);
		_exit(0);
	}
	if (other != tid)
		return 3;
	r = userns_spare_finish(&m, &s);
	close(hold[1]);
	userns_spare_release(&s);
	return r < 0 ? 0 : 1;
}

/* The pid namespace is unshared in a child of ours: in our own process it
 * would hold LeakSanitizer's exit-time helper, which must see our threads. */
static _Noreturn void keeper_pid_reused_child(const struct idmap *maps)
{
	int status = 0;
	pid_t pid;

	if (unshare(CLONE_NEWPID) < 0)
		_exit(77);
	pid = fork();
	if (pid == 0)
		_exit(keeper_reused_in_pidns(maps));
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		_exit(5);
	_exit(WEXITSTATUS(status));
}

static void test_keeper_pid_reused(const struct idmap *maps)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0)
		keeper_pid_reused_child(maps);
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 77) {
		printf("ok %d - # SKIP keeper: no pid namespace\n", ++tap_n);
		return;
	}
	ok(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "keeper: dead, its pid reused: the new holder of the pid gives no spare (%d)",
	   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* An 'S' answer with the first @n fds of @s, as a holder of another
 * protocol would send it. */
static int send_spare_fds(int conn, const struct userns_spare *s, size_t n)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(8 * sizeof(int))];
	} u;
	/* Beyond four: the user namespace again (a holder's extra fd). */
	const int fds[8] = { s->user, s->net, s->ipc, s->uts, s->user, s->user, s->user, s->user };
	struct iovec iov = { "S", 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	memset(&u, 0, sizeof(u));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return sendmsg(conn, &msg, 0) == 1 ? 0 : -errno;
}

/* How many fds are open in this process. */
static int count_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

/* Open @name ("ipc" or "uts") of a namespace unshared by a child of ours:
 * owned by our own user namespace, the parent of a spare's. -1 on failure. */
static int parent_owned_ns(const char *name)
{
	int go[2], fd = -1, status;
	char path[48], byte;
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(go[0]);
		if (unshare(CLONE_NEWIPC | CLONE_NEWUTS) < 0 || write(go[1], "u", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(go[1]);
	if (pid > 0 && read(go[0], &byte, 1) == 1) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	close(go[0]);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	return fd;
}

static void test_spare(void)
{
	struct idmap one = { .n = 1, .lines = { { 0, 0, 1 } } };
	struct userns_spare s = USERNS_SPARE_NONE, s2 = USERNS_SPARE_NONE, got, bad;
	char map[64];
	int self, sv[2], fd, r;
	unsigned long u = getuid(), g = getgid();

	if (unshare(CLONE_NEWUSER) < 0) {
		printf("ok %d - # SKIP spare: no user namespace (%s)\n", ++tap_n, strerror(errno));
		return;
	}
	snprintf(map, sizeof(map), "0 %lu 1\n", u);
	fd = open("/proc/self/uid_map", O_WRONLY);
	ok(fd >= 0 && write(fd, map, strlen(map)) > 0, "spare: own uid map");
	close(fd);
	fd = open("/proc/self/setgroups", O_WRONLY);
	if (fd >= 0 && write(fd, "deny", 4) < 0)
		perror("setgroups");
	close(fd);
	snprintf(map, sizeof(map), "0 %lu 1\n", g);
	fd = open("/proc/self/gid_map", O_WRONLY);
	ok(fd >= 0 && write(fd, map, strlen(map)) > 0, "spare: own gid map");
	close(fd);

	r = userns_spare_make(&one, &one, &s);
	ok(r == 0 && s.user >= 0 && s.net >= 0 && s.ipc >= 0 && s.uts >= 0,
	   "spare: made, four namespaces (%d)", r);
	if (r < 0)
		return;
	self = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	ok(userns_spare_check(&s, self) == 0,
	   "spare: ours, a child of our namespace, net, ipc and uts owned by it");
	r = spare_probe(&s);
	ok(r == 0, "spare: mapped as asked, lo up (%d)", r);
	test_keeper_fds(&one, self);
	ok(userns_spare_make(&one, &one, &s2) == 0 && !same_file(s.user, s2.user) &&
		   !same_file(s.net, s2.net) && !same_file(s.ipc, s2.ipc) &&
		   !same_file(s.uts, s2.uts),
	   "spare: the next one has namespaces of its own");

	bad = s;
	bad.user = s.net;
	bad.net = s.user;
	ok(userns_spare_check(&bad, self) == -EPERM, "spare: check: kinds swapped refused");
	bad = s;
	bad.ipc = s.uts;
	bad.uts = s.ipc;
	ok(userns_spare_check(&bad, self) == -EPERM, "spare: check: ipc and uts swapped refused");
	for (int i = 1; i < USERNS_SPARE_FDS; i++) {
		int *slot[USERNS_SPARE_FDS] = { &bad.user, &bad.net, &bad.ipc, &bad.uts };
		const int other[USERNS_SPARE_FDS] = { s2.user, s2.net, s2.ipc, s2.uts };

		bad = s;
		*slot[i] = other[i];
		ok(userns_spare_check(&bad, self) == -EPERM,
		   "spare: check: a %s namespace owned by another user namespace refused",
		   spare_ns_names[i]);
	}
	ok(userns_spare_check(&s, s2.user) == -EPERM,
	   "spare: check: a user namespace not a child of the holder's refused");
	for (int i = 2; i < USERNS_SPARE_FDS; i++) {
		int *slot[USERNS_SPARE_FDS] = { &bad.user, &bad.net, &bad.ipc, &bad.uts };
		int pfd = parent_owned_ns(spare_ns_names[i]);

		bad = s;
		*slot[i] = pfd;
		ok(pfd >= 0 && userns_spare_check(&bad, self) == -EPERM,
		   "spare: check: a %s namespace owned by the spare's parent (the holder's) refused",
		   spare_ns_names[i]);
		if (pfd >= 0)
			close(pfd);
	}
	bad = s;
	bad.ipc = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
	ok(userns_spare_check(&bad, self) == -EPERM, "spare: check: our own IPC namespace refused");
	close(bad.ipc);
	/* Files that are no namespace never get a namespace ioctl. */
	for (size_t i = 0; i < 4; i++) {
		int *slot[] = { &bad.user, &bad.net, &bad.ipc, &bad.uts };
		int other = open("/dev/null", O_RDONLY | O_CLOEXEC);

		bad = s;
		*slot[i] = other;
		ok(other >= 0 && userns_spare_check(&bad, self) == -EPERM,
		   "spare: check: /dev/null as the %s namespace refused", spare_ns_names[i]);
		if (other >= 0)
			close(other);
	}

	ok(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0, "spare: socketpair");
	ok(userns_spare_send(sv[1], &s) == 0 && userns_spare_recv(sv[0], &got) == 0 &&
		   got.user >= 0 && same_file(got.user, s.user) && same_file(got.net, s.net) &&
		   same_file(got.ipc, s.ipc) && same_file(got.uts, s.uts),
	   "spare: handed over: the same namespaces arrive");
	userns_spare_release(&got);
	ok(got.user == -1 && got.net == -1 && got.ipc == -1 && got.uts == -1,
	   "spare: released");
	bad = USERNS_SPARE_NONE;
	ok(userns_spare_send(sv[1], &bad) == 0 && userns_spare_recv(sv[0], &got) == 0 &&
		   got.user == -1 && got.net == -1,
	   "spare: none: answered without fds");
	ok(send(sv[1], "S", 1, 0) == 1 && userns_spare_recv(sv[0], &got) == -EPROTO && got.user == -1,
	   "spare: an 'S' without fds is a protocol error");
	r = count_fds();
	ok(send_spare_fds(sv[1], &s, 2) == 0 && userns_spare_recv(sv[0], &got) == -EPROTO &&
		   got.user == -1 && count_fds() == r,
	   "spare: the two fds of a protocol v2 holder: a protocol error, both closed");
	ok(send_spare_fds(sv[1], &s, 3) == 0 && userns_spare_recv(sv[0], &got) == -EPROTO &&
		   got.user == -1 && count_fds() == r,
	   "spare: three fds: a protocol error, all closed");
	ok(send_spare_fds(sv[1], &s, 5) == 0 && userns_spare_recv(sv[0], &got) == -EPROTO &&
		   got.user == -1 && count_fds() == r,
	   "spare: five fds: a protocol error (truncated), all closed");
	ok(send_spare_fds(sv[1], &s, 8) == 0 && userns_spare_recv(sv[0], &got) == -EPROTO &&
		   got.user == -1 && count_fds() == r,
	   "spare: eight fds: a protocol error (truncated), all closed");
	ok(userns_spare_recv(sv[0], &got) == -ETIMEDOUT, "spare: no answer: gives up");
	close(sv[0]);
	close(sv[1]);
	close(self);
	userns_spare_release(&s);
	userns_spare_release(&s2);
	test_spawn(&one);
	test_keeper_pid_reused(&one);
}

int main(void)
{
	test_subid();
	test_identity();
	test_many_ranges();
	test_idmap();
	test_plan();
	test_holder_check();
	test_spare_request();
	test_spare(); /* last: it leaves us in a user namespace of our own */
	return tap_done();
}
