/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest-physical layout of the diag VMs, shared by the guest programs
 * (cmd/guests, assembled for AArch64) and the checks (C, on the host).
 *
 * Everything sits above the RAM base: on real Gunyah the VM's address
 * layout starts at gunyah-vm-config/memory/base-address, and an access
 * below it is a stage-2 abort for the guest, not an MMIO exit for us.
 */
#ifndef DIAG_LAYOUT_H
#define DIAG_LAYOUT_H

#define DIAG_RAM_BASE	0x80000000	/* guests are linked here */
#define DIAG_RAM_SIZE	0x00400000
#define DIAG_FLAG	0x80010000	/* RAM word the host sets to release a guest */
#define DIAG_CPU_FLAGS	0x80011000	/* one 8-byte word per vCPU: "I am up" */
#define DIAG_STACK_TOP	0x80100000
#define DIAG_DTB	0x80300000
#define DIAG_DTB_SIZE	0x00010000
#define DIAG_LAYOUT_SIZE 0x40000000	/* size-max of the address layout */

#define DIAG_MMIO	0x90000000	/* device window: nothing behind it */
#define DIAG_REPORT	0x90001000	/* guest reports: 8-byte stores at +8*k */
#define DIAG_PF_BASE	0xa0000000	/* page-fault region (sim) */
#define DIAG_PF_SIZE	0x00200000
#define DIAG_PF_SECOND	0xa0100000	/* second faulting page, 1 MiB on */

/* x19 of the boot context selects what guests/mmio.S does. */
#define DIAG_MMIO_LAYOUT	0	/* one 8-byte store of DIAG_PATTERN at +0x40 */
#define DIAG_MMIO_WRITES	1	/* strb, strh, str w, str x at +0, +2, +4, +8 */
#define DIAG_MMIO_READS		2	/* ldrb, ldrh, ldr w, ldr x at +0x10.. */
#define DIAG_MMIO_RESUME	3	/* ldr x at +0x80, then str x at +0x88 */
#define DIAG_MMIO_PAGE_FAULT	4	/* loads from the page-fault region */
#define DIAG_MMIO_LOOP		5	/* str x3 at +0x100, x3++, forever */

/* x19 of guests/wait.S. */
#define DIAG_WAIT_WFI		0	/* report 1, flag, WFI, report 2, off */
#define DIAG_WAIT_FLAG		1	/* spin until DIAG_FLAG != 0, report it */

/* x19 of guests/irq.S. */
#define DIAG_IRQ_WAIT		0	/* GIC up, SPI enabled, report 1, flag, WFI
					 * until an IRQ, report its INTID at +8 */
#define DIAG_IRQ_DOORBELL	1	/* str w of 7 then 8 to DIAG_DOORBELL,
					 * report 0xd0e */
#define DIAG_DOORBELL	0x90002000	/* an ioeventfd's address */
#define DIAG_BELL_MATCH	7		/* its datamatch */
#define DIAG_IRQ_LABEL	2		/* irqfd label: SPI 2, INTID 34 */
/* Where the sim's GICv3 sits (gunyah_sim.h: GH_SIM_GICD_BASE, _GICR_BASE). */
#define DIAG_GICD	0x08000000
#define DIAG_GICR	0x080a0000

#define DIAG_PATTERN	0x1122334455667788
#define DIAG_UNTOUCHED	0x77		/* a register a faulted load must not change */
#define DIAG_CONTEXT	0x5ec00000	/* CPU_ON context id base: + vCPU id */

#endif /* DIAG_LAYOUT_H */
