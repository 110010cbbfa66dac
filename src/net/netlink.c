/* netlink.c - the few rtnetlink requests that configure the sandbox's tap device
 * (run by the child, in the sandbox's network namespace)
 *
 *
 * Each request is one message with NLM_F_ACK, answered by one NLMSG_ERROR
 * carrying 0 or -errno; nothing here needs a dump or a multi-part reply.
 */
#include "autoconf.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netlink.h"
#include "util.h"

struct netlink_req {
	union {
		struct nlmsghdr nh;
		char buf[512];
	};
};

static void *netlink_tail(struct netlink_req *r)
{
	return r->buf + NLMSG_ALIGN(r->nh.nlmsg_len);
}

static void netlink_put(struct netlink_req *r, const void *data, size_t len)
{
	memcpy(netlink_tail(r), data, len);
	r->nh.nlmsg_len = (unsigned)(NLMSG_ALIGN(r->nh.nlmsg_len) + len);
}

static void netlink_attr(struct netlink_req *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *rta = netlink_tail(r);

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	r->nh.nlmsg_len = (unsigned)(NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len));
}

static void netlink_begin(struct netlink_req *r, unsigned short type, unsigned short flags)
{
	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_len = NLMSG_HDRLEN;
	r->nh.nlmsg_type = type;
	r->nh.nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
	r->nh.nlmsg_seq = 1;
}

static int netlink_talk(int fd, struct netlink_req *r)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	union {
		struct nlmsghdr nh;
		char buf[1024];
	} reply;
	ssize_t n;

	if (sendto(fd, r, r->nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	do
		n = recv(fd, &reply, sizeof(reply), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) || reply.nh.nlmsg_type != NLMSG_ERROR)
		return -EPROTO;
	return ((struct nlmsgerr *)NLMSG_DATA(&reply.nh))->error;
}

int netlink_open(int *ret_fd)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	return 0;
}

int netlink_link_up(int fd, int ifindex, unsigned mtu)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex,
				 .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	struct netlink_req r;

	netlink_begin(&r, RTM_NEWLINK, 0);
	netlink_put(&r, &ifi, sizeof(ifi));
	if (mtu)
		netlink_attr(&r, IFLA_MTU, &mtu, sizeof(mtu));
	return netlink_talk(fd, &r);
}

int netlink_addr_add(int fd, int ifindex, int family, const void *addr, unsigned prefixlen)
{
	struct ifaddrmsg ifa = {
		.ifa_family = (unsigned char)family,
		.ifa_prefixlen = (unsigned char)prefixlen,
		.ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0,
		.ifa_scope = RT_SCOPE_UNIVERSE,
		.ifa_index = (unsigned)ifindex,
	};
	size_t len = family == AF_INET6 ? 16 : 4;
	struct netlink_req r;

	netlink_begin(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	netlink_put(&r, &ifa, sizeof(ifa));
	netlink_attr(&r, IFA_LOCAL, addr, len);
	netlink_attr(&r, IFA_ADDRESS, addr, len);
	return netlink_talk(fd, &r);
}

int netlink_route_add_default(int fd, int ifindex, int family, const void *gateway)
{
	struct rtmsg rtm = {
		.rtm_family = (unsigned char)family,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_BOOT,
		.rtm_scope = RT_SCOPE_UNIVERSE,
		.rtm_type = RTN_UNICAST,
	};
	struct netlink_req r;
	unsigned oif = (unsigned)ifindex;

	netlink_begin(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	netlink_put(&r, &rtm, sizeof(rtm));
	netlink_attr(&r, RTA_GATEWAY, gateway, family == AF_INET6 ? 16 : 4);
	netlink_attr(&r, RTA_OIF, &oif, sizeof(oif));
	return netlink_talk(fd, &r);
}
