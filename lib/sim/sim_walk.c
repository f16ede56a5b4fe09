// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest virtual to physical addresses, as the hypervisor finds them when
 * it must read the instruction that trapped (an MMIO access to decode, an
 * HVC to tell from an undefined instruction): a walk of the guest's EL1&0
 * stage-1 tables.  Unicorn 2.0.1 reads guest memory by physical address
 * only (LINUX-GUEST-NOTES.md, problem 7).  The sim has no stage 2.
 *
 * 4 KiB, 16 KiB and 64 KiB granules; AArch64 long descriptors; 48-bit
 * output addresses.  Permissions are not checked: the core has already
 * executed (or fetched) through this translation.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "sim.h"

#define OA_MASK 0x0000fffffffff000ull

static uint64_t sysreg(uc_engine *uc, unsigned int crn, unsigned int crm,
		       unsigned int op2)
{
	uc_arm64_cp_reg r = { .crn = crn, .crm = crm, .op0 = 3, .op1 = 0,
			      .op2 = op2 };

	uc_reg_read(uc, UC_ARM64_REG_CP_REG, &r);
	return r.val;
}

/* log2 of the granule a TCR_EL1.TG0/TG1 field names, or 0. */
static unsigned int granule(bool upper, unsigned int tg)
{
	if (!upper)
		return tg == 0 ? 12 : tg == 1 ? 16 : tg == 2 ? 14 : 0;
	return tg == 2 ? 12 : tg == 3 ? 16 : tg == 1 ? 14 : 0;
}

int sim_walk_va(uc_engine *uc, uint64_t va, uint64_t *pa)
{
	uint64_t tcr, table;
	unsigned int tsz, g, stride, inputsize, level, bits;
	bool upper = (va >> 55) & 1;

	if (!(sysreg(uc, 1, 0, 0) & 1)) { /* SCTLR_EL1.M: MMU off */
		*pa = va;
		return 0;
	}
	tcr = sysreg(uc, 2, 0, 2);
	if (tcr & (1ull << (upper ? 23 : 7))) /* EPD1 / EPD0 */
		return -EFAULT;
	tsz = upper ? (tcr >> 16) & 0x3f : tcr & 0x3f;
	g = granule(upper, upper ? (tcr >> 30) & 3 : (tcr >> 14) & 3);
	if (!g || tsz < 16 || tsz > 39)
		return -EFAULT;
	inputsize = 64 - tsz;
	/* The other half's addresses are not this table's. */
	if (upper ? (~va >> inputsize) != 0 : (va >> inputsize) != 0)
		return -EFAULT;
	stride = g - 3;
	level = 4 - (inputsize - g + stride - 1) / stride;
	table = (upper ? sysreg(uc, 2, 0, 1) : sysreg(uc, 2, 0, 0)) &
		0x0000fffffffffffeull;

	for (;; level++) {
		unsigned int shift = g + stride * (3 - level);
		uint64_t desc, idx;

		bits = inputsize - shift;
		if (bits > stride)
			bits = stride;
		idx = (va >> shift) & ((1ull << bits) - 1);
		if (uc_mem_read(uc, table + idx * 8, &desc, sizeof(desc)))
			return -EFAULT;
		if (!(desc & 1))
			return -EFAULT;
		if (level == 3 || !(desc & 2)) {
			/* A page (level 3) or a block. */
			if (level == 3 && !(desc & 2))
				return -EFAULT;
			*pa = (desc & OA_MASK & ~((1ull << shift) - 1)) |
			      (va & ((1ull << shift) - 1));
			return 0;
		}
		table = desc & OA_MASK & ~((1ull << g) - 1);
	}
}

/* Are the 4 bytes at pa inside [base, base + size)? */
static bool holds_insn(uint64_t base, uint64_t size, uint64_t pa)
{
	return pa - base < size && size - (pa - base) >= 4;
}

/* Is [pa, pa + 4) in the RAM binding last read, or can it be made so? */
static bool insn_ram_hit(struct sim_hvcpu *hv, uint64_t pa)
{
	struct sim_vm *vm = hv->vm;

	if (holds_insn(hv->insn_ram.guest_addr, hv->insn_ram.size, pa))
		return true;
	pthread_mutex_lock(&vm->lock);
	for (unsigned int i = 0; i < vm->nr_bindings; i++) {
		const struct sim_binding *b = &vm->bindings[i];

		if (holds_insn(b->guest_addr, b->size, pa)) {
			hv->insn_ram.guest_addr = b->guest_addr;
			hv->insn_ram.size = b->size;
			hv->insn_ram.host = (const char *)b->gmem->host +
					    b->offset;
			break;
		}
	}
	pthread_mutex_unlock(&vm->lock);
	return holds_insn(hv->insn_ram.guest_addr, hv->insn_ram.size, pa);
}

int sim_hyp_read_insn(struct sim_hvcpu *hv, uint64_t va, uint32_t *insn)
{
	uint64_t pa = va;
	int ret;

	*insn = 0;
	/* With the MMU off the walk would read SCTLR_EL1 (a hash lookup in
	 * the engine) for nothing: redirect.enabled is its M bit, followed
	 * by the MSR hook (sim_plat.c). */
	if (hv->redirect.enabled && sim_walk_va(hv->uc, va, &pa))
		return -EFAULT;
	if (insn_ram_hit(hv, pa)) {
		/* The guest is little-endian, as is every host the sim
		 * runs on (the engine's own fast path assumes it too). */
		memcpy(insn, hv->insn_ram.host + (pa - hv->insn_ram.guest_addr),
		       sizeof(*insn));
		return 0;
	}
	/* Not RAM (an MMIO gap, a hole): the engine says what is there.
	 * The MMIO gaps' callbacks see this read as the host's, not the
	 * guest's: it must not end the run (sim_plat.c). */
	hv->host_access = true;
	ret = uc_mem_read(hv->uc, pa, insn, sizeof(*insn)) ? -EFAULT : 0;
	hv->host_access = false;
	return ret;
}
