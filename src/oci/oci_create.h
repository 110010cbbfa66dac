/* oci_create.h - `create` (and the first half of `run`) */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/**
 * struct oci_create_opts - create's command line
 * @root:	the state root (--root)
 * @wait_fifo:	the container waits on ROOT/ID/exec.fifo for start (create);
 *		false for run, which starts it at once
 */
struct oci_create_opts {
	const char *root;
	const char *id;
	const char *bundle;
	const char *pid_file;
	const char *console_socket;
	bool no_pivot;
	int preserve_fds;
	bool wait_fifo;
};

/**
 * oci_create() - set the container up and leave its process waiting (see
 *		  the theory of operation at the top of oci_create.c)
 * @ret_pid:	the container's process
 * Return: 0 or -errno with @e filled (nothing is left behind)
 */
int oci_create(const struct oci_create_opts *o, pid_t *ret_pid, struct sbx_error *e);

/**
 * oci_write_pid_file() - write @pid to @path (through a temporary file, so a
 *			  reader never sees half of it)
 * Return: 0 or -errno with @e filled
 */
int oci_write_pid_file(const char *path, pid_t pid, struct sbx_error *e);

/**
 * oci_now_rfc3339() - the current UTC time, "2006-01-02T15:04:05.000000000Z" (free it)
 */
char *oci_now_rfc3339(void);

/**
 * oci_connect_console() - connect to the engine's --console-socket @path
 *			   (NULL: none, @ret -1)
 * Return: 0 or -errno with @e filled
 */
int oci_connect_console(const char *path, int *ret, struct sbx_error *e);
