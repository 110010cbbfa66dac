/* test-viewspec - the filesystem-view options: SRC:DEST:OPTIONS, idmap
 * ranges, --perms/--size, modifiers and overlays; idmapped-mount and isolated
 * id maps */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

#include "cli.h"
#include "config.h"
#include "idmap_mount.h"
#include "cli-harness.h"
#include "tap.h"
#include "userns.h"
#include "viewspec.h"

static int parse(struct sbx_config *c, struct sbx_error *e, ...)
{
	enum cli_action act;
	va_list ap;
	int r;

	va_start(ap, e);
	r = parse_args(c, e, &act, ap);
	va_end(ap);
	return r;
}

#define PARSE_OK(c, e, ...) ok(parse(c, e, __VA_ARGS__, NULL) == 0, "parse: %s", (e)->msg)
#define PARSE_FAILS(c, e, want, ...)                                           \
	do {                                                                   \
		ok(parse(c, e, __VA_ARGS__, NULL) < 0 && strstr((e)->msg, want), \
		   "fails: %s", want);                                         \
		if (!strstr((e)->msg, want))                                   \
			printf("#   got: %s\n", (e)->msg);                     \
		config_free(c);                                                \
	} while (0)

static void test_bind_spec(void)
{
	struct sbx_config c;
	struct sbx_error e;
	const struct sbx_mount_spec *m;

	PARSE_OK(&c, &e, "--bind", "src", "--ro-bind", "/a:/b", "--bind", "~/x::idmap", "true");
	ok(c.n_mounts == 3, "three binds");
	is_str(c.mounts[0].src, "/home/u/proj/src", "relative SRC");
	is_str(c.mounts[0].dest, "/home/u/proj/src", "DEST defaults to SRC");
	ok(!c.mounts[0].idmap, "no idmap by default");
	ok(c.mounts[1].kind == SBX_MOUNT_RO_BIND, "ro-bind kind");
	is_str(c.mounts[1].dest, "/b", "explicit DEST");
	m = &c.mounts[2];
	is_str(m->dest, "/home/u/x", "empty DEST with OPTIONS means SRC");
	ok(m->idmap && m->idmap->n_uid == 1 && m->idmap->uid[0].host == 1000 &&
		   m->idmap->uid[0].sandbox == 1000 && m->idmap->uid[0].count == 1,
	   "bare idmap: caller -> sandbox user (uids)");
	ok(m->idmap && m->idmap->n_gid == 1 && m->idmap->gid[0].host == 1000, "... and gids");
	config_free(&c);

	PARSE_OK(&c, &e, "--uid", "0", "--gid", "5", "--bind", "/d::idmap", "true");
	m = &c.mounts[0];
	ok(m->idmap->uid[0].host == 1000 && m->idmap->uid[0].sandbox == 0 &&
		   m->idmap->gid[0].sandbox == 5,
	   "default idmap follows --uid/--gid");
	config_free(&c);

	PARSE_OK(&c, &e, "--bind", "/d:/e:idmap=1000:0:1,100000:1:65535,sandbox-src", "true");
	m = &c.mounts[0];
	ok(m->idmap->n_uid == 2 && m->idmap->n_gid == 2 && m->idmap->uid[1].host == 100000 &&
		   m->idmap->uid[1].sandbox == 1 && m->idmap->gid[1].count == 65535,
	   "idmap= ranges continue after a comma, for uids and gids");
	ok(m->sandbox_src, "sandbox-src");
	config_free(&c);

	PARSE_OK(&c, &e, "--bind", "/d:/e:uidmap=5:6:7,20:30:1,gidmap=10:11:12", "true");
	m = &c.mounts[0];
	ok(m->idmap->n_uid == 2 && m->idmap->uid[1].host == 20 && m->idmap->n_gid == 1 &&
		   m->idmap->gid[0].sandbox == 11,
	   "uidmap= and gidmap= separately");
	config_free(&c);

	PARSE_OK(&c, &e, "--bind", "/d:/e:gidmap=10:11:12", "true");
	m = &c.mounts[0];
	ok(m->idmap->n_uid == 1 && m->idmap->uid[0].host == 1000 && m->idmap->gid[0].host == 10,
	   "only gidmap=: uids get the default");
	config_free(&c);

	PARSE_OK(&c, &e, "--bind-try", "/a", "--ro-bind-try", "/b", "--dev-bind", "/dev", "true");
	ok(c.mounts[0].try_src && c.mounts[0].kind == SBX_MOUNT_BIND, "--bind-try");
	ok(c.mounts[1].try_src && c.mounts[1].kind == SBX_MOUNT_RO_BIND, "--ro-bind-try");
	ok(!c.mounts[2].try_src && c.mounts[2].kind == SBX_MOUNT_DEV_BIND, "--dev-bind");
	config_free(&c);

	PARSE_FAILS(&c, &e, "expected SRC[:DEST[:OPTIONS]]", "--bind", "/a:", "true");
	PARSE_FAILS(&c, &e, "empty source path", "--bind", ":/b", "true");
	PARSE_FAILS(&c, &e, "unknown option 'rw'", "--bind", "/a:/b:rw", "true");
	PARSE_FAILS(&c, &e, "is not HOSTID:SANDBOXID:COUNT", "--bind", "/a:/b:idmap=1:2", "true");
	PARSE_FAILS(&c, &e, "is not HOSTID:SANDBOXID:COUNT", "--bind", "/a:/b:idmap=1:2:0", "true");
	PARSE_FAILS(&c, &e, "is not HOSTID:SANDBOXID:COUNT", "--bind", "/a:/b:idmap=1:x:3", "true");
	PARSE_FAILS(&c, &e, "is not HOSTID:SANDBOXID:COUNT", "--bind", "/a:/b:idmap=1:2:3:",
		    "true");
	PARSE_FAILS(&c, &e, "is not HOSTID:SANDBOXID:COUNT", "--bind",
		    "/a:/b:idmap=4294967290:0:10", "true");
	PARSE_FAILS(&c, &e, "unknown option '5:6:7'", "--bind", "/a:/b:sandbox-src,5:6:7",
		    "true");
	PARSE_FAILS(&c, &e, "id ranges overlap", "--bind", "/a:/b:idmap=0:0:10,5:100:2", "true");
	PARSE_FAILS(&c, &e, "id ranges overlap", "--bind", "/a:/b:uidmap=0:0:10,100:5:2", "true");
	PARSE_FAILS(&c, &e, "cannot mount over the sandbox's /", "--bind", "/a:/", "true");
}

static void test_modifiers(void)
{
	struct sbx_config c;
	struct sbx_error e;
	mode_t mode;
	unsigned long long size;

	ok(viewspec_parse_mode("0755", &mode) == 0 && mode == 0755, "mode 0755");
	ok(viewspec_parse_mode("1777", &mode) == 0 && mode == 01777, "mode 1777");
	ok(viewspec_parse_mode("7", &mode) == 0 && mode == 07, "mode 7");
	ok(viewspec_parse_mode("0800", &mode) < 0, "mode 0800 rejected");
	ok(viewspec_parse_mode("17777", &mode) < 0, "mode 17777 rejected");
	ok(viewspec_parse_mode("", &mode) < 0, "empty mode rejected");
	ok(viewspec_parse_mode("-1", &mode) < 0, "negative mode rejected");

	ok(viewspec_parse_size("4096", &size) == 0 && size == 4096, "size bytes");
	ok(viewspec_parse_size("10k", &size) == 0 && size == 10240, "size k");
	ok(viewspec_parse_size("2M", &size) == 0 && size == 2097152, "size M");
	ok(viewspec_parse_size("1g", &size) == 0 && size == 1073741824ULL, "size g");
	ok(viewspec_parse_size("0", &size) < 0, "size 0 rejected");
	ok(viewspec_parse_size("k", &size) < 0, "bare suffix rejected");
	ok(viewspec_parse_size("1t", &size) < 0, "unknown suffix rejected");
	ok(viewspec_parse_size("99999999999999999999", &size) < 0, "huge size rejected");
	ok(viewspec_parse_size("17592186044417", &size) < 0, "past 2^44 rejected");

	PARSE_OK(&c, &e, "--perms", "0700", "--size", "1m", "--tmpfs", "/a", "--tmpfs", "/b",
		 "--perms", "0640", "--file", "3", "/f", "--bind-data", "4", "/g", "--dir", "/d",
		 "true");
	ok(c.mounts[0].mode == 0700 && c.mounts[0].size == 1048576, "--perms/--size for --tmpfs");
	ok(c.mounts[1].mode == 0755 && c.mounts[1].size == 0, "... the next one only");
	ok(c.mounts[2].mode == 0640 && c.mounts[2].fd == 3, "--perms for --file");
	ok(c.mounts[3].mode == 0600 && c.mounts[3].fd == 4, "--bind-data defaults to 0600");
	ok(c.mounts[4].mode == 0755, "--dir defaults to 0755");
	config_free(&c);

	PARSE_OK(&c, &e, "--file", "5", "/f", "--chmod", "0711", "/x", "--symlink", "../t", "l",
		 "--remount-ro", "/usr", "true");
	ok(c.mounts[0].mode == 0666, "--file defaults to 0666");
	ok(c.mounts[1].kind == SBX_MOUNT_CHMOD && c.mounts[1].mode == 0711, "--chmod");
	ok(c.mounts[2].kind == SBX_MOUNT_SYMLINK, "--symlink");
	is_str(c.mounts[2].src, "../t", "the link target is kept as given");
	is_str(c.mounts[2].dest, "/home/u/proj/l", "the link itself resolves like paths");
	ok(c.mounts[3].kind == SBX_MOUNT_REMOUNT_RO, "--remount-ro");
	config_free(&c);

	PARSE_FAILS(&c, &e, "--perms must be followed by", "--perms", "0700", "--bind", "/a",
		    "true");
	PARSE_FAILS(&c, &e, "--perms must be followed by", "--perms", "0700", "true");
	PARSE_FAILS(&c, &e, "--size must be followed by --tmpfs", "--size", "1", "--dir", "/d",
		    "true");
	PARSE_FAILS(&c, &e, "--size must be followed by --tmpfs", "--size", "1", "true");
	PARSE_FAILS(&c, &e, "not an octal mode", "--perms", "9", "--tmpfs", "/x", "true");
	PARSE_FAILS(&c, &e, "not a size", "--size", "-1", "--tmpfs", "/x", "true");
	PARSE_FAILS(&c, &e, "not an octal mode", "--chmod", "abc", "/x", "true");
	PARSE_FAILS(&c, &e, "not a file descriptor number", "--file", "x", "/f", "true");
	PARSE_FAILS(&c, &e, "empty link target", "--symlink", "", "/l", "true");
}

static void test_overlays(void)
{
	struct sbx_config c;
	struct sbx_error e;

	PARSE_OK(&c, &e, "--overlay-src", "/a", "--overlay-src", "b", "--tmp-overlay", "/x",
		 "--overlay-src", "/c", "--overlay", "/up", "wk", "/y", "--overlay-src", "/d",
		 "--overlay-src", "/e", "--ro-overlay", "/z", "true");
	ok(c.n_mounts == 3, "three overlays");
	ok(c.mounts[0].kind == SBX_MOUNT_TMP_OVERLAY && c.mounts[0].n_layers == 2,
	   "--tmp-overlay takes the preceding layers");
	is_str(c.mounts[0].layers[1], "/home/u/proj/b", "layers resolve like paths, in order");
	ok(c.mounts[1].kind == SBX_MOUNT_OVERLAY && c.mounts[1].n_layers == 1,
	   "--overlay takes only the layers since the last overlay");
	is_str(c.mounts[1].src, "/up", "--overlay RWDIR");
	is_str(c.mounts[1].workdir, "/home/u/proj/wk", "--overlay WORKDIR");
	ok(c.mounts[2].kind == SBX_MOUNT_RO_OVERLAY && c.mounts[2].n_layers == 2, "--ro-overlay");
	config_free(&c);

	PARSE_FAILS(&c, &e, "needs at least two --overlay-src", "--overlay-src", "/a",
		    "--ro-overlay", "/x", "true");
	PARSE_FAILS(&c, &e, "needs at least one --overlay-src", "--tmp-overlay", "/x", "true");
	PARSE_FAILS(&c, &e, "needs at least one --overlay-src", "--overlay", "/u", "/w", "/x",
		    "true");
	PARSE_FAILS(&c, &e, "--overlay-src must be followed by", "--overlay-src", "/a", "--tmpfs",
		    "/x", "true");
	PARSE_FAILS(&c, &e, "--overlay-src must be followed by", "--overlay-src", "/a", "true");
	PARSE_FAILS(&c, &e, "unknown mode", "--userns", "auto", "true");

	PARSE_OK(&c, &e, "--userns", "isolated", "true");
	ok(c.userns_mode == SBX_USERNS_ISOLATED, "--userns isolated");
	config_free(&c);
	PARSE_OK(&c, &e, "true");
	ok(c.userns_mode == SBX_USERNS_KEEP_ID, "keep-id by default");
	config_free(&c);
}

static void test_compose(void)
{
	/* keep-id for uid 1000 with the range 100000:65536 */
	struct idmap sandbox = { .n = 3,
				 .lines = { { 1000, 1000, 1 }, { 0, 100000, 1000 },
					    { 1001, 101000, 64535 } } };
	struct sbx_idmap_range r[2] = { { 1000, 0, 1 }, { 5000, 999, 3 } };
	struct idmap out;
	unsigned long bad = 0;

	ok(idmap_mount_compose(r, 1, &sandbox, &out, &bad) == 0 && out.n == 1 &&
		   out.lines[0].inside == 1000 && out.lines[0].outside == 100000 &&
		   out.lines[0].count == 1,
	   "compose: host 1000 -> sandbox 0 = kernel id 100000");
	ok(idmap_mount_compose(&r[1], 1, &sandbox, &out, &bad) == 0 && out.n == 3 &&
		   out.lines[0].inside == 5000 && out.lines[0].outside == 100999 &&
		   out.lines[1].inside == 5001 && out.lines[1].outside == 1000 &&
		   out.lines[2].inside == 5002 && out.lines[2].outside == 101000,
	   "compose: a range across three sandbox map lines is split");
	r[0] = (struct sbx_idmap_range){ 1, 65535, 2 };
	ok(idmap_mount_compose(r, 1, &sandbox, &out, &bad) == -ERANGE && bad == 65536,
	   "compose: an unmapped sandbox id is named");
}

static void test_isolated(void)
{
	struct subid_range one = { 100000, 65536 };
	struct subid_range two[2] = { { 200000, 10 }, { 300000, 100000 } };
	struct idmap m;

	ok(idmap_build_isolated(&one, 1, IDMAP_DEFAULT_SPAN, &m) == 0 && m.n == 1 &&
		   m.lines[0].inside == 0 && m.lines[0].outside == 100000 &&
		   m.lines[0].count == 65536,
	   "isolated: one range maps 0..65535");
	ok(idmap_build_isolated(two, 2, IDMAP_DEFAULT_SPAN, &m) == 0 && m.n == 2 &&
		   m.lines[1].inside == 10 && m.lines[1].outside == 300000 &&
		   m.lines[1].count == 65526,
	   "isolated: ranges stack, cut at the span");
	ok(idmap_covers(&m, 0) && idmap_covers(&m, 65535) && !idmap_covers(&m, 65536),
	   "isolated: coverage");
	ok(idmap_build_isolated(NULL, 0, IDMAP_DEFAULT_SPAN, &m) == 0 && m.n == 0 &&
		   !idmap_covers(&m, 0),
	   "isolated: no ranges, nothing mapped");
}

int main(void)
{
	test_bind_spec();
	test_modifiers();
	test_overlays();
	test_compose();
	test_isolated();
	return tap_done();
}
