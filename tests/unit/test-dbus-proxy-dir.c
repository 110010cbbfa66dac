/* test-dbus-proxy-dir.c - the D-Bus proxy's host directory: made locked,
 * removed only unlocked, only with the proxy's sockets in it, only ours */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dbus_proxy_dir.h"
#include "tap.h"
#include "util.h"

static char parent[] = "/tmp/test-dbus-proxy-dir.XXXXXX";

/* mkdtemp(), ours: the one dbus_proxy_dir_make() calls too (the program's
 * definition comes before libc's). With swap_next set it plays the race in
 * /tmp: another sbx's collector removes the new directory before the maker
 * opens it, and another user makes that name again, open to all (as root:
 * owned by nobody). */
static bool swap_next;
static char swapped[PATH_MAX];

char *mkdtemp(char *tmpl)
{
	static unsigned n;
	size_t len = strlen(tmpl);

	if (len < 6 || strcmp(tmpl + len - 6, "XXXXXX"))
		return errno = EINVAL, NULL;
	for (;;) {
		snprintf(tmpl + len - 6, 7, "%06u", (unsigned)(getpid() + n++) % 1000000);
		if (mkdir(tmpl, 0700) == 0)
			break;
		if (errno != EEXIST)
			return NULL;
	}
	if (swap_next) {
		swap_next = false;
		if (rmdir(tmpl) < 0 || mkdir(tmpl, 0700) < 0 || chmod(tmpl, 0777) < 0 ||
		    (geteuid() == 0 && chown(tmpl, 65534, 65534) < 0))
			abort();
		snprintf(swapped, sizeof(swapped), "%s", tmpl);
	}
	return tmpl;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* A listening socket at @dir/@name, as the proxy leaves them. */
static void make_socket(const char *dir, const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir, name);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		abort();
	close(fd);
}

static char *make(int *lock)
{
	struct sbx_error e = { 0 };
	char *path = NULL;

	if (dbus_proxy_dir_make(parent, &path, lock, &e) < 0) {
		printf("# make: %s\n", e.msg);
		abort();
	}
	return path;
}

static void test_lock_decides(void)
{
	int lock;
	_cleanup_free_ char *path = make(&lock);
	struct stat st;
	const char *base = strrchr(path, '/') + 1;

	ok(strlen(base) == 15 && !strncmp(base, "sbx-dbus-", 9), "the name is sbx-dbus-XXXXXX (%s)",
	   base);
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0700, "a directory, mode 0700");
	ok(fcntl(lock, F_GETFD) == FD_CLOEXEC, "its lock fd is close-on-exec");
	make_socket(path, "bus");
	make_socket(path, "system_bus_socket");
	ok(dbus_proxy_dir_collect(parent) == 0 && exists(path), "locked: a collection leaves it");
	ok(dbus_proxy_dir_remove(path) == -EBUSY && exists(path), "locked: remove says EBUSY");
	close(lock);
	ok(dbus_proxy_dir_collect(parent) == 1 && !exists(path),
	   "unlocked: a collection removes it, with its two sockets");
	ok(dbus_proxy_dir_remove(path) == 0, "removing it again is no error");
}

static void test_only_the_sockets(void)
{
	int lock;
	_cleanup_free_ char *path = make(&lock);
	_cleanup_free_ char *bus = xasprintf("%s/bus", path), *other = xasprintf("%s/other", path);
	int fd;

	close(lock);
	make_socket(path, "bus");
	fd = open(other, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	close(fd);
	ok(dbus_proxy_dir_remove(path) == -ENOTEMPTY && exists(other) && !exists(bus),
	   "another file in it: its socket goes, the file and the directory stay");
	unlink(other);
	rmdir(path);
	free(path);

	path = xasprintf("%s/sbx-dbus-file00", parent);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	close(fd);
	ok(dbus_proxy_dir_collect(parent) == 0 && exists(path), "a file of that name stays");
	unlink(path);
	free(path);

	path = xasprintf("%s/sbx-dbus-bus000", parent);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	close(fd);
	ok(dbus_proxy_dir_remove(path) != 0 && exists(path), "... and remove() leaves it too");
	unlink(path);
}

static void test_names_and_links(void)
{
	_cleanup_free_ char *target = xasprintf("%s/target", parent),
			    *link = xasprintf("%s/sbx-dbus-link00", parent),
			    *other = xasprintf("%s/sbx-dbus-x", parent),
			    *inside = xasprintf("%s/target/bus", parent);

	if (mkdir(target, 0700) < 0 || symlink(target, link) < 0 || mkdir(other, 0700) < 0)
		abort();
	make_socket(target, "bus");
	ok(dbus_proxy_dir_collect(parent) == 0 && exists(link) && exists(inside) && exists(other),
	   "a symlink of that name and another name stay, with what the link points to");
	ok(dbus_proxy_dir_remove(other) == -EINVAL, "remove() refuses another name");
	unlink(inside);
	unlink(link);
	rmdir(target);
	rmdir(other);
}

static void test_open_to_others(void)
{
	_cleanup_free_ char *path = xasprintf("%s/sbx-dbus-open00", parent);

	if (mkdir(path, 0700) < 0 || chmod(path, 0755) < 0)
		abort();
	ok(dbus_proxy_dir_collect(parent) == 0 && exists(path),
	   "an empty directory of that name open to others (not one sbx made) stays");
	rmdir(path);
}

static void test_not_ours(void)
{
	_cleanup_free_ char *path = xasprintf("%s/sbx-dbus-nobody", parent);

	if (geteuid() != 0) {
		printf("ok %d - # SKIP another user's directory (needs root to make one)\n", ++tap_n);
		return;
	}
	if (mkdir(path, 0700) < 0 || chown(path, 65534, 65534) < 0)
		abort();
	ok(dbus_proxy_dir_collect(parent) == 0 && exists(path), "another user's directory stays");
	rmdir(path);
}

static void test_name_made_again(void)
{
	int lock;
	_cleanup_free_ char *path = NULL;

	swap_next = true;
	path = make(&lock);
	ok(swapped[0] && strcmp(path, swapped) != 0,
	   "a name removed and made again by another before the open: not used (%s)", path);
	ok(exists(swapped), "... and left as it is");
	close(lock);
	rmdir(path);
	rmdir(swapped);
}

int main(void)
{
	if (!mkdtemp(parent))
		abort();
	test_lock_decides();
	test_only_the_sockets();
	test_names_and_links();
	test_open_to_others();
	test_not_ours();
	test_name_made_again();
	ok(rmdir(parent) == 0, "nothing else was left");
	return tap_done();
}
