/* net.c - --net slirp inside the sandbox: the tap device, the socket factory, resolv.conf */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <linux/if_tun.h>
#include <linux/mount.h>
#include <net/if.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "mount.h"
#include "net.h"
#include "netlink.h"
#include "publish.h"
#include "seccomp_filter.h"
#include "sync.h"
#include "util.h"

#define RESOLV_CONF_MAX 16384

static int open_tap(int *ret_fd, int *ret_ifindex, struct sbx_error *e)
{
	_cleanup_close_ int fd = -1;
	struct ifreq ifr;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return sbx_error_set(e, errno, "--net slirp: cannot open /dev/net/tun%s",
				     errno == EACCES || errno == EPERM ? " (it must be mode 0666)" : "");
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	strcpy(ifr.ifr_name, NET_TAP_NAME);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return sbx_error_set(e, errno, "--net slirp: cannot create %s", NET_TAP_NAME);
	/* Persistent: the device goes with the sandbox's namespace (its
	 * cleanup deletes it, asynchronously), not with the helper's last fd,
	 * whose close would otherwise unregister it synchronously and make
	 * every sbx exit wait tens of milliseconds. */
	if (ioctl(fd, TUNSETPERSIST, 1) < 0)
		return sbx_error_set(e, errno, "--net slirp: cannot make %s persistent", NET_TAP_NAME);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		/* The tun fd takes no SIOCGIFINDEX; ask by name. */
		unsigned idx = if_nametoindex(NET_TAP_NAME);
		if (!idx)
			return sbx_error_set(e, errno, "--net slirp: %s vanished", NET_TAP_NAME);
		*ret_ifindex = (int)idx;
	} else {
		*ret_ifindex = ifr.ifr_ifindex;
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

static int configure_tap(const struct sbx_config *c, int ifindex, struct sbx_error *e)
{
	_cleanup_close_ int nl = -1;
	unsigned char a4[4], gw4[4], a6[16], gw6[16];
	int r;

	inet_pton(AF_INET, NET_ADDR4, a4);
	inet_pton(AF_INET, NET_GATEWAY4, gw4);
	inet_pton(AF_INET6, NET_ADDR6, a6);
	inet_pton(AF_INET6, NET_GATEWAY6, gw6);

	r = nl_open(&nl);
	if (r < 0)
		return sbx_error_set(e, r, "--net slirp: netlink socket");
	r = nl_link_up(nl, ifindex, c->mtu);
	if (r < 0)
		return sbx_error_set(e, r, "--net slirp: cannot bring %s up with MTU %u", NET_TAP_NAME,
				     c->mtu);
	r = nl_addr_add(nl, ifindex, AF_INET, a4, 24);
	if (r >= 0)
		r = nl_route_add_default(nl, ifindex, AF_INET, gw4);
	if (r < 0)
		return sbx_error_set(e, r, "--net slirp: cannot configure %s/24 via %s", NET_ADDR4,
				     NET_GATEWAY4);
	if (c->no_ipv6)
		return 0;
	r = nl_addr_add(nl, ifindex, AF_INET6, a6, 64);
	if (r >= 0)
		r = nl_route_add_default(nl, ifindex, AF_INET6, gw6);
	if (r < 0)
		return sbx_error_set(e, r, "--net slirp: cannot configure %s/64 via %s (try --no-ipv6)",
				     NET_ADDR6, NET_GATEWAY6);
	return 0;
}

/* The factory may only make IPv4/IPv6 sockets and talk over its one socket. */
static int factory_lockdown(void)
{
	static const int allowed[] = {
		SCMP_SYS(recvmsg), SCMP_SYS(sendmsg),	 SCMP_SYS(close),
		SCMP_SYS(exit),	   SCMP_SYS(exit_group), SCMP_SYS(rt_sigreturn),
		/* reads the signal stack: AddressSanitizer does before _exit() */
		SCMP_SYS(sigaltstack),
	};
	scmp_filter_ctx ctx;
	int r = 0;

	ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!ctx)
		return -ENOMEM;
	r = seccomp_allow_list(ctx, allowed, ARRAY_SIZE(allowed));
	if (r == 0)
		r = seccomp_allow_ip_sockets(ctx);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

static _Noreturn void factory_main(int fd)
{
	struct sbx_error e = { 0 };

	/* It outlives nothing: pid 1's end takes it along, and so does an
	 * EOF from the network helper. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (dup2(fd, 3) < 0)
		_exit(1);
	syscall(SYS_close_range, 4U, ~0U, 0U);
	if (caps_drop_for_exec(0, &e) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 ||
	    factory_lockdown() < 0)
		_exit(1);
	factory_serve(3);
	_exit(0);
}

static int start_factory(int sync_fd, struct sbx_error *e)
{
	_cleanup_close_ int ours = -1, theirs = -1;
	struct sync_msg m = { .type = SYNC_NET_FACTORY };
	int fds[2], r;
	pid_t pid;

	r = sync_socketpair(fds);
	if (r < 0)
		return sbx_error_set(e, r, "--publish: socketpair");
	ours = fds[0];
	theirs = fds[1];
	pid = fork();
	if (pid < 0)
		return sbx_error_set(e, errno, "--publish: cannot start the socket factory");
	if (pid == 0)
		factory_main(theirs);
	r = sync_send(sync_fd, &m, ours);
	if (r < 0)
		return sbx_error_set(e, r, "sync with sbx");
	return 0;
}

int net_setup_inside(const struct sbx_config *c, int sync_fd, struct sbx_error *e)
{
	_cleanup_close_ int tap = -1;
	struct sync_msg m = { .type = SYNC_NET_TAP };
	int ifindex = 0, r;

	r = open_tap(&tap, &ifindex, e);
	if (r < 0)
		return r;
	r = configure_tap(c, ifindex, e);
	if (r < 0)
		return r;
	r = sync_send(sync_fd, &m, tap);
	if (r < 0)
		return sbx_error_set(e, r, "sync with sbx");
	if (c->n_publish)
		return start_factory(sync_fd, e);
	return 0;
}

/* "nameserver 10.0.2.3" plus the host's search domains, which still apply. */
static void make_resolv_conf(char *buf, size_t len)
{
	_cleanup_close_ int fd = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);
	char host[RESOLV_CONF_MAX];
	size_t used;
	ssize_t n = fd >= 0 ? read(fd, host, sizeof(host) - 1) : -1;
	char *save = NULL;

	used = (size_t)snprintf(buf, len, "# generated by sbx --net slirp\nnameserver %s\n",
				NET_DNS4);
	if (n <= 0)
		return;
	host[n] = '\0';
	for (char *line = strtok_r(host, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "search", 6) != 0 && strncmp(line, "domain", 6) != 0)
			continue;
		if (used + strlen(line) + 2 >= len)
			break;
		used += (size_t)snprintf(buf + used, len - used, "%s\n", line);
	}
}

/* Where the file must go: /etc/resolv.conf, or where its symlink points. */
static int resolv_conf_target(int rootfd, int *ret_fd)
{
	char link[PATH_MAX], path[PATH_MAX + 8];
	_cleanup_close_ int etc = -1;
	ssize_t n;
	int r;

	r = path_open_in_root(rootfd, "/etc/resolv.conf", O_PATH, ret_fd);
	if (r != -ENOENT)
		return r;
	r = path_open_in_root(rootfd, "/etc", O_PATH | O_DIRECTORY, &etc);
	if (r < 0)
		return r;
	n = readlinkat(etc, "resolv.conf", link, sizeof(link) - 1);
	if (n <= 0)
		return -ENOENT;
	link[n] = '\0';
	snprintf(path, sizeof(path), "%s%s", link[0] == '/' ? "" : "/etc/", link);
	return path_make_in_root(rootfd, path, true, 0644, ret_fd);
}

int net_attach_resolv_conf(int rootfd, const struct sbx_config *c, struct sbx_error *e)
{
	static const char *const opts[] = { "mode", "0755", "size", "64k", NULL };
	_cleanup_close_ int fs = -1, file = -1, bind = -1, target = -1;
	char text[RESOLV_CONF_MAX];
	uint64_t pending = 0;
	int r;

	(void)c;
	r = resolv_conf_target(rootfd, &target);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return sbx_error_set(e, r, "--net slirp: cannot find /etc/resolv.conf");
	make_resolv_conf(text, sizeof(text));
	r = mnt_new_fs("tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, &fs);
	if (r < 0)
		return sbx_error_set(e, r, "--net slirp: tmpfs for resolv.conf");
	file = openat(fs, "resolv.conf", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	if (file < 0)
		return sbx_error_set(e, errno, "--net slirp: resolv.conf");
	r = write_all(file, text, strlen(text));
	if (r >= 0)
		r = mnt_clone_tree(fs, "resolv.conf", false, &bind);
	if (r >= 0)
		r = mnt_set_attr(bind, MOUNT_ATTR_RDONLY, 0, false);
	if (r == -ENOSYS) {
		/* Linux < 5.12 has no mount_setattr(): remount once attached. */
		pending = MOUNT_ATTR_RDONLY;
		r = 0;
	}
	if (r >= 0)
		r = mnt_attach_with_attrs(bind, target, pending, false);
	if (r < 0)
		return sbx_error_set(e, r, "--net slirp: cannot bind a resolv.conf over /etc/resolv.conf");
	return 0;
}
