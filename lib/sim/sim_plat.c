// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hypervisor's devices on a vCPU: the GIC's distributor and
 * redistributor frames mapped into the engine (answered synchronously, no
 * exit), the ICC_* and timer system registers behind the MRS/MSR hooks,
 * and the vCPU's IRQ input kept equal to what its CPU interface signals.
 *
 * The IRQ input changes only on the vCPU's own thread: in a register
 * hook (the guest's own access), or before a run (sim_plat_before_run)
 * when another thread marked it dirty (an SPI, an SGI) or a timer
 * deadline passed.  The core takes the interrupt at its next block
 * boundary at which PSTATE.I allows it.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "sim.h"
#include "sim_quirks.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct sim_gic *gic_of(struct sim_hvcpu *hv)
{
	return &hv->vm->gic;
}

/* Timer outputs to PPI levels, the deadline to the ticker. */
static void timers_sync(struct sim_hvcpu *hv)
{
	struct sim_vm *vm = hv->vm;
	unsigned int lines = sim_timer_lines(&hv->timers, vm->time_base_ns);
	uint64_t dl = sim_timer_deadline_ns(&hv->timers, vm->time_base_ns);

	sim_gic_set_level(gic_of(hv), hv->id, GH_SIM_INTID_VTIMER, lines & 1);
	sim_gic_set_level(gic_of(hv), hv->id, GH_SIM_INTID_PTIMER, lines & 2);
	if (dl != atomic_load_explicit(&hv->deadline_ns, memory_order_relaxed)) {
		atomic_store(&hv->deadline_ns, dl);
		sim_vm_deadline_changed(vm, dl);
	}
}

static void line_sync(struct sim_hvcpu *hv)
{
	bool line = sim_gic_update(gic_of(hv), hv->id);

	if (line != hv->irq_line) {
		hv->irq_line = line;
		sim_quirk_irq_line(hv->uc, line);
	}
}

void sim_plat_before_run(struct sim_hvcpu *hv)
{
	uint64_t dl = atomic_load_explicit(&hv->deadline_ns, memory_order_relaxed);
	bool dirty = atomic_load_explicit(&hv->irq_dirty, memory_order_relaxed);

	if (!atomic_load_explicit(&hv->vm->gic_ready, memory_order_relaxed))
		return;
	if (!dirty && (dl == UINT64_MAX || mono_ns() < dl))
		return;
	atomic_store(&hv->irq_dirty, false);
	timers_sync(hv);
	line_sync(hv);
}

bool sim_plat_wfi_wakes(struct sim_hvcpu *hv)
{
	if (!atomic_load_explicit(&hv->vm->gic_ready, memory_order_relaxed))
		return false;
	timers_sync(hv);
	line_sync(hv);
	return hv->irq_line;
}

/* ---- the GIC's frames ------------------------------------------------------------ */

static uint64_t gicd_read(uc_engine *uc, uint64_t off, unsigned size, void *data)
{
	(void)uc;
	return sim_gicd_read(gic_of(data), off, size);
}

static void gicd_write(uc_engine *uc, uint64_t off, unsigned size,
		       uint64_t val, void *data)
{
	(void)uc;
	sim_gicd_write(gic_of(data), off, size, val);
	line_sync(data);
}

static uint64_t gicr_read(uc_engine *uc, uint64_t off, unsigned size, void *data)
{
	(void)uc;
	return sim_gicr_read(gic_of(data), off, size);
}

static void gicr_write(uc_engine *uc, uint64_t off, unsigned size,
		       uint64_t val, void *data)
{
	(void)uc;
	sim_gicr_write(gic_of(data), off, size, val);
	line_sync(data);
}

/* ---- system registers ---------------------------------------------------------------- */

/* The ICC_* registers are not the core's: step over the instruction. */
static void skip_insn(uc_engine *uc)
{
	uint64_t pc;

	uc_reg_read(uc, UC_ARM64_REG_PC, &pc);
	pc += 4;
	uc_reg_write(uc, UC_ARM64_REG_PC, &pc);
}

bool sim_plat_mrs(struct sim_hvcpu *hv, uc_arm64_reg reg,
		  const uc_arm64_cp_reg *cp)
{
	uint64_t v;

	if (cp->op0 != 3 || !atomic_load_explicit(&hv->vm->gic_ready,
						  memory_order_relaxed))
		return false;
	if (sim_gic_is_icc(cp->op1, cp->crn, cp->crm, cp->op2)) {
		v = sim_gic_icc_read(gic_of(hv), hv->id, cp->op1, cp->crn,
				     cp->crm, cp->op2);
		if (reg != UC_ARM64_REG_XZR)
			uc_reg_write(hv->uc, reg, &v);
		line_sync(hv); /* an acknowledge drops the line */
		skip_insn(hv->uc);
		return true;
	}
	if (sim_timer_is_reg(cp->op1, cp->crn, cp->crm, cp->op2)) {
		v = sim_timer_read(&hv->timers, hv->vm->time_base_ns, cp->op1,
				   cp->crn, cp->crm, cp->op2);
		if (reg != UC_ARM64_REG_XZR)
			uc_reg_write(hv->uc, reg, &v);
		return true;
	}
	return false;
}

static uint32_t hook_msr(uc_engine *uc, uc_arm64_reg reg,
			 const uc_arm64_cp_reg *cp, void *data)
{
	struct sim_hvcpu *hv = data;

	(void)uc;
	(void)reg;
	/*
	 * SCTLR_EL1: the guest turns its MMU on or off in the middle of a
	 * run, and from its next access on the engine's address check sees
	 * virtual addresses (or physical ones again): the redirect follows
	 * at once, not at the next entry (a kernel's first store through a
	 * virtual address can come before any exit).
	 */
	if (cp->op0 == 3 && cp->op1 == 0 && cp->crn == 1 && cp->crm == 0 &&
	    cp->op2 == 0)
		hv->redirect.enabled = cp->val & 1;
	if (cp->op0 != 3 || !atomic_load_explicit(&hv->vm->gic_ready,
						  memory_order_relaxed))
		return 0;
	if (sim_gic_is_icc(cp->op1, cp->crn, cp->crm, cp->op2)) {
		sim_gic_icc_write(gic_of(hv), hv->id, cp->op1, cp->crn, cp->crm,
				  cp->op2, cp->val);
		line_sync(hv);
		skip_insn(hv->uc);
		return 1;
	}
	if (sim_timer_is_reg(cp->op1, cp->crn, cp->crm, cp->op2)) {
		sim_timer_write(&hv->timers, hv->vm->time_base_ns, cp->op1,
				cp->crn, cp->crm, cp->op2, cp->val);
		timers_sync(hv);
		line_sync(hv);
		return 1;
	}
	return 0;
}

int sim_plat_vcpu_init(struct sim_hvcpu *hv, uc_hook *msr_hook)
{
	struct sim_vm *vm = hv->vm;
	uc_err err;

	atomic_init(&hv->deadline_ns, UINT64_MAX);
	err = uc_mmio_map(hv->uc, GH_SIM_GICD_BASE, GH_SIM_GICD_SIZE, gicd_read,
			  hv, gicd_write, hv);
	if (!err)
		err = uc_mmio_map(hv->uc, GH_SIM_GICR_BASE,
				  GH_SIM_GICR_STRIDE * vm->gic.nr_cpus,
				  gicr_read, hv, gicr_write, hv);
	if (!err)
		err = uc_hook_add(hv->uc, msr_hook, UC_HOOK_INSN, hook_msr, hv,
				  1, 0, UC_ARM64_INS_MSR);
	return err ? -ENOMEM : 0;
}

/* Another thread changed this vCPU's interrupts: look at them soon. */
void sim_plat_kick(void *ctx, unsigned int cpu)
{
	struct sim_hvcpu *hv = sim_vm_hvcpu(ctx, cpu);

	if (!hv)
		return;
	atomic_store(&hv->irq_dirty, true);
	sim_hyp_notify(hv);
}

/* ---- addresses with nothing behind them ------------------------------------------ */


static void gap_access(struct sim_gap *g, uint64_t off, unsigned int size,
		       bool write, uint64_t val)
{
	struct sim_hvcpu *hv = g->hv;
	uint64_t pa = g->base + off;

	if (hv->host_access)
		return; /* reads as 0, the run goes on */

	hv->ev_addr = pa;
	hv->ev_len = size;
	hv->ev_write = write;
	hv->ev_data = write ? val : 0;
	hv->ev_fetch = false;
	hv->ev_split = true;
	/* A fetch from here never comes: the region is not executable
	 * (UC_ERR_FETCH_PROT). */
	hv->event = SIM_EV_MMIO;
	/* Ends the run on the access; returns only if no guest code made
	 * it (never: the window is not executable). */
	sim_quirk_access_exit(hv->uc);
	hv->event = SIM_EV_LOST_PC;
	uc_emu_stop(hv->uc);
}

static uint64_t gap_read(uc_engine *uc, uint64_t off, unsigned size, void *data)
{
	(void)uc;
	gap_access(data, off, size, false, 0);
	return 0;
}

static void gap_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t val,
		      void *data)
{
	(void)uc;
	gap_access(data, off, size, true, val);
}

struct span {
	uint64_t base, end;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

/*
 * The gaps are the device area below the lowest RAM (where a VMM puts its
 * devices, as on QEMU's virt board), less the page-fault regions (their
 * faults come through the unmapped hook) and the GIC.  Above it, an
 * access with nothing behind it is reported by the engine's unmapped
 * hook, which sees physical addresses only while the guest's MMU is off.
 * Unmapping a large MMIO region costs the engine a loop over its pages:
 * gaps are only changed when they no longer match.
 */
static bool gap_mapped(const struct sim_hvcpu *hv, uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < hv->nr_gaps; i++)
		if (hv->gaps[i].base == base && hv->gaps[i].size == size)
			return true;
	return false;
}

int sim_plat_map_gaps(struct sim_hvcpu *hv)
{
	struct sim_vm *vm = hv->vm;
	struct span used[SIM_MAX_BINDINGS + SIM_MAX_PF_REGIONS + 2];
	struct span want[sizeof(hv->gaps) / sizeof(hv->gaps[0])];
	unsigned int n = 0, nw = 0, keep = 0;
	uint64_t at = 0, limit = UINT64_MAX;
	int ret = 0;

	hv->redirect.nr = 0;
	for (unsigned int i = 0; i < vm->nr_bindings; i++) {
		const struct sim_binding *b = &vm->bindings[i];

		used[n++] = (struct span){ b->guest_addr, b->guest_addr + b->size };
		if (hv->redirect.nr < SIM_QUIRK_REDIRECT_RANGES)
			hv->redirect.phys[hv->redirect.nr++] =
				(struct sim_quirk_range){ b->guest_addr, b->size };
		if (b->guest_addr < limit) {
			limit = b->guest_addr;
			hv->redirect.fallback = b->guest_addr;
		}
	}
	if (limit == UINT64_MAX)
		limit = 0;
	for (unsigned int i = 0; i < vm->nr_pf_regions; i++)
		used[n++] = (struct span){ vm->pf_regions[i].addr,
					   vm->pf_regions[i].addr +
						   vm->pf_regions[i].size };
	used[n++] = (struct span){ GH_SIM_GICD_BASE,
				   GH_SIM_GICD_BASE + GH_SIM_GICD_SIZE };
	used[n++] = (struct span){ GH_SIM_GICR_BASE,
				   GH_SIM_GICR_BASE +
					   GH_SIM_GICR_STRIDE * vm->gic.nr_cpus };
	qsort(used, n, sizeof(used[0]), span_cmp);

	for (unsigned int i = 0; i <= n && at < limit; i++) {
		uint64_t end = i < n && used[i].base < limit ? used[i].base : limit;

		if (end > at && nw < sizeof(want) / sizeof(want[0]))
			want[nw++] = (struct span){ at, end };
		if (i < n && used[i].end > at)
			at = used[i].end;
	}

	/* Drop the gaps that are no longer wanted, map the new ones. */
	for (unsigned int i = 0; i < hv->nr_gaps; i++) {
		bool wanted = false;

		for (unsigned int j = 0; j < nw; j++)
			if (want[j].base == hv->gaps[i].base &&
			    want[j].end - want[j].base == hv->gaps[i].size)
				wanted = true;
		if (wanted)
			hv->gaps[keep++] = hv->gaps[i];
		else
			uc_mem_unmap(hv->uc, hv->gaps[i].base, hv->gaps[i].size);
	}
	hv->nr_gaps = keep;
	for (unsigned int j = 0; j < nw; j++) {
		struct sim_gap *g;

		if (gap_mapped(hv, want[j].base, want[j].end - want[j].base))
			continue;
		g = &hv->gaps[hv->nr_gaps];
		*g = (struct sim_gap){ hv, want[j].base, want[j].end - want[j].base };
		if (uc_mmio_map(hv->uc, g->base, g->size, gap_read, g, gap_write, g))
			ret = -ENOMEM;
		else
			hv->nr_gaps++;
	}
	return ret;
}
