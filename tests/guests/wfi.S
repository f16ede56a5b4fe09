/* SPDX-License-Identifier: GPL-2.0-only */
/* Idles in WFI until woken, reports, then powers off. */
#include "guest.h"
	.text
	.global _start
_start:
	li	x5, 0x1
	report	x5			// before the WFI
	wfi
	li	x5, 0x2
	report	x5			// woken
	system_off
	b	.
