/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PL011 UART the VMM emulates for a Linux guest, through MMIO exits:
 * transmit (every byte written to DR is a console byte), a receive FIFO
 * fed by the host (--uart-input), the interrupt registers, and the
 * PrimeCell ID registers Linux's AMBA bus reads at probe.  Its interrupt
 * line is level: high while the masked status (MIS) is non-zero.  It
 * reaches the guest through a LEVEL irqfd, which holds the line until the
 * guest acknowledges it; the eventfd is written each time MIS becomes
 * non-zero, when an IMSC write unmasks a set status, and for each byte
 * transmitted while the transmit interrupt is unmasked (the FIFO drained
 * again), so the guest never holds a line it was not told of.
 *
 * Received bytes arrive at the line rate the guest programmed (IBRD, FBRD,
 * LCR_H against GCTL_PL011_CLOCK_HZ), as on a wire: without it the host
 * refills the FIFO as fast as the guest's interrupt handler empties it, and
 * one interrupt swallows a whole pasted script.  A guest that never set a
 * divisor gets its bytes at once.
 *
 * Thread-safe: vCPU threads make accesses, an input thread pushes bytes.
 */
#ifndef GCTL_PL011_H
#define GCTL_PL011_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GCTL_PL011_FIFO 32
/* UARTCLK, as the device tree tells the guest (fdt_build.c). */
#define GCTL_PL011_CLOCK_HZ 24000000

struct gctl_pl011 {
	pthread_mutex_t lock;
	pthread_cond_t space; /* the receive FIFO has room */
	uint8_t rx[GCTL_PL011_FIFO];
	unsigned int rx_head, rx_count;
	uint32_t imsc, cr, lcr_h, ibrd, fbrd, ifls, dmacr;
	bool tx_cleared; /* ICR cleared TXRIS; the next DR write sets it */
	uint64_t rx_due_ns; /* CLOCK_MONOTONIC end of the last frame received */
	int irq_fd;	 /* the irqfd's eventfd, or -1 */
	bool closed;
};

void gctl_pl011_init(struct gctl_pl011 *u, int irq_fd);
void gctl_pl011_destroy(struct gctl_pl011 *u);
/* A guest access at offset off; a write to DR sets *tx and returns true. */
uint64_t gctl_pl011_read(struct gctl_pl011 *u, uint64_t off);
bool gctl_pl011_write(struct gctl_pl011 *u, uint64_t off, uint64_t val,
		      char *tx);
/* Host input: waits until the guest unmasked the receive interrupts and
 * the FIFO has room, then one frame time at the programmed line rate,
 * unless closed; false once closed. */
bool gctl_pl011_input(struct gctl_pl011 *u, uint8_t c);
/* Nanoseconds one frame takes at the programmed line rate; 0 if no rate. */
uint64_t gctl_pl011_frame_ns(struct gctl_pl011 *u);
/* Wake and refuse gctl_pl011_input (the VM is done). */
void gctl_pl011_close(struct gctl_pl011 *u);

#endif /* GCTL_PL011_H */
