/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Two vCPUs writing known sequences, for checking per-vCPU order:
 *   vCPU 0 writes 0x100..0x104 (4 bytes each) to MMIO_BASE + 0x10,
 *   starts vCPU 1 (PSCI CPU_ON), which writes 0x200..0x204 to
 *   MMIO_BASE + 0x20 and turns itself off (CPU_OFF), while vCPU 0
 *   writes 0x105..0x109 to MMIO_BASE + 0x10, waits until vCPU 1 is off
 *   (AFFINITY_INFO) and powers the VM off.
 */
#include "guest.h"

	.text
	.global _start
_start:
	li	x1, MMIO_BASE + 0x10
	mov	x2, #0x100
	mov	x3, #0x105
1:	str	w2, [x1]
	add	x2, x2, #1
	cmp	x2, x3
	b.ne	1b

	ldr	x0, =PSCI_0_2_FN64_CPU_ON
	mov	x1, #1
	adr	x2, secondary
	mov	x3, #0
	hvc	#0

	li	x1, MMIO_BASE + 0x10
	mov	x2, #0x105
	mov	x3, #0x10a
2:	str	w2, [x1]
	add	x2, x2, #1
	cmp	x2, x3
	b.ne	2b

3:	ldr	x0, =PSCI_0_2_FN64_AFFINITY_INFO
	mov	x1, #1
	mov	x2, #0
	hvc	#0
	cmp	x0, #1
	b.ne	3b
	system_off
	b	.

secondary:
	li	x1, MMIO_BASE + 0x20
	mov	x2, #0x200
	mov	x3, #0x205
1:	str	w2, [x1]
	add	x2, x2, #1
	cmp	x2, x3
	b.ne	1b
	ldr	x0, =PSCI_0_2_FN_CPU_OFF
	hvc	#0
	b	.
