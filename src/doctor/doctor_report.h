/* doctor_report.h - the report `sbx doctor`'s checks fill, one line each,
 * and its two printed forms */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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
 * doctor_report_print() - @r as a table of what, state, meaning and fix,
 *			   or as one JSON object (@json)
 * @defaults_work:	the verdict on sbx's defaults, printed last
 */
void doctor_report_print(FILE *f, const struct doctor_report *r, bool json, bool defaults_work);
