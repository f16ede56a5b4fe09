/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest programs linked into gunyahctl for diag, one DIAG_GUEST(name)
 * per cmd/guests/name.S.  Included by diag_guests.S (which emits the bytes)
 * and by C (which declares them): the list is written once.
 */
#ifndef DIAG_GUESTS_H
#define DIAG_GUESTS_H

#define DIAG_GUESTS \
	DIAG_GUEST(irq) \
	DIAG_GUEST(mmio) \
	DIAG_GUEST(psci) \
	DIAG_GUEST(wait)

#endif /* DIAG_GUESTS_H */
