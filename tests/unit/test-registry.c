/* test-registry.c - named sandboxes' state directories: names, privacy, locks, staleness */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "registry.h"
#include "tap.h"
#include "util.h"

static char base[] = "/tmp/test-registry.XXXXXX";

static bool exists(const char *name)
{
	_cleanup_free_ char *p = xasprintf("%s/sbx/%s", base, name);
	return access(p, F_OK) == 0;
}

static void test_names(void)
{
	struct sbx_error e = { 0 };

	ok(registry_check_name("dev", &e) == 0 && registry_check_name("a.b-c_1", &e) == 0,
	   "letters, digits, '.', '-', '_' make a name");
	ok(registry_check_name("", &e) < 0 && registry_check_name(".", &e) < 0 &&
		   registry_check_name("..", &e) < 0 && registry_check_name("-x", &e) < 0,
	   "empty, dot names and a leading '-' are refused");
	ok(registry_check_name("a/b", &e) < 0 && registry_check_name("a b", &e) < 0,
	   "'/' and blanks are refused");
	ok(registry_check_name("x12345678901234567890123456789012345678901234567890123456789012345", &e) < 0,
	   "more than 64 characters are refused");
}

static void test_claim(void)
{
	struct registry_entry a, b, c;
	struct sbx_error e = { 0 };
	int st, pipefd[2];
	pid_t pid;
	char byte;

	ok(registry_create(&a, "one", &e) == 0 && a.owned && exists("one/lock"), "create claims a name");
	ok(registry_create(&b, "one", &e) == -EEXIST, "a live name cannot be claimed again: %s", e.msg);
	ok(registry_open(&c, "one", &e) == 0 && !c.owned, "open finds a live sandbox without its lock");
	registry_close(&c);
	registry_remove(&a);
	ok(!exists("one"), "remove takes the directory away");
	ok(registry_open(&c, "one", &e) == -ENOENT, "open after the end: no such sandbox: %s", e.msg);

	/* A holder that dies (SIGKILL): its directory is stale. */
	if (pipe(pipefd) < 0)
		abort();
	pid = fork();
	if (pid == 0) {
		struct registry_entry d;
		if (registry_create(&d, "two", &e) < 0)
			_exit(1);
		if (write(pipefd[1], "x", 1) < 0)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	ok(read(pipefd[0], &byte, 1) == 1, "a child claimed 'two'");
	close(pipefd[0]);
	ok(registry_create(&b, "two", &e) == -EEXIST, "... which is in use while it lives");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	ok(exists("two/lock"), "after its SIGKILL its directory is still there");
	ok(registry_open(&c, "two", &e) == -ENOENT && !exists("two"),
	   "open recognises it as stale and removes it");
	ok(registry_create(&b, "two", &e) == 0, "the name can be claimed again");
	registry_remove(&b);
}

/* Make file @name (empty) in the registry, its directory too. */
static void touch(const char *dir, const char *name)
{
	_cleanup_free_ char *d = xasprintf("%s/sbx/%s", base, dir);
	_cleanup_free_ char *p = xasprintf("%s/%s", d, name);
	int fd;

	if (mkdir(d, 0700) < 0 && errno != EEXIST)
		abort();
	fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	close(fd);
}

static int count_files(const char *dir)
{
	_cleanup_free_ char *d = xasprintf("%s/sbx/%s", base, dir);
	DIR *dd = opendir(d);
	struct dirent *de;
	int n = 0;

	if (!dd)
		return -1;
	while ((de = readdir(dd)))
		n += !dirent_is_dot(de->d_name);
	closedir(dd);
	return n;
}

/* A lock is made under a temporary name and locked before it is NAME/lock:
 * what a creator that crashed in between leaves is neither trusted nor kept. */
static void test_lock_tmp(void)
{
	struct registry_entry a, c;
	struct sbx_error e = { 0 };
	_cleanup_free_ char *lock = NULL;
	char **names = NULL;
	size_t n = 0;
	int fd;

	ok(registry_create(&a, "five", &e) == 0 && count_files("five") == 1,
	   "create leaves the lock and no temporary name");
	lock = xasprintf("%s/sbx/five/lock", base);
	fd = open(lock, O_RDWR | O_CLOEXEC);
	ok(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK,
	   "... the lock, held from the moment it has its name");
	if (fd >= 0)
		close(fd);
	registry_remove(&a);

	touch("six", ".lock-0123456789abcdef");
	ok(registry_open(&c, "six", &e) == -ENOENT && exists("six"),
	   "a directory with only a temporary lock name: no sandbox, nothing removed");
	ok(registry_list(&names, &n, &e) == 0 && n == 0, "... and sbx ls does not list it");
	free(names);
	ok(registry_create(&a, "six", &e) == 0 && count_files("six") == 1,
	   "... the name can be claimed, and the leftover goes");
	registry_remove(&a);

	touch("seven", "lock");
	touch("seven", ".lock-0123456789abcdef");
	ok(registry_open(&c, "seven", &e) == -ENOENT && !exists("seven"),
	   "a stale entry with a leftover temporary name is removed whole");
}

static void test_private(void)
{
	_cleanup_free_ char *dir = xasprintf("%s/sbx", base);
	_cleanup_free_ char *link = xasprintf("%s/link", base);
	struct registry_entry r;
	struct sbx_error e = { 0 };

	chmod(dir, 0755);
	ok(registry_create(&r, "x", &e) == -EPERM && strstr(e.msg, "not private"),
	   "a registry readable by others is refused: %s", e.msg);
	chmod(dir, 0700);
	rename(dir, link);
	if (symlink(link, dir) < 0)
		abort();
	ok(registry_create(&r, "x", &e) == -ELOOP && strstr(e.msg, "symbolic link"),
	   "a registry that is a symlink is refused: %s", e.msg);
	unlink(dir);
	rename(link, dir);
	ok(registry_create(&r, "x", &e) == 0, "... and accepted once it is a private directory");
	registry_remove(&r);
}

int main(void)
{
	if (!mkdtemp(base))
		return 1;
	setenv("XDG_RUNTIME_DIR", base, 1);
	test_names();
	test_claim();
	test_lock_tmp();
	test_private();
	{
		_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", base);
		if (system(cmd) != 0)
			return 1;
	}
	return tap_done();
}
