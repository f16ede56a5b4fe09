/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * str x0, [x1], #8 to MMIO: a post-index store, reported by hardware with
 * ISV=0.  Strict: a data abort, the handler reports FAR (+0x10) and ESR
 * (+0x18) and skips it, x1 stays.  Lenient: the store exits and x1 moves.
 *
 *   strict:  FAR ESR, x1 = MMIO_BASE, poweroff
 *   lenient: w MMIO_BASE 8 0x42, x1 = MMIO_BASE + 8, poweroff
 */
#include "guest.h"
	.text
	.global _start
_start:
	adr	x0, vectors_el1
	msr	vbar_el1, x0
	isb
	li	x1, MMIO_BASE
	mov	x0, #0x42
	str	x0, [x1], #8
	report	x1
	system_off
	b	.
	report_and_skip sync_handler
	vectors	vectors_el1, sync_handler
