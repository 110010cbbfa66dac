/* stop.c - sbx stop and sbx kill: through the control socket, to the supervisor */
#include "autoconf.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "client.h"
#include "lifecycle_verbs.h"
#include "util.h"
#include "verb.h"

#define STOP_GRACE_DEFAULT 10
#define STOP_GRACE_MAX 3600

/* Send one request; wait for its reply, or for EOF when @until_eof. */
static int request(const char *name, enum ctl_type type, int32_t value, bool until_eof)
{
	struct ctl_request req = { .magic = CTL_MAGIC, .type = type, .value = value };
	struct registry_entry reg = REGISTRY_ENTRY_NONE;
	struct sbx_error e = { 0 };
	struct ctl_reply rep;
	_cleanup_close_ int fd = -1;
	int r = client_connect(name, &reg, &fd, &e);

	registry_close(&reg);
	if (r < 0)
		return client_fail(&e);
	r = client_send(fd, &req, NULL, 0);
	while (r == 0 && (r = client_recv(fd, &rep)) == 0) {
		if (rep.type == CTL_ERROR) {
			char why[SBX_ERROR_MSG_MAX + 64];

			sbx_error_format(&rep.error, why, sizeof(why));
			sbx_error_set(&e, 0, "sandbox '%s': %s", name, why);
			return client_fail(&e);
		}
		if (!until_eof)
			return 0;
	}
	/* The supervisor's end closes when sbx exits, after everything else. */
	if (r == -EPIPE && until_eof)
		return 0;
	sbx_error_set(&e, r == -EPIPE ? 0 : -r, "sandbox '%s': no answer", name);
	return client_fail(&e);
}

int stop_main(int argc, char **argv)
{
	unsigned long grace = STOP_GRACE_DEFAULT;
	const char *name = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			printf("Usage: sbx stop NAME [--time SECS]\nSend SIGTERM to the sandbox's "
			       "command, SIGKILL to all of it after SECS (default %d; 0: at once); "
			       "return once nothing of it is left.\n",
			       STOP_GRACE_DEFAULT);
			return 0;
		}
		if (strcmp(argv[i], "--time") == 0 || strcmp(argv[i], "-t") == 0) {
			if (i + 1 >= argc || parse_uint(argv[i + 1], STOP_GRACE_MAX, &grace) < 0)
				return verb_misuse(argc, argv, "--time: expected seconds (0-%d)",
						     STOP_GRACE_MAX);
			i++;
		} else if (!name && argv[i][0] != '-') {
			name = argv[i];
		} else {
			return verb_misuse(argc, argv, "unexpected argument '%s'", argv[i]);
		}
	}
	if (!name)
		return verb_misuse(argc, argv, "missing NAME");
	return request(name, CTL_STOP, (int32_t)grace, true);
}

static int parse_signal(const char *s)
{
	unsigned long n;

	if (parse_uint(s, 64, &n) == 0)
		return (int)n;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int sig = 1; sig < 32; sig++) {
		const char *abbrev = sigabbrev_np(sig);
		if (abbrev && strcasecmp(abbrev, s) == 0)
			return sig;
	}
	return -1;
}

int kill_main(int argc, char **argv)
{
	int sig = SIGKILL;

	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("Usage: sbx kill NAME [SIGNAL]\nSIGKILL (default) ends the whole sandbox; "
		       "TERM, INT, HUP, QUIT, USR1, USR2, WINCH go to its command.\n");
		return 0;
	}
	if (argc >= 2 && argv[1][0] == '-')
		return verb_misuse(argc, argv, "unexpected argument '%s'", argv[1]);
	if (argc < 2 || argc > 3)
		return verb_misuse(argc, argv, argc < 2 ? "missing NAME" : "expected NAME [SIGNAL]");
	if (argc == 3) {
		sig = parse_signal(argv[2]);
		if (sig < 0)
			return verb_misuse(argc, argv, "unknown signal '%s'", argv[2]);
	}
	return request(argv[1], CTL_KILL, sig, false);
}
