/* egress_learned.h - the addresses --allow-net's names resolved to, for as
 *		      long as their answers' TTL
 *
 * The network helper writes (it runs the resolver at 10.0.2.3); the TCP
 * bypass worker reads, from a copy in memory that sbx mapped shared
 * between the two before forking them. The helper records the addresses of
 * an answer before it passes the answer on to the program, so by the time
 * the program can connect() to one, the worker sees it: no message to wait
 * for, nothing to race. Each slot has its own sequence count (odd while it
 * is written), so a reader never takes a half-written slot; an address
 * resolved again for longer keeps its slot and has only its expiry moved,
 * in one atomic store, so a reader never misses it meanwhile (a connect()
 * racing the new answer would be refused). The helper never
 * reads the shared copy (a hostile worker could have written it): it keeps
 * a private one and makes every decision there.
 *
 * The same mapping holds the refused destinations -v has named (struct
 * egress_said), which both write and read, so that one refused through
 * the bypass and through libslirp is named once. It decides nothing: a
 * hostile worker could at most keep the helper's lines from being said.
 */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EGRESS_LEARNED_MAX 4096
#define EGRESS_TTL_MIN_S 10	/* a TTL of 0 still lets the program connect at once */
#define EGRESS_TTL_MAX_S 86400

struct egress_learned_slot {
	_Atomic uint32_t seq;
	uint8_t family; /* 0: empty */
	uint8_t addr[16];
	uint16_t rule; /* the --allow-net rule whose name resolved to it */
	_Atomic int64_t expires_ms; /* moved on its own when only it changes */
};

#define EGRESS_SAID_MAX 64 /* -v's refusal lines, in all */

/**
 * struct egress_said - the refusals -v has named, once each
 * @n:		lines claimed (past EGRESS_SAID_MAX: one more, then none)
 * @keys:	a hash of each destination named
 */
struct egress_said {
	_Atomic uint32_t n;
	_Atomic uint32_t keys[EGRESS_SAID_MAX];
};

/**
 * struct egress_learned - the table (the same layout private and shared)
 * @used:	slots in use are below this index
 * @said:	in the shared copy, what -v has named (see above)
 */
struct egress_learned {
	_Atomic uint32_t used;
	struct egress_learned_slot slot[EGRESS_LEARNED_MAX];
	struct egress_said said;
};

/**
 * egress_learned_new_shared() - a zeroed table in memory shared with the
 *				 processes forked afterwards
 * Return: it, or NULL (then the worker has none and refuses names' addresses)
 */
struct egress_learned *egress_learned_new_shared(void);

/**
 * egress_learned_add() - remember that rule @rule's name resolved to
 *			  @family/@addr until @expires_ms (monotonic_ms()
 *			  time; it is @now_ms), in @priv and, when not NULL, @shared
 *
 * The slot is chosen in @priv alone: the same one of (@addr, @rule), else an
 * expired one, else a new one, else the one expiring first.
 */
void egress_learned_add(struct egress_learned *priv, struct egress_learned *shared, int family,
			const uint8_t *addr, uint16_t rule, int64_t now_ms, int64_t expires_ms);

/**
 * egress_learned_find() - call @fn for each rule under which @family/@addr
 *			   is remembered and not expired at @now_ms, until it
 *			   returns true
 * Return: whether @fn returned true
 */
bool egress_learned_find(const struct egress_learned *t, int family, const uint8_t *addr,
			 int64_t now_ms, bool (*fn)(uint16_t rule, void *opaque), void *opaque);
