// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest physical pages a vCPU's engine has made code from: a set of
 * page numbers (open addressing, linear probing), so that every other
 * RAM page can take guest stores at full speed (sim_quirks.h,
 * sim_quirk_tlb).  Pages are never removed: a page whose code is gone
 * stays on the slow path, which is only slower.  When the set cannot
 * grow it gives up and says every page is code, the engine's own rule.
 */
#include <errno.h>
#include <stdlib.h>

#include "sim.h"

static size_t slot_of(uint64_t page, size_t cap)
{
	/* Fibonacci hashing: neighbouring pages spread out. */
	return (size_t)((page * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

static bool grow(struct sim_code_pages *c)
{
	size_t cap = c->cap ? c->cap * 2 : 1024;
	uint64_t *slot = calloc(cap, sizeof(*slot));

	if (!slot)
		return false;
	for (size_t i = 0; i < c->cap; i++) {
		size_t j;

		if (!c->slot[i])
			continue;
		for (j = slot_of(c->slot[i] - 1, cap); slot[j]; j = (j + 1) & (cap - 1))
			;
		slot[j] = c->slot[i];
	}
	free(c->slot);
	c->slot = slot;
	c->cap = cap;
	return true;
}

bool sim_code_pages_has(const struct sim_code_pages *c, uint64_t pa)
{
	uint64_t key = (pa >> SIM_CODE_PAGE_SHIFT) + 1;

	if (c->all)
		return true;
	if (!c->cap)
		return false;
	for (size_t j = slot_of(key - 1, c->cap); c->slot[j]; j = (j + 1) & (c->cap - 1))
		if (c->slot[j] == key)
			return true;
	return false;
}

bool sim_code_pages_add(struct sim_code_pages *c, uint64_t pa)
{
	uint64_t key = (pa >> SIM_CODE_PAGE_SHIFT) + 1;
	size_t j;

	if (sim_code_pages_has(c, pa))
		return false;
	/* At most half full: probes stay short. */
	if (2 * (c->nr + 1) > c->cap && !grow(c)) {
		c->all = true;
		return true;
	}
	for (j = slot_of(key - 1, c->cap); c->slot[j]; j = (j + 1) & (c->cap - 1))
		;
	c->slot[j] = key;
	c->nr++;
	return true;
}

void sim_code_pages_all(struct sim_code_pages *c)
{
	c->all = true;
}

void sim_code_pages_free(struct sim_code_pages *c)
{
	free(c->slot);
	*c = (struct sim_code_pages){ 0 };
}
