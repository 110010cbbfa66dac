/* fuzz-subid - libFuzzer target: /etc/subuid-format parsing, the id maps
 * built from what it finds (the sandbox's and the holder's parent map), and
 * the /proc uid_map text parser that verifies a holder. */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "userns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct subid_range ranges[16];
	struct idmap map, parent, parsed;
	char text[512], *copy;
	size_t n;
	FILE *f;

	if (size == 0)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	n = subid_parse(f, "user", 1000, ranges, 16);
	fclose(f);
	if (idmap_build(1000, 0, ranges, n, IDMAP_DEFAULT_SPAN, &map) == 0)
		idmap_format(&map, text, sizeof(text));
	if (idmap_build_identity(1000, ranges, n, &parent) == 0)
		(void)idmap_outside_within(&map, &parent);
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	if (idmap_parse(copy, &parsed) == 0)
		(void)idmap_equal(&parsed, &parent);
	free(copy);
	return 0;
}
