/* verb.c - the table of sbx's verbs; each verb's code lives in a file of its own */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bwrap_cli.h"
#include "lifecycle_verbs.h"
#include "doctor.h"
#include "error.h"
#include "util.h"
#include "verb.h"
#include "oci_main.h"

/* One entry a line, a comment between them: each verb lands on its own. */
static const struct verb verbs[] = {
	{ "ls", ls_main },
	/* ps: an alias of ls */
	{ "ps", ls_main },
	/* enter: a new process inside a named sandbox */
	{ "enter", enter_main },
	/* stop */
	{ "stop", stop_main },
	/* kill */
	{ "kill", kill_main },
	/* logs */
	{ "logs", logs_main },
	/* doctor: what this host allows */
	{ "doctor", doctor_main },
	/* oci: the OCI runtime command line */
	{ "oci", oci_main },
	/* bwrap: bubblewrap's command line */
	{ "bwrap", bwrap_main },
};

const struct verb *verb_find(const char *arg)
{
	if (!arg)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (strcmp(arg, verbs[i].name) == 0)
			return &verbs[i];
	return NULL;
}

const struct verb *verb_for_program(const char *argv0)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;
	const struct verb *v;

	base = base ? base + 1 : argv0;
	if (!base)
		return NULL;
	if (strcmp(base, "bwrap") == 0)
		v = verb_find("bwrap");
	else if (strcmp(base, "sbx-oci") == 0)
		v = verb_find("oci");
	else
		return NULL;
	return v && v->main ? v : NULL;
}

int verb_misuse(int argc, char **argv, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	_cleanup_free_ char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);

	if (!f)
		return SBX_EXIT_SETUP;
	fprintf(f, "sbx %s: %s; to run the command %s in a sandbox, write: sbx --", argv[0], what,
		argv[0]);
	for (int i = 0; i < argc; i++)
		fprintf(f, " %s", argv[i]);
	if (fclose(f) == 0)
		fprintf(stderr, "%s\n", line);
	return SBX_EXIT_SETUP;
}
