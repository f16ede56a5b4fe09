// SPDX-License-Identifier: GPL-2.0-only
/*
 * A GICv3 as the hypervisor gives it to a VM: one security state
 * (GICD_CTLR.DS = 1, affinity routing always on), a distributor for the
 * SPIs, one redistributor per vCPU for its SGIs and PPIs, and the CPU
 * interface as ICC_*_EL1 system registers.  No LPIs, no ITS.
 *
 * Group 1 interrupts are signalled as IRQs.  Group 0 ones can be
 * acknowledged through ICC_IAR0_EL1 but are never signalled (they would be
 * FIQs, which no guest of a hypervisor expects).
 *
 * Priorities have 5 bits (0x00, 0x08, ... 0xf8); preemption compares whole
 * priorities (BPR is stored, not applied).
 */
#include <string.h>

#include "sim_gic.h"

#define GICD_CTLR_GRP0 (1u << 0)
#define GICD_CTLR_GRP1 (1u << 1)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_DS (1u << 6)
#define PIDR2_GICV3 0x3bu
#define GIC_IIDR 0x0100043bu /* ARM as implementer; a sim, product 1 */
#define GICR_WAKER_PSLEEP (1u << 1)
#define GICR_WAKER_CASLEEP (1u << 2)
#define SGI_BASE 0x10000u

/* ---- state helpers (gic->lock held) --------------------------------------- */

static struct sim_gic_irq *irq_of(struct sim_gic *gic, unsigned int cpu,
				  unsigned int intid)
{
	if (intid < 32)
		return cpu < gic->nr_cpus ? &gic->cpu[cpu].priv[intid] : NULL;
	if (intid < SIM_GIC_NR_IRQS)
		return &gic->spi[intid - 32];
	return NULL;
}

static bool is_pending(const struct sim_gic_irq *irq)
{
	return irq->pending || (irq->level && !irq->edge);
}

/* The vCPU an SPI goes to, or -1. */
static int spi_target(const struct sim_gic *gic, unsigned int spi)
{
	uint64_t r = gic->irouter[spi];

	if (r & (1ull << 31))
		return 0; /* 1-of-N: the first vCPU takes it */
	if ((r & ~0xffull) & 0xff00ffff00ull)
		return -1;
	return (r & 0xff) < gic->nr_cpus ? (int)(r & 0xff) : -1;
}

static void touch(struct sim_gic *gic, uint64_t *dirty, int cpu)
{
	(void)gic;
	if (cpu >= 0 && cpu < 64)
		*dirty |= 1ull << cpu;
}

/* An SPI's change concerns its target; an SGI/PPI's its own vCPU. */
static void touch_irq(struct sim_gic *gic, uint64_t *dirty, unsigned int cpu,
		      unsigned int intid)
{
	touch(gic, dirty, intid < 32 ? (int)cpu : spi_target(gic, intid - 32));
}

static void flush_kicks(struct sim_gic *gic, uint64_t dirty)
{
	for (unsigned int c = 0; dirty && c < gic->nr_cpus; c++, dirty >>= 1)
		if ((dirty & 1) && gic->kick)
			gic->kick(gic->kick_ctx, c);
}

static bool group_enabled(const struct sim_gic *gic, const struct sim_gic_cpu *c,
			  bool group1)
{
	if (group1)
		return (gic->ctlr & GICD_CTLR_GRP1) && c->grpen1;
	return (gic->ctlr & GICD_CTLR_GRP0) && c->grpen0;
}

/*
 * The highest-priority pending interrupt of `group1`'s group for `cpu`
 * (lowest priority value, then lowest INTID), or SPURIOUS.  `masked`
 * applies the priority mask and the running priority.
 */
static unsigned int best_pending(struct sim_gic *gic, unsigned int cpu,
				 bool group1, bool masked)
{
	struct sim_gic_cpu *c = &gic->cpu[cpu];
	unsigned int best = SIM_GIC_SPURIOUS;
	unsigned int best_prio = 0x100;
	unsigned int limit = 0x100;

	if (!group_enabled(gic, c, group1))
		return SIM_GIC_SPURIOUS;
	if (masked) {
		unsigned int rp = SIM_GIC_IDLE_PRIO + 1u;

		for (unsigned int i = 0; i < c->nr_active; i++) {
			const struct sim_gic_irq *a =
				irq_of(gic, cpu, c->active[i]);

			if (a && a->prio < rp)
				rp = a->prio;
		}
		limit = c->pmr < rp ? c->pmr : rp;
	}
	for (unsigned int id = 0; id < SIM_GIC_NR_IRQS; id++) {
		const struct sim_gic_irq *irq = irq_of(gic, cpu, id);

		if (id >= 32 && spi_target(gic, id - 32) != (int)cpu)
			continue;
		if (!irq->enabled || irq->active || !is_pending(irq) ||
		    irq->group1 != group1)
			continue;
		if (irq->prio < best_prio && irq->prio < limit) {
			best = id;
			best_prio = irq->prio;
		}
	}
	return best;
}

/* ---- sources ----------------------------------------------------------------- */

static void set_level_locked(struct sim_gic *gic, unsigned int cpu,
			     unsigned int intid, bool level, uint64_t *dirty)
{
	struct sim_gic_irq *irq = irq_of(gic, cpu, intid);

	if (!irq || irq->level == level)
		return;
	/* An edge-triggered interrupt latches a rising edge. */
	if (level && irq->edge)
		irq->pending = true;
	irq->level = level;
	touch_irq(gic, dirty, cpu, intid);
}

void sim_gic_set_level(struct sim_gic *gic, unsigned int cpu,
		       unsigned int intid, bool level)
{
	uint64_t dirty = 0;

	pthread_mutex_lock(&gic->lock);
	set_level_locked(gic, cpu, intid, level, &dirty);
	pthread_mutex_unlock(&gic->lock);
	flush_kicks(gic, dirty);
}

void sim_gic_set_pending(struct sim_gic *gic, unsigned int cpu,
			 unsigned int intid)
{
	struct sim_gic_irq *irq;
	uint64_t dirty = 0;

	pthread_mutex_lock(&gic->lock);
	irq = irq_of(gic, cpu, intid);
	if (irq && !irq->pending) {
		irq->pending = true;
		touch_irq(gic, &dirty, cpu, intid);
	}
	pthread_mutex_unlock(&gic->lock);
	flush_kicks(gic, dirty);
}

void sim_gic_irqfd_raise(struct sim_gic *gic, unsigned int intid, bool level)
{
	struct sim_gic_irq *irq;
	uint64_t dirty = 0;

	if (intid < 32)
		return;
	pthread_mutex_lock(&gic->lock);
	irq = irq_of(gic, 0, intid);
	if (irq) {
		if (level) {
			irq->ack_clears = true;
			set_level_locked(gic, 0, intid, true, &dirty);
		} else {
			irq->ack_clears = false;
			irq->pending = true;
			touch_irq(gic, &dirty, 0, intid);
		}
	}
	pthread_mutex_unlock(&gic->lock);
	flush_kicks(gic, dirty);
}

bool sim_gic_update(struct sim_gic *gic, unsigned int cpu)
{
	bool line;

	if (cpu >= gic->nr_cpus)
		return false;
	pthread_mutex_lock(&gic->lock);
	line = best_pending(gic, cpu, true, true) != SIM_GIC_SPURIOUS;
	gic->cpu[cpu].line = line;
	pthread_mutex_unlock(&gic->lock);
	return line;
}

bool sim_gic_wakes(struct sim_gic *gic, unsigned int cpu)
{
	bool wake;

	if (cpu >= gic->nr_cpus)
		return false;
	pthread_mutex_lock(&gic->lock);
	wake = best_pending(gic, cpu, true, true) != SIM_GIC_SPURIOUS;
	pthread_mutex_unlock(&gic->lock);
	return wake;
}

/* ---- the bank registers shared by GICD and GICR (32 interrupts a word) ---- */

enum bank_reg {
	BANK_GROUP,
	BANK_SET_ENABLE,
	BANK_CLEAR_ENABLE,
	BANK_SET_PENDING,
	BANK_CLEAR_PENDING,
	BANK_SET_ACTIVE,
	BANK_CLEAR_ACTIVE,
};

static uint32_t bank_read(struct sim_gic *gic, unsigned int cpu,
			  unsigned int first, enum bank_reg r)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < 32; i++) {
		const struct sim_gic_irq *irq = irq_of(gic, cpu, first + i);
		bool bit = false;

		if (!irq)
			break;
		switch (r) {
		case BANK_GROUP:
			bit = irq->group1;
			break;
		case BANK_SET_ENABLE:
		case BANK_CLEAR_ENABLE:
			bit = irq->enabled;
			break;
		case BANK_SET_PENDING:
		case BANK_CLEAR_PENDING:
			bit = is_pending(irq);
			break;
		case BANK_SET_ACTIVE:
		case BANK_CLEAR_ACTIVE:
			bit = irq->active;
			break;
		}
		v |= (uint32_t)bit << i;
	}
	return v;
}

static void bank_write(struct sim_gic *gic, unsigned int cpu,
		       unsigned int first, enum bank_reg r, uint32_t v,
		       uint64_t *dirty)
{
	for (unsigned int i = 0; i < 32; i++) {
		struct sim_gic_irq *irq = irq_of(gic, cpu, first + i);
		bool bit = (v >> i) & 1;

		if (!irq)
			break;
		if (r != BANK_GROUP && !bit)
			continue;
		switch (r) {
		case BANK_GROUP:
			irq->group1 = bit;
			break;
		case BANK_SET_ENABLE:
			irq->enabled = true;
			break;
		case BANK_CLEAR_ENABLE:
			irq->enabled = false;
			break;
		case BANK_SET_PENDING:
			irq->pending = true;
			break;
		case BANK_CLEAR_PENDING:
			irq->pending = false;
			break;
		case BANK_SET_ACTIVE:
			irq->active = true;
			break;
		case BANK_CLEAR_ACTIVE:
			irq->active = false;
			break;
		}
		touch_irq(gic, dirty, cpu, first + i);
	}
}

/* Offsets 0x080..0x3ff: which bank register, which interrupts. */
static bool bank_decode(uint64_t off, enum bank_reg *r, unsigned int *first)
{
	static const enum bank_reg regs[] = {
		BANK_GROUP, BANK_SET_ENABLE, BANK_CLEAR_ENABLE,
		BANK_SET_PENDING, BANK_CLEAR_PENDING, BANK_SET_ACTIVE,
		BANK_CLEAR_ACTIVE,
	};

	if (off < 0x80 || off >= 0x400 || (off & 3))
		return false;
	*r = regs[(off - 0x80) / 0x80];
	*first = (unsigned int)((off & 0x7f) / 4) * 32;
	return true;
}

/* IPRIORITYR bytes and ICFGR pairs, for one interrupt range. */
static uint64_t prio_read(struct sim_gic *gic, unsigned int cpu,
			  unsigned int first, unsigned int size)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < size; i++) {
		const struct sim_gic_irq *irq = irq_of(gic, cpu, first + i);

		if (irq)
			v |= (uint64_t)irq->prio << (8 * i);
	}
	return v;
}

static void prio_write(struct sim_gic *gic, unsigned int cpu,
		       unsigned int first, unsigned int size, uint64_t v,
		       uint64_t *dirty)
{
	for (unsigned int i = 0; i < size; i++) {
		struct sim_gic_irq *irq = irq_of(gic, cpu, first + i);

		if (!irq)
			continue;
		irq->prio = (uint8_t)(v >> (8 * i)) & SIM_GIC_PRIO_MASK;
		touch_irq(gic, dirty, cpu, first + i);
	}
}

static uint32_t cfg_read(struct sim_gic *gic, unsigned int cpu,
			 unsigned int first)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < 16; i++) {
		const struct sim_gic_irq *irq = irq_of(gic, cpu, first + i);

		if (irq && irq->edge)
			v |= 2u << (2 * i);
	}
	return v;
}

static void cfg_write(struct sim_gic *gic, unsigned int cpu,
		      unsigned int first, uint32_t v)
{
	for (unsigned int i = 0; i < 16; i++) {
		struct sim_gic_irq *irq = irq_of(gic, cpu, first + i);

		/* SGIs are always edge-triggered. */
		if (irq && first + i >= 16)
			irq->edge = (v >> (2 * i + 1)) & 1;
	}
}

/* ---- GICD --------------------------------------------------------------------- */

static uint64_t gicd_read_locked(struct sim_gic *gic, uint64_t off,
				 unsigned int size)
{
	enum bank_reg r;
	unsigned int first;

	if (off >= 0x6100 && off < 0x6100 + 8 * GH_SIM_GIC_NR_SPIS) {
		uint64_t v = gic->irouter[(off - 0x6100) / 8];

		return (off & 4) ? v >> 32 : v;
	}
	if (off >= 0x400 && off < 0x400 + SIM_GIC_NR_IRQS)
		return off < 0x420 ? 0 : prio_read(gic, 0, (unsigned int)(off - 0x400), size);
	if (off >= 0xc00 && off < 0xc00 + SIM_GIC_NR_IRQS / 4)
		return off < 0xc08 ? 0 : cfg_read(gic, 0, (unsigned int)(off - 0xc00) * 4);
	if (bank_decode(off, &r, &first))
		return first < 32 ? 0 : bank_read(gic, 0, first, r);

	switch (off) {
	case 0x0000:
		return gic->ctlr | GICD_CTLR_ARE | GICD_CTLR_DS;
	case 0x0004: /* TYPER: ITLinesNumber, 10 INTID bits */
		return (SIM_GIC_NR_IRQS / 32 - 1) | (9u << 19);
	case 0x0008:
		return GIC_IIDR;
	case 0xffe8:
		return PIDR2_GICV3;
	default:
		return 0; /* reserved and unimplemented: RAZ */
	}
}

uint64_t sim_gicd_read(struct sim_gic *gic, uint64_t off, unsigned int size)
{
	uint64_t v;

	pthread_mutex_lock(&gic->lock);
	v = gicd_read_locked(gic, off, size);
	pthread_mutex_unlock(&gic->lock);
	return v;
}

void sim_gicd_write(struct sim_gic *gic, uint64_t off, unsigned int size,
		    uint64_t val)
{
	uint64_t dirty = 0;
	enum bank_reg r;
	unsigned int first;

	pthread_mutex_lock(&gic->lock);
	if (off >= 0x6100 && off < 0x6100 + 8 * GH_SIM_GIC_NR_SPIS) {
		unsigned int spi = (unsigned int)(off - 0x6100) / 8;
		uint64_t *ro = &gic->irouter[spi];

		touch(gic, &dirty, spi_target(gic, spi));
		if (size == 8)
			*ro = val;
		else if (off & 4)
			*ro = (*ro & 0xffffffffull) | (val << 32);
		else
			*ro = (*ro & ~0xffffffffull) | (val & 0xffffffffull);
		*ro &= 0xff000000ffffffffull & ~0x7f000000ull;
		touch(gic, &dirty, spi_target(gic, spi));
	} else if (off >= 0x420 && off < 0x400 + SIM_GIC_NR_IRQS) {
		prio_write(gic, 0, (unsigned int)(off - 0x400), size, val, &dirty);
	} else if (off >= 0xc08 && off < 0xc00 + SIM_GIC_NR_IRQS / 4) {
		cfg_write(gic, 0, (unsigned int)(off - 0xc00) * 4, (uint32_t)val);
	} else if (bank_decode(off, &r, &first)) {
		if (first >= 32)
			bank_write(gic, 0, first, r, (uint32_t)val, &dirty);
	} else if (off == 0) {
		gic->ctlr = (uint32_t)val & (GICD_CTLR_GRP0 | GICD_CTLR_GRP1);
		dirty = ~0ull;
	}
	pthread_mutex_unlock(&gic->lock);
	flush_kicks(gic, dirty);
}

/* ---- GICR ------------------------------------------------------------------------ */

uint64_t sim_gicr_read(struct sim_gic *gic, uint64_t off, unsigned int size)
{
	unsigned int cpu = (unsigned int)(off / GH_SIM_GICR_STRIDE);
	uint64_t v = 0, typer;
	enum bank_reg r;
	unsigned int first;

	off %= GH_SIM_GICR_STRIDE;
	if (cpu >= gic->nr_cpus)
		return 0;
	pthread_mutex_lock(&gic->lock);
	/* Affinity (Aff0 = the vCPU), processor number, Last. */
	typer = ((uint64_t)cpu << 32) | ((uint64_t)cpu << 8) |
		(cpu == gic->nr_cpus - 1 ? 1u << 4 : 0);
	if (off >= SGI_BASE) {
		off -= SGI_BASE;
		if (off >= 0x400 && off < 0x420)
			v = prio_read(gic, cpu, (unsigned int)(off - 0x400), size);
		else if (off == 0xc00 || off == 0xc04)
			v = off == 0xc00 ? 0xaaaaaaaau : cfg_read(gic, cpu, 16);
		else if (bank_decode(off, &r, &first) && first == 0)
			v = bank_read(gic, cpu, 0, r);
	} else {
		switch (off) {
		case 0x0004:
			v = GIC_IIDR;
			break;
		case 0x0008:
			v = size == 8 ? typer : (uint32_t)typer;
			break;
		case 0x000c:
			v = typer >> 32;
			break;
		case 0x0014:
			v = gic->cpu[cpu].waker;
			break;
		case 0xffe8:
			v = PIDR2_GICV3;
			break;
		default:
			break;
		}
	}
	pthread_mutex_unlock(&gic->lock);
	return v;
}

void sim_gicr_write(struct sim_gic *gic, uint64_t off, unsigned int size,
		    uint64_t val)
{
	unsigned int cpu = (unsigned int)(off / GH_SIM_GICR_STRIDE);
	uint64_t dirty = 0;
	enum bank_reg r;
	unsigned int first;

	off %= GH_SIM_GICR_STRIDE;
	if (cpu >= gic->nr_cpus)
		return;
	pthread_mutex_lock(&gic->lock);
	if (off >= SGI_BASE) {
		off -= SGI_BASE;
		if (off >= 0x400 && off < 0x420)
			prio_write(gic, cpu, (unsigned int)(off - 0x400), size,
				   val, &dirty);
		else if (off == 0xc04)
			cfg_write(gic, cpu, 16, (uint32_t)val);
		else if (bank_decode(off, &r, &first) && first == 0)
			bank_write(gic, cpu, 0, r, (uint32_t)val, &dirty);
	} else if (off == 0x0014) {
		/* Waking up is immediate: ChildrenAsleep follows at once. */
		gic->cpu[cpu].waker = (val & GICR_WAKER_PSLEEP) ?
			GICR_WAKER_PSLEEP | GICR_WAKER_CASLEEP : 0;
	}
	pthread_mutex_unlock(&gic->lock);
	flush_kicks(gic, dirty);
}

/* ---- the CPU interface --------------------------------------------------------- */

bool sim_gic_is_icc(unsigned int op1, unsigned int crn, unsigned int crm,
		    unsigned int op2)
{
	/* ICC_PMR_EL1; everything else at CRn 12, CRm >= 8 (VBAR_EL1 and
	 * ISR_EL1 share CRn 12 with lower CRm: never ours). */
	if (op1 != 0)
		return false;
	if (crn == 4 && crm == 6 && op2 == 0)
		return true;
	return crn == 12 && crm >= 8;
}

static unsigned int acknowledge(struct sim_gic *gic, unsigned int cpu,
				bool group1)
{
	struct sim_gic_cpu *c = &gic->cpu[cpu];
	unsigned int id = best_pending(gic, cpu, group1, true);
	struct sim_gic_irq *irq;

	if (id == SIM_GIC_SPURIOUS || c->nr_active == 32)
		return SIM_GIC_SPURIOUS;
	irq = irq_of(gic, cpu, id);
	irq->active = true;
	irq->pending = false;
	if (irq->ack_clears)
		irq->level = false;
	c->active[c->nr_active++] = (uint16_t)id;
	return id;
}

static void deactivate(struct sim_gic *gic, unsigned int cpu, unsigned int id,
		       uint64_t *dirty)
{
	struct sim_gic_irq *irq = irq_of(gic, cpu, id);

	if (irq) {
		irq->active = false;
		touch_irq(gic, dirty, cpu, id);
	}
}

static void end_of_interrupt(struct sim_gic *gic, unsigned int cpu,
			     unsigned int id, uint64_t *dirty)
{
	struct sim_gic_cpu *c = &gic->cpu[cpu];

	/* Priority drop: the most recent acknowledge of this INTID. */
	for (unsigned int i = c->nr_active; i-- > 0;) {
		if (c->active[i] != id)
			continue;
		memmove(&c->active[i], &c->active[i + 1],
			(c->nr_active - i - 1) * sizeof(c->active[0]));
		c->nr_active--;
		if (!c->eoimode)
			deactivate(gic, cpu, id, dirty);
		return;
	}
}

static void send_sgi(struct sim_gic *gic, unsigned int self, uint64_t v,
		     uint64_t *dirty)
{
	unsigned int id = (v >> 24) & 0xf;
	unsigned int rs = (v >> 44) & 0xf;

	for (unsigned int c = 0; c < gic->nr_cpus; c++) {
		bool hit;

		if (v & (1ull << 40))
			hit = c != self; /* IRM: everyone else */
		else
			hit = !(v & 0xff00ff00ff0000ull) && c / 16 == rs &&
			      ((v >> (c % 16)) & 1);
		if (!hit)
			continue;
		gic->cpu[c].priv[id].pending = true;
		touch(gic, dirty, (int)c);
	}
}

uint64_t sim_gic_icc_read(struct sim_gic *gic, unsigned int cpu,
			  unsigned int op1, unsigned int crn, unsigned int crm,
			  unsigned int op2)
{
	struct sim_gic_cpu *c;
	uint64_t v = 0;

	(void)op1;
	if (cpu >= gic->nr_cpus)
		return 0;
	c = &gic->cpu[cpu];
	pthread_mutex_lock(&gic->lock);
	if (crn == 4) {
		v = c->pmr;
		goto out;
	}
	switch (crm << 3 | op2) {
	case 8 << 3 | 0: /* IAR0 */
		v = acknowledge(gic, cpu, false);
		break;
	case 8 << 3 | 2: /* HPPIR0 */
		v = best_pending(gic, cpu, false, false);
		break;
	case 8 << 3 | 3:
		v = c->bpr0;
		break;
	case 11 << 3 | 3: /* RPR */
		v = SIM_GIC_IDLE_PRIO;
		for (unsigned int i = 0; i < c->nr_active; i++) {
			const struct sim_gic_irq *a = irq_of(gic, cpu, c->active[i]);

			if (a && a->prio < v)
				v = a->prio;
		}
		break;
	case 12 << 3 | 0: /* IAR1 */
		v = acknowledge(gic, cpu, true);
		break;
	case 12 << 3 | 2: /* HPPIR1 */
		v = best_pending(gic, cpu, true, false);
		break;
	case 12 << 3 | 3:
		v = c->bpr1;
		break;
	case 12 << 3 | 4: /* CTLR: 5 priority bits, 16 INTID bits */
		v = (4u << 8) | (c->eoimode ? 2u : 0u);
		break;
	case 12 << 3 | 5: /* SRE: system registers only */
		v = 0x7;
		break;
	case 12 << 3 | 6:
		v = c->grpen0;
		break;
	case 12 << 3 | 7:
		v = c->grpen1;
		break;
	default: /* AP0Rn/AP1Rn read back as "no active priorities" */
		v = 0;
		break;
	}
out:
	pthread_mutex_unlock(&gic->lock);
	return v;
}

void sim_gic_icc_write(struct sim_gic *gic, unsigned int cpu,
		       unsigned int op1, unsigned int crn, unsigned int crm,
		       unsigned int op2, uint64_t val)
{
	struct sim_gic_cpu *c;
	uint64_t dirty = 0;

	(void)op1;
	if (cpu >= gic->nr_cpus)
		return;
	c = &gic->cpu[cpu];
	pthread_mutex_lock(&gic->lock);
	if (crn == 4) {
		c->pmr = (uint8_t)val & SIM_GIC_PRIO_MASK;
		goto out;
	}
	switch (crm << 3 | op2) {
	case 8 << 3 | 1: /* EOIR0 */
	case 12 << 3 | 1: /* EOIR1 */
		end_of_interrupt(gic, cpu, (unsigned int)val & 0xffffff, &dirty);
		break;
	case 8 << 3 | 3:
		c->bpr0 = val & 7;
		break;
	case 11 << 3 | 1: /* DIR */
		deactivate(gic, cpu, (unsigned int)val & 0xffffff, &dirty);
		break;
	case 11 << 3 | 5: /* SGI1R */
	case 11 << 3 | 6: /* ASGI1R */
	case 11 << 3 | 7: /* SGI0R */
		send_sgi(gic, cpu, val, &dirty);
		break;
	case 12 << 3 | 3:
		c->bpr1 = val & 7;
		break;
	case 12 << 3 | 4:
		c->eoimode = val & 2;
		break;
	case 12 << 3 | 6:
		c->grpen0 = val & 1;
		break;
	case 12 << 3 | 7:
		c->grpen1 = val & 1;
		break;
	case 8 << 3 | 4: /* AP0R0 */
	case 9 << 3 | 0: /* AP1R0: zeroing it forgets the active priorities */
		if (!val)
			c->nr_active = 0;
		break;
	default:
		break;
	}
out:
	pthread_mutex_unlock(&gic->lock);
	/* This vCPU looks at its own line after the access; others need a kick. */
	dirty &= ~(1ull << cpu);
	flush_kicks(gic, dirty);
}

/* ---- life ---------------------------------------------------------------------------- */

void sim_gic_init(struct sim_gic *gic, unsigned int nr_cpus,
		  void (*kick)(void *ctx, unsigned int cpu), void *kick_ctx)
{
	memset(gic, 0, sizeof(*gic));
	pthread_mutex_init(&gic->lock, NULL);
	gic->nr_cpus = nr_cpus > SIM_GIC_MAX_CPUS ? SIM_GIC_MAX_CPUS : nr_cpus;
	gic->kick = kick;
	gic->kick_ctx = kick_ctx;
	for (unsigned int c = 0; c < gic->nr_cpus; c++) {
		gic->cpu[c].waker = GICR_WAKER_PSLEEP | GICR_WAKER_CASLEEP;
		for (unsigned int i = 0; i < 16; i++)
			gic->cpu[c].priv[i].edge = true;
	}
}

void sim_gic_destroy(struct sim_gic *gic)
{
	pthread_mutex_destroy(&gic->lock);
}
