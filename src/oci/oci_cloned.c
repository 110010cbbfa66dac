/* oci_cloned.c - sbx-oci re-executed from a sealed copy of itself (why: oci_cloned.h) */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci_cloned.h"
#include "util.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3; older kernels refuse it: retried without */
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

/* A copy of @src in a memfd, sealed: not writable by anyone, ever. */
static int clone_binary(int src, int *ret)
{
	_cleanup_close_ int fd = memfd_create("sbx-oci", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	struct stat st;
	off_t off = 0;

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("sbx-oci", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0 || fstat(src, &st) < 0)
		return -errno;
	while (off < st.st_size) {
		ssize_t n = sendfile(fd, src, &off, (size_t)(st.st_size - off));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
	}
	if (fcntl(fd, F_ADD_SEALS, SEALS) < 0)
		return -errno;
	*ret = TAKE_FD(fd);
	return 0;
}

int oci_cloned_reexec(int argc, char **argv)
{
	_cleanup_close_ int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), copy = -1;
	_cleanup_free_ char **args = NULL;
	struct stat st;
	int seals, r;

	if (self < 0)
		return -errno;
	seals = fcntl(self, F_GET_SEALS);
	if (seals >= 0 && (seals & SEALS) == SEALS)
		return 0;
	/* The copy costs a few ms; it is not needed when nobody we can map
	 * could write the file: another uid's (root's /usr/bin/sbx run by a
	 * user), not group- or world-writable, and we are not uid 0. */
	if (fstat(self, &st) == 0 && geteuid() != 0 && st.st_uid != geteuid() &&
	    !(st.st_mode & (S_IWGRP | S_IWOTH)))
		return 0;
	r = clone_binary(self, &copy);
	if (r < 0)
		return r;
	args = xreallocarray(NULL, (size_t)argc + 1, sizeof(char *));
	args[0] = (char *)"sbx-oci";
	for (int i = 1; i < argc; i++)
		args[i] = argv[i];
	args[argc] = NULL;
	syscall(SYS_execveat, copy, "", args, environ, AT_EMPTY_PATH);
	return -errno;
}
