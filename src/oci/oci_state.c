/* oci_state.c - a container's state under --root: ROOT/ID/state.json and ROOT/ID/exec.fifo */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci_cgroup.h"
#include "oci_json.h"
#include "oci_spec.h"
#include "oci_state.h"
#include "util.h"

int oci_state_dir(const char *root, const char *id, char **ret, struct sbx_error *e)
{
	size_t n = id ? strlen(id) : 0;

	if (!n || n > OCI_ID_MAX || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return sbx_error_set(e, EINVAL, "invalid container id '%.64s'", id ? id : "");
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("_-.+", *p)))
			return sbx_error_set(e, EINVAL, "invalid container id '%.64s'", id);
	*ret = xasprintf("%s/%s", root, id);
	return 0;
}

int oci_state_check_root(const char *root, struct sbx_error *e)
{
	struct stat st;

	if (stat(root, &st) < 0)
		return errno == ENOENT ? -ENOENT : sbx_error_set(e, errno, "--root %s", root);
	if (!S_ISDIR(st.st_mode))
		return sbx_error_set(e, ENOTDIR, "--root %s", root);
	/* Whoever may write there may plant a state whose pid kill, delete
	 * and exec then act on (the /tmp fallback is one such place). */
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return sbx_error_set(e, EPERM, "--root %s: not owned by uid %u or writable by others",
				     root, (unsigned)geteuid());
	return 0;
}

int oci_state_write(const char *dir, const struct oci_state *st, struct sbx_error *e)
{
	_cleanup_free_ char *tmp = xasprintf("%s/state.json.tmp", dir);
	_cleanup_free_ char *path = xasprintf("%s/state.json", dir);
	json_object *o = json_object_new_object();
	json_object *ann = json_tokener_parse(st->annotations ? st->annotations : "{}");
	_cleanup_close_ int fd = -1;
	const char *text;
	int r;

	json_object_object_add(o, "id", json_object_new_string(st->id));
	json_object_object_add(o, "bundle", json_object_new_string(st->bundle));
	json_object_object_add(o, "pid", json_object_new_int64(st->pid));
	json_object_object_add(o, "start_time", json_object_new_uint64(st->start_time));
	json_object_object_add(o, "created", json_object_new_string(st->created ? st->created : ""));
	json_object_object_add(o, "annotations", ann ? ann : json_object_new_object());
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	r = fd < 0 ? -errno : write_all(fd, text, strlen(text));
	json_object_put(o);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		return sbx_error_set(e, r, "cannot write %s", path);
	return 0;
}

int oci_state_read(const char *root, const char *id, struct oci_state *ret, struct sbx_error *e)
{
	_cleanup_free_ char *dir = NULL, *path = NULL, *text = NULL;
	const char *bundle = "", *created = "";
	json_object *o, *ann = NULL;
	uint64_t st = 0;
	int64_t pid = 0;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = oci_state_dir(root, id, &dir, e);
	if (r < 0)
		return r;
	path = xasprintf("%s/state.json", dir);
	r = oci_state_check_root(root, e);
	if (r < 0 && r != -ENOENT)
		return r;
	if (r == -ENOENT || (access(dir, F_OK) < 0 && errno == ENOENT)) {
		sbx_error_set(e, 0, "container %s does not exist", id);
		return -ENOENT;
	}
	r = oci_read_file(path, 1 << 20, "state", &text, NULL, e);
	if (r == -ENOENT)
		{
		sbx_error_set(e, 0, "container %s does not exist", id);
		return -ENOENT;
	}
	if (r < 0)
		return r;
	o = json_tokener_parse(text);
	if (!o)
		return sbx_error_set(e, EINVAL, "%s: corrupt", path);
	r = oci_json_string(o, "bundle", "state", &bundle, e);
	if (r == 0)
		r = oci_json_string(o, "created", "state", &created, e);
	if (r == 0)
		r = oci_json_i64(o, "pid", "state", 0, INT32_MAX, &pid, e);
	if (r == 0)
		r = oci_json_u64(o, "start_time", "state", UINT64_MAX, &st, e);
	if (r == 0)
		r = oci_json_object(o, "annotations", "state", &ann, e);
	if (r == 0) {
		ret->id = xstrdup(id);
		ret->bundle = xstrdup(bundle);
		ret->created = xstrdup(created);
		ret->pid = (pid_t)pid;
		ret->start_time = st;
		ret->annotations =
			xstrdup(ann ? json_object_to_json_string_ext(ann, JSON_C_TO_STRING_PLAIN) : "{}");
	}
	json_object_put(o);
	return r;
}

void oci_state_free(struct oci_state *st)
{
	free(st->id);
	free(st->bundle);
	free(st->created);
	free(st->annotations);
	memset(st, 0, sizeof(*st));
}

unsigned long long oci_proc_start_time(pid_t pid, bool *ret_zombie)
{
	char path[64], buf[1024], *p;
	_cleanup_close_ int fd = -1;
	unsigned long long start = 0;
	ssize_t n;

	if (ret_zombie)
		*ret_zombie = false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: fields start after the last ')'. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	p += 2;
	if (ret_zombie)
		*ret_zombie = *p == 'Z' || *p == 'X';
	/* p is field 3 (state); start time is field 22. */
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		start = strtoull(p, NULL, 10);
	return start;
}

bool oci_state_alive(const struct oci_state *st)
{
	bool zombie = false;

	if (st->pid <= 0)
		return false;
	return oci_proc_start_time(st->pid, &zombie) == st->start_time && !zombie;
}

const char *oci_state_status(const char *dir, const struct oci_state *st)
{
	_cleanup_free_ char *fifo = xasprintf("%s/exec.fifo", dir);

	if (st->pid <= 0)
		return "creating";
	if (!oci_state_alive(st))
		return "stopped";
	return access(fifo, F_OK) == 0 ? "created" : "running";
}

char *oci_state_json(const char *dir, const struct oci_state *st)
{
	return oci_state_json_with(st, oci_state_status(dir, st));
}

char *oci_state_json_with(const struct oci_state *st, const char *status)
{
	json_object *o = json_object_new_object();
	json_object *ann = json_tokener_parse(st->annotations ? st->annotations : "{}");
	char *text;

	json_object_object_add(o, "ociVersion", json_object_new_string("1.2.0"));
	json_object_object_add(o, "id", json_object_new_string(st->id));
	json_object_object_add(o, "status", json_object_new_string(status));
	/* Hooks see the pid while "creating" too (as runc's do). */
	json_object_object_add(o, "pid",
			       json_object_new_int(strcmp(status, "stopped") != 0 ? st->pid : 0));
	json_object_object_add(o, "bundle", json_object_new_string(st->bundle));
	json_object_object_add(o, "rootfs", json_object_new_string(""));
	json_object_object_add(o, "created", json_object_new_string(st->created ? st->created : ""));
	json_object_object_add(o, "owner", json_object_new_string(""));
	json_object_object_add(o, "annotations", ann ? ann : json_object_new_object());
	text = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return text;
}

void oci_state_remove(const char *dir)
{
	static const char *const files[] = { "state.json", "state.json.tmp", "exec.fifo" };
	_cleanup_close_ int fd = open(dir, O_DIRECTORY | O_CLOEXEC);

	oci_cgroup_remove(dir);
	if (fd >= 0)
		for (size_t i = 0; i < ARRAY_SIZE(files); i++)
			unlinkat(fd, files[i], 0);
	rmdir(dir);
}
