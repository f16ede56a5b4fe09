/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gunyahctl diag: a guest that waits.  x19 = DIAG_WAIT_WFI: report 1,
 * set DIAG_FLAG (a RAM store, no exit: the host sees the guest is at its
 * WFI), idle in WFI, report 2 once woken.  x19 = DIAG_WAIT_FLAG: spin (no
 * exits) until the host writes a non-zero DIAG_FLAG, then report it.
 * Both end with PSCI SYSTEM_OFF.
 */
#include "diag_guest.h"
	.text
	.global _start
_start:
	cmp	x19, #DIAG_WAIT_FLAG
	b.eq	flag

	mov	x5, #1
	report	x5
	ldr	x1, =DIAG_FLAG
	str	x5, [x1]
	dsb	sy
	wfi
	mov	x5, #2
	report	x5
	b	off

flag:
	ldr	x1, =DIAG_FLAG
1:	ldr	x2, [x1]
	cbz	x2, 1b
	report	x2

off:
	smccc	PSCI_0_2_FN_SYSTEM_OFF
	b	.
