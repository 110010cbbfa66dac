/* log.h - the "sbx:" lines; only main() and the supervisor call these */
#pragma once

#include "error.h"

#include <time.h>

extern int log_verbosity;
extern const char *log_prefix; /* "sbx", or "bwrap" for the bwrap verb */
extern struct timespec log_start; /* when sbx started, for -vvv timings */

/** log_error() - print "sbx: MSG: strerror" for @e */
void log_error(const struct sbx_error *e);

/** log_warn() - print "sbx: ..." unconditionally */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** log_verbose() - print "sbx: ..." when -v was given at least @level times */
void log_verbose(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** log_phase() - with -vvv: "N ms: WHAT", the time since sbx started (where start-up goes) */
void log_phase(const char *what);
