/* doctor_host.h - `sbx doctor`: the host's tools, files and services */
#pragma once

#include "doctor_report.h"

/**
 * doctor_check_host() - subuid/subgid ranges, newuidmap/newgidmap,
 *			 /dev/net/tun, libslirp, cgroup v2 delegation, the
 *			 systemd user manager, xdg-dbus-proxy, display and audio
 */
void doctor_check_host(struct doctor_report *r);
