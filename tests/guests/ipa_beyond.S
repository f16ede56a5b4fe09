/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One store just below the sim's 40-bit IPA size (an MMIO exit), then one
 * at 1 << 40: beyond the guest's physical address space, an address size
 * fault in the guest, which has no vectors: the VM crashes.
 */
#include "guest.h"
	.text
	.global _start
_start:
	li	x1, 0xfffffffff8
	mov	x0, #0x5a
	str	x0, [x1]
	li	x1, 0x10000000000
	str	x0, [x1]
	system_off
	b	.
