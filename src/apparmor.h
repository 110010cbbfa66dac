/* apparmor.h - Ubuntu's AppArmor restriction of unprivileged user namespaces */
#pragma once

#include <stddef.h>

/* The sysctl Ubuntu (>= 23.10) sets to 1: only programs whose AppArmor
 * profile grants `userns,` may create user namespaces unprivileged. */
#define APPARMOR_USERNS_SYSCTL "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"

/**
 * apparmor_userns_restricted() - read the restriction's sysctl
 * @path:	the sysctl's file (APPARMOR_USERNS_SYSCTL; tests give another)
 * Return: 1 when it restricts (a value other than 0), 0 when it is 0 or
 *	   absent (a kernel without the restriction), -errno when unreadable
 *	   or not a number
 */
int apparmor_userns_restricted(const char *path);

/**
 * apparmor_userns_hint() - the one line that says why creating a user
 *			    namespace failed and what to do, if AppArmor is why
 * @err:	the errno the creation failed with (positive or negative)
 * @restricted:	apparmor_userns_restricted()'s result
 * Return: a static sentence, or NULL when @err is not the restriction's
 *	   (the restriction's LSM hook refuses with EACCES)
 */
const char *apparmor_userns_hint(int err, int restricted);
