/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Makes one SMCCC call chosen by the host through the boot context:
 * x19 = function id, x20..x22 = x1..x3 arguments; HVC, or SMC when
 * x23 != 0.
 * Secondary vCPUs (started by CPU_ON from a test) spin.
 */
	.text
	.global _start
_start:
	mov	x0, x19
	mov	x1, x20
	mov	x2, x21
	mov	x3, x22
	cbnz	x23, 1f
	hvc	#0
	b	2f
1:	smc	#0
2:	ldr	x28, =0x09000100
	str	x0, [x28]		// the call returned: report x0
	b	.
