/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor's GICv3, register by register, then interrupts taken
 * through the vector table (test_sim_gic.c asserts every REPORT):
 *   1  GICR_WAKER after waking (0)       2  GICR_TYPER (Last, Aff0 0)
 *   3  HPPIR1 with SPI 33 pending (33)   4  IAR1 under PMR 0x80 (1023)
 *   5  INTID taken, 6 RPR in the handler, 7 RPR after EOI
 *   8  SGI 5 sent to itself, taken (5)
 *   then marker 0x1f: the host raises an irqfd; REPORT the INTID taken;
 *   marker 0x2f: again (a level irqfd); then a doorbell store to 0x0a000000
 *   (an ioeventfd may take it) and a REPORT of 0xd0e, and power off.
 * The IRQ handler: x20 = IAR1, x21 = RPR, x22 += 1, EOIR1.
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
	li	x1, GICD
	li	x3, GICR
	mov	w2, #3
	str	w2, [x1]		// GICD_CTLR: groups 0 and 1
	str	wzr, [x3, #0x14]	// GICR_WAKER: awake
	ldr	w4, [x3, #0x14]
	report	x4
	ldr	x4, [x3, #8]
	report	x4
	mov	x5, #0xf0
	msr	icc_pmr_el1, x5
	mov	x5, #1
	msr	icc_igrpen1_el1, x5
	isb
	mov	w6, #-1
	str	w6, [x1, #0x84]		// IGROUPR1: SPIs 32..63 in group 1
	li	x7, GICR + 0x10000
	str	w6, [x7, #0x80]		// IGROUPR0: SGIs and PPIs too
	mov	w6, #0x80
	strb	w6, [x1, #0x421]	// IPRIORITYR: SPI 33 at 0x80
	mov	w6, #0xe
	str	w6, [x1, #0x104]	// ISENABLER1: 33, 34, 35
	mov	w6, #2
	str	w6, [x1, #0x204]	// ISPENDR1: 33 pending
	mrs	x8, icc_hppir1_el1
	report	x8
	mov	x5, #0x80		// 0x80 is not above the mask 0x80
	msr	icc_pmr_el1, x5
	mrs	x8, icc_iar1_el1
	report	x8
	mov	x5, #0xf0
	msr	icc_pmr_el1, x5
	msr	daifclr, #2		// the pending SPI is taken now
	isb
	report	x20
	report	x21
	mrs	x8, icc_rpr_el1
	report	x8
	mov	w6, #(1 << 5)
	str	w6, [x7, #0x100]	// GICR ISENABLER0: SGI 5
	li	x8, (5 << 24) | 1	// SGI 5 to Aff0 0: itself
	msr	icc_sgi1r_el1, x8
	isb
	report	x20

	mov	x23, x22
	li	x5, 0x1f
	report	x5
1:	wfi
	cmp	x22, x23
	b.eq	1b
	report	x20

	mov	x23, x22
	li	x5, 0x2f
	report	x5
2:	wfi
	cmp	x22, x23
	b.eq	2b
	report	x20

	li	x9, 0x0a000000
	mov	w10, #7
	str	w10, [x9]		// the doorbell
	li	x5, 0xd0e
	report	x5
	system_off
	b	.

irq:
	mrs	x20, icc_iar1_el1
	mrs	x21, icc_rpr_el1
	add	x22, x22, #1
	msr	icc_eoir1_el1, x20
	eret

	irq_vectors vectors_el1, irq
