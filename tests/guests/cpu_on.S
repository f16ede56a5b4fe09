/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SMP bring-up.  vCPU 0 starts vCPU 1 with PSCI CPU_ON (context 0x1234),
 * reports CPU_ON's result, then polls AFFINITY_INFO until vCPU 1 is off
 * again.  vCPU 1 reports its MPIDR and context, then CPU_OFFs.  A second
 * CPU_ON of the same vCPU while it runs would be ALREADY_ON; vCPU 0 also
 * tries a vCPU that does not exist (INVALID_PARAMETERS).  Then SYSTEM_OFF.
 */
#include "guest.h"
	.text
	.global _start
_start:
	ldr	x0, =PSCI_0_2_FN64_CPU_ON
	mov	x1, #7			// no such vCPU
	adr	x2, secondary
	mov	x3, #0
	hvc	#0
	report	x0, 0x10		// INVALID_PARAMETERS (-2)

	ldr	x0, =PSCI_0_2_FN64_CPU_ON
	mov	x1, #1
	adr	x2, secondary
	ldr	x3, =0x1234
	hvc	#0
	report	x0, 0x10		// SUCCESS (0)

1:	ldr	x0, =PSCI_0_2_FN64_AFFINITY_INFO
	mov	x1, #1
	mov	x2, #0
	hvc	#0
	cmp	x0, #1			// OFF
	b.ne	1b
	report	x0, 0x10		// 1
	system_off
	b	.

secondary:
	mov	x9, x0			// context id
	mrs	x10, mpidr_el1
	report	x10, 0x20
	report	x9, 0x20
	ldr	x0, =PSCI_0_2_FN_CPU_OFF
	hvc	#0
	b	.			// never returns
