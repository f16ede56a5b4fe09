/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writes everywhere: x20 stores, the n-th of its own address to
 * x21 + n * x19 (all three from the boot context), then powers off.
 * With a wide stride the stores sweep the address space: most are MMIO
 * exits, some land in RAM (over this program, if the host asks), some
 * beyond the physical address range.
 */
#include "guest.h"
	.text
	.global _start
_start:
	mov	x3, x21
	mov	x2, x20
1:	str	x3, [x3]
	add	x3, x3, x19
	subs	x2, x2, #1
	b.ne	1b
	system_off
	b	.
