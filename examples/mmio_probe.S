/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A driver probing two devices, to try gunyahctl's scripted MMIO:
 *
 *   gunyahctl run --mmio 0x0a000000:0x1000:dev0 \
 *       --mmio 0x0a001000:0x1000:dev1 \
 *       --mmio-read 0x0a000000=0x47554e59 \
 *       --mmio-read 0x0a000008=0,0,1 \
 *       --fault 0x0a001000 build/examples/mmio_probe.elf
 *
 * dev0: reads its ID register (+0); if it says "GUNY" (0x47554e59) the
 * driver enables it (+4 = 1), polls its status register (+8) until bit 0
 * is set, and writes the status it saw to +0xc.  Otherwise it writes the
 * ID it found to +0x10.
 * dev1: reads its ID register; if the access aborts (--fault) the
 * exception handler writes ESR_EL1 to dev1 +0x14 and skips the load, so
 * the probe reads as 0 and the driver writes 0xdead to dev1 +0x10.
 * Then PSCI SYSTEM_OFF.
 */
#include "guest.h"

#define DEV0	0x0a000000
#define DEV1	0x0a001000
#define GUNY	0x47554e59

	.text
	.global _start
_start:
	adr	x0, vector_table
	msr	vbar_el1, x0
	isb

	li	x1, DEV0
	ldr	w2, [x1]		// ID
	li	w3, GUNY
	cmp	w2, w3
	b.ne	dev0_absent
	mov	w4, #1
	str	w4, [x1, #4]		// enable
poll:
	ldr	w5, [x1, #8]		// status
	tbz	w5, #0, poll
	str	w5, [x1, #0xc]		// report what it said
	b	probe_dev1
dev0_absent:
	str	w2, [x1, #0x10]

probe_dev1:
	li	x1, DEV1
	mov	w2, #0
	ldr	w2, [x1]		// may abort: the handler skips it
	cbnz	w2, off
	li	w3, 0xdead
	str	w3, [x1, #0x10]
off:
	system_off
	b	.

/* A synchronous exception: report ESR_EL1 and skip the instruction. */
sync_handler:
	mrs	x9, esr_el1
	li	x10, DEV1
	str	w9, [x10, #0x14]
	mrs	x9, elr_el1
	add	x9, x9, #4
	msr	elr_el1, x9
	eret

	vectors vector_table, sync_handler
