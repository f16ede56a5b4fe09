/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Touches memory that is not there, for gunyahctl run's page-fault
 * policies: run with --pf-region 0x90000000:0x10000.
 *   1. store 0x1234 to 0x90000000, load it back, REPORT it (+0)
 *   2. load from 0x90001008 (a second page), REPORT it (+8)
 *   3. SYSTEM_OFF
 * With --on-page-fault=retry each first touch of a page is a page_fault
 * exit, and the reports are 0x1234 and 0.  With =fault each access takes
 * a data abort: the handler REPORTs FAR_EL1 (+0x10) and ESR_EL1 (+0x18)
 * and skips the instruction.
 */
#include "guest.h"

	.text
	.global _start
_start:
	adr	x0, vector_table
	msr	vbar_el1, x0
	isb
	li	x1, 0x90000000
	li	x2, 0x1234
	mov	x3, #0
	str	x2, [x1]
	ldr	x3, [x1]
	report	x3, 0
	mov	x4, #0
	ldr	x4, [x1, #0x1008]
	report	x4, 8
	system_off
	b	.

	report_and_skip sync_handler

	vectors vector_table, sync_handler
