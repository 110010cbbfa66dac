/* publish_spec.h - -p/--publish in sbx itself: the spec from the command line,
 * and the host sockets bound before the sandbox starts */
#pragma once

#include <stddef.h>

#include "config.h"
#include "error.h"

/**
 * publish_spec_parse() - parse "[HOSTIP:]HOSTPORT:SANDBOXPORT[/tcp|/udp]"
 *
 * HOSTIP is a dotted IPv4 address or an IPv6 address in brackets
 * ("[::1]:8080:80"); it defaults to 0.0.0.0. Ports are 1-65535.
 *
 * Return: 0 with @ret filled (ret->spec allocated), or -EINVAL with @e filled
 */
int publish_spec_parse(const char *spec, struct sbx_publish *ret, struct sbx_error *e);

/**
 * publish_spec_format_host() - "0.0.0.0:8080" or "[::1]:8080" for messages
 */
void publish_spec_format_host(const struct sbx_publish *p, char *buf, size_t len);

/**
 * publish_spec_listen() - bind (and for TCP, listen on) the host side of @p
 *
 * Done by sbx itself before the sandbox starts, so a port in use is an
 * error before the command runs.
 *
 * Return: 0 with the socket (non-blocking, close-on-exec) in @ret_fd, or
 *	   -errno with @e naming the spec
 */
int publish_spec_listen(const struct sbx_publish *p, int *ret_fd, struct sbx_error *e);
