/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Two vCPUs and PSCI.  vCPU 0 starts vCPU 1 with CPU_ON (x1 = MPIDR
 * Aff0 = 1), waits with AFFINITY_INFO until vCPU 1 has turned itself off
 * with CPU_OFF, then powers the VM off.  Each says what it does on the
 * UART (no FIFO polling here: writes only).
 *
 *   gunyahctl run --vcpus 2 --uart 0x09000000 build/examples/smp.elf
 */
#include "guest.h"

#define AFFINITY_OFF	1

	.text
	.global _start
_start:
	adr	x0, s_boot
	bl	puts

	ldr	x0, =PSCI_0_2_FN64_CPU_ON
	mov	x1, #1			// target: vCPU 1
	adr	x2, secondary		// its entry point
	mov	x3, #0x5a		// its x0
	hvc	#0
	cbnz	x0, failed

wait_off:
	ldr	x0, =PSCI_0_2_FN64_AFFINITY_INFO
	mov	x1, #1
	mov	x2, #0
	hvc	#0
	cmp	x0, #AFFINITY_OFF
	b.ne	wait_off

	adr	x0, s_done
	bl	puts
	system_off
	b	.

failed:
	adr	x0, s_failed
	bl	puts
	system_off
	b	.

secondary:
	mrs	x5, mpidr_el1
	and	x5, x5, #0xff		// our vCPU index
	adr	x0, s_hello
	bl	puts
	ldr	x0, =PSCI_0_2_FN_CPU_OFF
	hvc	#0
	b	.			// never reached

/* puts(x0): write a NUL-terminated string to the UART.  Leaf; uses x6-x7. */
puts:
	li	x6, UART_BASE
1:	ldrb	w7, [x0], #1
	cbz	w7, 2f
	str	w7, [x6]
	b	1b
2:	ret

s_boot:		.asciz	"cpu0: starting cpu1\n"
s_hello:	.asciz	"cpu1: hello, turning myself off\n"
s_done:		.asciz	"cpu0: cpu1 is off, powering down\n"
s_failed:	.asciz	"cpu0: CPU_ON failed\n"
