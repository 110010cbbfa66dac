/* gui.c - --gui's share of the user's settings: fonts, themes, icons, locale */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "desktop_int.h"
#include "util.h"

/* Read-only, relative to $HOME. Settings only: not all of ~/.config/gtk-3.0
 * (its bookmarks name the user's directories), no caches to write. */
static const char *const settings[] = {
	".fonts",
	".local/share/fonts",
	".config/fontconfig",
	".fonts.conf",
	".gtkrc-2.0",
	".config/gtk-2.0/gtkrc",
	".config/gtk-3.0/settings.ini",
	".config/gtk-3.0/gtk.css",
	".config/gtk-4.0/settings.ini",
	".config/gtk-4.0/gtk.css",
	".themes",
	".local/share/themes",
	".icons",
	".local/share/icons",
	".config/Trolltech.conf",
	".config/qt5ct",
	".config/qt6ct",
	".config/kdeglobals",
	".Xresources",
};

/* Passed on even after --clearenv: what the app's language and look follow. */
static const char *const variables[] = {
	"LANG",		 "LANGUAGE",	    "LC_ALL",	       "LC_CTYPE",
	"LC_NUMERIC",	 "LC_TIME",	    "LC_COLLATE",      "LC_MONETARY",
	"LC_MESSAGES",	 "LC_PAPER",	    "LC_NAME",	       "LC_ADDRESS",
	"LC_TELEPHONE",	 "LC_MEASUREMENT",  "LC_IDENTIFICATION", "TZ",
	"GTK_THEME",	 "QT_QPA_PLATFORMTHEME", "QT_STYLE_OVERRIDE", "XCURSOR_THEME",
	"XCURSOR_SIZE",	 "GDK_SCALE",	    "GDK_DPI_SCALE",   "QT_SCALE_FACTOR",
	"XDG_CURRENT_DESKTOP", "XDG_SESSION_TYPE", "DESKTOP_SESSION",
};

int gui_prepare_settings(struct sbx_config *c, struct desktop_run *run, struct sbx_error *e)
{
	const char *home = getenv("HOME");

	for (size_t i = 0; home && home[0] == '/' && i < ARRAY_SIZE(settings); i++) {
		_cleanup_free_ char *src = xasprintf("%s/%s", home, settings[i]),
				    *dest = xasprintf("%s/%s", c->home, settings[i]);
		struct stat st;

		if (stat(src, &st) == 0)
			desktop_plan_add_bind(c, SBX_MOUNT_RO_BIND, src, dest, true);
	}
	for (size_t i = 0; i < ARRAY_SIZE(variables); i++) {
		const char *v = getenv(variables[i]);

		if (v)
			desktop_plan_setenv(c, variables[i], v);
	}
	return 0;
}
