/* lifecycle_state.h - the state and options files of a named sandbox */
#pragma once

#include <stdbool.h>

struct lifecycle;

/**
 * lifecycle_state_write() - (re)write the state file sbx ls reads
 * @running:	the command started: add pid 1 and the sandbox's namespaces
 *
 * A failure is not an error of the sandbox's: the file then keeps its
 * last content.
 */
void lifecycle_state_write(struct lifecycle *l, bool running);

/**
 * lifecycle_state_write_options() - write the options file: the options
 *				     the sandbox was started with, as a profile
 */
void lifecycle_state_write_options(struct lifecycle *l);
