/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gunyahctl diag: the guest side of an irqfd and an ioeventfd.
 * x19 = DIAG_IRQ_WAIT: wake the GIC's redistributor, enable group 1 and
 * SPI DIAG_IRQ_LABEL (the irqfd's), unmask IRQs, report 1, set DIAG_FLAG
 * (the host then knows the guest is about to idle) and WFI until the IRQ
 * handler ran; report the INTID it acknowledged at +8.
 * x19 = DIAG_IRQ_DOORBELL: a 4-byte store of DIAG_BELL_MATCH to
 * DIAG_DOORBELL (the ioeventfd's: no exit), one of DIAG_BELL_MATCH + 1
 * (no match: an MMIO exit), then report 0xd0e.
 * Both end with PSCI SYSTEM_OFF.
 */
#include "diag_guest.h"
	.text
	.global _start
_start:
	cmp	x19, #DIAG_IRQ_DOORBELL
	b.eq	doorbell

	adr	x0, vectors
	msr	vbar_el1, x0
	ldr	x1, =DIAG_GICD
	ldr	x3, =DIAG_GICR
	mov	w2, #3
	str	w2, [x1]		// GICD_CTLR: groups 0 and 1
	str	wzr, [x3, #0x14]	// GICR_WAKER: awake
	mov	x5, #0xf0
	msr	icc_pmr_el1, x5
	mov	x5, #1
	msr	icc_igrpen1_el1, x5
	mov	w6, #-1
	str	w6, [x1, #0x84]		// IGROUPR1: SPIs 32..63 in group 1
	mov	w6, #(1 << (DIAG_IRQ_LABEL))
	str	w6, [x1, #0x104]	// ISENABLER1: INTID 32 + label
	isb
	mov	x22, #0
	msr	daifclr, #2
	mov	x5, #1
	report	x5
	ldr	x1, =DIAG_FLAG
	str	x5, [x1]
	dsb	sy
1:	wfi
	cbz	x22, 1b
	report	x20, 8
	b	off

doorbell:
	ldr	x1, =DIAG_DOORBELL
	mov	w2, #DIAG_BELL_MATCH
	str	w2, [x1]
	add	w2, w2, #1
	str	w2, [x1]
	ldr	x5, =0xd0e
	report	x5

off:
	smccc	PSCI_0_2_FN_SYSTEM_OFF
	b	.

irq:
	mrs	x20, icc_iar1_el1
	add	x22, x22, #1
	msr	icc_eoir1_el1, x20
	eret

	.balign	2048
vectors:
	.rept	5
	b	.
	.balign	128
	.endr
	b	irq			// current EL, SPx: IRQ
	.balign	128
	.rept	10
	b	.
	.balign	128
	.endr
