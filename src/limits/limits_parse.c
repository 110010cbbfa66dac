/* limits_parse.c - the arguments of --memory, --memory-swap, --pids and --cpus */
#include "autoconf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "limits_parse.h"

/* "12.345" into 12 and 345 thousandths, kept apart: 12 * 1000 + 345 would
 * wrap for a byte count above ULLONG_MAX / 1000 (about 16P), which is in
 * range. At most 3 decimals, no sign, no exponent. Stops at the first
 * character that is neither a digit nor the one '.'.
 * Return: 0, -EINVAL (no digits, a 4th decimal) or -ERANGE (above @max_whole) */
static int parse_milli(const char **s, unsigned long long max_whole,
		       unsigned long long *ret_whole, unsigned *ret_frac)
{
	unsigned long long whole = 0;
	unsigned decimals = 0, frac = 0;
	bool digits = false;
	const char *p = *s;

	for (; *p >= '0' && *p <= '9'; p++, digits = true) {
		whole = whole * 10 + (unsigned)(*p - '0');
		if (whole > max_whole)
			return -ERANGE;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits = true) {
			if (++decimals > 3)
				return -EINVAL;
			frac = frac * 10 + (unsigned)(*p - '0');
		}
	}
	if (!digits)
		return -EINVAL;
	for (; decimals < 3; decimals++)
		frac *= 10;
	*ret_whole = whole;
	*ret_frac = frac;
	*s = p;
	return 0;
}

int limits_parse_size(const char *s, unsigned long long *ret_bytes)
{
	static const char units[] = "KMGT";
	unsigned long long whole, unit = 1, bytes;
	unsigned frac;
	int r = parse_milli(&s, LIMITS_MEMORY_MAX, &whole, &frac);

	if (r < 0)
		return r;
	for (unsigned i = 0; units[i]; i++)
		if ((*s | 0x20) == (units[i] | 0x20)) {
			unit = 1ULL << (10 * (i + 1));
			s++;
			break;
		}
	if (unit > 1 && (*s | 0x20) == 'b')
		s++;
	else if (unit > 1 && *s == 'i' && (s[1] | 0x20) == 'b')
		s += 2;
	if (*s)
		return -EINVAL;
	if (whole > LIMITS_MEMORY_MAX / unit)
		return -ERANGE;
	bytes = whole * unit + frac * unit / 1000;
	if (bytes > LIMITS_MEMORY_MAX)
		return -ERANGE;
	*ret_bytes = bytes;
	return 0;
}

int limits_parse_cpus(const char *s, unsigned *ret_milli)
{
	unsigned long long whole, milli;
	unsigned frac;
	int r = parse_milli(&s, LIMITS_CPUS_MILLI_MAX / 1000 + 1, &whole, &frac);

	if (r < 0)
		return r;
	milli = whole * 1000 + frac;
	if (*s)
		return -EINVAL;
	if (milli < LIMITS_CPUS_MILLI_MIN || milli > LIMITS_CPUS_MILLI_MAX)
		return -ERANGE;
	*ret_milli = (unsigned)milli;
	return 0;
}

void limits_format_size(unsigned long long bytes, char *buf, size_t len)
{
	static const char units[] = "TGMK";

	for (unsigned i = 0; units[i]; i++) {
		unsigned long long unit = 1ULL << (10 * (4 - i));

		if (bytes && bytes % unit == 0) {
			snprintf(buf, len, "%llu%c", bytes / unit, units[i]);
			return;
		}
	}
	snprintf(buf, len, "%llu", bytes);
}
