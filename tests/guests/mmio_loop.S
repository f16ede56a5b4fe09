/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exits for ever: every vCPU stores an incrementing counter to its own
 * MMIO address (MMIO_BASE + 0x100 * id), one write exit per iteration.
 * vCPU 0 first starts vCPUs 1, 2, ... with CPU_ON until one is not there.
 * For pausing, stepping and measuring the cost of a reader of the exits.
 */
#include "guest.h"
	.text
	.global _start
_start:
	mov	x21, #1
1:	ldr	x0, =PSCI_0_2_FN64_CPU_ON
	mov	x1, x21
	adr	x2, loop
	mov	x3, #0
	hvc	#0
	cbnz	x0, loop		// no vCPU x21: all started
	add	x21, x21, #1
	b	1b

loop:
	mrs	x10, mpidr_el1
	and	x10, x10, #0xff
	li	x11, MMIO_BASE
	add	x11, x11, x10, lsl #8
	mov	x12, #0
2:	str	x12, [x11]
	add	x12, x12, #1
	b	2b
