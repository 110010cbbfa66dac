/* doctor.c - `sbx doctor`: run every check, print the report, pick the exit status */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "doctor_host.h"
#include "doctor_kernel.h"
#include "doctor_sandbox.h"
#include "verb.h"

static void usage(FILE *f)
{
	fputs("Usage: sbx doctor [--json]\n"
	      "Check what this host allows sbx to do, trying each thing for real\n"
	      "(in throwaway sandboxes), and print what, state, meaning and fix.\n"
	      "  --json   one JSON object instead of the table\n"
	      "Exit status: 0 when sbx's defaults work here, 1 when not, 125 on bad usage.\n",
	      f);
}

int doctor_main(int argc, char **argv)
{
	static struct doctor_report r;
	bool json = false, defaults_work = true;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			return verb_misuse(argc, argv, "unexpected argument '%s'", argv[i]);
		}
	}
	r.n = 0;
	doctor_check_kernel(&r);
	doctor_check_host(&r);
	doctor_check_sandboxes(&r);
	for (size_t i = 0; i < r.n; i++)
		if (r.checks[i].state == DOCTOR_FAIL)
			defaults_work = false;
	doctor_report_print(stdout, &r, json, defaults_work);
	fflush(stdout);
	return defaults_work ? 0 : 1;
}
