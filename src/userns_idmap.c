/* userns_idmap.c - id maps: built from subordinate ranges (the sandbox's, the
 * holder's parent namespace's), checked, parsed from and formatted for /proc */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "userns.h"
#include "util.h"

static int idmap_add(struct idmap *m, unsigned long inside, unsigned long outside,
		     unsigned long count)
{
	if (count == 0)
		return 0;
	if (m->n > 0) {
		struct idmap_line *last = &m->lines[m->n - 1];
		if (last->inside + last->count == inside && last->outside + last->count == outside) {
			last->count += count;
			return 0;
		}
	}
	if (m->n == IDMAP_MAX_LINES)
		return -E2BIG;
	m->lines[m->n++] = (struct idmap_line){ inside, outside, count };
	return 0;
}

/* The kernel takes a map in one write of less than a page (4096 bytes): drop
 * trailing lines until the text fits. */
static int idmap_trim(struct idmap *m, int r)
{
	size_t len = 0;

	for (size_t i = 0; i < m->n; i++) {
		char line[64];
		size_t n = (size_t)snprintf(line, sizeof(line), "%lu %lu %lu\n", m->lines[i].inside,
					    m->lines[i].outside, m->lines[i].count);
		if (len + n >= IDMAP_MAX_TEXT) {
			m->n = i;
			return -E2BIG;
		}
		len += n;
	}
	return r;
}

int idmap_build(unsigned long host_id, unsigned long inside_id, const struct subid_range *ranges,
		size_t n_ranges, unsigned long span, struct idmap *ret_map)
{
	struct idmap sub = { .n = 0 };
	unsigned long next_inside = 0;
	int r;

	/* The kernel wants the lines of a map sorted by nothing in particular,
	 * but they must not overlap: lay the subordinate ids out first, around
	 * the caller's own inside id, then add the caller's line. */
	for (size_t i = 0; i < n_ranges && next_inside < span; i++) {
		unsigned long out = ranges[i].start;
		unsigned long left = ranges[i].count;

		while (left > 0 && next_inside < span) {
			unsigned long chunk;

			if (next_inside == inside_id) {
				next_inside++;
				continue;
			}
			chunk = left;
			if (next_inside < inside_id && next_inside + chunk > inside_id)
				chunk = inside_id - next_inside;
			if (next_inside + chunk > span)
				chunk = span - next_inside;
			r = idmap_add(&sub, next_inside, out, chunk);
			if (r < 0)
				goto full;
			next_inside += chunk;
			out += chunk;
			left -= chunk;
		}
	}

	r = 0;
full:
	/* Too many lines: keep what fits, the caller says so. */
	ret_map->n = 0;
	idmap_add(ret_map, inside_id, host_id, 1);
	for (size_t i = 0; i < sub.n; i++)
		if (idmap_add(ret_map, sub.lines[i].inside, sub.lines[i].outside,
			      sub.lines[i].count) < 0)
			return idmap_trim(ret_map, -E2BIG);
	return idmap_trim(ret_map, r);
}

int idmap_build_isolated(const struct subid_range *ranges, size_t n_ranges, unsigned long span,
			 struct idmap *ret_map)
{
	unsigned long next_inside = 0;

	ret_map->n = 0;
	for (size_t i = 0; i < n_ranges && next_inside < span; i++) {
		unsigned long chunk = ranges[i].count;
		int r;

		if (chunk > span - next_inside)
			chunk = span - next_inside;
		r = idmap_add(ret_map, next_inside, ranges[i].start, chunk);
		if (r < 0)
			return idmap_trim(ret_map, r);
		next_inside += chunk;
	}
	return idmap_trim(ret_map, 0);
}

static int range_cmp(const void *a, const void *b)
{
	const struct subid_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int idmap_build_identity(unsigned long host_id, const struct subid_range *ranges, size_t n_ranges,
			 struct idmap *ret_map)
{
	_cleanup_free_ struct subid_range *all = xreallocarray(NULL, n_ranges + 1, sizeof(*all));
	size_t n = 0;

	all[n++] = (struct subid_range){ host_id, 1 };
	for (size_t i = 0; i < n_ranges; i++)
		all[n++] = ranges[i];
	qsort(all, n, sizeof(*all), range_cmp);
	ret_map->n = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned long start = all[i].start, end = all[i].start + all[i].count;
		struct idmap_line *last = ret_map->n ? &ret_map->lines[ret_map->n - 1] : NULL;

		/* Overlapping or adjacent ranges (a user's id inside its own
		 * range, say) become one line: the kernel refuses overlaps. */
		if (last && start <= last->inside + last->count) {
			if (end > last->inside + last->count)
				last->count = end - last->inside;
			continue;
		}
		if (ret_map->n == IDMAP_MAX_LINES)
			return idmap_trim(ret_map, -E2BIG);
		ret_map->lines[ret_map->n++] = (struct idmap_line){ start, start, end - start };
	}
	return idmap_trim(ret_map, 0);
}

bool idmap_outside_within(const struct idmap *m, const struct idmap *parent)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct idmap_line *l = &m->lines[i];
		bool inside = false;

		for (size_t j = 0; j < parent->n && !inside; j++) {
			const struct idmap_line *p = &parent->lines[j];
			inside = l->outside >= p->outside &&
				 l->outside + l->count <= p->outside + p->count;
		}
		if (!inside)
			return false;
	}
	return true;
}

unsigned long idmap_count(const struct idmap *m)
{
	unsigned long n = 0;

	for (size_t i = 0; i < m->n; i++)
		n += m->lines[i].count;
	return n;
}

int idmap_parse(const char *text, struct idmap *ret_map)
{
	ret_map->n = 0;
	while (*text) {
		unsigned long v[3];
		char *end;

		for (int k = 0; k < 3; k++) {
			text += strspn(text, " \t");
			errno = 0;
			v[k] = strtoul(text, &end, 10);
			if (end == text || errno)
				return -EINVAL;
			text = end;
		}
		text += strspn(text, " \t");
		if (*text == '\n')
			text++;
		else if (*text)
			return -EINVAL;
		if (ret_map->n == IDMAP_MAX_LINES)
			return -EINVAL;
		ret_map->lines[ret_map->n++] = (struct idmap_line){ v[0], v[1], v[2] };
	}
	return 0;
}

bool idmap_equal(const struct idmap *a, const struct idmap *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->lines[i].inside != b->lines[i].inside ||
		    a->lines[i].outside != b->lines[i].outside ||
		    a->lines[i].count != b->lines[i].count)
			return false;
	return true;
}

bool idmap_covers(const struct idmap *m, unsigned long id)
{
	for (size_t i = 0; i < m->n; i++)
		if (id >= m->lines[i].inside && id - m->lines[i].inside < m->lines[i].count)
			return true;
	return false;
}

size_t idmap_format(const struct idmap *m, char *buf, size_t len)
{
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < m->n; i++) {
		int n = snprintf(buf + used, used < len ? len - used : 0, "%lu %lu %lu\n",
				 m->lines[i].inside, m->lines[i].outside, m->lines[i].count);
		if (n > 0)
			used += (size_t)n;
	}
	return used;
}
