// SPDX-License-Identifier: GPL-2.0-only
/*
 * The EL1 virtual and physical arch timers and the system counter.
 *
 * The core's own generic timer never fires and never updates ISTATUS, so
 * the hypervisor keeps the timers: the MRS/MSR hook sends CNTV_* and
 * CNTP_* (CTL, CVAL, TVAL) and the counters here.  The counter runs at
 * GH_SIM_CNTFRQ (62.5 MHz, 16 ns a tick) from the VM's start, on
 * CLOCK_MONOTONIC; CNTVOFF is 0, so CNTVCT == CNTPCT.  A timer's output is
 * ENABLE && !IMASK && count >= CVAL; sim_hyp.c turns it into a PPI level
 * and sleeps a WFI until sim_timer_deadline_ns().
 */
#include <time.h>

#include "sim_gic.h"

#define CTL_ENABLE 1u
#define CTL_IMASK 2u
#define CTL_ISTATUS 4u
#define NS_PER_TICK (1000000000ull / GH_SIM_CNTFRQ)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t sim_timer_count(uint64_t base_ns)
{
	uint64_t now = now_ns();

	return now > base_ns ? (now - base_ns) / NS_PER_TICK : 0;
}

bool sim_timer_is_reg(unsigned int op1, unsigned int crn, unsigned int crm,
		      unsigned int op2)
{
	if (op1 != 3 || crn != 14 || op2 > 2)
		return false;
	return crm == 0 || crm == 2 || crm == 3;
}

static struct sim_timer *which(struct sim_timers *t, unsigned int crm)
{
	return crm == 3 ? &t->virt : &t->phys;
}

static bool fired(const struct sim_timer *tm, uint64_t count)
{
	return (tm->ctl & CTL_ENABLE) && count >= tm->cval;
}

uint64_t sim_timer_read(struct sim_timers *t, uint64_t base_ns,
			unsigned int op1, unsigned int crn, unsigned int crm,
			unsigned int op2)
{
	uint64_t count = sim_timer_count(base_ns);
	const struct sim_timer *tm;

	(void)op1;
	(void)crn;
	if (crm == 0)
		return op2 == 0 ? GH_SIM_CNTFRQ : count;
	tm = which(t, crm);
	switch (op2) {
	case 0: /* TVAL: a signed 32-bit distance to CVAL */
		return (uint32_t)(tm->cval - count);
	case 1:
		return tm->ctl | (fired(tm, count) ? CTL_ISTATUS : 0);
	default:
		return tm->cval;
	}
}

void sim_timer_write(struct sim_timers *t, uint64_t base_ns, unsigned int op1,
		     unsigned int crn, unsigned int crm, unsigned int op2,
		     uint64_t val)
{
	struct sim_timer *tm;

	(void)op1;
	(void)crn;
	if (crm == 0)
		return; /* CNTFRQ and the counters: read-only at EL1 */
	tm = which(t, crm);
	switch (op2) {
	case 0:
		tm->cval = sim_timer_count(base_ns) +
			   (uint64_t)(int64_t)(int32_t)(uint32_t)val;
		break;
	case 1:
		tm->ctl = val & (CTL_ENABLE | CTL_IMASK);
		break;
	default:
		tm->cval = val;
		break;
	}
}

unsigned int sim_timer_lines(const struct sim_timers *t, uint64_t base_ns)
{
	uint64_t count = sim_timer_count(base_ns);
	unsigned int lines = 0;

	if (fired(&t->virt, count) && !(t->virt.ctl & CTL_IMASK))
		lines |= 1;
	if (fired(&t->phys, count) && !(t->phys.ctl & CTL_IMASK))
		lines |= 2;
	return lines;
}

static uint64_t deadline_of(const struct sim_timer *tm, uint64_t base_ns)
{
	/* Disabled, masked, or already firing: nothing to wait for. */
	if ((tm->ctl & (CTL_ENABLE | CTL_IMASK)) != CTL_ENABLE ||
	    sim_timer_count(base_ns) >= tm->cval)
		return UINT64_MAX;
	if (tm->cval > (UINT64_MAX - base_ns) / NS_PER_TICK)
		return UINT64_MAX;
	return base_ns + tm->cval * NS_PER_TICK;
}

uint64_t sim_timer_deadline_ns(const struct sim_timers *t, uint64_t base_ns)
{
	uint64_t v = deadline_of(&t->virt, base_ns);
	uint64_t p = deadline_of(&t->phys, base_ns);

	return v < p ? v : p;
}
