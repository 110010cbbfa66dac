/* oci_spec.h - an OCI bundle's config.json (runtime-spec 1.0-1.2), parsed and checked */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "error.h"
#include "oci_landlock.h"

/* Bounds on what one config.json may ask for: a larger one is a mistake or
 * an attack on the runtime, not a container. */
#define OCI_SPEC_MAX_BYTES (4 << 20)
#define OCI_MAX_LIST 4096
#define OCI_MAX_NS 8
#define OCI_IDMAP_TEXT 1024

enum oci_hook_kind {
	OCI_HOOK_PRESTART,
	OCI_HOOK_CREATE_RUNTIME,
	OCI_HOOK_CREATE_CONTAINER,
	OCI_HOOK_START_CONTAINER,
	OCI_HOOK_POSTSTART,
	OCI_HOOK_POSTSTOP,
	OCI_HOOK_KINDS
};

/**
 * struct oci_hook - one entry of "hooks": a program the runtime runs
 * @timeout:	seconds, 0: none
 */
struct oci_hook {
	char *path;
	char **args; /* NULL-terminated; may be NULL */
	char **env;  /* NULL-terminated; may be NULL */
	int timeout;
};

/**
 * struct oci_mount - one entry of "mounts", its options decoded
 * @flags:	MS_* for the mount (or for the bind's remount)
 * @propagation: MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE (| MS_REC), 0: none
 * @bind:	a bind mount ("bind"/"rbind" option or type "bind")
 * @data:	the filesystem options left over ("mode=755,size=65536k"), may be ""
 */
struct oci_mount {
	char *dest;
	char *type;
	char *source;
	unsigned long flags;
	unsigned long propagation;
	bool bind;
	char *data;
};

/**
 * struct oci_ns - one entry of linux.namespaces
 * @type:	CLONE_NEW*
 * @path:	a namespace to join, or NULL for a new one
 */
struct oci_ns {
	int type;
	char *path;
};

struct oci_device {
	char *path;
	char type; /* 'c', 'b', 'u', 'p' */
	unsigned major, minor;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

struct oci_rlimit {
	int resource;
	rlim_t soft, hard;
};

enum oci_capset { OCI_CAP_BOUNDING, OCI_CAP_EFFECTIVE, OCI_CAP_INHERITABLE, OCI_CAP_PERMITTED,
		  OCI_CAP_AMBIENT, OCI_CAP_SETS };

/**
 * struct oci_process - "process": what runs, as whom, with what
 * @caps:	bit N = capability N, per set
 */
struct oci_process {
	bool terminal;
	unsigned short rows, cols;
	char **args; /* NULL-terminated, never empty */
	char **env;  /* NULL-terminated */
	char *cwd;
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	size_t n_groups;
	bool has_umask;
	mode_t umask;
	uint64_t caps[OCI_CAP_SETS];
	struct oci_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privs;
	bool has_oom_score_adj;
	int oom_score_adj;
};

/**
 * struct oci_resources - the limits of linux.resources that sbx can enforce
 * (src/limits/; oci_resources.h says where), 0: none asked for
 * @pids:	pids.limit
 * @memory:	memory.limit, bytes
 * @swap:	memory.swap (memory + swap, as the spec counts), bytes
 * @cpu_quota, @cpu_period: cpu.quota / cpu.period, microseconds
 */
struct oci_resources {
	unsigned long pids;
	unsigned long long memory;
	unsigned long long swap;
	unsigned long long cpu_quota;
	unsigned long long cpu_period;
};

/**
 * struct oci_spec - everything sbx takes from a config.json
 * @seccomp_json:	linux.seccomp, serialised again for seccomp_profile_build()
 * @annotations_json:	"annotations" as JSON text, for the state ("{}" if none)
 * @uid_map, @gid_map:	linux.uidMappings/gidMappings as /proc/PID/uid_map text
 * @sysctl:		"key=value" strings
 * @landlock_fs, @landlock_net: the org.sbx.landlock.* annotations, or NULL
 * @landlock:		what they ask for, parsed
 */
struct oci_spec {
	char *oci_version;
	char *root;
	bool root_readonly;
	char *hostname;
	struct oci_process process;
	struct oci_mount *mounts;
	size_t n_mounts;
	struct oci_ns ns[OCI_MAX_NS];
	size_t n_ns;
	char uid_map[OCI_IDMAP_TEXT];
	char gid_map[OCI_IDMAP_TEXT];
	char **masked;
	size_t n_masked;
	char **readonly;
	size_t n_readonly;
	struct oci_device *devices;
	size_t n_devices;
	char **sysctl;
	size_t n_sysctl;
	unsigned long rootfs_propagation;
	struct oci_hook *hooks[OCI_HOOK_KINDS];
	size_t n_hooks[OCI_HOOK_KINDS];
	char *seccomp_json;
	char *annotations_json;
	char *landlock_fs;
	char *landlock_net;
	struct oci_landlock landlock;
	struct oci_resources resources;
	char *cgroups_path;
};

/**
 * oci_spec_parse() - parse and check the config.json text @text (@len bytes)
 * @bundle:	the bundle directory (absolute): relative paths are resolved against it
 *
 * Unknown members are ignored, as the runtime-spec asks for extensions; known
 * members sbx cannot honour are an error naming the member.
 * Return: 0 or -errno with @e filled; free @ret with oci_spec_free() either way
 */
int oci_spec_parse(const char *text, size_t len, const char *bundle, struct oci_spec *ret,
		   struct sbx_error *e);

/**
 * oci_spec_load() - read BUNDLE/config.json (bounded) and oci_spec_parse() it
 * Return: 0 or -errno with @e filled
 */
int oci_spec_load(const char *bundle, struct oci_spec *ret, struct sbx_error *e);

/**
 * oci_process_parse() - parse a "process" object given as JSON text (exec --process)
 * Return: 0 or -errno with @e filled; free with oci_process_free()
 */
int oci_process_parse(const char *text, size_t len, struct oci_process *ret, struct sbx_error *e);

/**
 * oci_spec_free() - release what oci_spec_parse() allocated
 */
void oci_spec_free(struct oci_spec *s);

/**
 * oci_process_free() - release a struct oci_process's members
 */
void oci_process_free(struct oci_process *p);

/**
 * oci_cap_number() - "CAP_SYS_ADMIN" (or "SYS_ADMIN") -> its number, or -1
 */
int oci_cap_number(const char *name);

/**
 * oci_mount_options() - decode a mount's "options" words into @m's flags,
 *			 propagation and data (used by the spec and by tests)
 * Return: 0 or -errno with @e filled (an option sbx cannot carry out)
 */
int oci_mount_options(const char *const *opts, size_t n, struct oci_mount *m, struct sbx_error *e);

/**
 * oci_read_file() - read a whole regular file of at most @max bytes
 * Return: 0 or -errno with @e filled (naming @what); the NUL-terminated text in @ret
 */
int oci_read_file(const char *path, size_t max, const char *what, char **ret, size_t *ret_len,
		  struct sbx_error *e);
