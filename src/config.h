/* config.h - the one struct that carries the user's request from argv to the child */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <linux/filter.h>

#include "egress_rule.h"
#include "error.h"

enum sbx_ns {
	SBX_NS_USER,
	SBX_NS_MNT,
	SBX_NS_PID,
	SBX_NS_IPC,
	SBX_NS_UTS,
	SBX_NS_NET,
	SBX_NS_CGROUP,
	SBX_NS_TIME,
	SBX_NS_COUNT
};

enum sbx_net_mode {
	SBX_NET_NONE,
	SBX_NET_HOST,
	SBX_NET_SLIRP, /* new namespace with a tap device and libslirp outside */
};

#define SBX_PUBLISH_MAX 64
#define SBX_MTU_DEFAULT 65520

/**
 * struct sbx_publish - one -p/--publish HOSTIP:HOSTPORT:SANDBOXPORT/PROTO
 * @family:	AF_INET or AF_INET6 (of the host address)
 * @host_addr:	the host address, network byte order (4 or 16 bytes used)
 * @host_port, @sandbox_port:	1-65535
 * @udp:	UDP rather than TCP
 * @spec:	the argument as the user wrote it, for messages
 */
struct sbx_publish {
	int family;
	unsigned char host_addr[16];
	uint16_t host_port;
	uint16_t sandbox_port;
	bool udp;
	char *spec;
};

enum sbx_seccomp_mode {
	SBX_SECCOMP_DEFAULT,	/* sbx's built-in filter (seccomp.c) */
	SBX_SECCOMP_UNCONFINED, /* no filter at all */
	SBX_SECCOMP_PROFILE,	/* a Docker/OCI JSON profile */
};

/* --allow-connect/--allow-bind: more ports than this is a range mistake. */
#define SBX_MAX_PORTS 1024

enum sbx_mount_kind {
	SBX_MOUNT_BIND,
	SBX_MOUNT_RO_BIND,
	SBX_MOUNT_DEV_BIND,
	SBX_MOUNT_TMPFS,
	SBX_MOUNT_DIR,
	SBX_MOUNT_SYMLINK,
	SBX_MOUNT_FILE,
	SBX_MOUNT_BIND_DATA,
	SBX_MOUNT_RO_BIND_DATA,
	SBX_MOUNT_CHMOD,
	SBX_MOUNT_REMOUNT_RO,
	SBX_MOUNT_OVERLAY,
	SBX_MOUNT_TMP_OVERLAY,
	SBX_MOUNT_RO_OVERLAY,
	/* bwrap's --proc, --dev, --mqueue (src/fs/specialfs.c) */
	SBX_MOUNT_PROC,
	SBX_MOUNT_DEV,
	SBX_MOUNT_MQUEUE,
};

enum sbx_userns_mode {
	SBX_USERNS_KEEP_ID,  /* the caller's ids are the sandbox user's (default) */
	SBX_USERNS_ISOLATED, /* only subordinate ids are mapped */
	SBX_USERNS_SINGLE,   /* only the caller's own ids: no newuidmap, like bwrap */
};

/* Ranges per idmapped mount and id kind; each may split in a few map lines. */
#define SBX_IDMAP_MAX_RANGES 32

/**
 * struct sbx_idmap_range - for idmapped binds: files stored with ids
 *			    @host..@host+@count-1 appear as @sandbox...
 */
struct sbx_idmap_range {
	unsigned long host;
	unsigned long sandbox;
	unsigned long count;
};

/**
 * struct sbx_mount_idmap - the uid and gid ranges of one idmapped bind
 */
struct sbx_mount_idmap {
	struct sbx_idmap_range uid[SBX_IDMAP_MAX_RANGES];
	struct sbx_idmap_range gid[SBX_IDMAP_MAX_RANGES];
	size_t n_uid, n_gid;
};

/**
 * struct sbx_mount_spec - one filesystem operation from the command line
 * @kind:	what to do
 * @src:	absolute host path (binds, upper dir of --overlay), the link
 *		target (--symlink), NULL otherwise
 * @dest:	absolute path inside the sandbox
 * @workdir:	--overlay's work directory (host path)
 * @layers:	overlay lower layers, host paths, bottom layer first
 * @option:	the option as the user spelled it, for error messages
 * @try_src:	a missing source skips the operation (--bind-try...)
 * @sandbox_src: @src is a path in the sandbox built so far, not on the host
 * @idmap:	an idmapped bind: the ranges, else NULL
 * @fd:		--file/--bind-data: the descriptor to copy from, else -1
 * @mode:	--perms, or the default mode of what is created
 * @size:	--size for a tmpfs (0: the kernel's default)
 */
struct sbx_mount_spec {
	enum sbx_mount_kind kind;
	char *src;
	char *dest;
	char *workdir;
	char **layers;
	size_t n_layers;
	const char *option;
	bool try_src;
	bool sandbox_src;
	struct sbx_mount_idmap *idmap;
	int fd;
	mode_t mode;
	unsigned long long size;
};

/**
 * struct sbx_view_pending - modifiers waiting for the operation they apply to
 * @perms, @size:	from --perms/--size (has_perms / size != 0)
 * @layers:		--overlay-src paths for the next overlay
 */
struct sbx_view_pending {
	bool has_perms;
	mode_t perms;
	unsigned long long size;
	char **layers;
	size_t n_layers;
};

struct sbx_env_op {
	char *name;
	char *value; /* NULL: unset */
};

/**
 * struct sbx_applied_opt - one option as it was applied, for --print-config
 * @name:	the option's long name (static: the option table's)
 * @nargs:	how many of @args are used
 * @args:	its arguments, host paths made absolute
 * @origin:	the profile file it came from, NULL for the command line
 * @colon_path:	a bind whose absolute SRC or DEST holds a ':', which the
 *		SRC[:DEST[:OPTS]] syntax cannot write back
 */
struct sbx_applied_opt {
	const char *name;
	unsigned nargs;
	char *args[3];
	char *origin;
	bool colon_path;
};

/* Profile nesting: include depth (and so the cycle check's stack) and the
 * number of files one run may read in all. */
#define SBX_PROFILE_MAX_DEPTH 8
#define SBX_PROFILE_MAX_FILES 32

/**
 * struct sbx_profile_state - the profiles being read (profile.c)
 * @depth:	files open now, outermost first in @dev/@ino
 * @n_loaded:	files read so far
 * @dev, @ino:	identity of each open file, for the include-cycle check
 * @located:	the error already names a FILE:LINE (the innermost one)
 */
struct sbx_profile_state {
	unsigned depth;
	unsigned n_loaded;
	bool located;
	dev_t dev[SBX_PROFILE_MAX_DEPTH];
	ino_t ino[SBX_PROFILE_MAX_DEPTH];
};

/**
 * struct sbx_bwrap - what `sbx bwrap` (src/bwrap/) asks beyond sbx's own
 *		      options; all off for the native command line
 * @enabled:	the bwrap verb built this config
 * @empty_root:	no default view: / is a writable tmpfs holding only what the
 *		options made
 * @inherit_fds: the command inherits every fd the caller passed (no close)
 * @no_userns:	no user namespace (bwrap run by root without --unshare-user)
 * @as_pid_1:	the command is pid 1 itself (--as-pid-1)
 * @keep_caps:	sandbox uid 0: the command keeps the capabilities in @caps
 * @caps:	bit N: capability N the command keeps (after --cap-add/--cap-drop)
 * @caps_requested: --cap-add/--cap-drop were given
 * @set_pwd:	the command's $PWD is its working directory
 * @new_session: setsid() for the command (--new-session)
 * @disable_userns, @assert_userns_disabled: --disable-userns, --assert-userns-disabled
 * @lock_files:	--lock-file paths (in the sandbox), held by pid 1
 * @sync_fd:	--sync-fd, kept open by pid 1 while the sandbox runs (-1: none)
 * @block_fd:	--block-fd: the command waits for data on it (-1: none)
 * @userns_block_fd: --userns-block-fd: the caller writes the id maps, then
 *		writes to this fd (-1: none)
 * @userns2_fd:	--userns2: the user namespace the sandbox moves into once set up
 * @seccomp:	--seccomp/--add-seccomp-fd programs, loaded last, in order
 * @exec_path:	the program to run when --argv0 replaced argv[0]
 * @exec_label:	--exec-label, where SELinux is enabled (else NULL)
 */
struct sbx_bwrap {
	bool enabled;
	bool empty_root;
	bool inherit_fds;
	bool no_userns;
	bool as_pid_1;
	bool keep_caps;
	uint64_t caps;
	bool caps_requested;
	bool set_pwd;
	bool new_session;
	bool disable_userns;
	bool assert_userns_disabled;
	char **lock_files;
	size_t n_lock_files;
	int sync_fd;
	int block_fd;
	int userns_block_fd;
	int userns2_fd;
	struct sock_fprog *seccomp;
	size_t n_seccomp;
	char *exec_path;
	char *exec_label;
};

/**
 * struct sbx_config - everything sbx was asked to do, after validation
 */
struct sbx_config {
	bool share[SBX_NS_COUNT];
	enum sbx_net_mode net;
	unsigned mtu;		  /* --net slirp: tap MTU */
	bool mtu_set;
	bool no_ipv6;		  /* --net slirp: IPv4 only */
	bool no_tcp_bypass;	  /* --net slirp: every connection through libslirp */
	bool allow_host_loopback; /* --net slirp: 10.0.2.2 leads to host 127.0.0.1 */
	struct sbx_publish *publish;
	size_t n_publish;

	struct sbx_mount_spec *mounts;
	size_t n_mounts;
	struct sbx_view_pending view_pending;
	enum sbx_userns_mode userns_mode;
	bool no_userns_holder; /* newuidmap/newgidmap at every start */

	char *chdir;
	char *hostname;
	char *home_dir; /* --home: host directory bound at $HOME, absolute */

	struct sbx_env_op *env_ops;
	size_t n_env_ops;
	bool clearenv;

	bool has_time_offset;
	long long time_offset_monotonic;
	long long time_offset_boottime;

	bool uid_set, gid_set;
	uid_t uid; /* inside; valid after config_resolve_ids() */
	gid_t gid;

	uint64_t cap_add; /* bit N: capability N */

	int *pass_fds;
	size_t n_pass_fds;

	bool die_with_parent;
	int verbose;

	/* Hardening: seccomp.c, landlock.c */
	enum sbx_seccomp_mode seccomp;
	char *seccomp_profile; /* absolute path, SBX_SECCOMP_PROFILE only */
	bool allow_userns;
	bool allow_io_uring;
	uint16_t *allow_connect; /* TCP ports; NULL: connect unrestricted */
	size_t n_allow_connect;
	uint16_t *allow_bind;
	size_t n_allow_bind;

	/* --allow-net (src/net/egress_rule.h): with any, --net slirp refuses
	 * every destination the rules do not name */
	struct egress_rule *allow_net;
	size_t n_allow_net; \
	/* Resource limits (src/limits/): 0 is no limit. */
	unsigned long long limit_memory;      /* --memory, bytes */
	unsigned long long limit_memory_swap; /* --memory-swap: swap beyond --memory, bytes */
	bool limit_memory_swap_set;
	unsigned long limit_pids;	      /* --pids */
	unsigned limit_cpus_milli;	      /* --cpus, in thousandths of a CPU */
	bool limits_strict;		      /* --limits=strict: no fallback below cgroup v2 */ \
	/* Desktop apps (src/desktop/, issue 13): which resources the sandbox
	 * gets; desktop_prepare() turns them into binds and variables. */
	bool wayland;
	bool x11;
	bool x11_trusted;
	bool audio;
	bool gpu;
	bool gui;
	bool dbus_session_unfiltered;
	char **dbus_rules; /* session bus: xdg-dbus-proxy arguments ("--talk=NAME") */
	size_t n_dbus_rules;
	char **dbus_system_rules; /* the same for the system bus */
	size_t n_dbus_system_rules;
	/* Set by desktop_prepare(): the command waits until the proxy's byte
	 * can be read from this fd (dbus_proxy_wait()) before it runs. */
	bool dbus_proxy_pending;
	int dbus_proxy_fd;

	char **argv; /* the command; never empty after config_finish() */

	/* Named sandboxes (src/lifecycle/) */
	char *name;  /* --name: registered, can be entered, listed, stopped */
	bool detach; /* -d/--detach: in the background, output to its log */

	/* Every option applied, in order, for --print-config; and the
	 * profiles being read. */
	struct sbx_applied_opt *applied;
	size_t n_applied;
	struct sbx_profile_state profile;

	/* --info-fd/--json-status-fd (status_fd.c), -1: none; and the bwrap
	 * verb's knobs (src/bwrap/). */
	int info_fd;
	int json_status_fd;
	struct sbx_bwrap bwrap;

	/* The caller, as sbx found it. */
	uid_t host_uid;
	gid_t host_gid;
	char *user_name; /* may be NULL when the uid has no passwd entry */
	char *home;
	char *cwd;     /* NULL: unknown (deleted); relative paths are then refused */
	int cwd_errno; /* why it is unknown */
	char *shell;
	/* The caller's soft RLIMIT_NOFILE (0: unknown), the command's: sbx
	 * raises its own to the hard limit while it holds one fd per bind. */
	rlim_t nofile;
};

/**
 * struct sbx_caller - the outside facts the parser resolves paths against
 */
struct sbx_caller {
	uid_t uid;
	gid_t gid;
	const char *user_name;
	const char *home;
	const char *cwd; /* NULL when getcwd() failed, with @cwd_errno */
	int cwd_errno;
	const char *shell;
	rlim_t nofile; /* soft RLIMIT_NOFILE, 0: unknown */
};

/**
 * config_init() - set the defaults: every namespace new, keep-id, die-with-parent
 */
void config_init(struct sbx_config *c, const struct sbx_caller *caller);

/**
 * config_finish() - fill in what depends on all options (ids, default command)
 *		     and reject combinations that cannot work
 * Return: 0 or -errno with @e filled
 */
int config_finish(struct sbx_config *c, struct sbx_error *e);

/**
 * config_free() - release everything config_init() and the parser allocated
 */
void config_free(struct sbx_config *c);

/**
 * config_prepare_home() - create --home's directory (0700, parents too) if
 *			   missing; refuse one that is not a directory owned
 *			   by the caller
 *
 * Called by main just before the sandbox starts, so --print-config and
 * a refused command line create nothing.
 * Return: 0 or -errno with @e filled
 */
int config_prepare_home(const struct sbx_config *c, struct sbx_error *e);

/**
 * config_ns_name() - the /proc/self/ns/ name of namespace @ns
 */
const char *config_ns_name(enum sbx_ns ns);

/**
 * config_caller_from_env() - fill @caller from getuid(), passwd, $HOME and the cwd
 *
 * A working directory that cannot be found (deleted, typically) is no error:
 * --help and --version never need it, and a run starts in $HOME as sbx(1)
 * says; only a relative path on the command line is then refused. @ret_cwd
 * is what to free (NULL then).
 *
 * Return: 0 (kept as int for callers that check)
 */
int config_caller_from_env(struct sbx_caller *caller, char **ret_cwd, struct sbx_error *e);
