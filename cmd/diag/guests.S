/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The diag guest programs (cmd/guests/NAME.S, assembled for AArch64 and
 * flattened to NAME.bin by the Makefile), linked into gunyahctl as bytes:
 * diag_guest_NAME .. diag_guest_NAME_end.  Host assembly for any target
 * binutils supports; the Makefile puts the .bin directory on the
 * assembler's include path.
 */
#include "diag/guests.h"

	.macro	diag_guest name
	.section .rodata.diag_guest_\name, "a", %progbits
	.balign	16
	.global	diag_guest_\name
	.hidden	diag_guest_\name
diag_guest_\name:
	.incbin	"\name\().bin"
	.global	diag_guest_\name\()_end
	.hidden	diag_guest_\name\()_end
diag_guest_\name\()_end:
	.endm

#define DIAG_GUEST(name) diag_guest name ;
	DIAG_GUESTS

	.section .note.GNU-stack, "", %progbits
