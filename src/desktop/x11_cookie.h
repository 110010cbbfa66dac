/* x11_cookie.h - the few X11 protocol requests sbx makes itself, and
 *		  Xauthority files
 *
 * sbx speaks the X protocol directly (connection set-up, QueryExtension and
 * the SECURITY extension's three requests) rather than linking Xlib or
 * starting xauth: a few hundred bytes each way, no library to load, no
 * program to start, and the cookie never touches a file on the host.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define X11_AUTH_NAME_MAX 64
#define X11_AUTH_DATA_MAX 256

/**
 * struct x11_auth - one authorization: protocol name and data
 */
struct x11_auth {
	char name[X11_AUTH_NAME_MAX + 1];
	uint8_t data[X11_AUTH_DATA_MAX];
	size_t data_len;
};

/**
 * x11_connect_send() - connect to the X server at socket @path and send the
 *			connection set-up with @auth (NULL: none), and after
 *			it, with @query_security, the QueryExtension request
 *			x11_security_generate() reads the reply of
 *
 * Nothing is read: several connections' set-ups can be on their way at
 * once, and the server answers them in one wake-up.
 * Return: 0 with the connection in @ret_fd, -ETIMEDOUT when the server did
 *	   not take it in time, other -errno
 */
int x11_connect_send(const char *path, const struct x11_auth *auth, bool query_security,
		     int *ret_fd);

/**
 * x11_connect_finish() - read the server's answer to the set-up sent on @fd
 * @reason:	the server's reason when it refuses (-EACCES)
 * Return: 0 when the server let us in, -EACCES when it refused us,
 *	   -ETIMEDOUT when it did not answer, other -errno
 */
int x11_connect_finish(int fd, char *reason, size_t reason_len);

/**
 * x11_security_generate() - SecurityGenerateAuthorization over @fd, a
 *			     connection sent with @query_security: a new
 *			     MIT-MAGIC-COOKIE-1 of trust level @trusted that
 *			     never expires (sbx revokes it at the end)
 * Return: 0 with the cookie in @ret_auth, its id in @ret_id and the
 *	   extension's major opcode in @ret_major; -ENOTSUP when the server
 *	   has no SECURITY extension; other -errno
 */
int x11_security_generate(int fd, bool trusted, struct x11_auth *ret_auth, uint32_t *ret_id,
			  uint8_t *ret_major);

/**
 * x11_security_revoke() - SecurityRevokeAuthorization of @id over @fd
 *			   (@major: the extension's opcode), and a round trip
 *			   so it is done when this returns
 * Return: 0 or -errno
 */
int x11_security_revoke(int fd, uint8_t major, uint32_t id);

/**
 * x11_xauth_find() - the MIT-MAGIC-COOKIE-1 for local display @number in
 *		      the Xauthority file content @buf, as libXau picks it
 *		      (an entry for @hostname or a wildcard one, first wins)
 * Return: 1 found, 0 not, -EINVAL for a malformed file
 */
int x11_xauth_find(const uint8_t *buf, size_t len, const char *number, const char *hostname,
		   struct x11_auth *ret_auth);

/**
 * x11_xauth_entry() - one Xauthority entry for any host and display @number
 *		       (the sandbox has a hostname of its own)
 * Return: its length in @buf (at most @size), or -ENOSPC
 */
int x11_xauth_entry(const char *number, const struct x11_auth *auth, uint8_t *buf, size_t size);
