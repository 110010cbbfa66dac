/* fuzz-subid - libFuzzer target: /etc/subuid-format parsing and the id map
 * built from what it finds. */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>

#include "userns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct subid_range ranges[16];
	struct idmap map;
	char text[512];
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
	return 0;
}
