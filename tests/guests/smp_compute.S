/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every vCPU runs a five-instruction ALU loop with no exit, x20 times
 * (x20 >= 1), then reports its checksum.  vCPU 0 starts vCPUs 1..x19-1
 * with CPU_ON (context: x20), as smp_mmio does.  The host can recompute
 * the checksum:  sum = 0, mix = id;  for i in 0..n-1: sum += i, mix ^= sum
 * and it is stored to MMIO_REPORT + id * 8.  Secondaries then CPU_OFF;
 * vCPU 0 waits until they are all off and powers the VM off.
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
2:	bl	alu

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
	bl	alu
	ldr	x0, =PSCI_0_2_FN_CPU_OFF
	hvc	#0
	b	.

alu:
	mrs	x10, mpidr_el1
	and	x10, x10, #0xff
	mov	x12, #0
	mov	x13, #0
	mov	x14, x10
6:	add	x13, x13, x12		// the loop: five instructions
	eor	x14, x14, x13
	add	x12, x12, #1
	cmp	x12, x20
	b.lo	6b
	li	x11, MMIO_REPORT
	str	x14, [x11, x10, lsl #3]
	ret

fail:
	report	x0
	b	.
