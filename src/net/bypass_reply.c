/* bypass_reply.c - answering a notification: the one call the TCP bypass's
 *		    request side (bypass.c) and its relay (bypass_link.c) share
 */
#include "autoconf.h"

#include <linux/seccomp.h>
#include <string.h>
#include <sys/ioctl.h>

#include "bypass_int.h"

void bypass_reply(struct bypass_engine *b, uint64_t id, int error, bool cont)
{
	struct seccomp_notif_resp *resp = b->resp;

	memset(resp, 0, b->resp_size);
	resp->id = id;
	resp->error = error;
	resp->flags = cont ? SECCOMP_USER_NOTIF_FLAG_CONTINUE : 0;
	/* ENOENT: the call was interrupted, or the process is gone. */
	ioctl(b->notify_fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
}
