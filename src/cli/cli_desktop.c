/* cli_desktop.c - the desktop apps' options: display, sound, GPU, D-Bus
 * (handlers in src/desktop/desktop_opts.c) */
#include "autoconf.h"

#include "cli_table.h"
#include "desktop_opts.h"
#include "util.h"

static const struct cli_option desktop_rows[] = {
	{ "wayland", 0, 0, NULL, "the Wayland compositor's socket, in a private $XDG_RUNTIME_DIR",
	  cli_table_flag, CLI_FLAG(wayland), CLI_F_SINGLE },
	{ "x11", 0, 0, NULL, "the X display's socket with an untrusted cookie (no keylogging)",
	  desktop_opt_x11, 0, CLI_F_SINGLE },
	{ "x11-trusted", 0, 0, NULL, "--x11 with your own cookie: full access to the display",
	  desktop_opt_x11, 1, CLI_F_SINGLE },
	{ "audio", 0, 0, NULL, "the PulseAudio socket and cookie, the PipeWire socket", cli_table_flag,
	  CLI_FLAG(audio), CLI_F_SINGLE },
	{ "gpu", 0, 0, NULL, "GPU device nodes (/dev/dri, /dev/nvidia*, /dev/kfd), their /sys entries",
	  cli_table_flag, CLI_FLAG(gpu), CLI_F_SINGLE },
	{ "gui", 0, 0, NULL, "wayland, x11, audio, gpu, portals, fonts and themes: what exists here",
	  cli_table_flag, CLI_FLAG(gui), CLI_F_SINGLE },
	{ "dbus-talk", 0, 1, "NAME", "session bus through xdg-dbus-proxy: may talk to NAME",
	  desktop_opt_dbus, 0, 0 },
	{ "dbus-own", 0, 1, "NAME", "session bus: may own NAME", desktop_opt_dbus, 1, 0 },
	{ "dbus-see", 0, 1, "NAME", "session bus: may see NAME", desktop_opt_dbus, 2, 0 },
	{ "dbus-call", 0, 1, "NAME=RULE", "session bus: may call NAME's RULE ([METHOD][@PATH])",
	  desktop_opt_dbus, 3, 0 },
	{ "dbus-broadcast", 0, 1, "NAME=RULE", "session bus: receives NAME's broadcasts matching RULE",
	  desktop_opt_dbus, 4, 0 },
	{ "dbus-system-talk", 0, 1, "NAME", "system bus through xdg-dbus-proxy: may talk to NAME",
	  desktop_opt_dbus, DESKTOP_DBUS_SYSTEM | 0, 0 },
	{ "dbus-system-own", 0, 1, "NAME", "system bus: may own NAME", desktop_opt_dbus,
	  DESKTOP_DBUS_SYSTEM | 1, 0 },
	{ "dbus-system-see", 0, 1, "NAME", "system bus: may see NAME", desktop_opt_dbus,
	  DESKTOP_DBUS_SYSTEM | 2, 0 },
	{ "dbus-system-call", 0, 1, "NAME=RULE", "system bus: may call NAME's RULE",
	  desktop_opt_dbus, DESKTOP_DBUS_SYSTEM | 3, 0 },
	{ "dbus-system-broadcast", 0, 1, "NAME=RULE",
	  "system bus: receives NAME's broadcasts matching RULE", desktop_opt_dbus,
	  DESKTOP_DBUS_SYSTEM | 4, 0 },
	{ "dbus-session-unfiltered", 0, 0, NULL, "the real session bus, unfiltered (a warning)",
	  cli_table_flag, CLI_FLAG(dbus_session_unfiltered), CLI_F_SINGLE },
};

const struct cli_option_group cli_desktop_options = CLI_GROUP(desktop_rows);
