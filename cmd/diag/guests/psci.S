/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gunyahctl diag: SMP bring-up and VM exits through PSCI.
 *
 * Boot context: x19 = vCPUs to bring up (1 = the boot vCPU only),
 * x20 = the SMCCC function that ends the VM, x21/x22 = its x1/x2.
 *
 * vCPU 0 starts vCPUs 1..x19-1 with CPU_ON (context DIAG_CONTEXT + id),
 * reporting each result at REPORT + 0; waits up to a second per vCPU for
 * it to raise its DIAG_CPU_FLAGS word, reporting the id of one that never
 * does at REPORT + 8; starts vCPU 1 again (ALREADY_ON expected) and
 * reports that at REPORT + 0x10; then makes the final call, reporting its
 * result at REPORT + 0x18 should it ever return.
 *
 * A secondary reports MPIDR_EL1 at REPORT + 0x20 and x0 (its context id)
 * at REPORT + 0x28, raises its flag and idles in WFI for good.
 */
#include "diag_guest.h"
	.text
	.global _start
_start:
	mov	x23, #1
1:	cmp	x23, x19
	b.hs	2f
	ldr	x0, =PSCI_0_2_FN64_CPU_ON
	mov	x1, x23
	adr	x2, secondary
	ldr	x3, =DIAG_CONTEXT
	add	x3, x3, x23
	hvc	#0
	report	x0
	add	x23, x23, #1
	b	1b

2:	ldr	x12, =DIAG_CPU_FLAGS
	mov	x23, #1
3:	cmp	x23, x19
	b.hs	6f
	mrs	x10, cntfrq_el0
	mrs	x11, cntvct_el0
	add	x11, x11, x10		// a second from now
4:	ldr	x13, [x12, x23, lsl #3]
	cbnz	x13, 5f
	mrs	x14, cntvct_el0
	cmp	x14, x11
	b.lo	4b
	report	x23, 8			// this one never came up
5:	add	x23, x23, #1
	b	3b

6:	cmp	x19, #2
	b.lo	7f
	ldr	x0, =PSCI_0_2_FN64_CPU_ON
	mov	x1, #1
	adr	x2, secondary
	mov	x3, #0
	hvc	#0
	report	x0, 0x10

7:	mov	x0, x20
	mov	x1, x21
	mov	x2, x22
	hvc	#0
	report	x0, 0x18		// the VM should be gone
	b	.

secondary:
	mrs	x10, mpidr_el1
	report	x10, 0x20
	report	x0, 0x28
	and	x10, x10, #0xff
	ldr	x12, =DIAG_CPU_FLAGS
	mov	x13, #1
	str	x13, [x12, x10, lsl #3]
	dsb	sy
8:	wfi
	b	8b
