/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MMIO accesses in the middle of a translation block: the instructions
 * before each must run exactly once however the exit is taken.
 * REPORTs x1 (3, then 7) after a read and a write that are the third
 * instruction of their blocks, and the value read.
 */
#include "guest.h"
	.text
	.global _start
_start:
	mov	x1, #0
	li	x2, MMIO_BASE
	b	1f
1:	add	x1, x1, #1
	add	x1, x1, #1
	ldr	w3, [x2]		// a read exit, mid-block
	add	x1, x1, #1
	report	x1
	report	x3, 8
	b	2f
2:	add	x1, x1, #2
	add	x1, x1, #2
	str	w1, [x2, #4]		// a write exit, mid-block
	report	x1
	system_off
	b	.
