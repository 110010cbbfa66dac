/* hostaddr.c - the host's own addresses: its local routing table, kept current */
#include "autoconf.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "egress_rule.h"
#include "hostaddr.h"
#include "util.h"

static bool entry_equal(const struct hostaddr_entry *a, const struct hostaddr_entry *b)
{
	return a->family == b->family && a->prefix == b->prefix &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

void hostaddr_apply(struct hostaddr *h, const void *m, size_t len)
{
	const struct nlmsghdr *nh = m;
	const struct rtmsg *rt;
	const struct rtattr *rta;
	struct hostaddr_entry en = { 0 };
	uint32_t table;
	size_t rest, alen;

	if (len < NLMSG_LENGTH(sizeof(*rt)) || nh->nlmsg_len > len ||
	    (nh->nlmsg_type != RTM_NEWROUTE && nh->nlmsg_type != RTM_DELROUTE))
		return;
	rt = NLMSG_DATA(nh);
	if (rt->rtm_family != AF_INET && rt->rtm_family != AF_INET6)
		return;
	alen = rt->rtm_family == AF_INET ? 4 : 16;
	if (rt->rtm_dst_len > alen * 8)
		return;
	table = rt->rtm_table;
	en.family = rt->rtm_family;
	en.prefix = rt->rtm_dst_len;
	rest = RTM_PAYLOAD(nh);
	for (rta = RTM_RTA(rt); RTA_OK(rta, rest); rta = RTA_NEXT(rta, rest)) {
		if (rta->rta_type == RTA_TABLE && RTA_PAYLOAD(rta) == 4)
			memcpy(&table, RTA_DATA(rta), 4);
		else if (rta->rta_type == RTA_DST && RTA_PAYLOAD(rta) == alen)
			memcpy(en.addr, RTA_DATA(rta), alen);
	}
	/* IPv6 puts multicast routes (ff00::/8) in table local too; they are
	 * not the host's. */
	if (table != RT_TABLE_LOCAL || rt->rtm_type == RTN_MULTICAST)
		return;
	for (size_t i = 0; i < h->n; i++) {
		if (!entry_equal(&h->e[i], &en))
			continue;
		/* Several routes may share a destination (an address on two
		 * interfaces), kept here as one: a delete cannot tell whether
		 * it was the last, so the table is read anew at the next
		 * refresh, and the address stays closed until then. */
		if (nh->nlmsg_type == RTM_DELROUTE)
			h->lost = true;
		return;
	}
	if (nh->nlmsg_type == RTM_NEWROUTE && h->n < HOSTADDR_MAX)
		h->e[h->n++] = en;
	else if (nh->nlmsg_type == RTM_NEWROUTE)
		h->unknown = true; /* an address left out: fail closed */
}

static int request_dump(int fd, int family, uint32_t seq)
{
	struct {
		struct nlmsghdr h;
		struct rtmsg rt;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETROUTE,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = seq },
		.rt = { .rtm_family = (unsigned char)family, .rtm_table = RT_TABLE_LOCAL },
	};

	return send(fd, &req, sizeof(req), MSG_NOSIGNAL) == (ssize_t)sizeof(req) ? 0 : -errno;
}

/* Read what is queued; with @until_done, block until a dump's NLMSG_DONE. */
static int drain(struct hostaddr *h, bool until_done)
{
	char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	for (;;) {
		/* recvmsg(): what both the helper's and the worker's filters allow */
		ssize_t n = recvmsg(h->fd, &mh, until_done ? 0 : MSG_DONTWAIT);
		size_t left;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		left = (size_t)n;
		for (const struct nlmsghdr *nh = (const void *)buf; NLMSG_OK(nh, left);
		     nh = NLMSG_NEXT(nh, left)) {
			if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR) {
				/* The end of this dump, not of one given up on. */
				if (until_done && nh->nlmsg_pid != 0 && nh->nlmsg_seq == h->seq)
					return 0;
				continue;
			}
			hostaddr_apply(h, nh, nh->nlmsg_len);
		}
	}
}

static int dump(struct hostaddr *h)
{
	static const int families[] = { AF_INET, AF_INET6 };

	h->n = 0;
	h->unknown = false;
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		/* (A host without IPv6 answers with an error message: done.) */
		int r = request_dump(h->fd, families[i], ++h->seq);

		if (r == 0)
			r = drain(h, true);
		if (r < 0) {
			h->lost = h->unknown = true;
			return r;
		}
	}
	h->lost = false;
	return 0;
}

int hostaddr_open(struct hostaddr *h)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE };
	int r;

	h->n = 0;
	h->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (h->fd < 0)
		return -errno;
	if (bind(h->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		goto fail;
	}
	r = dump(h);
	if (r == 0)
		return 0;
fail:
	close(h->fd);
	h->fd = -1;
	return r;
}

void hostaddr_refresh(struct hostaddr *h)
{
	int r;

	if (h->fd < 0)
		return;
	/* ENOBUFS: notifications were lost; any other failure but "nothing
	 * more" leaves the table as uncertain: it is read anew, and until
	 * that works every address counts as the host's. */
	r = drain(h, false);
	if (h->lost || (r < 0 && r != -EAGAIN && r != -EWOULDBLOCK))
		dump(h);
}

bool hostaddr_contains(const struct hostaddr *h, int family, const uint8_t *addr)
{
	if (h->unknown)
		return true;
	addr = egress_addr_unmap(&family, addr);
	for (size_t i = 0; i < h->n; i++) {
		const struct hostaddr_entry *en = &h->e[i];
		unsigned full = en->prefix / 8, rest = en->prefix % 8;

		if (en->family != family || memcmp(en->addr, addr, full) != 0)
			continue;
		if (rest == 0 || ((addr[full] ^ en->addr[full]) & (uint8_t)(0xff00u >> rest)) == 0)
			return true;
	}
	return false;
}
