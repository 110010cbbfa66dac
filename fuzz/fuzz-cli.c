/* fuzz-cli - libFuzzer target: the option parser and config_finish() on a
 * fuzzed argv (NUL-separated words), including --time-offset, --cap-add,
 * --allow-connect/--allow-bind and --seccomp. A first word "@nocwd" (the
 * harness's, not sbx's) parses the rest for a caller whose working
 * directory was deleted. */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"

#define MAX_WORDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sbx_caller with_cwd = { .uid = 1000, .gid = 1000, .user_name = "u",
						    .home = "/home/u", .cwd = "/work", .shell = "/bin/sh" };
	static const struct sbx_caller no_cwd = { .uid = 1000, .gid = 1000, .user_name = "u",
						  .home = "/home/u", .cwd_errno = 2 /* ENOENT */,
						  .shell = "/bin/sh" };
	const struct sbx_caller *caller = &with_cwd;
	char *text = malloc(size + 1), *argv[MAX_WORDS + 2];
	struct sbx_error e = { 0 };
	struct sbx_config c;
	enum cli_action action;
	int argc = 1;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	argv[0] = "sbx";
	for (char *p = text; p < text + size && argc <= MAX_WORDS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	if (argc > 1 && strcmp(argv[1], "@nocwd") == 0) {
		caller = &no_cwd;
		argv[1] = argv[0];
	}

	config_init(&c, caller);
	if (cli_parse(&c, argc - (caller == &no_cwd), argv + (caller == &no_cwd), &action, &e) == 0)
		config_finish(&c, &e);
	config_free(&c);
	free(text);
	return 0;
}
