/* SPDX-License-Identifier: GPL-2.0-only */
/* Spins forever without an exit: for immediate_exit, signals, stops. */
	.text
	.global _start
_start:
	add	x1, x1, #1
	b	_start
