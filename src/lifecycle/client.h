/* client.h - what the verbs (ls, enter, stop, kill, logs) share: the control socket's client side */
#pragma once

#include <stddef.h>

#include "ctl_proto.h"
#include "error.h"
#include "registry.h"

/**
 * client_peer_outside_sandboxes() - whether @fd's peer is in our pid namespace
 * @fd:	a connected AF_UNIX socket
 *
 * Every sandbox's processes run as the user, so SO_PEERCRED's uid does not
 * tell a sandboxed process from the user's own: its pid namespace does.
 * The peer is pinned by its pidfd while /proc is looked at.
 *
 * Return: true when the peer is in our pid namespace, false otherwise or
 * when that cannot be told.
 */
bool client_peer_outside_sandboxes(int fd);

/**
 * client_connect() - connect to the control socket of the live sandbox @name
 * @reg:	its state directory, opened (close it with registry_close())
 * @ret_fd:	the connection
 *
 * The server's uid is checked too (SO_PEERCRED): ours, or we refuse.
 *
 * Return: 0 or -errno with @e filled (-ENOENT: no such sandbox)
 */
int client_connect(const char *name, struct registry_entry *reg, int *ret_fd, struct sbx_error *e);

/**
 * client_send() - send @req (its head and @req->len bytes of data) with
 *		   @n_fds fds attached
 * Return: 0 or -errno
 */
int client_send(int fd, const struct ctl_request *req, const int *fds, size_t n_fds);

/**
 * client_recv() - wait for the next reply
 * Return: 0, -EPIPE at EOF (the sandbox is gone) or -errno
 */
int client_recv(int fd, struct ctl_reply *rep);


/**
 * client_fail() - print @e as sbx's error line
 * Return: its exit status (125 unless it names another)
 */
int client_fail(const struct sbx_error *e);
