/* bwrap_args.h - bubblewrap's command line, read into sbx's config */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "error.h"

/* --args FD nesting and data: bounded like every user-controlled size. */
#define BWRAP_ARGS_MAX_DEPTH 16
#define BWRAP_ARGS_MAX_BYTES (16 << 20)

/**
 * struct bwrap_opts - what bwrap's options ask that sbx's config cannot hold
 *		       directly (decided after all options are read)
 */
struct bwrap_opts {
	bool help, version, level_prefix;
	bool unshare_user, unshare_user_try, unshare_pid, unshare_net, unshare_ipc;
	bool unshare_uts, unshare_cgroup, unshare_cgroup_try;
	bool uid_set, gid_set;
	unsigned long uid, gid;
	uint64_t cap_add, cap_drop;
	bool cap_add_all, cap_drop_all;
	int userns_fd, userns2_fd, pidns_fd;
	int args_depth;
	bool seccomp_given, add_seccomp_given;
	char *argv0;
	char **args_bufs; /* --args data, freed at the end */
	size_t n_args_bufs;
	char **arg_vecs;  /* --args word vectors */
	size_t n_arg_vecs;
};

/**
 * bwrap_args_parse() - read bwrap's options from @argv (without the program
 *			name) into @c and @o, following --args FD
 * @ret_rest:	the command's words (@argv's tail, not copied)
 * Return: 0 or -errno with @e filled (bwrap's wording)
 */
int bwrap_args_parse(struct sbx_config *c, struct bwrap_opts *o, int argc, char **argv,
		     char ***ret_rest, int *ret_nrest, struct sbx_error *e);

/**
 * bwrap_args_free() - release what the parser kept in @o and @c->bwrap
 */
void bwrap_args_free(struct sbx_config *c, struct bwrap_opts *o);
