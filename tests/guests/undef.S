/* SPDX-License-Identifier: GPL-2.0-only */
/* An undefined instruction with no vector table: the VM crashes. */
	.text
	.global _start
_start:
	nop
	udf	#0x42
	b	.
