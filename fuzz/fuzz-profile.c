/* fuzz-profile - libFuzzer target: the profile parser on fuzzed files
 * (lexer, ${VAR} and ~ expansion, option lines, bounds) read from disk
 * through profile_load(), so the include logic runs for real: the input,
 * split at its first "\n--\n", is a.conf and b.conf in a private directory
 * that is also where NAMEs are looked up ("include b", "include ./a.conf":
 * cycles, depth, the file count, the trusted walk). Then config_finish(),
 * --print-config's check and printer. Each line is also checked for the
 * quoting round trip: its words, quoted by profile_quote() and lexed again,
 * must come back unchanged. */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const char *line)
{
	char *words[PROFILE_MAX_WORDS], *again[PROFILE_MAX_WORDS];
	struct sbx_error e = { 0 };
	size_t n, n2, len = 1;
	char *joined;

	if (profile_lex_line(line, "/home/u", words, &n, &e) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		len += strlen(words[i]) * 2 + 4;
	joined = calloc(1, len);
	if (!joined)
		abort();
	for (size_t i = 0; i < n; i++) {
		char *q = profile_quote(words[i]);
		if (i)
			strcat(joined, " ");
		strcat(joined, q);
		free(q);
	}
	if (profile_lex_line(joined, "/home/u", again, &n2, &e) < 0 || n2 != n)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (strcmp(words[i], again[i]) != 0)
			abort();
		free(words[i]);
		free(again[i]);
	}
	free(joined);
}

static char dir[] = "/tmp/fuzz-profile.XXXXXX";

static void write_part(const char *name, const uint8_t *data, size_t size)
{
	char path[sizeof(dir) + 16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
}

static void remove_dir(void)
{
	char path[sizeof(dir) + 16];

	snprintf(path, sizeof(path), "%s/a.conf", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/b.conf", dir);
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct sbx_caller caller = { .uid = getuid(), .gid = getgid(), .user_name = "u",
				     .home = "/home/u", .cwd = "/work", .shell = "/bin/sh" };
	struct sbx_error e = { 0 };
	struct sbx_config c;
	const uint8_t *sep;
	char path[sizeof(dir) + 16];
	FILE *devnull;

	if (size > 2 * PROFILE_MAX_FILE)
		return 0;
	if (!ready) {
		if (!mkdtemp(dir))
			abort();
		atexit(remove_dir);
		ready = true;
	}
	/* NAMEs are looked up in the fuzzer's directory only; ${SBX_F} and
	 * ${HOME} are set. */
	setenv("XDG_CONFIG_HOME", "/nonexistent-sbx-fuzz", 1);
	setenv("SBX_PROFILES_DIR", dir, 1);
	setenv("SBX_F", "a b:/c", 1);
	setenv("HOME", "/home/u", 1);
	sep = memmem(data, size, "\n--\n", 4);
	write_part("a.conf", data, sep ? (size_t)(sep - data) : size);
	write_part("b.conf", sep ? sep + 4 : data, sep ? size - (size_t)(sep + 4 - data) : 0);
	snprintf(path, sizeof(path), "%s/a.conf", dir);

	config_init(&c, &caller);
	if (profile_load(&c, path, NULL, cli_apply_named, &e) == 0 && config_finish(&c, &e) == 0 &&
	    profile_check_printable(&c, &e) == 0) {
		devnull = fopen("/dev/null", "we");
		if (devnull) {
			profile_print(devnull, &c);
			fclose(devnull);
		}
	}
	config_free(&c);
	/* The in-memory entry point too, on the whole input. */
	config_init(&c, &caller);
	if (size <= PROFILE_MAX_FILE)
		(void)profile_apply_text(&c, "/fuzz.conf", (const char *)data, size, cli_apply_named,
					 &e);
	config_free(&c);

	/* The round trip, line by line, on a NUL-terminated copy. */
	if (!memchr(data, '\0', size)) {
		char *text = malloc(size + 1);
		if (!text)
			return 0;
		memcpy(text, data, size);
		text[size] = '\0';
		for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
		     l = strtok_r(NULL, "\n", &save))
			if (strlen(l) <= PROFILE_MAX_LINE)
				check_round_trip(l);
		free(text);
	}
	return 0;
}
