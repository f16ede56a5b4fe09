/* SPDX-License-Identifier: GPL-2.0-only */
/* Macros for the diag guest programs (AArch64, EL1h, MMU off). */
#ifndef DIAG_GUEST_H
#define DIAG_GUEST_H

#include "gunyah_sim.h"
#include "diag/layout.h"

/* Store Xreg to DIAG_REPORT + off: an 8-byte MMIO write exit.  Uses x28. */
.macro report reg, off=0
	ldr	x28, =(DIAG_REPORT + \off)
	str	\reg, [x28]
.endm

/* x0 = fn; HVC #0, the SMCCC conduit of a Gunyah guest. */
.macro smccc fn
	ldr	x0, =\fn
	hvc	#0
.endm

/*
 * A vector table whose synchronous entry for the current EL with SPx
 * (VBAR + 0x200) branches to \handler; every other entry spins.
 */
.macro vectors name, handler
	.balign	2048
\name:
	.rept	4
	b	.
	.balign	128
	.endr
	b	\handler
	.balign	128
	.rept	11
	b	.
	.balign	128
	.endr
.endm

/*
 * A synchronous exception handler: report ESR_EL1 at +8 and FAR_EL1 at
 * +0x10, then return past the faulting instruction.
 */
.macro report_and_skip_handler name
\name:
	mrs	x10, esr_el1
	report	x10, 8
	mrs	x10, far_el1
	report	x10, 0x10
	mrs	x10, elr_el1
	add	x10, x10, #4
	msr	elr_el1, x10
	eret
.endm

#endif /* DIAG_GUEST_H */
