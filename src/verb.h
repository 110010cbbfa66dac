/* verb.h - sbx's verbs (ls, enter, doctor, oci, bwrap...): the first argument, or the program's name */
#pragma once

/**
 * struct verb - a word sbx takes as a verb when it is the very first argument
 * @name:	the word
 * @main:	runs the verb with its own arguments (argv[0] is the verb's name)
 *		and returns sbx's exit status; NULL while the verb is only reserved
 *		(the word then still runs as a command, with a hint)
 */
struct verb {
	const char *name;
	int (*main)(int argc, char **argv);
};

/**
 * verb_find() - the verb named @arg (may be NULL)
 * Return: the table's entry, or NULL when @arg is no verb ("run" is handled by cli_verb())
 */
const struct verb *verb_find(const char *arg);

/**
 * verb_for_program() - the verb sbx stands for when run under another name
 * @argv0:	sbx's argv[0]; its base name "bwrap" means the bwrap verb, "sbx-oci" the oci verb
 * Return: the verb (only one that is implemented), or NULL
 */
const struct verb *verb_for_program(const char *argv0);

/**
 * verb_misuse() - a verb's arguments make no sense: one line, with a hint
 *		     when they look like a command's (`sbx ls -l ~/src`)
 * @argv:	the verb's arguments, argv[0] being the verb
 * Return: 125, the exit status
 */
int verb_misuse(int argc, char **argv, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
