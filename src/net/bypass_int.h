/* bypass_int.h - what bypass.c and bypass_accept.c share */
#pragma once

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bypass.h"
#include "pollset.h"

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

/* How many calls may wait in sbx at once (blocking connect()s and accept()s
 * each); beyond that they are left to the kernel, so a program cannot make
 * sbx hold an fd per thread without limit. */
#define BYPASS_MAX_WAITS 256

/* A pidfd for the process of thread @tid (a notification names the thread). */
int bypass_pidfd(pid_t tid);

/* Answer notification @id: with -errno @error, or let the call run (@cont). */
void bypass_reply(struct tcp_bypass *b, uint64_t id, int error, bool cont);

/* An accept() or accept4() from the command (bypass_accept.c). */
void bypass_accept_request(struct tcp_bypass *b, const struct seccomp_notif *n);
void bypass_accept_fill(struct tcp_bypass *b, struct pollset *ps, int *timeout_ms);
void bypass_accept_handle(struct tcp_bypass *b, const struct pollset *ps);
void bypass_accept_free(struct tcp_bypass *b);
