/* bwrap_fd.h - reading what bwrap's options pass through file descriptors */
#pragma once

#include <stddef.h>

/**
 * bwrap_fd_read_all() - all of @fd up to its end, at most @max bytes
 *
 * The buffer holds one more byte, a NUL after the data, so --args can
 * split it into words.
 * Return: 0, -E2BIG past @max, or -errno; the buffer in @ret_buf (freed by
 *	   the caller) and its length in @ret_len
 */
int bwrap_fd_read_all(int fd, size_t max, char **ret_buf, size_t *ret_len);
