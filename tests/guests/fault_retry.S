/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stuck for ever: a load at MMIO_BASE + 0x40 that gunyahctl answers with
 * FAULT (--fault 0x09000040), and a data abort handler that returns to
 * the same load (ELR_EL1 untouched), which faults again, and again: the
 * same vCPU, exit, address and PC every time.  Never powers off.
 */
#include "guest.h"

	.text
	.global _start
_start:
	adr	x0, vector_table
	msr	vbar_el1, x0
	isb
	li	x1, MMIO_BASE
retry:
	ldr	w3, [x1, #0x40]
	b	retry

retry_handler:
	eret

	vectors vector_table, retry_handler
