/* no-mount-setattr - run a command as if the kernel predated mount_setattr()
 * (Linux < 5.12): a seccomp filter makes the call fail with ENOSYS, so the
 * tests can exercise sbx's remount fallback on a new kernel. */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	scmp_filter_ctx ctx;

	if (argc < 2) {
		fprintf(stderr, "usage: no-mount-setattr COMMAND [ARG]...\n");
		return 2;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(mount_setattr), 0) < 0 ||
	    seccomp_load(ctx) < 0) {
		fprintf(stderr, "no-mount-setattr: cannot load the seccomp filter\n");
		return 2;
	}
	seccomp_release(ctx);
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
