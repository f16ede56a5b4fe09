/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A store pair and a load pair to MMIO.  Hardware gives the hypervisor no
 * syndrome for a pair (ISV=0): on Gunyah and the strict sim each takes a
 * data abort, whose handler reports FAR (+0x10) and ESR (+0x18) and skips
 * it.  A lenient sim splits each into one exit per register.
 *
 *   strict:  FAR ESR (stp)  FAR ESR (ldp)  x4 x5 (untouched: 0), poweroff
 *   lenient: w +0x20 x2, w +0x28 x3, r +0x30, r +0x38, x4 x5, poweroff
 */
#include "guest.h"
	.text
	.global _start
_start:
	adr	x0, vectors_el1
	msr	vbar_el1, x0
	isb
	li	x1, MMIO_BASE
	li	x2, 0x1111
	li	x3, 0x2222
	stp	x2, x3, [x1, #0x20]
	ldp	x4, x5, [x1, #0x30]
	report	x4
	report	x5
	system_off
	b	.
	report_and_skip sync_handler
	vectors	vectors_el1, sync_handler
