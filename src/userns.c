/* userns.c - subordinate ids, the plan of id maps, and writing them for the child */
#include "autoconf.h"

#include <fcntl.h>
#include <grp.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "userns.h"
#include "util.h"

static char *empty_env[] = { NULL };

static bool parse_field(const char *s, unsigned long *ret)
{
	return parse_uint(s, 0xffffffffUL, ret) == 0;
}

size_t subid_parse(FILE *f, const char *user, unsigned long id, struct subid_range *ret_ranges,
		   size_t max)
{
	char line[512];
	char idstr[24];
	size_t n = 0;

	snprintf(idstr, sizeof(idstr), "%lu", id);
	while (n < max && fgets(line, sizeof(line), f)) {
		char *owner, *start_s, *count_s, *save = NULL;
		unsigned long start, count;
		size_t len = strlen(line);

		/* A line longer than the buffer is malformed: skip the rest of it. */
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			int ch;
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			continue;
		}
		line[strcspn(line, "\r\n")] = '\0';
		owner = line + strspn(line, " \t");
		if (*owner == '#' || *owner == '\0')
			continue;
		owner = strtok_r(owner, ":", &save);
		start_s = strtok_r(NULL, ":", &save);
		count_s = strtok_r(NULL, ":", &save);
		if (!owner || !start_s || !count_s || strtok_r(NULL, ":", &save))
			continue;
		if (!parse_field(start_s, &start) || !parse_field(count_s, &count) || count == 0)
			continue;
		if (start + count - 1 > 0xfffffffeUL)
			continue;
		if (!((user && strcmp(owner, user) == 0) || strcmp(owner, idstr) == 0))
			continue;
		ret_ranges[n].start = start;
		ret_ranges[n].count = count;
		n++;
	}
	return n;
}

size_t subid_load(const char *path, const char *user, unsigned long id,
		  struct subid_range *ret_ranges, size_t max)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return 0;
	n = subid_parse(f, user, id, ret_ranges, max);
	fclose(f);
	return n;
}

size_t subid_load_all(const char *path, const char *user, unsigned long id,
		      struct subid_range **ret_ranges)
{
	struct subid_range *r = NULL;
	size_t n = 0, cap = 0;
	FILE *f = fopen(path, "re");

	*ret_ranges = NULL;
	if (!f)
		return 0;
	/* subid_parse() stops right after the last range it stored: go on
	 * from there with more room until the file ends. */
	while (cap < SUBID_MAX_RANGES) {
		cap = cap ? 2 * cap : 64;
		r = xreallocarray(r, cap, sizeof(*r));
		n += subid_parse(f, user, id, r + n, cap - n);
		if (n < cap)
			break;
	}
	fclose(f);
	if (n == 0) {
		free(r);
		r = NULL;
	}
	*ret_ranges = r;
	return n;
}

/* One line when a map could not hold every range (the kernel's 340 lines). */
static void note_truncated(struct userns_plan *p, const char *path, const char *user,
			   const struct idmap *m)
{
	snprintf(p->warning, sizeof(p->warning),
		 "warning: the ranges of %s in %s need more than one id map holds (%d lines, under %d bytes); only %lu ids are mapped",
		 user ? user : "this user", path, IDMAP_MAX_LINES, IDMAP_MAX_TEXT, idmap_count(m));
}

/* The sandbox's map from @ranges; too many lines is a warning, not an error. */
static void build_full(struct userns_plan *p, unsigned long host_id, unsigned long inside_id,
		       const struct subid_range *ranges, size_t n, const char *path,
		       const char *user, struct idmap *ret_map)
{
	if (idmap_build(host_id, inside_id, ranges, n, IDMAP_DEFAULT_SPAN, ret_map) == -E2BIG)
		note_truncated(p, path, user, ret_map);
}

int userns_plan_build(struct userns_plan *p, uid_t host_uid, gid_t host_gid, const char *user,
		      uid_t inside_uid, gid_t inside_gid, const char *subuid_path,
		      const char *subgid_path, struct sbx_error *e)
{
	_cleanup_free_ struct subid_range *uranges = NULL, *granges = NULL;
	/* Real root may map anything: with no ranges of its own, give the
	 * sandbox host ids 1..65535 around its inside id, so that with --uid 0
	 * the map is the identity and files keep their owners. */
	static const struct subid_range root_range = { 1, IDMAP_DEFAULT_SPAN - 1 };
	const struct subid_range *ur, *gr;
	size_t nu, ng;

	memset(p, 0, sizeof(*p));
	p->spare = USERNS_SPARE_NONE;
	p->privileged = host_uid == 0;
	nu = subid_load_all(subuid_path, user, host_uid, &uranges);
	/* shadow matches a numeric owner against the uid in both files */
	ng = subid_load_all(subgid_path, user, host_uid, &granges);
	ur = uranges;
	gr = granges;
	if (p->privileged && nu == 0) {
		ur = &root_range;
		nu = 1;
	}
	if (p->privileged && ng == 0) {
		gr = &root_range;
		ng = 1;
	}

	idmap_build(host_uid, inside_uid, NULL, 0, 1, &p->uid_single);
	idmap_build(host_gid, inside_gid, NULL, 0, 1, &p->gid_single);
	build_full(p, host_uid, inside_uid, ur, nu, subuid_path, user, &p->uid_map);
	build_full(p, host_gid, inside_gid, gr, ng, subgid_path, user, &p->gid_map);
	/* Too many ranges for the parent namespace leaves it short: the holder
	 * is then not used (userns_holder_enter() checks the coverage). */
	idmap_build_identity(host_uid, ur, nu, &p->uid_parent);
	idmap_build_identity(host_gid, gr, ng, &p->gid_parent);

	if (!p->privileged) {
		if (nu == 0 || ng == 0) {
			snprintf(p->warning, sizeof(p->warning),
				 "warning: no %s range for %s; using a single-id map (chown to other ids will fail)",
				 nu == 0 ? subuid_path : subgid_path, user ? user : "this user");
			p->uid_map = p->uid_single;
			p->gid_map = p->gid_single;
		} else if (access(NEWUIDMAP_PATH, X_OK) < 0 || access(NEWGIDMAP_PATH, X_OK) < 0) {
			snprintf(p->warning, sizeof(p->warning),
				 "warning: newuidmap/newgidmap not found (install package uidmap); using a single-id map");
			p->uid_map = p->uid_single;
			p->gid_map = p->gid_single;
		} else {
			p->use_helpers = true;
		}
	}
	(void)e; /* nothing fails here any more: a short map is a warning */
	return 0;
}

int userns_plan_isolate(struct userns_plan *p, uid_t host_uid, const char *user,
			uid_t inside_uid, gid_t inside_gid, const char *subuid_path,
			const char *subgid_path, struct sbx_error *e)
{
	_cleanup_free_ struct subid_range *uranges = NULL, *granges = NULL;
	size_t nu = subid_load_all(subuid_path, user, host_uid, &uranges);
	size_t ng = subid_load_all(subgid_path, user, host_uid, &granges);

	if (nu == 0 || ng == 0)
		return sbx_error_set(e, 0, "--userns isolated needs subordinate ids: no range for %s in %s",
				     user ? user : "this user", nu == 0 ? subuid_path : subgid_path);
	if (!p->privileged && (access(NEWUIDMAP_PATH, X_OK) < 0 || access(NEWGIDMAP_PATH, X_OK) < 0))
		return sbx_error_set(e, 0, "--userns isolated needs newuidmap and newgidmap (package uidmap)");
	p->warning[0] = '\0';
	if (idmap_build_isolated(uranges, nu, IDMAP_DEFAULT_SPAN, &p->uid_map) == -E2BIG)
		note_truncated(p, subuid_path, user, &p->uid_map);
	if (idmap_build_isolated(granges, ng, IDMAP_DEFAULT_SPAN, &p->gid_map) == -E2BIG)
		note_truncated(p, subgid_path, user, &p->gid_map);
	if (!idmap_covers(&p->uid_map, inside_uid) || !idmap_covers(&p->gid_map, inside_gid))
		return sbx_error_set(e, 0, "--userns isolated: the sandbox user %lu:%lu is beyond the "
					   "subordinate ranges", (unsigned long)inside_uid,
				     (unsigned long)inside_gid);
	p->isolated = true;
	p->use_helpers = !p->privileged;
	return 0;
}

int userns_become(uid_t uid, gid_t gid, struct sbx_error *e)
{
	/* gid first: after the uid change we may lack the right to. */
	if (setresgid(gid, gid, gid) < 0)
		return sbx_error_set(e, errno, "cannot become group %lu", (unsigned long)gid);
	if (setresuid(uid, uid, uid) < 0)
		return sbx_error_set(e, errno, "cannot become user %lu", (unsigned long)uid);
	return 0;
}

void userns_plan_single(struct userns_plan *p)
{
	p->uid_map = p->uid_single;
	p->gid_map = p->gid_single;
	p->use_helpers = false;
	p->warning[0] = '\0';
}

int userns_write_map_file(pid_t pid, const char *file, const struct idmap *m)
{
	char path[64], buf[IDMAP_MAX_LINES * 40];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	idmap_format(m, buf, sizeof(buf));
	return write_file_at(AT_FDCWD, path, buf);
}

/* Start "HELPER PID in out count ..." without waiting; posix_spawn uses vfork. */
static int spawn_map_helper(const char *helper, pid_t pid, const struct idmap *m, pid_t *ret_pid)
{
	char *argv[2 + 3 * IDMAP_MAX_LINES + 1];
	char numbers[1 + 3 * IDMAP_MAX_LINES][16];
	size_t a = 0, k = 0;
	posix_spawn_file_actions_t fa;
	int r;

	argv[a++] = (char *)helper;
	snprintf(numbers[k], sizeof(numbers[k]), "%d", (int)pid);
	argv[a++] = numbers[k++];
	for (size_t i = 0; i < m->n; i++) {
		unsigned long v[3] = { m->lines[i].inside, m->lines[i].outside, m->lines[i].count };
		for (int j = 0; j < 3; j++) {
			snprintf(numbers[k], sizeof(numbers[k]), "%lu", v[j]);
			argv[a++] = numbers[k++];
		}
	}
	argv[a] = NULL;

	/* The helpers complain on stderr; their failure is reported by us. */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	/* An empty environment: nothing of ours should steer a setuid program,
	 * and its dynamic loader has less to read. */
	r = posix_spawn(ret_pid, helper, &fa, NULL, argv, empty_env);
	posix_spawn_file_actions_destroy(&fa);
	return -r;
}

static bool helper_succeeded(pid_t helper)
{
	int status;

	if (helper <= 0)
		return false;
	while (waitpid(helper, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int write_single_maps(struct userns_plan *p, pid_t pid, bool uid_done, bool gid_done,
			     struct sbx_error *e)
{
	char path[64];
	int r;

	if (!uid_done) {
		r = userns_write_map_file(pid, "uid_map", &p->uid_single);
		if (r < 0)
			return sbx_error_set(e, r, "cannot write the uid map of the sandbox");
	}
	if (!gid_done) {
		/* An unprivileged writer may only map its gid once setgroups is denied. */
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
		r = write_file_at(AT_FDCWD, path, "deny");
		if (r < 0 && r != -ENOENT)
			return sbx_error_set(e, r, "cannot deny setgroups in the sandbox");
		r = userns_write_map_file(pid, "gid_map", &p->gid_single);
		if (r < 0)
			return sbx_error_set(e, r, "cannot write the gid map of the sandbox");
	}
	return 0;
}

void userns_run_helpers(pid_t pid, const struct idmap *uids, const struct idmap *gids,
			bool *ret_uid_ok, bool *ret_gid_ok)
{
	pid_t uid_helper = -1, gid_helper = -1;

	/* Both helpers are setuid programs that take ~1 ms each to start; run
	 * them at the same time. */
	if (spawn_map_helper(NEWUIDMAP_PATH, pid, uids, &uid_helper) < 0)
		uid_helper = -1;
	if (spawn_map_helper(NEWGIDMAP_PATH, pid, gids, &gid_helper) < 0)
		gid_helper = -1;
	*ret_uid_ok = helper_succeeded(uid_helper);
	*ret_gid_ok = helper_succeeded(gid_helper);
}

void userns_spare_release(struct userns_spare *s)
{
	int *fds[USERNS_SPARE_FDS] = { &s->user, &s->net, &s->ipc, &s->uts };

	for (size_t i = 0; i < USERNS_SPARE_FDS; i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}

const char *userns_plan_via(const struct userns_plan *p)
{
	if (p->privileged)
		return "/proc (root)";
	if (p->via_holder || p->holder_note[0])
		return p->holder_note;
	return p->use_helpers ? "newuidmap/newgidmap" : "single-id map";
}

int userns_write_maps(struct userns_plan *p, pid_t pid, bool *ret_setgroups_allowed,
		      struct sbx_error *e)
{
	bool uid_ok, gid_ok;
	int r;

	if (p->spare_used) {
		/* The holder wrote them, and the sandbox checked them
		 * (ns_spawn()) before it made its pid 1 there. */
		*ret_setgroups_allowed = p->holder_setgroups;
		return 0;
	}
	if (p->privileged || p->via_holder) {
		r = userns_write_map_file(pid, "uid_map", &p->uid_map);
		if (r < 0)
			return sbx_error_set(e, r, "cannot write the uid map of the sandbox");
		r = userns_write_map_file(pid, "gid_map", &p->gid_map);
		if (r < 0)
			return sbx_error_set(e, r, "cannot write the gid map of the sandbox");
		/* A child namespace inherits a parent's denied setgroups. */
		*ret_setgroups_allowed = p->privileged || p->holder_setgroups;
		return 0;
	}
	if (!p->use_helpers) {
		*ret_setgroups_allowed = false;
		return write_single_maps(p, pid, false, false, e);
	}

	userns_run_helpers(pid, &p->uid_map, &p->gid_map, &uid_ok, &gid_ok);
	if (uid_ok && gid_ok) {
		*ret_setgroups_allowed = true;
		return 0;
	}
	/* A single-id map would map exactly the ids isolation keeps out. */
	if (p->isolated)
		return sbx_error_set(e, 0, "--userns isolated: %s failed (check /etc/subuid and /etc/subgid)",
				     !uid_ok ? "newuidmap" : "newgidmap");
	snprintf(p->warning, sizeof(p->warning),
		 "warning: %s failed; using a single-id map for %s (check /etc/subuid and /etc/subgid)",
		 !uid_ok ? "newuidmap" : "newgidmap",
		 !uid_ok && !gid_ok ? "uids and gids" : !uid_ok ? "uids" : "gids");
	*ret_setgroups_allowed = false;
	/* A gid map written by newgidmap leaves setgroups allowed; keep that. */
	if (gid_ok)
		*ret_setgroups_allowed = true;
	return write_single_maps(p, pid, uid_ok, gid_ok, e);
}

void userns_plan_bwrap(struct userns_plan *p, uid_t host_uid, gid_t host_gid, uid_t uid, gid_t gid)
{
	memset(p, 0, sizeof(*p));
	p->spare = USERNS_SPARE_NONE; /* none: 0 would be stdin */
	idmap_build(host_uid, uid, NULL, 0, 1, &p->uid_single);
	idmap_build(host_gid, gid, NULL, 0, 1, &p->gid_single);
	p->uid_map = p->uid_single;
	p->gid_map = p->gid_single;
}
