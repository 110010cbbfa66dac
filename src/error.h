/* error.h - the one error type: an errno and a message naming what failed */
#pragma once

#include <stddef.h>

#define SBX_ERROR_MSG_MAX 480

/**
 * struct sbx_error - what went wrong, filled by the function that failed
 * @err:	positive errno, or 0 when the message says it all
 * @exit_code:	the exit status sbx should end with (125 setup, 126/127 exec)
 * @msg:	context, e.g. "--bind /nope"; printed as "sbx: MSG: strerror(err)"
 *
 * Fallible functions return 0 or -errno and fill one of these; only main()
 * and the supervisor print it. It is plain data, so the child can send it to
 * the parent over the sync socket as it is.
 */
struct sbx_error {
	int err;
	int exit_code;
	char msg[SBX_ERROR_MSG_MAX];
};

/**
 * sbx_error_set() - record a failure (@err may be given negative or positive)
 * Return: -@err (or -EINVAL if @err is 0), so callers can `return sbx_error_set(...)`
 */
int sbx_error_set(struct sbx_error *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * sbx_error_format() - render "MSG: strerror" (or just MSG) into @buf
 */
void sbx_error_format(const struct sbx_error *e, char *buf, size_t len);

#define SBX_EXIT_SETUP 125
#define SBX_EXIT_CANNOT_EXEC 126
#define SBX_EXIT_NOT_FOUND 127
