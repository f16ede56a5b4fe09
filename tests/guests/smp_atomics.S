/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Are a guest's atomics atomic across vCPUs?  vCPU 0 starts vCPU 1 with
 * CPU_ON; once both are up (a RAM flag each), each adds 1 to one shared
 * RAM counter ATOMIC_N times with an ldxr / add / stxr loop, retrying
 * when stxr fails, as every lock and atomic_inc of a kernel does.  On a
 * machine whose exclusive monitors see each other's stores the counter
 * ends at 2 * ATOMIC_N.  vCPU 0 then REPORTs, at MMIO_REPORT + 0, the
 * counter; + 8, its own stxr retries; + 0x10, vCPU 1's; and powers off.
 * With one vCPU (CPU_ON refused) vCPU 0 counts alone: ATOMIC_N.
 */
#include "guest.h"
#define ATOMIC_N 1000000
	.text
	.global _start
_start:
	ldr	x0, =PSCI_0_2_FN64_CPU_ON
	mov	x1, #1
	adr	x2, secondary
	mov	x3, #0
	hvc	#0
	mov	x24, x0			// 0: vCPU 1 is coming
	cbnz	x24, 2f
	adr	x1, up1			// wait for vCPU 1 before counting
1:	ldr	x2, [x1]
	cbz	x2, 1b
2:	bl	count
	mov	x16, x15
	cbnz	x24, 4f
	adr	x1, done1		// vCPU 1 finished its loop
3:	ldr	x2, [x1]
	cbz	x2, 3b
4:	adr	x1, counter
	ldr	x2, [x1]
	report	x2
	report	x16, 8
	adr	x1, retries1
	ldr	x2, [x1]
	report	x2, 0x10
	system_off
	b	.

secondary:
	adr	x1, up1
	mov	x2, #1
	str	x2, [x1]
	dsb	sy
	bl	count
	adr	x1, retries1
	str	x15, [x1]
	adr	x1, done1
	mov	x2, #1
	dsb	sy
	str	x2, [x1]
	dsb	sy
	ldr	x0, =PSCI_0_2_FN_CPU_OFF
	hvc	#0
	b	.

/* ATOMIC_N atomic increments of counter; x15 = failed stxr count. */
count:
	adr	x1, counter
	ldr	x3, =ATOMIC_N
	mov	x15, #0
5:	ldxr	x4, [x1]
	add	x4, x4, #1
	stxr	w5, x4, [x1]
	cbz	w5, 6f
	add	x15, x15, #1
	b	5b
6:	subs	x3, x3, #1
	b.ne	5b
	ret

	.balign	64
counter:	.quad	0
	.balign	64
up1:		.quad	0
	.balign	64
done1:		.quad	0
	.balign	64
retries1:	.quad	0
