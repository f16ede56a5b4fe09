/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Does the CPU model have the Armv8.1 LSE atomics (LDADD and friends),
 * which are single instructions and could stay atomic across vCPUs where
 * LDXR/STXR do not (smp_atomics.S)?  One LDADD on RAM, then REPORT the old
 * value and power off; a CPU without LSE takes it as undefined (EC 0).
 */
#include "guest.h"
	.arch	armv8.1-a
	.text
	.global _start
_start:
	adr	x1, word
	mov	x2, #1
	ldadd	x2, x3, [x1]
	report	x3
	system_off
	b	.
	.balign	8
word:	.quad	41
