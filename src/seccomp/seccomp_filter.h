/* seccomp_filter.h - TRANSITIONAL: the old header of the split seccomp_filter.c.
 *
 * The command's filter is now syscall_filter.h (syscall_filter_*), the
 * default filter seccomp_default.h (seccomp_default_*) and the shared
 * libseccomp helpers seccomp_lib.h (seccomp_lib_*). This header only keeps
 * files outside src/seccomp/ compiling until they include those instead:
 *   child.h, sandbox.c:		"syscall_filter.h"
 *   net/net.c, net/nethelper.c:	"seccomp_lib.h", and the renames
 *					seccomp_allow_list -> seccomp_lib_allow_list,
 *					seccomp_allow_ip_sockets -> seccomp_lib_allow_ip_sockets
 * Delete it then. */
#pragma once

#include "seccomp_lib.h"
#include "syscall_filter.h"

#define seccomp_allow_list seccomp_lib_allow_list
#define seccomp_allow_ip_sockets seccomp_lib_allow_ip_sockets
