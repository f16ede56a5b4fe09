/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Resume actions.  Each MMIO read at MMIO_BASE + n is answered by the test
 * with a different action; the exception handler reports what the CPU saw
 * (ESR_EL1, FAR_EL1, ELR_EL1, SPSR_EL1) and returns past the access.
 *   +0x00  read:  FAULT    -> handler reports ESR, FAR, ELR, SPSR
 *   +0x08  read:  RETRY    -> the same read exits again; then HANDLED
 *   +0x10  write: FAULT    -> handler reports ESR (WnR set)
 *   +0x18  read:  invalid action (EINVAL), then HANDLED with 0x5a
 * x3 after each handled read is reported; then SYSTEM_OFF.
 */
#include "guest.h"
	.text
	.global _start
_start:
	adr	x0, vectors_el1
	msr	vbar_el1, x0
	isb
	li	x1, MMIO_BASE
	mov	x3, #0x77
fault_read:
	ldr	w3, [x1]		// answered FAULT
	report	x3, 8			// x3 untouched: 0x77
	ldr	x3, [x1, #8]		// RETRY, then HANDLED
	report	x3, 8
	li	x2, 0xabcd
	str	w2, [x1, #0x10]		// answered FAULT
	ldrb	w3, [x1, #0x18]		// invalid action, then HANDLED
	report	x3, 8
	system_off
	b	.

sync_handler:
	mrs	x10, esr_el1
	report	x10
	mrs	x10, far_el1
	report	x10
	mrs	x10, elr_el1
	report	x10
	mrs	x10, spsr_el1
	report	x10
	mrs	x10, elr_el1
	add	x10, x10, #4
	msr	elr_el1, x10
	eret

	vectors	vectors_el1, sync_handler
