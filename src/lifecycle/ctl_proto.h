/* ctl_proto.h - the messages on a named sandbox's control socket */
#pragma once

#include <stdint.h>
#include <sys/ioctl.h>

#include "error.h"

#define CTL_MAGIC 0x73627863u /* "sbxc" */
#define CTL_DATA_MAX 16384
#define CTL_ARGS_MAX 1024

enum ctl_type {
	CTL_STOP = 1, /* value: grace time in seconds before SIGKILL; reply: EOF once all is gone */
	CTL_KILL,     /* value: the signal; reply: CTL_OK */
	CTL_ENTER,    /* 3 fds (stdin, stdout, stderr) attached; replies: CTL_STARTED, CTL_EXITED */
	CTL_WATCH,    /* no reply: EOF once the sandbox is gone */
	/* replies */
	CTL_OK = 100,
	CTL_ERROR,   /* error filled */
	CTL_STARTED, /* value: the entered process's pid inside */
	CTL_EXITED,  /* value: its exit status (128+N for signal N) */
};

#define CTL_ENTER_TTY 0x1u /* fds 0-2 are a terminal: make it the process's controlling one */

/**
 * struct ctl_request - one SOCK_SEQPACKET message from a client
 * @magic:	CTL_MAGIC
 * @type:	enum ctl_type
 * @value:	see enum ctl_type
 * @flags:	CTL_ENTER_*
 * @argc:	CTL_ENTER: strings in @data after TERM and the directory
 * @len:	bytes used in @data
 * @data:	CTL_ENTER: TERM's value, the directory ("" for the
 *		sandbox's start directory), then the command's @argc
 *		arguments, each NUL-terminated
 */
struct ctl_request {
	uint32_t magic;
	uint32_t type;
	int32_t value;
	uint32_t flags;
	uint32_t argc;
	uint32_t len;
	char data[CTL_DATA_MAX];
};

/* The part a peek reads: everything but the data. */
#define CTL_REQUEST_HEAD offsetof(struct ctl_request, data)

/**
 * struct ctl_reply - one message back
 */
struct ctl_reply {
	uint32_t type;
	int32_t value;
	struct sbx_error error;
};
