/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Ends the VM in the way the host picks: the guest reads a selector from
 * MMIO (SELECT, answered with gunyahctl run --mmio-read SELECT=N) and
 *   0  PSCI SYSTEM_OFF                     exited, poweroff
 *   1  PSCI SYSTEM_RESET                   exited, restart
 *   2  PSCI SYSTEM_RESET2 (x1 = 0x1234)    exited, system_reset2
 *   3  BRK with no vector table            crashed
 *   4  sim: VM exit, watchdog bite         exited, watchdog_bite
 *   5  sim: VM exit, type vm_exit, normal  exited, vm_exit
 *   6  sim: VM exit, vm_exit, code 1       exited, vm_exit (software error)
 *   7  spin forever, no exits
 *   8  WFI forever (idle)
 * Anything else: SYSTEM_OFF.
 */
#include "guest.h"

#define SELECT (MMIO_BASE + 0x200)

	.text
	.global _start
_start:
	li	x9, SELECT
	ldr	x10, [x9]
	cmp	x10, #1
	b.eq	reset
	cmp	x10, #2
	b.eq	reset2
	cmp	x10, #3
	b.eq	crash
	cmp	x10, #4
	b.eq	watchdog
	cmp	x10, #5
	b.eq	vm_exit_normal
	cmp	x10, #6
	b.eq	vm_exit_error
	cmp	x10, #7
	b.eq	spin
	cmp	x10, #8
	b.eq	idle
	system_off
	b	.
reset:
	smccc	PSCI_0_2_FN_SYSTEM_RESET
	b	.
reset2:
	li	x1, 0x1234
	smccc	PSCI_1_1_FN_SYSTEM_RESET2
	b	.
crash:
	brk	#0
	b	.
watchdog:
	mov	x1, #4
	mov	x2, #0
	smccc	GH_SIM_HVC_VM_EXIT
	b	.
vm_exit_normal:
	mov	x1, #0
	mov	x2, #0
	smccc	GH_SIM_HVC_VM_EXIT
	b	.
vm_exit_error:
	mov	x1, #0
	li	x2, 0x10000		// exit code 1: software error
	smccc	GH_SIM_HVC_VM_EXIT
	b	.
spin:
	add	x11, x11, #1
	b	spin
idle:
	wfi
	b	idle
