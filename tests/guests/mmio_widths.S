/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MMIO of every width.  Writes: 1, 2, 4, 8 bytes with known data.  Reads:
 * every load form hardware describes to a hypervisor (ISV=1), each result
 * reported back as an 8-byte MMIO write so the test can check zero/sign
 * extension.  Writeback forms are mmio_writeback.S's.
 */
#include "guest.h"
	.text
	.global _start
_start:
	li	x1, MMIO_BASE
	li	x2, 0x1122334455667788
	strb	w2, [x1]		// 1: write 0x88 len 1 @ +0
	strh	w2, [x1, #2]		// 2: write 0x7788 len 2 @ +2
	str	w2, [x1, #4]		// 3: write 0x55667788 len 4 @ +4
	str	x2, [x1, #8]		// 4: write 0x1122334455667788 len 8 @ +8

	ldrb	w3, [x1, #0x10]		// 5: read len 1 @ +0x10
	report	x3			// 6
	ldrsb	w3, [x1, #0x11]		// 7: read len 1
	report	x3			// 8
	ldrsb	x3, [x1, #0x12]		// 9
	report	x3			// 10
	ldrh	w3, [x1, #0x14]		// 11: read len 2
	report	x3			// 12
	ldrsh	w3, [x1, #0x16]		// 13
	report	x3			// 14
	ldrsh	x3, [x1, #0x18]		// 15
	report	x3			// 16
	ldr	w3, [x1, #0x20]		// 17: read len 4
	report	x3			// 18
	ldrsw	x3, [x1, #0x24]		// 19
	report	x3			// 20
	ldr	x3, [x1, #0x28]		// 21: read len 8
	report	x3			// 22

	mov	x5, #0x48
	ldr	x3, [x1, x5]		// 23: register offset: read @ +0x48
	report	x3			// 24
	system_off			// 25: status exited poweroff
	b	.
