/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x19 load pairs from MMIO, each a data abort the handler skips (the sim
 * cannot emulate a pair), then SYSTEM_OFF: a guest that makes the sim
 * complain as fast as it can.
 */
#include "guest.h"
	.text
	.global _start
_start:
	adr	x0, vectors_el1
	msr	vbar_el1, x0
	isb
	li	x1, MMIO_BASE
1:	ldp	x2, x3, [x1]
	subs	x19, x19, #1
	b.ne	1b
	system_off
	b	.
sync_handler:
	mrs	x10, elr_el1
	add	x10, x10, #4
	msr	elr_el1, x10
	eret
	vectors	vectors_el1, sync_handler
