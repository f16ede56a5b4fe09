/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A store the sim emulates in place (GICD_CTLR) and then, in the same
 * block, stores to an address with nothing behind it (above RAM, not a
 * device gap): each must exit with PC on itself, so the instructions
 * between run once.  Stores x1 = 1, then 2, to UNMAPPED, REPORTs x1 (2).
 */
#include "guest.h"
#define GICD 0x08000000
#define UNMAPPED 0x90000000
	.text
	.global _start
_start:
	mov	x1, #0
	li	x2, GICD
	li	x9, UNMAPPED
	mov	w3, #3
	b	1f
1:	str	w3, [x2]		// GICD_CTLR: no exit
	add	x1, x1, #1
	str	x1, [x9]		// an exit: 1
	add	x1, x1, #1
	str	x1, [x9]		// an exit: 2
	report	x1
	system_off
	b	.
