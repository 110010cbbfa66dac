/* oci_init.h - the container's side of create: namespaces, the view, the
 * wait on the exec fifo, the process (theory of operation in oci_create.c) */
#pragma once

#include <stdbool.h>

#include "oci_spec.h"
#include "syscall_filter.h"

/* Messages on the create sync socket (struct sync_msg types, above sync.h's). */
enum oci_sync {
	OCI_SYNC_MAP = 100, /* stage 1 -> create: write my user namespace's maps */
	OCI_SYNC_MAPPED,    /* create -> stage 1: done */
	OCI_SYNC_PID,	    /* stage 1 -> create: value: the container's pid */
	OCI_SYNC_HOOKS,	    /* init -> create: namespaces made; run createRuntime hooks */
	OCI_SYNC_GO,	    /* create -> init: go on; value: the init's pid as create sees it */
	OCI_SYNC_CREATED,   /* init -> create: ready, now waiting on the exec fifo */
	OCI_SYNC_ERROR,	    /* either stage -> create: failed; error filled */
};

/**
 * struct oci_init_args - what create hands the container's side
 * @ns_fds:	per linux.namespaces entry, the namespace to join (-1: new)
 * @fifo_fd:	O_PATH fd of ROOT/ID/exec.fifo, or -1 (run: no wait)
 * @console_fd:	the connected --console-socket, or -1
 * @state_json:	the container's state for createContainer/startContainer hooks
 */
struct oci_init_args {
	const struct oci_spec *spec;
	int sync_fd;
	int ns_fds[OCI_MAX_NS];
	int fifo_fd;
	int console_fd;
	bool no_pivot;
	int preserve_fds;
	const struct syscall_filter *filter;
	const char *state_json;
};

/**
 * oci_init_stage1() - the first child: join and make the namespaces, fork
 *		       the container's process (pid 1 of a new pid namespace),
 *		       report its pid, exit
 */
_Noreturn void oci_init_stage1(const struct oci_init_args *a);
