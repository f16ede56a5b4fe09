/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sleeps one second the way a kernel's idle loop does: the EL1 virtual
 * timer set to CNTFRQ ticks from now, its PPI (INTID 27) enabled in the
 * GIC, IRQs unmasked, WFI until the handler ran.  REPORTs CNTVCT before
 * (+0) and after (+8), and how many times WFI returned (+0x10: 1 when
 * nothing but the deadline woke the vCPU), then powers off.  The host
 * process should be idle meanwhile (linux.bats measures its CPU time).
 */
#include "guest.h"
#define GICD 0x08000000
#define GICR 0x080a0000
	.text
	.global _start
_start:
	adr	x0, vectors_el1
	msr	vbar_el1, x0
	li	x3, GICD
	mov	w2, #3
	str	w2, [x3]		// GICD_CTLR: groups 0 and 1
	li	x4, GICR
	str	wzr, [x4, #0x14]	// GICR_WAKER: awake
	li	x4, GICR + 0x10000
	mov	w5, #-1
	str	w5, [x4, #0x80]		// group 1
	mov	w5, #(1 << 27)
	str	w5, [x4, #0x100]	// enable PPI 27, the virtual timer
	mov	x5, #0xf0
	msr	icc_pmr_el1, x5
	mov	x5, #1
	msr	icc_igrpen1_el1, x5
	isb
	mov	x22, #0
	mov	x23, #0
	mrs	x10, cntvct_el0
	report	x10
	mrs	x1, cntfrq_el0
	msr	cntv_tval_el0, x1	// one second from now
	mov	x1, #1
	msr	cntv_ctl_el0, x1	// ENABLE, unmasked
	msr	daifclr, #2
1:	wfi
	add	x23, x23, #1
	cbz	x22, 1b
	mrs	x10, cntvct_el0
	report	x10, 8
	report	x23, 0x10
	system_off
	b	.

irq:
	mrs	x20, icc_iar1_el1
	msr	cntv_ctl_el0, xzr	// off: the line drops
	add	x22, x22, #1
	msr	icc_eoir1_el1, x20
	eret

	irq_vectors vectors_el1, irq
