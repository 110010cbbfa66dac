/* main.c - parse, validate, run; the only place that picks sbx's exit status */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "desktop.h"
#include "log.h"
#include "profile.h"
#include "sandbox.h"
#include "util.h"
#include "verb.h"
#include "viewspec.h"

static int refuse_privileged_binary(struct sbx_error *e)
{
	/* sbx must never be a way to use someone else's privileges: a setuid
	 * or file-capability sbx would map ids and mount as its owner. */
	if (getauxval(AT_SECURE) || getuid() != geteuid() || getgid() != getegid())
		return sbx_error_set(e, 0, "refusing to run setuid, setgid or with file capabilities");
	return 0;
}

static int exit_code_for(const struct sbx_error *e)
{
	return e->exit_code ? e->exit_code : 125;
}

/* The desktop options' binds and proxy (src/desktop/), their lines printed:
 * in the process that supervises the sandbox (--detach's child), which
 * holds them until the end (the proxy is its child, the cookie its). */
static int run_desktop(struct sbx_config *c, void *desktop, struct sbx_error *e)
{
	struct desktop_run *d = desktop;
	int r = desktop_prepare(c, d, e);

	for (size_t i = 0; i < d->n_warnings; i++)
		log_warn("%s", d->warnings[i]);
	for (size_t i = 0; i < d->n_notes; i++)
		log_verbose(1, "%s", d->notes[i]);
	return r;
}

int main(int argc, char *argv[])
{
	struct sbx_error e = { 0 };
	struct sbx_caller caller;
	struct sbx_config c;
	enum cli_action action;
	char *cwd = NULL;
	const struct verb *verb;
	struct desktop_run desktop = DESKTOP_RUN_NONE;
	int status = 125;

	clock_gettime(CLOCK_MONOTONIC, &log_start);

	if (refuse_privileged_binary(&e) < 0) {
		log_error(&e);
		return exit_code_for(&e);
	}
	/* Run as "bwrap" or "sbx-oci" (links libexec holds), sbx is that verb. */
	verb = verb_for_program(argv[0]);
	if (verb)
		return verb->main(argc, argv);
	if (config_caller_from_env(&caller, &cwd, &e) < 0) {
		log_error(&e);
		return exit_code_for(&e);
	}
	config_init(&c, &caller);
	free(cwd);

	/* The verb rule (cli_verb()): only the first argument can be one. */
	switch (cli_verb(argc > 1 ? argv[1] : NULL)) {
	case CLI_VERB_RUN:
		argc--, argv++; /* "run" stands where the program name was */
		break;
	case CLI_VERB_RESERVED: {
		_cleanup_free_ char *hint = cli_verb_hint(argv[1]);
		log_warn("%s", hint);
		break;
	}
	case CLI_VERB_MAIN:
		config_free(&c);
		return verb_find(argv[1])->main(argc - 1, argv + 1);
	case CLI_VERB_NONE:
		break;
	}

	if (cli_parse(&c, argc, argv, &action, &e) < 0 || config_finish(&c, &e) < 0) {
		log_error(&e);
		config_free(&c);
		return exit_code_for(&e);
	}
	if (action == CLI_HELP) {
		cli_print_help(stdout);
		config_free(&c);
		return 0;
	}
	if (action == CLI_VERSION) {
		printf("sbx %s\n", PACKAGE_VERSION);
		config_free(&c);
		return 0;
	}

	if (action == CLI_PRINT_CONFIG) {
		profile_print(stdout, &c);
		config_free(&c);
		return fflush(stdout) == 0 ? 0 : 125;
	}

	log_verbosity = c.verbose;
	fflush(stdout);
	if (viewspec_check_fds(&c, &e) < 0 || config_prepare_home(&c, &e) < 0 ||
	    sandbox_run(&c, run_desktop, &desktop, &status, &e) < 0) {
		/* No message: a setup ended by a signal (128+N) says nothing. */
		if (e.msg[0])
			log_error(&e);
		status = exit_code_for(&e);
	}
	desktop_release(&desktop);
	config_free(&c);
	return status;
}
