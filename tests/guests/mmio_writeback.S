/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pre- and post-index MMIO accesses: hardware reports them with ISV=0, so
 * on Gunyah (and the strict sim) each takes a data abort; the handler
 * reports ESR and FAR and skips the instruction.  A lenient sim finishes
 * them: the loaded value and the written-back base are reported instead.
 *
 *   strict:  ESR, FAR (x3)  ESR, FAR  ESR, FAR  x4 = base, poweroff
 *   lenient: read +0x30, x4   read +0x30, x4   write +0x3c, x4   x4, poweroff
 */
#include "guest.h"
	.text
	.global _start
_start:
	adr	x0, vectors_el1
	msr	vbar_el1, x0
	isb
	li	x1, MMIO_BASE
	mov	x4, x1
	ldr	w3, [x4, #0x30]!	// pre-index: read @ +0x30, x4 = base+0x30
	report	x4
	ldr	w3, [x4], #0x10		// post-index: read @ +0x30, x4 = base+0x40
	report	x4
	str	w3, [x4, #-4]!		// write @ +0x3c, x4 = base+0x3c
	report	x4
	system_off
	b	.
sync_handler:
	mrs	x10, esr_el1
	report	x10
	mrs	x10, far_el1
	report	x10
	mrs	x10, elr_el1
	add	x10, x10, #4
	msr	elr_el1, x10
	eret
	vectors	vectors_el1, sync_handler
