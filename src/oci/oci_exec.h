/* oci_exec.h - `exec`: a new process in a running container */
#pragma once

#include <signal.h>

#include "error.h"

/**
 * oci_exec() - parse exec's command line (@argv after the word "exec") and
 *		run the process in the container's namespaces
 * @ret_status:	the process's exit status (128+N for signal N); 0 with --detach
 * Return: 0 or -errno with @e filled
 */
int oci_exec(const char *root, int argc, char **argv, int *ret_status, struct sbx_error *e);

/**
 * oci_forwarded_signals() - the signals oci_wait_forwarding() forwards:
 *			     blocked by `run` before `start`, so that one
 *			     sent as soon as the container runs is forwarded,
 *			     not fatal to sbx-oci
 */
void oci_forwarded_signals(sigset_t *set);

/**
 * oci_wait_forwarding() - wait for @pid (our child, or re-parented to us as
 *			   subreaper), forwarding the signals sbx-oci gets to it
 * @ret_status:	its exit status, 128+N when killed by signal N
 * Return: 0 or -errno with @e filled
 */
int oci_wait_forwarding(pid_t pid, int *ret_status, struct sbx_error *e);
