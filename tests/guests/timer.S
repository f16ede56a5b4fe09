/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The EL1 virtual timer (test_sim_timer.c asserts every REPORT):
 *   1 CNTFRQ   2 CTL enabled, far deadline (1: no ISTATUS)
 *   3 CTL masked and expired (7: ENABLE|IMASK|ISTATUS)
 *   4 TVAL after CVAL = now + 2^30 (0 < TVAL <= 2^30)
 *   5 the PPI taken through the GIC (27), 6 CTL in the handler (5)
 *   7 interrupts taken in all (1: the handler turned the timer off)
 */
#include "guest.h"
#define GICD 0x08000000
#define GICR 0x080a0000
	.text
	.global _start
_start:
	adr	x0, vectors_el1
	msr	vbar_el1, x0
	isb
	mrs	x1, cntfrq_el0
	report	x1
	mrs	x1, cntvct_el0
	li	x2, 1 << 40
	add	x1, x1, x2
	msr	cntv_cval_el0, x1
	mov	x1, #1
	msr	cntv_ctl_el0, x1
	mrs	x1, cntv_ctl_el0
	report	x1
	mov	x1, #3			// ENABLE | IMASK
	msr	cntv_ctl_el0, x1
	msr	cntv_tval_el0, xzr	// expires now
	isb
	mrs	x1, cntv_ctl_el0
	report	x1
	mrs	x1, cntvct_el0
	li	x2, 1 << 30
	add	x1, x1, x2
	msr	cntv_cval_el0, x1
	mrs	x1, cntv_tval_el0
	report	x1

	li	x3, GICD
	mov	w2, #3
	str	w2, [x3]
	li	x4, GICR
	str	wzr, [x4, #0x14]
	li	x4, GICR + 0x10000
	mov	w5, #-1
	str	w5, [x4, #0x80]		// group 1
	mov	w5, #(1 << 27)
	str	w5, [x4, #0x100]	// enable PPI 27
	mov	x5, #0xf0
	msr	icc_pmr_el1, x5
	mov	x5, #1
	msr	icc_igrpen1_el1, x5
	li	x1, 62500		// 1 ms
	msr	cntv_tval_el0, x1
	mov	x1, #1			// ENABLE, unmasked
	msr	cntv_ctl_el0, x1
	msr	daifclr, #2
1:	wfi				// sleeps until the deadline
	cbz	x22, 1b
	report	x20
	report	x21
	li	x1, 100000		// a while: no second interrupt comes
2:	subs	x1, x1, #1
	b.ne	2b
	report	x22
	system_off
	b	.

irq:
	mrs	x20, icc_iar1_el1
	mrs	x21, cntv_ctl_el0
	msr	cntv_ctl_el0, xzr	// off: the line drops
	add	x22, x22, #1
	msr	icc_eoir1_el1, x20
	eret

	irq_vectors vectors_el1, irq
