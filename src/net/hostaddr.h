/* hostaddr.h - the host's own addresses: its local routing table (what
 *		`ip route show table local` lists), kept current
 *
 * Under --net slirp a connection to any of them reaches the host's own
 * services (those bound to 0.0.0.0 or to that address), as its loopback
 * would: refused unless --allow-host-loopback. The table is dumped once
 * over rtnetlink and then followed through the kernel's route
 * notifications, so an address added later counts as soon as the
 * notification is read; readers call hostaddr_refresh() before they decide.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HOSTADDR_MAX 4096

struct hostaddr_entry {
	uint8_t family;
	uint8_t prefix;
	uint8_t addr[16];
};

/**
 * struct hostaddr - the local table's destinations
 * @fd:		the route netlink socket, subscribed to IPv4 and IPv6 route
 *		changes (-1: none; then nothing is known and nothing matches)
 * @lost:	updates were lost (ENOBUFS, a failed read or dump): the
 *		table is read anew at the next hostaddr_refresh()
 * @unknown:	the table may lack addresses (@lost, or more local routes
 *		than HOSTADDR_MAX): every address counts as the host's
 * @seq:	the sequence number of the last dump asked for
 */
struct hostaddr {
	int fd;
	bool lost, unknown;
	uint32_t seq;
	size_t n;
	struct hostaddr_entry e[HOSTADDR_MAX];
};

/**
 * hostaddr_open() - open the socket, subscribe, and read the table
 * Return: 0 or -errno (@h->fd is then -1)
 */
int hostaddr_open(struct hostaddr *h);

/**
 * hostaddr_refresh() - apply the changes the kernel reported since; never
 *			blocks for long (dumps the table anew when
 *			notifications were lost; until a dump succeeds, every
 *			address counts as the host's)
 */
void hostaddr_refresh(struct hostaddr *h);

/**
 * hostaddr_contains() - whether @family/@addr (v4-mapped counts as IPv4) is
 *			 a destination of the local table (always, while
 *			 the table is unknown: it fails closed)
 */
bool hostaddr_contains(const struct hostaddr *h, int family, const uint8_t *addr);

/**
 * hostaddr_apply() - apply one rtnetlink message @m (@len bytes) to @h:
 *		      RTM_NEWROUTE / RTM_DELROUTE of table local; others are
 *		      ignored (exposed for the unit test)
 */
void hostaddr_apply(struct hostaddr *h, const void *m, size_t len);
