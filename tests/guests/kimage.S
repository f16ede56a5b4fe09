/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The smallest arm64 "Image" run --kernel accepts: the booting header
 * (text_offset 0, image_size, magic) and code that REPORTs x0 (the DTB's
 * address), the DTB's first word (the FDT magic, big-endian) and its
 * total size, then powers off.
 */
#include "guest.h"
	.text
	.global _start
_start:
	image_header code
code:
	mov	x10, x0
	report	x10
	ldr	w11, [x10]
	report	x11, 8
	ldr	w11, [x10, #4]
	rev	w11, w11
	report	x11, 0x10
	system_off
	b	.
	.balign	8
image_end:
