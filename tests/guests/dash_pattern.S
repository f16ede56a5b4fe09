/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A known, finite exit pattern on every vCPU, then idle for ever, so that
 * counts stand still on a live view (tests/bats/dashboard.bats):
 *   vCPU 0 starts vCPUs 1, 2, ... with CPU_ON until one is not there;
 *   vCPU i reads DEV(i) + 8 i + 1 times, then writes i * 0x100 + k to
 *   DEV(i), k = 0 .. 10 (i + 1) - 1, with DEV(i) = 0x0a000000 + 0x100 i;
 *   vCPU 0 then writes "ready\n" to a PL011 data register at UART_BASE;
 *   every vCPU then waits in WFI, for ever (PSCI SYSTEM_OFF never comes).
 * So vCPU i makes i + 1 reads and 10 (i + 1) writes, vCPU 0 six more
 * writes: 17, 22, 33, ... exits.
 */
#include "guest.h"

#define DEV_BASE	0x0a000000

	.text
	.global _start
_start:
	mov	x21, #1
1:	ldr	x0, =PSCI_0_2_FN64_CPU_ON
	mov	x1, x21
	adr	x2, pattern
	mov	x3, #0
	hvc	#0
	cbnz	x0, pattern		// no vCPU x21: all started
	add	x21, x21, #1
	b	1b

pattern:
	mrs	x10, mpidr_el1
	and	x10, x10, #0xff		// i
	li	x11, DEV_BASE
	add	x11, x11, x10, lsl #8	// DEV(i)
	add	x12, x10, #1		// i + 1 reads
2:	ldr	w13, [x11, #8]
	subs	x12, x12, #1
	b.ne	2b
	add	x12, x10, #1
	mov	x14, #10
	mul	x12, x12, x14		// 10 (i + 1) writes
	lsl	x13, x10, #8		// i * 0x100 + k
3:	str	w13, [x11]
	add	x13, x13, #1
	subs	x12, x12, #1
	b.ne	3b

	cbnz	x10, idle
	adr	x0, ready
	li	x6, UART_BASE
4:	ldrb	w7, [x0], #1
	cbz	w7, idle
	str	w7, [x6]
	b	4b

idle:
	wfi
	b	idle

ready:	.asciz	"ready\n"
