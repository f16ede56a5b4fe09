/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writes "tick\n" to the UART data register, byte by byte, forever: an
 * MMIO write exit per byte, a console line (with --uart 0x09000000) per
 * five exits, and never an end of its own.  For the admin commands'
 * tests: counters that move, a console to attach to, exits to step.
 */
#include "guest.h"
	.text
	.global _start
_start:
	li	x1, UART_BASE
line:
	adr	x2, message
next:
	ldrb	w3, [x2], #1
	cbz	w3, line
	str	w3, [x1]
	b	next

message:
	.asciz	"tick\n"
