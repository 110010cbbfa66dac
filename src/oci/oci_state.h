/* oci_state.h - a container's state under --root: ROOT/ID/state.json and ROOT/ID/exec.fifo */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

#define OCI_ID_MAX 1024

/**
 * struct oci_state - what `create` recorded about a container
 * @pid:	the container's process (host pid), 0 while "creating"
 * @start_time:	its start time in clock ticks (/proc/PID/stat field 22): a
 *		reused pid is not mistaken for the container
 * @created:	RFC 3339 time of the create
 * @annotations: JSON object text
 */
struct oci_state {
	char *id;
	char *bundle;
	pid_t pid;
	unsigned long long start_time;
	char *created;
	char *annotations;
};

/**
 * oci_state_dir() - ROOT/ID, after checking @id is a plain name
 * Return: 0 or -EINVAL with @e filled; the path in @ret (free it)
 */
int oci_state_dir(const char *root, const char *id, char **ret, struct sbx_error *e);

/**
 * oci_state_check_root() - refuse a --root that is not our own directory
 *			    (another uid's, or writable by group or others)
 * Return: 0, -ENOENT (not there; @e untouched) or -errno with @e filled
 */
int oci_state_check_root(const char *root, struct sbx_error *e);

/**
 * oci_state_write() - store @st as DIR/state.json (written whole, then renamed)
 * Return: 0 or -errno with @e filled
 */
int oci_state_write(const char *dir, const struct oci_state *st, struct sbx_error *e);

/**
 * oci_state_read() - load DIR/state.json of container @id
 * Return: 0, -ENOENT ("container ID does not exist") or -errno with @e filled
 */
int oci_state_read(const char *root, const char *id, struct oci_state *ret, struct sbx_error *e);

/**
 * oci_state_free() - release oci_state_read()'s strings
 */
void oci_state_free(struct oci_state *st);

/**
 * oci_state_status() - "creating", "created", "running" or "stopped", as the
 *			runtime-spec defines them, found from the process and the fifo
 */
const char *oci_state_status(const char *dir, const struct oci_state *st);

/**
 * oci_state_alive() - is @st's process still the one that was created (not a zombie)?
 */
bool oci_state_alive(const struct oci_state *st);

/**
 * oci_proc_start_time() - field 22 of /proc/PID/stat, 0 when unreadable
 * @ret_zombie:	set when the process is a zombie (may be NULL)
 */
unsigned long long oci_proc_start_time(pid_t pid, bool *ret_zombie);

/**
 * oci_state_json() - the runtime-spec state of @st as one JSON object (free it)
 */
char *oci_state_json(const char *dir, const struct oci_state *st);

/**
 * oci_state_json_with() - oci_state_json() with @status given (for hooks)
 */
char *oci_state_json_with(const struct oci_state *st, const char *status);

/**
 * oci_state_remove() - delete DIR and what it holds (state.json, exec.fifo)
 */
void oci_state_remove(const char *dir);
