/* limits_parse.h - the arguments of --memory, --memory-swap, --pids and --cpus */
#pragma once

#include <stddef.h>

/* Below this the sandbox's own setup (pid 1, the dynamic loader) cannot run. */
#define LIMITS_MEMORY_MIN (4ULL << 20)
#define LIMITS_MEMORY_MAX (1ULL << 60)
#define LIMITS_PIDS_MAX 4194304UL
/* --cpus in thousandths: 0.01 (cpu.max's 1 ms minimum per 100 ms) to 1024. */
#define LIMITS_CPUS_MILLI_MIN 10U
#define LIMITS_CPUS_MILLI_MAX 1024000U

/**
 * limits_parse_size() - "512M", "1.5G", "65536" (bytes), "4g" into bytes
 * @s:		a number with up to 3 decimals and an optional K, M, G or T
 *		(powers of 1024, either case, an optional trailing B)
 * @ret_bytes:	the size, rounded down to a whole byte
 *
 * Return: 0, or -EINVAL (not a size) / -ERANGE (above LIMITS_MEMORY_MAX)
 */
int limits_parse_size(const char *s, unsigned long long *ret_bytes);

/**
 * limits_parse_cpus() - "0.5", "2", "1.25" into thousandths of a CPU
 * Return: 0, or -EINVAL (not a number, more than 3 decimals) / -ERANGE
 *	   (outside LIMITS_CPUS_MILLI_MIN..LIMITS_CPUS_MILLI_MAX)
 */
int limits_parse_cpus(const char *s, unsigned *ret_milli);

/**
 * limits_format_size() - @bytes the way a user writes it: "512M", "1536M",
 *			  "4G", "100000" (the largest unit that divides it)
 */
void limits_format_size(unsigned long long bytes, char *buf, size_t len);
