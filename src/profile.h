/* profile.h - profile files: options one per line, found by name or path */
#pragma once

#include <stddef.h>
#include <stdio.h>

#include "config.h"

/* The shipped profiles: $(datadir)/sbx, set by the build. */
#ifndef SBX_PROFILE_DIR
#define SBX_PROFILE_DIR "/usr/local/share/sbx"
#endif

/* Bounds on what a profile may make sbx read and hold. */
#define PROFILE_MAX_FILE (64 * 1024) /* bytes per file */
#define PROFILE_MAX_LINE 4096	     /* bytes per line, without the newline */
#define PROFILE_MAX_WORD 8192	     /* bytes per word after ~ and ${VAR} */
#define PROFILE_MAX_WORDS 4	     /* the option and at most three arguments */
#define PROFILE_MAX_NAME 64	     /* a NAME, without ".conf" */

/**
 * typedef profile_apply_fn - how a profile line's option is applied to @c:
 *			      cli_apply_named(), handed down by the parser so
 *			      that profiles need not know the option table
 * @origin:	the file the line is in
 * Return: 0 or -errno with @e filled
 */
typedef int (*profile_apply_fn)(struct sbx_config *c, const char *name, const char *const *args,
				size_t nargs, const char *origin, struct sbx_error *e);

/**
 * profile_load() - read profile @spec and apply its options to @c, in order
 * @spec:	a NAME ([A-Za-z0-9_-][A-Za-z0-9_.-]*) looked up as NAME.conf in
 *		$XDG_CONFIG_HOME/sbx (default ~/.config/sbx), /etc/sbx and the
 *		shipped directory ($SBX_PROFILES_DIR, else SBX_PROFILE_DIR), or a
 *		PATH (anything with a "/")
 * @base_dir:	directory a relative PATH is taken against: the including
 *		file's for "include", NULL for the caller's working directory
 * @apply:	applies each option line
 *
 * Includes nest at most SBX_PROFILE_MAX_DEPTH deep, one run reads at most
 * SBX_PROFILE_MAX_FILES files, and a file that includes itself (directly or
 * not) is an error. A bad line is reported as "FILE:LINE: why".
 * Return: 0 or -errno with @e filled
 */
int profile_load(struct sbx_config *c, const char *spec, const char *base_dir,
		 profile_apply_fn apply, struct sbx_error *e);

/**
 * profile_find() - the file profile @spec names (see profile_load())
 * @what:	how to name the request in an error ("--profile", "include")
 * Return: 0 with a new absolute path in @ret_path, or -errno with @e filled
 */
int profile_find(const struct sbx_config *c, const char *spec, const char *base_dir,
		 const char *what, char **ret_path, struct sbx_error *e);

/**
 * profile_apply_text() - apply the profile text @text (@len bytes, need not
 *			  end in NUL) read from @file
 *
 * "include" lines are resolved against the directory of @file; option lines
 * are applied with @apply.
 * Return: 0 or -errno with @e filled, its message starting "FILE:LINE: "
 */
int profile_apply_text(struct sbx_config *c, const char *file, const char *text, size_t len,
		       profile_apply_fn apply, struct sbx_error *e);

/**
 * profile_lex_line() - split one profile line into words
 * @line:	NUL-terminated, no newline
 * @home:	what a leading "~" stands for
 * @words:	filled with up to PROFILE_MAX_WORDS new strings
 *
 * Blanks separate words; "#" at the start of a word starts a comment;
 * '...' is literal; "..." keeps blanks and knows \n, \t and \ before any
 * other character; outside quotes \ takes the next character literally;
 * ${NAME} is the environment variable's value (not split), an error when
 * unset; a "~" that starts a word, followed by "/" or nothing, is @home.
 * Return: 0 with *@ret_n words (the caller frees them), or -errno with @e
 * filled (the words are freed then)
 */
int profile_lex_line(const char *line, const char *home, char *words[PROFILE_MAX_WORDS],
		     size_t *ret_n, struct sbx_error *e);

/**
 * profile_quote() - @word written so that profile_lex_line() reads it back
 * Return: a new string
 */
char *profile_quote(const char *word);

/**
 * profile_format_line() - the profile line for applied option @a
 * Return: a new string
 */
char *profile_format_line(const struct sbx_applied_opt *a);

/**
 * profile_check_printable() - whether profile_print() can write every
 *			       option of @c so that it reads back the same
 *
 * A bind whose path holds a ':' cannot be written (SRC[:DEST] has no
 * escape), nor a line longer than PROFILE_MAX_LINE.
 * Return: 0 or -EINVAL with @e filled, naming the option
 */
int profile_check_printable(const struct sbx_config *c, struct sbx_error *e);

/**
 * profile_print() - --print-config: every option applied to @c in profile
 *		     syntax, one per line, with comments naming where they
 *		     came from; single-valued options only in their last place
 */
void profile_print(FILE *out, const struct sbx_config *c);
