/* egress_learned.c - the addresses --allow-net's names resolved to (see the
 *		      header for who writes and who reads)
 */
#include "autoconf.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "egress_learned.h"

struct egress_learned *egress_learned_new_shared(void)
{
	void *p = mmap(NULL, sizeof(struct egress_learned), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static size_t pick_slot(const struct egress_learned *t, int family, const uint8_t *addr,
			uint16_t rule, int64_t now_ms)
{
	uint32_t used = atomic_load_explicit(&t->used, memory_order_relaxed);
	size_t expired = SIZE_MAX, soonest = 0;

	for (size_t i = 0; i < used; i++) {
		const struct egress_learned_slot *s = &t->slot[i];
		int64_t expires = atomic_load_explicit(&s->expires_ms, memory_order_relaxed);

		if (s->family == family && s->rule == rule &&
		    memcmp(s->addr, addr, addr_len(family)) == 0)
			return i;
		if (expired == SIZE_MAX && expires <= now_ms)
			expired = i;
		if (expires < atomic_load_explicit(&t->slot[soonest].expires_ms, memory_order_relaxed))
			soonest = i;
	}
	if (expired != SIZE_MAX)
		return expired;
	return used < EGRESS_LEARNED_MAX ? used : soonest;
}

static void write_slot(struct egress_learned *t, size_t i, int family, const uint8_t *addr,
		       uint16_t rule, int64_t expires_ms)
{
	struct egress_learned_slot *s = &t->slot[i];
	uint32_t seq = atomic_load_explicit(&s->seq, memory_order_relaxed);

	atomic_store_explicit(&s->seq, seq + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	s->family = (uint8_t)family;
	memset(s->addr, 0, sizeof(s->addr));
	memcpy(s->addr, addr, addr_len(family));
	s->rule = rule;
	atomic_store_explicit(&s->expires_ms, expires_ms, memory_order_relaxed);
	atomic_store_explicit(&s->seq, seq + 2, memory_order_release);
	if (i >= atomic_load_explicit(&t->used, memory_order_relaxed))
		atomic_store_explicit(&t->used, (uint32_t)i + 1, memory_order_release);
}

void egress_learned_add(struct egress_learned *priv, struct egress_learned *shared, int family,
			const uint8_t *addr, uint16_t rule, int64_t now_ms, int64_t expires_ms)
{
	/* Decided on the private copy only: the shared one may be anything. */
	size_t i = pick_slot(priv, family, addr, rule, now_ms);
	const struct egress_learned_slot *s = &priv->slot[i];

	if (s->family == family && s->rule == rule && memcmp(s->addr, addr, addr_len(family)) == 0) {
		/* The same address under the same rule: only its expiry may
		 * move, and it does so in place, the slot staying readable
		 * throughout (a rewrite would hide it from the worker for a
		 * moment). The shared slot is the same one, written by us. */
		if (atomic_load_explicit(&s->expires_ms, memory_order_relaxed) >= expires_ms)
			return; /* already known for longer */
		atomic_store_explicit(&priv->slot[i].expires_ms, expires_ms, memory_order_relaxed);
		if (shared)
			atomic_store_explicit(&shared->slot[i].expires_ms, expires_ms,
					      memory_order_release);
		return;
	}
	write_slot(priv, i, family, addr, rule, expires_ms);
	if (shared)
		write_slot(shared, i, family, addr, rule, expires_ms);
}

bool egress_learned_find(const struct egress_learned *t, int family, const uint8_t *addr,
			 int64_t now_ms, bool (*fn)(uint16_t rule, void *opaque), void *opaque)
{
	uint32_t used = atomic_load_explicit(&t->used, memory_order_acquire);
	size_t len = addr_len(family);

	if (used > EGRESS_LEARNED_MAX)
		used = EGRESS_LEARNED_MAX;
	for (size_t i = 0; i < used; i++) {
		const struct egress_learned_slot *s = &t->slot[i];
		uint32_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
		uint8_t a[16];
		int64_t expires;
		uint16_t rule;
		int fam;

		if (seq & 1)
			continue;
		fam = s->family;
		memcpy(a, s->addr, sizeof(a));
		expires = atomic_load_explicit(&s->expires_ms, memory_order_relaxed);
		rule = s->rule;
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&s->seq, memory_order_relaxed) != seq)
			continue;
		if (fam == family && expires > now_ms && memcmp(a, addr, len) == 0 && fn(rule, opaque))
			return true;
	}
	return false;
}
