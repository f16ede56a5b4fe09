// SPDX-License-Identifier: GPL-2.0-only
/*
 * A boot context for the GH_* flavour, which has none.  Its resource
 * manager starts the boot vCPU at the base of the memory region that holds
 * the DTB, with x0 = the DTB (android14-6.1 vm_mgr.c hands the RM the DTB's
 * parcel and offset, image offset 0).  So the registers a caller asked for
 * are set by code placed there: a region of its own just above the highest
 * guest memory, laid out as
 *
 *   +0                  LDR Xn, =value for each register set, SP_EL1 through
 *                       the scratch register, then BR to the PC
 *   +0x800              the literal pool
 *   +GH_BOOT_STUB_CODE  a copy of the DTB, which the driver is pointed at
 *
 * x0 keeps the caller's DTB address unless x0 was set: the guest sees what
 * it would see with a boot context.  The scratch register (the highest
 * one not set) ends up holding the PC.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "gunyah.h"

#define LITERALS 0x800u
#define INSN_LDR_LIT(rt, imm19) (0x58000000u | ((uint32_t)(imm19) << 5) | (rt))
#define INSN_MOV_SP(rn) (0x91000000u | ((uint32_t)(rn) << 5) | 31u)
#define INSN_BR(rn) (0xd61f0000u | ((uint32_t)(rn) << 5))

static uint64_t page_round(uint64_t v)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t p = pg > 0 ? (uint64_t)pg : 4096;

	return (v + p - 1) / p * p;
}

uint64_t gh_boot_stub_size(uint64_t dtb_size)
{
	return page_round(GH_BOOT_STUB_CODE + dtb_size);
}

struct stub {
	uint32_t *code;
	uint64_t *lit;
	unsigned int n_code, n_lit;
};

/* LDR Xrt, =value: the literal at LITERALS + 8 * n_lit. */
static void load(struct stub *s, unsigned int rt, uint64_t value)
{
	uint32_t insn_off = 4 * s->n_code;
	uint32_t lit_off = LITERALS + 8 * s->n_lit;

	s->lit[s->n_lit++] = value;
	s->code[s->n_code++] = INSN_LDR_LIT(rt, (lit_off - insn_off) / 4);
}

/* Above every region, so it takes no guest address a caller chose. */
uint64_t gh_boot_stub_base(const struct gh_vm *vm)
{
	uint64_t top = 0;

	for (unsigned int i = 0; i < vm->nr_regions; i++) {
		uint64_t end = vm->regions[i].guest_addr + vm->regions[i].size;

		if (end > top)
			top = end;
	}
	return page_round(top);
}

int gh_boot_stub_scratch(const struct gh_boot_state *b)
{
	if (!b->dtb_set)
		return -EINVAL; /* the GH_* driver cannot start without one */
	for (int r = 30; r >= 0; r--)
		if (!(b->x_set & (1u << r)))
			return r;
	return -ENOSPC; /* all 31 set: nothing left to branch through */
}

void gh_boot_stub_build(const struct gh_vm *vm, unsigned int scratch,
			const void *dtb, void *host)
{
	const struct gh_boot_state *b = &vm->boot;
	struct stub s = { .code = host,
			  .lit = (uint64_t *)((char *)host + LITERALS) };

	if (b->sp_set) {
		load(&s, scratch, b->sp_el1);
		s.code[s.n_code++] = INSN_MOV_SP(scratch);
	}
	if (!(b->x_set & 1u))
		load(&s, 0, b->dtb_addr); /* what the RM would have given */
	for (unsigned int r = 0; r < 31; r++)
		if (b->x_set & (1u << r))
			load(&s, r, b->x[r]);
	load(&s, scratch, b->pc_set ? b->pc : vm->regions[0].guest_addr);
	s.code[s.n_code++] = INSN_BR(scratch);
	if (dtb)
		memcpy((char *)host + GH_BOOT_STUB_CODE, dtb, b->dtb_size);
}
