/* net.c - --net slirp inside the sandbox, run by the child during its setup:
 * tap0, its addresses and routes, its fd for the helper, the socket factory's start */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "netfactory.h"
#include "netlink.h"
#include "sync.h"
#include "util.h"

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

	r = netlink_open(&nl);
	if (r < 0)
		return sbx_error_set(e, r, "--net slirp: netlink socket");
	r = netlink_link_up(nl, ifindex, c->mtu);
	if (r < 0)
		return sbx_error_set(e, r, "--net slirp: cannot bring %s up with MTU %u", NET_TAP_NAME,
				     c->mtu);
	r = netlink_addr_add(nl, ifindex, AF_INET, a4, 24);
	if (r >= 0)
		r = netlink_route_add_default(nl, ifindex, AF_INET, gw4);
	if (r < 0)
		return sbx_error_set(e, r, "--net slirp: cannot configure %s/24 via %s", NET_ADDR4,
				     NET_GATEWAY4);
	if (c->no_ipv6)
		return 0;
	r = netlink_addr_add(nl, ifindex, AF_INET6, a6, 64);
	if (r >= 0)
		r = netlink_route_add_default(nl, ifindex, AF_INET6, gw6);
	if (r < 0)
		return sbx_error_set(e, r, "--net slirp: cannot configure %s/64 via %s (try --no-ipv6)",
				     NET_ADDR6, NET_GATEWAY6);
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
		return netfactory_start(sync_fd, e);
	return 0;
}
