/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A load pair from MMIO: hardware gives the hypervisor no syndrome for it
 * (ISV = 0), so it cannot be emulated and the guest takes a data abort.
 * The handler reports ESR and FAR, skips the instruction, powers off.
 */
#include "guest.h"
	.text
	.global _start
_start:
	adr	x0, vectors_el1
	msr	vbar_el1, x0
	isb
	li	x1, MMIO_BASE
	ldp	x2, x3, [x1]
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
