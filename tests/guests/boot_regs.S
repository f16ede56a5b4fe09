/* SPDX-License-Identifier: GPL-2.0-only */
/* Reports what it booted with: x0, x1, x2, SP, CurrentEL, MPIDR. */
#include "guest.h"
	.text
	.global _start
_start:
	report	x0
	report	x1
	report	x2
	mov	x10, sp
	report	x10
	mrs	x10, CurrentEL
	report	x10
	mrs	x10, mpidr_el1
	report	x10
	system_off
	b	.
