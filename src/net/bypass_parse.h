/* bypass_parse.h - what a seccomp notification from the command asks of the TCP bypass */
#pragma once

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

enum bypass_call_kind {
	BYPASS_CALL_OTHER = 0, /* not ours to look at: let it run */
	BYPASS_CALL_CONNECT,
};

/**
 * struct bypass_call - a notification, decoded and bounded; nothing in it
 *			has been read from the caller's memory yet
 * @kind:	what the call is
 * @id:		the notification's cookie
 * @pid:	the calling thread, in the worker's pid namespace
 * @fd:		the socket argument, as the kernel reads it (an int)
 * @addr:	the sockaddr's address in the caller
 * @len:	the sockaddr's length, at most sizeof(struct sockaddr_storage)
 */
struct bypass_call {
	enum bypass_call_kind kind;
	uint64_t id;
	pid_t pid;
	int fd;
	uint64_t addr;
	uint64_t len;
};

/**
 * bypass_call_parse() - decode notification @n
 *
 * A call of another ABI or system call, a connect() whose address length
 * cannot hold an address family or is larger than any address:
 * BYPASS_CALL_OTHER, which the
 * caller answers with "continue" (the kernel then does what it would have
 * done without the bypass).
 */
void bypass_call_parse(const struct seccomp_notif *n, struct bypass_call *ret);

/**
 * bypass_sockaddr_wanted() - whether the @len bytes at @ss, as read from the
 *			      caller of a connect(), may be the bypass's: an
 *			      IPv4 or IPv6 address, or AF_UNSPEC (a disconnect)
 *
 * Unix sockets (nscd, D-Bus...) are the common case and are let through
 * without a further look.
 */
bool bypass_sockaddr_wanted(const struct sockaddr_storage *ss, size_t len);

/**
 * bypass_status_tgid() - the Tgid: of /proc/PID/status text @buf (@len bytes,
 *			  need not end in NUL); -1 when it has none
 */
long bypass_status_tgid(const char *buf, size_t len);
