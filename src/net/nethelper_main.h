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
 * @bypass_fd:		the helper's end of the bypass worker's handover
 *			channel (owned), -1 without one
 * @publish_fds:	the host sockets of @c's published ports, in order (owned)
 * @parent:		sbx's pid, to notice that it died before the
 *			parent-death signal was set
 * @handover:		see struct nethelper
 * @learned:		see struct nethelper
 *
 * Never returns; a setup failure is sent to sbx (SYNC_SETUP_ERROR) first.
 */
_Noreturn void nethelper_main(const struct sbx_config *c, int ctl_fd, int bypass_fd,
			      const int *publish_fds, pid_t parent, bool handover,
			      struct egress_learned *learned);
