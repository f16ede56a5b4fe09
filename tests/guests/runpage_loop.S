/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An endless loop through every kind of exit, for the run-page fuzzer and
 * test_sim_runpage.c.  The host declares a fault region at PF_BASE and
 * never backs it.  The abort handler steps past the faulting instruction,
 * so an exit answered FAULT leaves the target register as it was.
 *
 *   P0  str   x20, [x1]          write 8 @ +0x00: the loop count
 *   P1  ldr   x2, [x1, #8]       read 8  @ +0x08
 *   P2  str   x2, [x1, #0x10]    write 8 @ +0x10: what P1 read
 *   P3  ldrb  w3, [x1, #0x18]    read 1  @ +0x18 (zero-extended)
 *   P4  str   x3, [x1, #0x20]    write 8 @ +0x20
 *   P5  ldrsh x4, [x1, #0x28]    read 2  @ +0x28 (sign-extended to 64)
 *   P6  str   x4, [x1, #0x30]    write 8 @ +0x30
 *   P7  ldr   x5, [x6]           page fault @ PF_BASE
 *   P8  str   x5, [x1, #0x38]    write 8 @ +0x38: what P7 read
 *       x20 += 1, and again
 */
#include "guest.h"
#define PF_BASE 0xc0000000
	.text
	.global _start
_start:
	adr	x0, vectors_el1
	msr	vbar_el1, x0
	isb
	li	x1, MMIO_BASE
	li	x6, PF_BASE
	mov	x2, #0
	mov	x3, #0
	mov	x4, #0
	mov	x5, #0
	mov	x20, #0
loop:
	str	x20, [x1]
	ldr	x2, [x1, #8]
	str	x2, [x1, #0x10]
	ldrb	w3, [x1, #0x18]
	str	x3, [x1, #0x20]
	ldrsh	x4, [x1, #0x28]
	str	x4, [x1, #0x30]
	ldr	x5, [x6]
	str	x5, [x1, #0x38]
	add	x20, x20, #1
	b	loop

sync_handler:
	mrs	x10, elr_el1
	add	x10, x10, #4
	msr	elr_el1, x10
	eret

	vectors	vectors_el1, sync_handler
