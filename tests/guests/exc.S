/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Synchronous exceptions the core raises, taken to the guest's vectors
 * exactly (test_sim_exc.c asserts every REPORT).  The handler REPORTs
 * ESR (+0), FAR (+8), ELR (+0x10), SPSR (+0x18) and SP (+0x20), then
 * returns past the instruction (or, for the SVC from EL0, to EL1's
 * continuation).
 *   SVC #0x42 at EL1; an UNDEF; an unaligned LDXR (alignment fault);
 *   SVC #1 from EL0 (to VBAR + 0x400, SP_EL1 banked back in).
 */
#include "guest.h"
	.text
	.global _start
_start:
	adr	x0, vectors_el1
	msr	vbar_el1, x0
	li	x0, 0x80100000
	mov	sp, x0			// SP_EL1
	isb
svc_el1:
	svc	#0x42
	nop				// skipped: the handler returns to ELR + 4
undef:
	.inst	0x00000000		// UDF #0
	li	x1, 0x80080003
ldxr_unaligned:
	ldxr	x2, [x1]
	li	x0, 0x80200000
	msr	sp_el0, x0
	adr	x0, el0
	msr	elr_el1, x0
	msr	spsr_el1, xzr		// EL0t, interrupts unmasked
	eret
el0:
	svc	#1
	b	.
back:
	li	x5, 0xe0
	report	x5
	system_off
	b	.

sync:
	mrs	x9, esr_el1
	report	x9
	mrs	x9, far_el1
	report	x9, 8
	mrs	x9, elr_el1
	report	x9, 0x10
	mrs	x9, spsr_el1
	report	x9, 0x18
	mov	x9, sp
	report	x9, 0x20
	mrs	x9, elr_el1
	add	x9, x9, #4
	msr	elr_el1, x9
	eret

from_el0:
	mrs	x9, esr_el1
	report	x9
	mrs	x9, elr_el1
	report	x9, 0x10
	mrs	x9, spsr_el1
	report	x9, 0x18
	mov	x9, sp
	report	x9, 0x20
	mrs	x9, sp_el0
	report	x9, 0x28
	b	back

	.balign	2048
vectors_el1:
	.rept	4
	b	.
	.balign	128
	.endr
	b	sync			// current EL, SPx: synchronous
	.balign	128
	.rept	3
	b	.
	.balign	128
	.endr
	b	from_el0		// lower EL, AArch64: synchronous
	.balign	128
	.rept	7
	b	.
	.balign	128
	.endr
