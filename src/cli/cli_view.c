/* cli_view.c - the file-system view's options: binds, tmpfs, files, links,
 * modes, overlays, --home (src/fs/viewspec.c carries them out) */
#include "autoconf.h"

#include "cli_path.h"
#include "cli_table.h"
#include "util.h"
#include "viewspec.h"

#define TRY_FLAG 0x100 /* in o->data of the --*-bind-try rows */

static int opt_bind(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		    enum cli_action *action, struct sbx_error *e)
{
	return viewspec_add_bind(c, (enum sbx_mount_kind)(o->data & ~TRY_FLAG),
				 (o->data & TRY_FLAG) != 0, o->name, args[0], e);
}

static int opt_dest_op(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		       enum cli_action *action, struct sbx_error *e)
{
	return viewspec_add_dest_op(c, (enum sbx_mount_kind)o->data, o->name, args[0], e);
}

static int opt_fd_op(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		     enum cli_action *action, struct sbx_error *e)
{
	return viewspec_add_fd_op(c, (enum sbx_mount_kind)o->data, o->name, args[0], args[1], e);
}

static int opt_symlink(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		       enum cli_action *action, struct sbx_error *e)
{
	return viewspec_add_symlink(c, o->name, args[0], args[1], e);
}

static int opt_chmod(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		     enum cli_action *action, struct sbx_error *e)
{
	return viewspec_add_chmod(c, o->name, args[0], args[1], e);
}

static int opt_perms(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		     enum cli_action *action, struct sbx_error *e)
{
	return viewspec_set_perms(c, o->name, args[0], e);
}

static int opt_size(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		    enum cli_action *action, struct sbx_error *e)
{
	return viewspec_set_size(c, o->name, args[0], e);
}

static int opt_overlay_src(struct sbx_config *c, const struct cli_option *o,
			   const char *const *args, enum cli_action *action, struct sbx_error *e)
{
	return viewspec_add_overlay_src(c, o->name, args[0], e);
}

static int opt_overlay(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		       enum cli_action *action, struct sbx_error *e)
{
	return viewspec_add_overlay(c, o->name, args[0], args[1], args[2], e);
}

static int opt_home(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		    enum cli_action *action, struct sbx_error *e)
{
	free(c->home_dir);
	c->home_dir = NULL;
	if (!*args[0])
		return sbx_error_set(e, 0, "--home: empty path");
	return cli_resolve_arg(c, "home", args[0], &c->home_dir, e);
}

#define BIND_META "SRC[:DEST[:OPTS]]"

static const struct cli_option view_rows[] = {
	{ "bind", 0, 1, BIND_META, "bind host SRC read-write at DEST (default: SRC)", opt_bind,
	  SBX_MOUNT_BIND, CLI_F_BIND },
	{ "ro-bind", 0, 1, BIND_META, "bind host SRC read-only, sub-mounts too", opt_bind,
	  SBX_MOUNT_RO_BIND, CLI_F_BIND },
	{ "dev-bind", 0, 1, BIND_META, "like --bind, device nodes usable", opt_bind,
	  SBX_MOUNT_DEV_BIND, CLI_F_BIND },
	{ "bind-try", 0, 1, BIND_META, "like --bind; skipped if SRC is missing", opt_bind,
	  SBX_MOUNT_BIND | TRY_FLAG, CLI_F_BIND },
	{ "ro-bind-try", 0, 1, BIND_META, "like --ro-bind; skipped if SRC is missing", opt_bind,
	  SBX_MOUNT_RO_BIND | TRY_FLAG, CLI_F_BIND },
	{ "dev-bind-try", 0, 1, BIND_META, "like --dev-bind; skipped if SRC is missing", opt_bind,
	  SBX_MOUNT_DEV_BIND | TRY_FLAG, CLI_F_BIND },
	{ "tmpfs", 0, 1, "DEST", "mount an empty private tmpfs at DEST", opt_dest_op,
	  SBX_MOUNT_TMPFS, CLI_F_PATH0 },
	{ "dir", 0, 1, "DEST", "create directory DEST", opt_dest_op, SBX_MOUNT_DIR, CLI_F_PATH0 },
	{ "symlink", 0, 2, "TARGET DEST", "create symlink DEST pointing to TARGET", opt_symlink, 0,
	  CLI_F_PATH1 },
	{ "file", 0, 2, "FD DEST", "copy what fd FD reads (16 MiB at most) into a new file DEST",
	  opt_fd_op, SBX_MOUNT_FILE, CLI_F_PATH1 },
	{ "bind-data", 0, 2, "FD DEST",
	  "bind a file holding fd FD's content (16 MiB at most) at DEST", opt_fd_op,
	  SBX_MOUNT_BIND_DATA, CLI_F_PATH1 },
	{ "ro-bind-data", 0, 2, "FD DEST", "like --bind-data, read-only", opt_fd_op,
	  SBX_MOUNT_RO_BIND_DATA, CLI_F_PATH1 },
	{ "chmod", 0, 2, "MODE PATH", "set the mode of PATH (octal)", opt_chmod, 0, CLI_F_PATH1 },
	{ "perms", 0, 1, "MODE", "mode of the next --tmpfs, --dir, --file...", opt_perms, 0, 0 },
	{ "size", 0, 1, "BYTES", "size limit of the next --tmpfs (k/m/g suffixes)", opt_size, 0,
	  0 },
	{ "remount-ro", 0, 1, "DEST", "make the mount at DEST read-only", opt_dest_op,
	  SBX_MOUNT_REMOUNT_RO, CLI_F_PATH0 },
	{ "overlay-src", 0, 1, "SRC", "lower layer of the next overlay (first: bottom)",
	  opt_overlay_src, 0, CLI_F_PATH0 },
	{ "overlay", 0, 3, "RWDIR WORKDIR DEST", "overlay at DEST, changes kept in host RWDIR",
	  opt_overlay, 0, CLI_F_PATH0 | CLI_F_PATH1 | CLI_F_PATH2 },
	{ "tmp-overlay", 0, 1, "DEST", "writable overlay at DEST, changes discarded", opt_dest_op,
	  SBX_MOUNT_TMP_OVERLAY, CLI_F_PATH0 },
	{ "ro-overlay", 0, 1, "DEST", "read-only overlay of 2+ --overlay-src at DEST", opt_dest_op,
	  SBX_MOUNT_RO_OVERLAY, CLI_F_PATH0 },
};

const struct cli_option_group cli_view_options = CLI_GROUP(view_rows);

static const struct cli_option view_home_rows[] = {
	{ "home", 0, 1, "DIR", "bind host DIR (created 0700 if missing) as the sandbox's $HOME",
	  opt_home, 0, CLI_F_PATH0 | CLI_F_SINGLE },
};

const struct cli_option_group cli_view_home_options = CLI_GROUP(view_home_rows);
