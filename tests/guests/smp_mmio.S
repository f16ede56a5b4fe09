/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every vCPU makes its own stream of MMIO writes.  vCPU 0 starts vCPUs
 * 1..x19-1 with CPU_ON, then all of them store (id << 32 | i) to
 * MMIO_BASE + id * 0x100 for i = 0 .. x20-1 (x19, x20: boot context,
 * passed on to the secondaries as the CPU_ON context).  Secondaries then
 * CPU_OFF; vCPU 0 waits until they are all off and powers the VM off.
 */
#include "guest.h"
	.text
	.global _start
_start:
	mov	x21, #1
1:	cmp	x21, x19
	b.hs	2f
	ldr	x0, =PSCI_0_2_FN64_CPU_ON
	mov	x1, x21
	adr	x2, secondary
	mov	x3, x20
	hvc	#0
	cbnz	x0, fail
	add	x21, x21, #1
	b	1b
2:	bl	stream

	mov	x21, #1
3:	cmp	x21, x19
	b.hs	5f
4:	ldr	x0, =PSCI_0_2_FN64_AFFINITY_INFO
	mov	x1, x21
	mov	x2, #0
	hvc	#0
	cmp	x0, #1
	b.ne	4b
	add	x21, x21, #1
	b	3b
5:	system_off
	b	.

secondary:
	mov	x20, x0			// the count, from the CPU_ON context
	bl	stream
	ldr	x0, =PSCI_0_2_FN_CPU_OFF
	hvc	#0
	b	.

/* x20 writes of (id << 32 | i) to MMIO_BASE + id * 0x100. */
stream:
	mrs	x10, mpidr_el1
	and	x10, x10, #0xff
	li	x11, MMIO_BASE
	add	x11, x11, x10, lsl #8
	mov	x12, #0
6:	cmp	x12, x20
	b.hs	7f
	orr	x13, x12, x10, lsl #32
	str	x13, [x11]
	add	x12, x12, #1
	b	6b
7:	ret

fail:
	report	x0
	b	.
