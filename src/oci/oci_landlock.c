/* oci_landlock.c - Landlock rules from the annotations org.sbx.landlock.fs/.net,
 * through the raw system calls */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci_landlock.h"
#include "util.h"

/* The UAPI, for headers older than the running kernel (src/landlock.c
 * keeps the same private copy). */
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif
#define LL_VERSION (1U << 0)
#define LL_RULE_PATH 1
#define LL_RULE_PORT 2
#define LL_FS_EXECUTE (1ULL << 0)
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_FS_MAKE_SYM (1ULL << 12)
#define LL_FS_REFER (1ULL << 13)
#define LL_FS_TRUNCATE (1ULL << 14)
#define LL_FS_IOCTL_DEV (1ULL << 15)
#define LL_NET_BIND (1ULL << 0)
#define LL_NET_CONNECT (1ULL << 1)
#define LL_FS_RO (LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR)
#define LL_FS_FILE (LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)

struct ll_ruleset {
	uint64_t fs, net;
};

struct ll_path {
	uint64_t allowed;
	int32_t fd;
} __attribute__((packed));

struct ll_port {
	uint64_t allowed;
	uint64_t port;
};

static int abi(void)
{
	long v = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_VERSION);

	return v < 0 ? 0 : (int)v;
}

static int bad(struct sbx_error *e, const char *which, const char *what)
{
	return sbx_error_set(e, EINVAL, "annotations org.sbx.landlock.%s: %s", which, what);
}

static int parse_fs(const char *v, struct oci_landlock *ll, struct sbx_error *e)
{
	while (*v) {
		size_t n = strcspn(v, ";");
		bool rw;

		if (strncmp(v, "ro:", 3) == 0 || strncmp(v, "rw:", 3) == 0) {
			rw = v[1] == 'w';
		} else {
			return sbx_error_set(e, EINVAL, "annotations org.sbx.landlock.fs: '%.*s': expected ro:PATH,... or rw:PATH,...",
					     (int)(n > 64 ? 64 : n), v);
		}
		for (const char *p = v + 3; p < v + n;) {
			size_t m = strcspn(p, ",:;");

			if (m == 0 || p[0] != '/')
				return sbx_error_set(e, EINVAL, "annotations org.sbx.landlock.fs: paths must be absolute ('%.*s')",
						     (int)(m > 64 ? 64 : m), p);
			if (ll->n_paths >= OCI_LANDLOCK_MAX_RULES)
				return bad(e, "fs", "too many paths");
			ll->paths[ll->n_paths] = xasprintf("%.*s", (int)m, p);
			ll->rw[ll->n_paths++] = rw;
			p += m + (p[m] == ',' || p[m] == ':');
		}
		v += n + (v[n] == ';');
	}
	ll->fs = true;
	return 0;
}

static int parse_net(const char *v, struct oci_landlock *ll, struct sbx_error *e)
{
	while (*v) {
		size_t n = strcspn(v, ";"), *count;
		uint16_t *ports;
		const char *p;

		if (strncmp(v, "connect:", 8) == 0) {
			ports = ll->connect, count = &ll->n_connect, p = v + 8;
		} else if (strncmp(v, "bind:", 5) == 0) {
			ports = ll->bind, count = &ll->n_bind, p = v + 5;
		} else {
			return sbx_error_set(e, EINVAL, "annotations org.sbx.landlock.net: '%.*s': expected connect:PORT,... or bind:PORT,...",
					     (int)(n > 64 ? 64 : n), v);
		}
		while (p < v + n) {
			size_t m = strcspn(p, ",:;");
			char num[8] = "";
			unsigned long port;

			if (m == 0 || m >= sizeof(num))
				return bad(e, "net", "bad port");
			memcpy(num, p, m);
			if (parse_uint(num, 65535, &port) < 0 || port == 0)
				return sbx_error_set(e, EINVAL, "annotations org.sbx.landlock.net: bad port '%s'", num);
			if (*count >= OCI_LANDLOCK_MAX_PORTS)
				return bad(e, "net", "too many ports");
			ports[(*count)++] = (uint16_t)port;
			p += m + (p[m] == ',' || p[m] == ':');
		}
		v += n + (v[n] == ';');
	}
	ll->net = true;
	return 0;
}

int oci_landlock_parse(const char *fs, const char *net, struct oci_landlock *ret,
		       struct sbx_error *e)
{
	int r = 0;

	memset(ret, 0, sizeof(*ret));
	if (fs)
		r = parse_fs(fs, ret, e);
	if (r == 0 && net)
		r = parse_net(net, ret, e);
	return r;
}

int oci_landlock_check(const struct oci_landlock *ll, struct sbx_error *e)
{
	int v = (ll->fs || ll->net) ? abi() : 0;

	if (ll->fs && v < 1)
		return sbx_error_set(e, EOPNOTSUPP, "annotations org.sbx.landlock.fs: this kernel has no Landlock");
	if (ll->net && v < 4)
		return sbx_error_set(e, EOPNOTSUPP, "annotations org.sbx.landlock.net: this kernel's Landlock (ABI %d) has no TCP rules (ABI 4, Linux 6.7)", v);
	return 0;
}

static uint64_t fs_rights(int v)
{
	uint64_t all = (LL_FS_MAKE_SYM << 1) - 1;

	if (v >= 2)
		all |= LL_FS_REFER;
	if (v >= 3)
		all |= LL_FS_TRUNCATE;
	if (v >= 5)
		all |= LL_FS_IOCTL_DEV;
	return all;
}

static int add_paths(int ruleset, const struct oci_landlock *ll, uint64_t all, struct sbx_error *e)
{
	for (size_t i = 0; i < ll->n_paths; i++) {
		_cleanup_close_ int fd = open(ll->paths[i], O_PATH | O_CLOEXEC);
		struct ll_path rule = { .allowed = ll->rw[i] ? all : LL_FS_RO };
		struct stat st;

		if (fd < 0 || fstat(fd, &st) < 0)
			return sbx_error_set(e, errno, "annotations org.sbx.landlock.fs: %s", ll->paths[i]);
		if (!S_ISDIR(st.st_mode))
			rule.allowed &= LL_FS_FILE;
		rule.allowed &= all;
		rule.fd = fd;
		if (syscall(__NR_landlock_add_rule, ruleset, LL_RULE_PATH, &rule, 0) < 0)
			return sbx_error_set(e, errno, "annotations org.sbx.landlock.fs: %s", ll->paths[i]);
	}
	return 0;
}

static int add_ports(int ruleset, const uint16_t *ports, size_t n, uint64_t right,
		     struct sbx_error *e)
{
	for (size_t i = 0; i < n; i++) {
		struct ll_port rule = { .allowed = right, .port = ports[i] };

		if (syscall(__NR_landlock_add_rule, ruleset, LL_RULE_PORT, &rule, 0) < 0)
			return sbx_error_set(e, errno, "annotations org.sbx.landlock.net: port %u", ports[i]);
	}
	return 0;
}

int oci_landlock_apply(const struct oci_landlock *ll, struct sbx_error *e)
{
	_cleanup_close_ int ruleset = -1;
	int v = abi(), r;
	struct ll_ruleset attr = { 0 };

	if (!ll->fs && !ll->net)
		return 0;
	r = oci_landlock_check(ll, e);
	if (r < 0)
		return r;
	attr.fs = ll->fs ? fs_rights(v) : 0;
	attr.net = ll->net ? LL_NET_BIND | LL_NET_CONNECT : 0;
	ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr,
			       ll->net ? sizeof(attr) : sizeof(attr.fs), 0);
	if (ruleset < 0)
		return sbx_error_set(e, errno, "landlock_create_ruleset");
	r = add_paths(ruleset, ll, attr.fs, e);
	if (r == 0)
		r = add_ports(ruleset, ll->connect, ll->n_connect, LL_NET_CONNECT, e);
	if (r == 0)
		r = add_ports(ruleset, ll->bind, ll->n_bind, LL_NET_BIND, e);
	if (r < 0)
		return r;
	if (syscall(__NR_landlock_restrict_self, ruleset, 0) < 0)
		return sbx_error_set(e, errno, "landlock_restrict_self");
	return 0;
}

void oci_landlock_free(struct oci_landlock *ll)
{
	for (size_t i = 0; i < ll->n_paths; i++)
		free(ll->paths[i]);
	ll->n_paths = 0;
}
