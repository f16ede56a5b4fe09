/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hypervisor states a guest cannot cause on its own, asked of the sim
 * with its vendor hypercalls: BLOCKED once, an unknown state once, and
 * five RETRY errors.  All are handled inside GUNYAH_VCPU_RUN: userspace
 * only sees the report and the power-off.
 */
#include "guest.h"
	.text
	.global _start
_start:
	ldr	x0, =GH_SIM_HVC_STATE
	mov	x1, #3			// BLOCKED
	hvc	#0
	ldr	x0, =GH_SIM_HVC_STATE
	mov	x1, #0x77		// not a state Gunyah defines
	hvc	#0
	ldr	x0, =GH_SIM_HVC_RETRY
	mov	x1, #5
	hvc	#0
	ldr	x0, =GH_SIM_HVC_VCPU_ID
	hvc	#0
	add	x0, x0, #0x100
	report	x0
	system_off
	b	.
