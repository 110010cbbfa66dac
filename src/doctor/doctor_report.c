/* doctor_report.c - the report of `sbx doctor`: lines added by the checks,
 * printed as a table or JSON */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "doctor_report.h"

static const char *const state_names[] = {
	[DOCTOR_OK] = "ok",
	[DOCTOR_WARN] = "warn",
	[DOCTOR_FAIL] = "FAIL",
	[DOCTOR_INFO] = "n/a",
};

struct doctor_check *doctor_add(struct doctor_report *r, const char *what, enum doctor_state state,
				const char *fix, const char *fmt, ...)
{
	struct doctor_check *c = &r->checks[r->n < sizeof(r->checks) / sizeof(r->checks[0]) ? r->n++ : r->n - 1];
	va_list ap;

	c->what = what;
	c->state = state;
	va_start(ap, fmt);
	vsnprintf(c->meaning, sizeof(c->meaning), fmt, ap);
	va_end(ap);
	snprintf(c->fix, sizeof(c->fix), "%s", fix ? fix : "");
	return c;
}

/* Length of the well-formed UTF-8 sequence at @s (RFC 3629: shortest form,
 * no surrogates, <= U+10FFFF), 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	unsigned long cp = s[0] & (0x7f >> n);

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* Meanings carry paths from the environment and sbx's own messages: any
 * byte that is not well-formed UTF-8 becomes U+FFFD, so the output stays
 * JSON (RFC 8259 requires UTF-8). */
static void json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		size_t n;

		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
		} else if (*p < 0x20) {
			fprintf(f, "\\u%04x", *p++);
		} else if (*p < 0x80) {
			fputc(*p++, f);
		} else if ((n = utf8_len(p)) > 0) {
			fwrite(p, 1, n, f);
			p += n;
		} else {
			fputs("\\ufffd", f);
			p++;
		}
	}
	fputc('"', f);
}

static void print_json(FILE *f, const struct doctor_report *r, bool defaults_work)
{
	fprintf(f, "{\"defaults_work\": %s, \"checks\": [", defaults_work ? "true" : "false");
	for (size_t i = 0; i < r->n; i++) {
		const struct doctor_check *c = &r->checks[i];

		fputs(i ? ",\n  {\"what\": " : "\n  {\"what\": ", f);
		json_string(f, c->what);
		fprintf(f, ", \"state\": \"%s\", \"meaning\": ",
			c->state == DOCTOR_FAIL ? "fail" : state_names[c->state]);
		json_string(f, c->meaning);
		fputs(", \"fix\": ", f);
		json_string(f, c->fix);
		fputc('}', f);
	}
	fputs("\n]}\n", f);
}

static void print_table(FILE *f, const struct doctor_report *r, bool defaults_work)
{
	int w = 4;

	for (size_t i = 0; i < r->n; i++)
		if ((int)strlen(r->checks[i].what) > w)
			w = (int)strlen(r->checks[i].what);
	fprintf(f, "%-*s  %-5s  %s\n", w, "WHAT", "STATE", "MEANING / FIX");
	for (size_t i = 0; i < r->n; i++) {
		const struct doctor_check *c = &r->checks[i];

		fprintf(f, "%-*s  %-5s  %s\n", w, c->what, state_names[c->state], c->meaning);
		if (c->fix[0])
			fprintf(f, "%-*s  %-5s  fix: %s\n", w, "", "", c->fix);
	}
	fprintf(f, "\n%s\n",
		defaults_work ? "sbx's defaults work on this host." :
				"sbx's defaults do NOT work on this host: see the FAIL lines.");
}

void doctor_report_print(FILE *f, const struct doctor_report *r, bool json, bool defaults_work)
{
	if (json)
		print_json(f, r, defaults_work);
	else
		print_table(f, r, defaults_work);
}
