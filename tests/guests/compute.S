/* SPDX-License-Identifier: GPL-2.0-only */
/* Counts x19 down to zero with no exit, reports x20 + the loop count. */
#include "guest.h"
	.text
	.global _start
_start:
	mov	x21, #0
1:	add	x21, x21, #1
	subs	x19, x19, #1
	b.ne	1b
	report	x21
	system_off
	b	.
