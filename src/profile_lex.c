/* profile_lex.c - one profile line into words, and words back into a line */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "util.h"

/* One word being built, bounded by PROFILE_MAX_WORD. */
struct word {
	char *buf;
	size_t len, cap;
};

static int word_add(struct word *w, const char *s, size_t n)
{
	if (w->len + n > PROFILE_MAX_WORD)
		return -E2BIG;
	if (w->len + n + 1 > w->cap) {
		w->cap = (w->len + n + 1) * 2;
		w->buf = xreallocarray(w->buf, w->cap, 1);
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
	return 0;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* ${NAME} at *@p (pointing at "$"): append the variable's value. */
static int expand_var(struct word *w, const char **p, struct sbx_error *e)
{
	const char *start = *p + 2, *end = strchr(start, '}');
	_cleanup_free_ char *name = NULL;
	const char *value;

	if (!end)
		return sbx_error_set(e, 0, "'${' without its '}'");
	if (end == start || end - start > 128 || isdigit((unsigned char)*start))
		return sbx_error_set(e, 0, "${%.*s}: not a variable name",
				     (int)(end - start > 128 ? 128 : end - start), start);
	for (const char *q = start; q < end; q++)
		if (!isalnum((unsigned char)*q) && *q != '_')
			return sbx_error_set(e, 0, "${%.*s}: not a variable name", (int)(end - start),
					     start);
	name = xasprintf("%.*s", (int)(end - start), start);
	value = getenv(name);
	/* An unset variable would silently turn "bind ${SRC}" into "bind ". */
	if (!value)
		return sbx_error_set(e, 0, "${%s}: not set in the environment", name);
	*p = end + 1;
	return word_add(w, value, strlen(value));
}

/* The body of "..." at *@p (just past the opening quote). */
static int lex_double(struct word *w, const char **p, struct sbx_error *e)
{
	const char *q = *p;
	int r = 0;

	while (r == 0 && *q && *q != '"') {
		if (*q == '\\' && q[1]) {
			char ch = q[1] == 'n' ? '\n' : q[1] == 't' ? '\t' : q[1];
			r = word_add(w, &ch, 1);
			q += 2;
		} else if (*q == '$' && q[1] == '{') {
			r = expand_var(w, &q, e);
		} else {
			r = word_add(w, q++, 1);
		}
	}
	if (r == 0 && *q != '"')
		return sbx_error_set(e, 0, "a '\"' without its closing quote");
	*p = q + 1;
	return r;
}

static int lex_word(struct word *w, const char **p, const char *home, struct sbx_error *e)
{
	const char *q = *p;
	int r = 0;

	if (q[0] == '~' && (q[1] == '/' || q[1] == '\0' || is_blank(q[1]))) {
		r = word_add(w, home, strlen(home));
		q++;
	}
	while (r == 0 && *q && !is_blank(*q)) {
		if (*q == '\'') {
			const char *end = strchr(q + 1, '\'');
			if (!end)
				return sbx_error_set(e, 0, "a \"'\" without its closing quote");
			r = word_add(w, q + 1, (size_t)(end - q - 1));
			q = end + 1;
		} else if (*q == '"') {
			q++;
			r = lex_double(w, &q, e);
		} else if (*q == '\\') {
			if (!q[1])
				return sbx_error_set(e, 0, "a '\\' at the end of the line");
			r = word_add(w, q + 1, 1);
			q += 2;
		} else if (*q == '$' && q[1] == '{') {
			r = expand_var(w, &q, e);
		} else {
			r = word_add(w, q++, 1);
		}
	}
	if (r == -E2BIG)
		return sbx_error_set(e, 0, "a word longer than %d bytes", PROFILE_MAX_WORD);
	*p = q;
	return r;
}

int profile_lex_line(const char *line, const char *home, char *words[PROFILE_MAX_WORDS],
		     size_t *ret_n, struct sbx_error *e)
{
	const char *p = line;
	size_t n = 0;
	int r = 0;

	for (;;) {
		struct word w = { 0 };

		while (is_blank(*p))
			p++;
		if (!*p || *p == '#')
			break;
		if (n == PROFILE_MAX_WORDS) {
			r = sbx_error_set(e, 0, "more than %d words: an option takes at most 3 arguments",
					  PROFILE_MAX_WORDS);
			break;
		}
		r = word_add(&w, "", 0);
		if (r == 0)
			r = lex_word(&w, &p, home, e);
		if (r < 0) {
			free(w.buf);
			break;
		}
		words[n++] = w.buf;
	}
	if (r < 0) {
		while (n)
			free(words[--n]);
		return r;
	}
	*ret_n = n;
	return 0;
}

char *profile_quote(const char *word)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_@%+=:,./-";
	struct word w = { 0 };

	if (*word && strspn(word, safe) == strlen(word))
		return xstrdup(word);
	/* Bounded by the caller's words: at most twice PROFILE_MAX_WORD. */
	w.cap = strlen(word) * 2 + 3;
	w.buf = xreallocarray(NULL, w.cap, 1);
	w.buf[w.len++] = '"';
	for (const char *p = word; *p; p++) {
		if (*p == '"' || *p == '\\' || *p == '$' || *p == '\n' || *p == '\t')
			w.buf[w.len++] = '\\';
		w.buf[w.len++] = *p == '\n' ? 'n' : *p == '\t' ? 't' : *p;
	}
	w.buf[w.len++] = '"';
	w.buf[w.len] = '\0';
	return w.buf;
}

char *profile_format_line(const struct sbx_applied_opt *a)
{
	char *line = xstrdup(a->name);

	for (unsigned k = 0; k < a->nargs; k++) {
		_cleanup_free_ char *q = profile_quote(a->args[k]);
		char *next = xasprintf("%s %s", line, q);

		free(line);
		line = next;
	}
	return line;
}

/* Does @line lex back into exactly @a's name and arguments? */
static bool reads_back(const char *line, const struct sbx_applied_opt *a, const char *home)
{
	char *words[PROFILE_MAX_WORDS];
	struct sbx_error e = { 0 };
	bool same;
	size_t n;

	if (profile_lex_line(line, home, words, &n, &e) < 0)
		return false;
	same = n == a->nargs + 1 && strcmp(words[0], a->name) == 0;
	for (size_t k = 1; same && k < n; k++)
		same = strcmp(words[k], a->args[k - 1]) == 0;
	while (n)
		free(words[--n]);
	return same;
}

int profile_check_printable(const struct sbx_config *c, struct sbx_error *e)
{
	for (size_t i = 0; i < c->n_applied; i++) {
		const struct sbx_applied_opt *a = &c->applied[i];
		_cleanup_free_ char *line = NULL;

		if (a->colon_path)
			return sbx_error_set(e, 0, "--print-config: %s %s: a path with ':' cannot be "
						   "written as SRC[:DEST] in a profile", a->name,
					     a->args[0]);
		line = profile_format_line(a);
		if (strlen(line) > PROFILE_MAX_LINE)
			return sbx_error_set(e, 0, "--print-config: %s: longer than a profile line "
						   "may be (%d bytes)", a->name, PROFILE_MAX_LINE);
		if (!reads_back(line, a, c->home))
			return sbx_error_set(e, 0, "--print-config: %.200s: would not read back the "
						   "same", line);
	}
	return 0;
}

void profile_print(FILE *out, const struct sbx_config *c)
{
	const char *shown = NULL;

	fputs("# sbx --print-config: the resolved options, one per line (sbx-profile(5))\n", out);
	for (size_t i = 0; i < c->n_applied; i++) {
		const struct sbx_applied_opt *a = &c->applied[i];
		const char *from = a->origin ? a->origin : "the command line";
		_cleanup_free_ char *line = profile_format_line(a);

		/* Quoted: a file name with a newline must not end the comment. */
		if (!shown || strcmp(shown, from) != 0) {
			_cleanup_free_ char *q = a->origin ? profile_quote(from) : xstrdup(from);
			fprintf(out, "# from %s\n", q);
		}
		shown = from;
		fprintf(out, "%s\n", line);
	}
}
