/* oci_cmds.h - the small commands: start, state, kill, delete, list, features */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "error.h"

/**
 * oci_start() - release a created container (its process waits on the exec
 *		 fifo) and run the poststart hooks
 * Return: 0 or -errno with @e filled
 */
int oci_start(const char *root, const char *id, struct sbx_error *e);

/**
 * oci_state_print() - print the runtime-spec state of @id on @out
 * Return: 0 or -errno with @e filled
 */
int oci_state_print(const char *root, const char *id, FILE *out, struct sbx_error *e);

/**
 * oci_kill() - send @sig to the container's process (@all: to every
 *		process of its pid namespace)
 * Return: 0 or -errno with @e filled
 */
int oci_kill(const char *root, const char *id, int sig, bool all, struct sbx_error *e);

/**
 * oci_delete() - remove a stopped (or created, or with @force any) container,
 *		  after its poststop hooks
 * Return: 0 or -errno with @e filled
 */
int oci_delete(const char *root, const char *id, bool force, struct sbx_error *e);

/**
 * oci_list() - the containers under @root, a table or (@json) a JSON array
 * Return: 0 or -errno with @e filled
 */
int oci_list(const char *root, bool json, bool quiet, FILE *out, struct sbx_error *e);

/**
 * oci_features() - the runtime-spec features.md document on @out
 */
void oci_features(FILE *out);

/**
 * oci_parse_signal() - "9", "KILL", "SIGKILL" -> 9
 * Return: the signal or -EINVAL
 */
int oci_parse_signal(const char *s);
