/* specialfs.h - bwrap's --proc, --dev and --mqueue inside the new root */
#pragma once

#include <stdbool.h>

/**
 * specialfs_proc() - a proc at @dest: a new instance when the sandbox has
 *		      its own pid namespace, else a bind of the host's /proc
 *		      (whose pid namespace our user namespace cannot mount)
 * @own_pidns:	the sandbox has a pid namespace of its own
 *
 * /proc/sys, sysrq-trigger, irq and bus are made read-only where writable,
 * as bwrap does.
 * Return: 0 or -errno
 */
int specialfs_proc(int rootfd, const char *dest, bool own_pidns);

/**
 * specialfs_dev() - a minimal /dev at @dest: a tmpfs with the host's null,
 *		     zero, full, random, urandom and tty bound, the stdio and
 *		     fd links, a new devpts instance, ptmx and shm
 * Return: 0 or -errno
 */
int specialfs_dev(int rootfd, const char *dest);

/**
 * specialfs_mqueue() - a new mqueue instance at @dest
 * Return: 0 or -errno
 */
int specialfs_mqueue(int rootfd, const char *dest);
