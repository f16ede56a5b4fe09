/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An MMIO read gunyahctl answers with FAULT (--fault 0x09000040): the
 * handler REPORTs FAR_EL1 (+0x10) and ESR_EL1 (+0x18) and skips the load.
 * Then the loaded register (+0: 0x77 if the load was skipped) is REPORTed
 * and the VM powers off.
 */
#include "guest.h"

	.text
	.global _start
_start:
	adr	x0, vector_table
	msr	vbar_el1, x0
	isb
	li	x1, MMIO_BASE
	mov	x3, #0x77
	ldr	w3, [x1, #0x40]
	report	x3, 0
	system_off
	b	.

	report_and_skip sync_handler

	vectors vector_table, sync_handler
