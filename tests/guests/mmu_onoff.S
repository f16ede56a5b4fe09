/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's own MMU on, then off again, with MMIO exits in each state.
 * The sim follows SCTLR_EL1.M through the guest's MSR writes (it does not
 * read it at each entry): with the MMU on, the engine's address check
 * must see virtual addresses and the trapped instruction is found through
 * the guest's tables; off again, physical ones.
 *   1. MMU off: write 0x11 to MMIO_BASE
 *   2. MMU on, running at VA 0x4000xxxx (an alias of RAM, no PA there):
 *      write 0x22 to MMIO_BASE + 8 (VA = PA: identity, device memory)
 *   3. read MMIO_BASE + 0x18 into x3 (the host answers), 4. report x3
 *   5. back at the identity map, MMU off: write 0x33 to MMIO_BASE + 0x10
 *   6. SYSTEM_OFF
 */
#include "guest.h"

#define RAM_ALIAS	0x40000000	/* VA of the RAM base with the MMU on */
#define MEM_BLOCK	0x701		/* AF, inner shareable, attr 0, block */
#define DEV_BLOCK	0x405		/* AF, attr 1 (device), block */
/* T0SZ 25 (39-bit VA, tables from level 1), WB WA walks, inner
 * shareable, 4 KiB granule, no TTBR1 walks (EPD1), 40-bit IPS. */
#define TCR		0x200803519
#define MAIR		0x00ff		/* attr 0 normal WB, attr 1 device */

	.text
	.global _start
_start:
	li	x1, MMIO_BASE
	mov	x2, #0x11
	str	x2, [x1]		// 1
	li	x0, MAIR
	msr	mair_el1, x0
	li	x0, TCR
	msr	tcr_el1, x0
	adr	x0, l1_table
	msr	ttbr0_el1, x0
	isb
	mrs	x0, sctlr_el1
	orr	x0, x0, #1
	msr	sctlr_el1, x0
	isb
	ldr	x9, =(alias - GH_SIM_RAM_BASE + RAM_ALIAS)
	br	x9
alias:
	mov	x2, #0x22
	str	x2, [x1, #8]		// 2
	ldr	x3, [x1, #0x18]		// 3
	report	x3			// 4
	ldr	x9, =back
	br	x9
back:
	mrs	x0, sctlr_el1
	bic	x0, x0, #1
	msr	sctlr_el1, x0
	isb
	mov	x2, #0x33
	str	x2, [x1, #0x10]		// 5
	system_off			// 6
	.ltorg

	/* Level 1: 1 GiB blocks. */
	.balign	4096
l1_table:
	.quad	0x00000000 | DEV_BLOCK		// VA 0: MMIO, identity
	.quad	GH_SIM_RAM_BASE | MEM_BLOCK	// VA 0x40000000: RAM alias
	.quad	GH_SIM_RAM_BASE | MEM_BLOCK	// VA 0x80000000: RAM, identity
	.fill	509, 8, 0
