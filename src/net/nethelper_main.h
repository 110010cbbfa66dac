/* nethelper_main.h - the network helper process (forked by nethelper_start()) */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"
#include "egress_learned.h"

/**
 * nethelper_main() - the network helper, in the child nethelper_start()
 *		      forked: lock down in stages, tell sbx it is ready on
 *		      @ctl_fd, then serve libslirp and the published ports
 *		      until @ctl_fd reaches EOF
 * @publish_fds:	the host sockets of @c's published ports, in order (owned)
 * @parent:		sbx's pid, to notice that it died before the
 *			parent-death signal was set
 * @learned:		see struct nethelper
 *
 * Never returns; a setup failure is sent to sbx (SYNC_SETUP_ERROR) first.
 */
_Noreturn void nethelper_main(const struct sbx_config *c, int ctl_fd, const int *publish_fds,
			      pid_t parent, struct egress_learned *learned);
