/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An exclusive load to MMIO: no syndrome on hardware (ISV=0).  Strict: a
 * data abort, the handler reports FAR (+0x10) and ESR (+0x18) and skips
 * it, x2 stays 0.  Lenient: a plain load.  The STXR after it finds the
 * exclusive monitor unarmed either way (the load never went through the
 * core's monitor), so it fails without an access: status x4 = 1.
 *
 *   strict:  FAR ESR, x2 = 0, x4 = 1, poweroff
 *   lenient: r MMIO_BASE 8, x2, x4 = 1, poweroff
 */
#include "guest.h"
	.text
	.global _start
_start:
	adr	x0, vectors_el1
	msr	vbar_el1, x0
	isb
	li	x1, MMIO_BASE
	mov	x2, #0
	ldxr	x2, [x1]
	report	x2
	mov	x3, #0x77
	mov	x4, #5
	stxr	w4, x3, [x1]
	report	x4
	system_off
	b	.
	report_and_skip sync_handler
	vectors	vectors_el1, sync_handler
