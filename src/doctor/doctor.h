/* doctor.h - `sbx doctor`: what this host allows sbx to do, each thing tried for real */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum doctor_state {
	DOCTOR_OK,	/* works */
	DOCTOR_WARN,	/* missing, but the defaults do without it (a feature is lost) */
	DOCTOR_FAIL,	/* missing, and the defaults need it */
	DOCTOR_INFO,	/* not available, optional */
};

#define DOCTOR_TEXT_MAX 240

/**
 * struct doctor_check - one line of the report
 * @what:	what was tried ("user namespaces")
 * @state:	the verdict
 * @meaning:	what the result means for sbx, with the detail seen
 * @fix:	what to do, empty when nothing is needed
 */
struct doctor_check {
	const char *what;
	enum doctor_state state;
	char meaning[DOCTOR_TEXT_MAX];
	char fix[DOCTOR_TEXT_MAX];
};

/**
 * struct doctor_report - every check, in the order printed
 */
struct doctor_report {
	struct doctor_check checks[24];
	size_t n;
};

/**
 * doctor_add() - append a check to @r and fill it
 * @fix:	may be NULL
 * Return: the new entry (the last one if @r is full)
 */
struct doctor_check *doctor_add(struct doctor_report *r, const char *what, enum doctor_state state,
				const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/**
 * doctor_check_kernel() - user namespaces (and the sysctls and AppArmor rule
 *			   behind them), Landlock, seccomp, mount API: each
 *			   tried in a throwaway child
 */
void doctor_check_kernel(struct doctor_report *r);

/**
 * doctor_check_sandboxes() - run sbx itself (/proc/self/exe) with the
 *			      defaults, with an overlay, an idmapped bind and
 *			      --net slirp, each on `true`
 */
void doctor_check_sandboxes(struct doctor_report *r);

/**
 * doctor_check_host() - subuid/subgid ranges, newuidmap/newgidmap,
 *			 /dev/net/tun, libslirp, cgroup v2 delegation, the
 *			 systemd user manager, xdg-dbus-proxy, display and audio
 */
void doctor_check_host(struct doctor_report *r);

/**
 * doctor_main() - the `sbx doctor [--json]` verb
 * Return: 0 when sbx's defaults work here, 1 when not, 125 on bad usage
 */
int doctor_main(int argc, char **argv);
