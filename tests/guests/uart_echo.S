/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An arm64 "Image" (run --kernel's header, as kimage.S) that talks over
 * the PL011 at UART_BASE by polling: it unmasks the receive interrupts
 * (the VMM feeds the receive FIFO only then, as a driver's probe does),
 * prints "ready", then echoes every byte it receives, a-z upper-cased,
 * until a 'q': then "\nbye\n" and power off.  For attach --console.
 */
#include "guest.h"
#define DR	0x00
#define FR	0x18
#define IMSC	0x38
#define RXFE	(1 << 4)
	.text
	.global _start
_start:
	image_header code
code:
	li	x1, UART_BASE
	mov	w2, #0x50		// RXIM | RTIM
	str	w2, [x1, #IMSC]
	adr	x3, ready
	bl	puts
1:	ldr	w2, [x1, #FR]
	tbnz	w2, #4, 1b		// RXFE: nothing yet
	ldr	w2, [x1, #DR]
	and	w2, w2, #0xff
	cmp	w2, #'q'
	b.eq	2f
	sub	w4, w2, #'a'
	cmp	w4, #25
	b.hi	3f
	sub	w2, w2, #0x20		// a-z: upper case
3:	str	w2, [x1, #DR]
	b	1b
2:	adr	x3, bye
	bl	puts
	system_off
	b	.

/* Write the string at x3 to DR. */
puts:
	ldrb	w2, [x3], #1
	cbz	w2, 4f
	str	w2, [x1, #DR]
	b	puts
4:	ret

ready:	.asciz	"ready\n"
bye:	.asciz	"\nbye\n"
	.balign	8
image_end:
