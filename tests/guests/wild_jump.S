/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Jumps to x19.  With x20 != 0 a vector table is installed first and the
 * instruction abort is reported (ESR, FAR) before powering off; without
 * one the VM crashes.
 */
#include "guest.h"
	.text
	.global _start
_start:
	cbz	x20, 1f
	adr	x0, vectors_el1
	msr	vbar_el1, x0
	isb
1:	br	x19
sync_handler:
	mrs	x10, esr_el1
	report	x10
	mrs	x10, far_el1
	report	x10
	system_off
	b	.
	vectors	vectors_el1, sync_handler
