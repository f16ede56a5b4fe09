/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gunyahctl diag: MMIO exits.  x19 picks the program (DIAG_MMIO_*, see
 * diag_layout.h); each ends with PSCI SYSTEM_OFF.  A synchronous
 * exception (an injected data abort) reports ESR at REPORT + 8 and FAR at
 * REPORT + 0x10 and skips the faulting instruction.
 */
#include "diag_guest.h"
	.text
	.global _start
_start:
	adr	x0, vectors_el1
	msr	vbar_el1, x0
	isb
	ldr	x1, =DIAG_MMIO
	ldr	x2, =DIAG_PATTERN
	mov	x3, #DIAG_UNTOUCHED
	cmp	x19, #DIAG_MMIO_WRITES
	b.eq	writes
	cmp	x19, #DIAG_MMIO_READS
	b.eq	reads
	cmp	x19, #DIAG_MMIO_RESUME
	b.eq	resume
	cmp	x19, #DIAG_MMIO_PAGE_FAULT
	b.eq	page_fault
	cmp	x19, #DIAG_MMIO_LOOP
	b.eq	loop

layout:					// DIAG_MMIO_LAYOUT
	str	x2, [x1, #0x40]
	b	off

writes:
	strb	w2, [x1]		// 0x88
	strh	w2, [x1, #2]		// 0x7788
	str	w2, [x1, #4]		// 0x55667788
	str	x2, [x1, #8]		// 0x1122334455667788
	b	off

reads:					// each result comes back as a report
	ldrb	w3, [x1, #0x10]
	report	x3
	ldrh	w3, [x1, #0x12]
	report	x3
	ldr	w3, [x1, #0x14]
	report	x3
	ldr	x3, [x1, #0x18]
	report	x3
	b	off

resume:
	ldr	x3, [x1, #0x80]		// the host picks the resume action
	report	x3			// DIAG_UNTOUCHED if it faulted
	str	x2, [x1, #0x88]
	b	off

page_fault:
	ldr	x4, =DIAG_PF_BASE
	ldr	x3, [x4]		// answered FAULT
	report	x3
	ldr	x4, =DIAG_PF_SECOND
	ldr	x3, [x4]		// backed by the host, answered RETRY
	report	x3
	b	off

loop:
	mov	x3, #0
1:	str	x3, [x1, #0x100]
	add	x3, x3, #1
	b	1b

off:
	smccc	PSCI_0_2_FN_SYSTEM_OFF
	b	.

	report_and_skip_handler sync_handler
	vectors	vectors_el1, sync_handler
