/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the AArch64 guest programs: the simulator's platform constants
 * and a few macros.  Guests are linked at the RAM base and start in EL1h.
 *
 * Conventions the C tests and gunyahctl rely on:
 *   MMIO_BASE     an address with no RAM behind it: every access exits
 *   REPORT        a store of a register to MMIO_REPORT, so the host sees a
 *                 value the guest computed as an MMIO write exit
 */
#ifndef GUEST_H
#define GUEST_H

#include "gunyah_sim.h"

#define MMIO_BASE	0x09000000
#define MMIO_REPORT	0x09000100
#define UART_BASE	0x09000000

/* x0 = fn; HVC #0 (SMCCC).  Clobbers x0. */
.macro smccc fn
	ldr	x0, =\fn
	hvc	#0
.endm

.macro system_off
	smccc	PSCI_0_2_FN_SYSTEM_OFF
.endm

/* Store Xreg to MMIO_REPORT + off (an MMIO write exit of 8 bytes). */
.macro report reg, off=0
	ldr	x28, =(MMIO_REPORT + \off)
	str	\reg, [x28]
.endm

/* Load an immediate into a register. */
.macro li reg, val
	ldr	\reg, =\val
.endm

/*
 * A vector table whose synchronous EL1h entry (VBAR + 0x200) jumps to
 * \handler and all other entries spin in place.  Aligned to 2 KiB.
 */
.macro vectors name, handler
	.balign	2048
\name:
	.rept	4			// current EL with SP0
	b	.
	.balign	128
	.endr
	b	\handler		// current EL with SPx: synchronous
	.balign	128
	.rept	11			// SPx IRQ/FIQ/SError, lower ELs
	b	.
	.balign	128
	.endr
.endm

/*
 * \name: a synchronous exception handler that REPORTs FAR_EL1 (at +\far)
 * and ESR_EL1 (at +\esr), then returns past the instruction that took
 * the exception.  Clobbers x9 and x28.
 */
.macro report_and_skip name, far=0x10, esr=0x18
\name:
	mrs	x9, far_el1
	report	x9, \far
	mrs	x9, esr_el1
	report	x9, \esr
	mrs	x9, elr_el1
	add	x9, x9, #4
	msr	elr_el1, x9
	eret
.endm

/*
 * A vector table whose IRQ entry for the current EL with SPx (VBAR +
 * 0x280) jumps to \handler; every other entry spins.  Aligned to 2 KiB.
 */
.macro irq_vectors name, handler
	.balign	2048
\name:
	.rept	5			// SP0, then SPx synchronous
	b	.
	.balign	128
	.endr
	b	\handler		// SPx IRQ
	.balign	128
	.rept	10			// SPx FIQ/SError, lower ELs
	b	.
	.balign	128
	.endr
.endm

/*
 * The arm64 Image header (the kernel's booting.rst) run --kernel wants:
 * code0 branches to \entry, text_offset 0, image_size up to the label
 * image_end, flags little-endian, 4K pages, anywhere; the magic.
 */
.macro image_header entry
	b	\entry			// code0
	.word	0			// code1
	.quad	0			// text_offset
	.quad	image_end - _start	// image_size
	.quad	0xa			// flags
	.quad	0, 0, 0			// res2..res4
	.ascii	"ARM\x64"		// magic
	.word	0			// res5
.endm

#endif
