/* dbus_proxy_wait.c - the command's wait for the D-Bus proxy, just before it runs
 *
 * Called in the sandbox's command process (exec.c), so it stands apart from
 * dbus_proxy.c, which starts the proxy's own sandbox through sandbox_run():
 * the run path calls this file, and nothing here calls back into it.
 */
#include "autoconf.h"

#include <errno.h>
#include <poll.h>

#include "dbus_proxy_wait.h"

/* The proxy's start, like a sandbox's, takes milliseconds; this is a hang. */
#define PROXY_START_TIMEOUT_MS 10000

int dbus_proxy_wait(const struct sbx_config *c, struct sbx_error *e)
{
	struct pollfd pfd = { .fd = c->dbus_proxy_fd, .events = POLLIN };
	int r;

	if (!c->dbus_proxy_pending)
		return 0;
	/* The byte is left unread: polling is enough, and sbx's end stays
	 * the one that keeps the proxy alive. */
	do
		r = poll(&pfd, 1, PROXY_START_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return sbx_error_set(e, ETIMEDOUT, "the D-Bus proxy (xdg-dbus-proxy) did not start");
	if (r < 0)
		return sbx_error_set(e, errno, "the D-Bus proxy");
	if (!(pfd.revents & POLLIN))
		return sbx_error_set(e, 0, "the D-Bus proxy (xdg-dbus-proxy) ended before it listened "
					   "(is it installed?)");
	return 0;
}
