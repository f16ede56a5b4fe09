/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Page faults.  The test declares a fault region at PF_BASE (no memory
 * behind it).  The first load there faults; the test maps memory and
 * answers RETRY, so the load re-executes and reads what the test put
 * there.  A store to PF_BASE + 0x1000 is answered FAULT: the handler
 * reports ESR and FAR and skips it.
 */
#include "guest.h"
#define PF_BASE 0xc0000000
	.text
	.global _start
_start:
	adr	x0, vectors_el1
	msr	vbar_el1, x0
	isb
	li	x1, PF_BASE
	ldr	x3, [x1]		// page fault; RETRY after mapping
	report	x3
	li	x4, 0x1000
	str	x3, [x1, x4]		// page fault; FAULT
	report	x3, 8			// after the handler
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
