/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor's interrupt controller (a GICv3: distributor,
 * redistributors, the ICC_* CPU interface) and arch timer, as the
 * simulator's hypervisor gives them to every VM.
 *
 *   sim_gic.c      interrupt state, GICD/GICR registers, ICC_* registers
 *   sim_timer.c    the virtual and physical EL1 timers, the counter
 *
 * One lock guards the whole GIC.  Any thread may make an interrupt pending
 * (an irqfd, another vCPU's SGI, a timer); only a vCPU's own thread turns
 * its CPU's IRQ line up or down (sim_gic_update()), the others kick it.
 */
#ifndef SIM_GIC_H
#define SIM_GIC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "gunyah_sim.h"

#define SIM_GIC_NR_IRQS (32 + GH_SIM_GIC_NR_SPIS)
#define SIM_GIC_SPURIOUS 1023u
#define SIM_GIC_IDLE_PRIO 0xffu
#define SIM_GIC_PRIO_MASK 0xf8u /* 5 priority bits implemented */
#define SIM_GIC_MAX_CPUS 64

struct sim_gic_irq {
	uint8_t prio;
	bool enabled;
	bool pending; /* latched: edge, ISPENDR, SGI */
	bool active;
	bool level;   /* the input line (level-sensitive sources) */
	bool edge;    /* ICFGR: edge-triggered */
	bool group1;
	bool ack_clears; /* an irqfd with LEVEL: acknowledging drops the line */
};

struct sim_gic_cpu {
	struct sim_gic_irq priv[32]; /* SGIs and PPIs */
	uint32_t waker;
	uint8_t pmr;
	uint8_t bpr0, bpr1;
	bool grpen0, grpen1;
	bool eoimode; /* ICC_CTLR_EL1.EOImode: EOI drops priority only */
	/* Acknowledged, not yet priority-dropped INTIDs: a stack. */
	uint16_t active[32];
	unsigned int nr_active;
	bool line; /* what the vCPU's IRQ input last was told */
};

struct sim_gic {
	pthread_mutex_t lock;
	unsigned int nr_cpus;
	uint32_t ctlr;
	struct sim_gic_irq spi[GH_SIM_GIC_NR_SPIS];
	uint64_t irouter[GH_SIM_GIC_NR_SPIS];
	struct sim_gic_cpu cpu[SIM_GIC_MAX_CPUS];
	/* Tell vCPU `cpu` to look at its interrupts soon (another thread). */
	void (*kick)(void *ctx, unsigned int cpu);
	void *kick_ctx;
};

void sim_gic_init(struct sim_gic *gic, unsigned int nr_cpus,
		  void (*kick)(void *ctx, unsigned int cpu), void *kick_ctx);
void sim_gic_destroy(struct sim_gic *gic);

/* MMIO: offset into the GICD frame, or into the whole GICR region. */
uint64_t sim_gicd_read(struct sim_gic *gic, uint64_t off, unsigned int size);
void sim_gicd_write(struct sim_gic *gic, uint64_t off, unsigned int size,
		    uint64_t val);
uint64_t sim_gicr_read(struct sim_gic *gic, uint64_t off, unsigned int size);
void sim_gicr_write(struct sim_gic *gic, uint64_t off, unsigned int size,
		    uint64_t val);

/*
 * ICC_* system registers of CPU `cpu` (op0 is 3).  False if (op1, CRn,
 * CRm, op2) is not a CPU interface register: the caller lets the core
 * have it.
 */
bool sim_gic_is_icc(unsigned int op1, unsigned int crn, unsigned int crm,
		    unsigned int op2);
uint64_t sim_gic_icc_read(struct sim_gic *gic, unsigned int cpu,
			  unsigned int op1, unsigned int crn, unsigned int crm,
			  unsigned int op2);
void sim_gic_icc_write(struct sim_gic *gic, unsigned int cpu,
		       unsigned int op1, unsigned int crn, unsigned int crm,
		       unsigned int op2, uint64_t val);

/* Sources.  `intid` < 32 needs `cpu`; SPIs ignore it. */
void sim_gic_set_level(struct sim_gic *gic, unsigned int cpu,
		       unsigned int intid, bool level);
void sim_gic_set_pending(struct sim_gic *gic, unsigned int cpu,
			 unsigned int intid);
/* An SPI raised by an irqfd: edge, or a LEVEL line the guest's ack drops. */
void sim_gic_irqfd_raise(struct sim_gic *gic, unsigned int intid, bool level);

/*
 * Should CPU `cpu`'s IRQ input be up now?  Records the answer in
 * cpu->line; the vCPU's thread passes it on to the core.
 */
bool sim_gic_update(struct sim_gic *gic, unsigned int cpu);
/* Is anything pending for `cpu` that would end a WFI (masks ignored)? */
bool sim_gic_wakes(struct sim_gic *gic, unsigned int cpu);

/* ---- sim_timer.c ---------------------------------------------------------- */

struct sim_timer {
	uint64_t ctl; /* ENABLE, IMASK; ISTATUS is computed */
	uint64_t cval;
};

struct sim_timers {
	struct sim_timer virt, phys;
	uint64_t cntkctl;
};

/* The counter (CNTPCT == CNTVCT here): GH_SIM_CNTFRQ ticks since `base_ns`. */
uint64_t sim_timer_count(uint64_t base_ns);
bool sim_timer_is_reg(unsigned int op1, unsigned int crn, unsigned int crm,
		      unsigned int op2);
uint64_t sim_timer_read(struct sim_timers *t, uint64_t base_ns,
			unsigned int op1, unsigned int crn, unsigned int crm,
			unsigned int op2);
void sim_timer_write(struct sim_timers *t, uint64_t base_ns, unsigned int op1,
		     unsigned int crn, unsigned int crm, unsigned int op2,
		     uint64_t val);
/* Output lines now: bit 0 the virtual timer's, bit 1 the physical one's. */
unsigned int sim_timer_lines(const struct sim_timers *t, uint64_t base_ns);
/* CLOCK_MONOTONIC ns of the next enabled, unmasked, not yet fired
 * deadline, or UINT64_MAX. */
uint64_t sim_timer_deadline_ns(const struct sim_timers *t, uint64_t base_ns);

#endif /* SIM_GIC_H */
