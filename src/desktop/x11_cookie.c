/* x11_cookie.c - X11 connection set-up, the SECURITY extension, Xauthority */
#include "autoconf.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "x11_cookie.h"

/* A server that has not answered (all of) a request in this long is
 * hung: give up. */
#define X11_TIMEOUT_MS 5000

#define X_QUERY_EXTENSION 98
/* QueryExtension("SECURITY"): 8 bytes and the name, padded. */
#define X11_QUERY_MAX 16
#define X_GET_INPUT_FOCUS 43
#define SECURITY_QUERY_VERSION 0
#define SECURITY_GENERATE 1
#define SECURITY_REVOKE 2
#define SECURITY_MASK_TIMEOUT (1u << 0)
#define SECURITY_MASK_TRUST (1u << 1)
#define SECURITY_UNTRUSTED 1u
#define SECURITY_TRUSTED 0u

#define FAMILY_LOCAL 256
#define FAMILY_WILD 65535
#define COOKIE_NAME "MIT-MAGIC-COOKIE-1"

static size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

/* Little-endian throughout: the set-up says 'l'. */
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Until @deadline, not for each read: a server that trickles its reply,
 * or sends events we never asked for, must not keep sbx for ever. */
static int read_full(int fd, void *buf, size_t len, int64_t deadline)
{
	uint8_t *p = buf;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		ssize_t n;
		int r = left > 0 ? poll(&pfd, 1, (int)left) : 0;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read and drop @len bytes. */
static int skip(int fd, size_t len, int64_t deadline)
{
	/* The set-up answer is some 10 KiB (the visuals): a few reads. */
	uint8_t buf[16384];

	while (len) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);
		int r = read_full(fd, buf, n, deadline);

		if (r < 0)
			return r;
		len -= n;
	}
	return 0;
}

static int send_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* QueryExtension(@name) into @req (X11_QUERY_MAX bytes): its length. */
static size_t query_extension_request(uint8_t *req, const char *name)
{
	size_t n = strlen(name);

	memset(req, 0, 8 + n + pad4(n));
	req[0] = X_QUERY_EXTENSION;
	put16(req + 2, (uint16_t)(2 + (n + pad4(n)) / 4));
	put16(req + 4, (uint16_t)n);
	memcpy(req + 8, name, n);
	return 8 + n + pad4(n);
}

int x11_connect_send(const char *path, const struct x11_auth *auth, bool query_security,
		     int *ret_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t nlen = auth ? strlen(auth->name) : 0, dlen = auth ? auth->data_len : 0;
	uint8_t req[12 + X11_AUTH_NAME_MAX + 4 + X11_AUTH_DATA_MAX + 4 + X11_QUERY_MAX] = { 0 };
	const struct timeval tv = { .tv_sec = X11_TIMEOUT_MS / 1000 };
	size_t off = 12;
	_cleanup_close_ int fd = -1;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* connect() to a server whose listen queue is full (one that hangs
	 * and accepts no more) waits for room for ever, and a write to one
	 * that reads nothing waits as long: both end at the send timeout. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;

	req[0] = 'l';
	put16(req + 2, 11);
	put16(req + 4, 0);
	put16(req + 6, (uint16_t)nlen);
	put16(req + 8, (uint16_t)dlen);
	if (nlen)
		memcpy(req + off, auth->name, nlen);
	off += nlen + pad4(nlen);
	if (dlen)
		memcpy(req + off, auth->data, dlen);
	off += dlen + pad4(dlen);
	/* The server reads requests that follow the set-up as soon as it
	 * has accepted it: the first request saves a round trip. */
	if (query_security)
		off += query_extension_request(req + off, "SECURITY");
	/* MSG_NOSIGNAL: a server that closed meanwhile is an error, not
	 * SIGPIPE. */
	r = send_all(fd, req, off);
	if (r < 0)
		return r == -EAGAIN ? -ETIMEDOUT : r;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int x11_connect_finish(int fd, char *reason, size_t reason_len)
{
	int64_t deadline = now_ms() + X11_TIMEOUT_MS;
	uint8_t head[8];
	int r;

	r = read_full(fd, head, sizeof(head), deadline);
	if (r < 0)
		return r;
	if (head[0] != 1) {
		/* Failed (0) or Authenticate (2): a reason follows. */
		size_t more = (size_t)get16(head + 6) * 4;
		size_t rlen = head[0] == 0 ? head[1] : more;
		char text[256] = "";

		if (rlen > more)
			rlen = more;
		if (rlen >= sizeof(text))
			rlen = sizeof(text) - 1;
		if (read_full(fd, text, rlen, deadline) == 0)
			text[rlen] = '\0';
		/* The server's reason ends in a newline, sometimes. */
		text[strcspn(text, "\n")] = '\0';
		snprintf(reason, reason_len, "%s", text[0] ? text : "refused");
		return -EACCES;
	}
	return skip(fd, (size_t)get16(head + 6) * 4, deadline);
}

/* Read one reply (or error) of 32 bytes plus its extra length into @buf;
 * events, which we never ask for, are skipped. Return: the extra length
 * read, -EPROTO for an X error (its code in @ret_code). */
static int read_reply(int fd, uint8_t *buf, size_t size, uint8_t *ret_code, int64_t deadline)
{
	for (;;) {
		int r = read_full(fd, buf, 32, deadline);
		size_t extra;

		if (r < 0)
			return r;
		if (buf[0] == 0) {
			*ret_code = buf[1];
			return -EPROTO;
		}
		if (buf[0] != 1)
			continue;
		/* In size_t: a length of 2^30 words or more is not 0 bytes
		 * and some more, as uint32_t arithmetic made it. */
		extra = (size_t)get32(buf + 4) * 4;
		if (extra > size - 32)
			return -EMSGSIZE;
		r = read_full(fd, buf + 32, extra, deadline);
		return r < 0 ? r : (int)extra;
	}
}

static int query_extension_reply(int fd, uint8_t *ret_major, int64_t deadline)
{
	uint8_t rep[64], code;
	int r;

	r = read_reply(fd, rep, sizeof(rep), &code, deadline);
	if (r < 0)
		return r;
	if (!rep[8])
		return -ENOTSUP;
	*ret_major = rep[9];
	return 0;
}

int x11_security_generate(int fd, bool trusted, struct x11_auth *ret_auth, uint32_t *ret_id,
			  uint8_t *ret_major)
{
	const size_t nlen = sizeof(COOKIE_NAME) - 1;
	uint8_t req[8 + 12 + 20 + 8] = { 0 }, rep[32 + X11_AUTH_DATA_MAX], major, code;
	size_t off;
	uint16_t dlen;
	int64_t deadline = now_ms() + X11_TIMEOUT_MS;
	int r;

	/* QueryExtension went out with the connection's set-up. */
	r = query_extension_reply(fd, &major, deadline);
	if (r < 0)
		return r;
	/* QueryVersion first, as Xext does; both go out in one write. */
	req[0] = major;
	req[1] = SECURITY_QUERY_VERSION;
	put16(req + 2, 2);
	put16(req + 4, 1);
	put16(req + 6, 0);
	off = 8;
	req[off] = major;
	req[off + 1] = SECURITY_GENERATE;
	put16(req + off + 2, (uint16_t)(3 + (nlen + pad4(nlen)) / 4 + 2));
	put16(req + off + 4, (uint16_t)nlen);
	put16(req + off + 6, 0); /* no data: the server makes the cookie */
	put32(req + off + 8, SECURITY_MASK_TIMEOUT | SECURITY_MASK_TRUST);
	memcpy(req + off + 12, COOKIE_NAME, nlen);
	off += 12 + nlen + pad4(nlen);
	put32(req + off, 0); /* timeout 0: never; revoked by sbx at the end */
	put32(req + off + 4, trusted ? SECURITY_TRUSTED : SECURITY_UNTRUSTED);
	off += 8;
	r = send_all(fd, req, off);
	if (r < 0)
		return r;
	r = read_reply(fd, rep, sizeof(rep), &code, deadline);
	if (r < 0)
		return r;
	r = read_reply(fd, rep, sizeof(rep), &code, deadline);
	if (r < 0)
		return r;
	dlen = get16(rep + 12);
	if (dlen == 0 || dlen > X11_AUTH_DATA_MAX || dlen > (size_t)r)
		return -EPROTO;
	memset(ret_auth, 0, sizeof(*ret_auth));
	memcpy(ret_auth->name, COOKIE_NAME, nlen);
	memcpy(ret_auth->data, rep + 32, dlen);
	ret_auth->data_len = dlen;
	*ret_id = get32(rep + 8);
	*ret_major = major;
	return 0;
}

int x11_security_revoke(int fd, uint8_t major, uint32_t id)
{
	uint8_t req[12] = { 0 }, rep[64], code;
	int64_t deadline = now_ms() + X11_TIMEOUT_MS;
	int r;

	req[0] = major;
	req[1] = SECURITY_REVOKE;
	put16(req + 2, 2);
	put32(req + 4, id);
	req[8] = X_GET_INPUT_FOCUS;
	put16(req + 10, 1);
	r = send_all(fd, req, sizeof(req));
	if (r < 0)
		return r;
	r = read_reply(fd, rep, sizeof(rep), &code, deadline);
	return r < 0 ? r : 0;
}

/* One counted string of an Xauthority entry (big-endian length). */
static int xauth_field(const uint8_t *buf, size_t len, size_t *off, const uint8_t **ret,
		       size_t *ret_len)
{
	size_t n;

	if (len - *off < 2)
		return -EINVAL;
	n = (size_t)buf[*off] << 8 | buf[*off + 1];
	*off += 2;
	if (len - *off < n)
		return -EINVAL;
	*ret = buf + *off;
	*ret_len = n;
	*off += n;
	return 0;
}

static bool field_is(const uint8_t *f, size_t n, const char *s)
{
	return n == strlen(s) && memcmp(f, s, n) == 0;
}

int x11_xauth_find(const uint8_t *buf, size_t len, const char *number, const char *hostname,
		   struct x11_auth *ret_auth)
{
	size_t off = 0;

	while (off < len) {
		const uint8_t *addr, *num, *name, *data;
		size_t alen, nlen, namelen, dlen;
		unsigned family;

		if (len - off < 2)
			return -EINVAL;
		family = (unsigned)buf[off] << 8 | buf[off + 1];
		off += 2;
		if (xauth_field(buf, len, &off, &addr, &alen) < 0 ||
		    xauth_field(buf, len, &off, &num, &nlen) < 0 ||
		    xauth_field(buf, len, &off, &name, &namelen) < 0 ||
		    xauth_field(buf, len, &off, &data, &dlen) < 0)
			return -EINVAL;
		if (family != FAMILY_WILD &&
		    !(family == FAMILY_LOCAL && field_is(addr, alen, hostname)))
			continue;
		if (nlen && !field_is(num, nlen, number))
			continue;
		if (!field_is(name, namelen, COOKIE_NAME) || dlen == 0 || dlen > X11_AUTH_DATA_MAX)
			continue;
		memset(ret_auth, 0, sizeof(*ret_auth));
		memcpy(ret_auth->name, COOKIE_NAME, sizeof(COOKIE_NAME) - 1);
		memcpy(ret_auth->data, data, dlen);
		ret_auth->data_len = dlen;
		return 1;
	}
	return 0;
}

int x11_xauth_entry(const char *number, const struct x11_auth *auth, uint8_t *buf, size_t size)
{
	const struct {
		const void *p;
		size_t n;
	} fields[] = {
		{ "", 0 },
		{ number, strlen(number) },
		{ auth->name, strlen(auth->name) },
		{ auth->data, auth->data_len },
	};
	size_t off = 2;

	if (size < 2)
		return -ENOSPC;
	buf[0] = FAMILY_WILD >> 8;
	buf[1] = FAMILY_WILD & 0xff;
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		if (fields[i].n > 0xffff || size - off < 2 + fields[i].n)
			return -ENOSPC;
		buf[off] = (uint8_t)(fields[i].n >> 8);
		buf[off + 1] = (uint8_t)fields[i].n;
		if (fields[i].n)
			memcpy(buf + off + 2, fields[i].p, fields[i].n);
		off += 2 + fields[i].n;
	}
	return (int)off;
}
