/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Branches to a misaligned address three times, the same one each time;
 * every time the PC alignment fault's handler reports the count of faults
 * so far and the fault's ELR, then branches there again.  After the third
 * it powers off.  Each entry must fault before anything at that PC runs
 * (the engine makes a block there only once unless the sim drops it).
 */
#include "guest.h"
	.text
	.global _start
_start:
	adr	x0, vectors_el1
	msr	vbar_el1, x0
	isb
	mov	x19, #0
	adr	x20, target
	add	x20, x20, #2
	br	x20
target:
	nop
	nop
	report	x20, 0x20	// never: reached only through the misaligned PC
	b	.
handler:
	add	x19, x19, #1
	report	x19
	mrs	x9, elr_el1
	report	x9, 8
	cmp	x19, #3
	b.hs	1f
	br	x20
1:	system_off
	b	.
	vectors	vectors_el1, handler
