// SPDX-License-Identifier: GPL-2.0-only
/*
 * A PL011 as the VMM emulates it (pl011.h).  Register offsets and bits are
 * the ARM PrimeCell UART (PL011) TRM's.
 */
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "engine/pl011.h"

#define DR 0x000
#define RSR 0x004
#define FR 0x018
#define IBRD 0x024
#define FBRD 0x028
#define LCR_H 0x02c
#define CR 0x030
#define IFLS 0x034
#define IMSC 0x038
#define RIS 0x03c
#define MIS 0x040
#define ICR 0x044
#define DMACR 0x048

#define FR_RXFE 0x10
#define FR_TXFF 0x20
#define FR_RXFF 0x40
#define FR_TXFE 0x80
#define INT_RX 0x10
#define INT_TX 0x20
#define INT_RT 0x40

/* PrimeCell IDs at 0xfe0..0xffc: a PL011 r1p5, as Linux's AMBA bus reads. */
static const uint8_t ids[8] = { 0x11, 0x10, 0x14, 0x00,
				0x0d, 0xf0, 0x05, 0xb1 };

static uint32_t ris(const struct gctl_pl011 *u)
{
	uint32_t r = u->tx_cleared ? 0 : INT_TX; /* the FIFO is always empty */

	if (u->rx_count)
		r |= INT_RX | INT_RT;
	return r;
}

static uint32_t mis(const struct gctl_pl011 *u)
{
	return ris(u) & u->imsc;
}

static void raise(struct gctl_pl011 *u)
{
	uint64_t one = 1;

	if (u->irq_fd >= 0 && write(u->irq_fd, &one, sizeof(one)) < 0) {
		/* The counter is full: the guest has interrupts to take. */
	}
}

/* Assert the line when MIS went from 0 to non-zero, or when forced. */
static void update(struct gctl_pl011 *u, uint32_t before, bool force)
{
	uint32_t now = mis(u);

	if (now && (!before || force))
		raise(u);
}

void gctl_pl011_init(struct gctl_pl011 *u, int irq_fd)
{

	*u = (struct gctl_pl011){ .irq_fd = irq_fd, .cr = 0x300 };
	pthread_mutex_init(&u->lock, NULL);
	/* Frame times are waited for on the monotonic clock. */
	gctl_cond_init_monotonic(&u->space);
}

/* Caller holds the lock. */
static uint64_t frame_ns_locked(const struct gctl_pl011 *u)
{
	/* Baud = UARTCLK / (16 * (IBRD + FBRD / 64)); a frame is a start
	 * bit, 5-8 data bits, an optional parity bit and 1 or 2 stop bits. */
	uint64_t div64 = (uint64_t)u->ibrd * 64 + u->fbrd;
	unsigned int bits = 1 + 5 + ((u->lcr_h >> 5) & 3) +
			    ((u->lcr_h & 0x02) ? 1 : 0) +
			    ((u->lcr_h & 0x08) ? 2 : 1);

	if (!u->ibrd)
		return 0; /* no rate programmed (the TRM: IBRD 0 is invalid) */
	return bits * 16 * div64 * 1000000000u /
	       (64 * (uint64_t)GCTL_PL011_CLOCK_HZ);
}

uint64_t gctl_pl011_frame_ns(struct gctl_pl011 *u)
{
	uint64_t ns;

	pthread_mutex_lock(&u->lock);
	ns = frame_ns_locked(u);
	pthread_mutex_unlock(&u->lock);
	return ns;
}

/*
 * Caller holds the lock: wait until the byte being received now has
 * finished arriving, one frame after the previous one (or after now, on
 * an idle line).  false if closed meanwhile.
 */
static bool wait_frame_locked(struct gctl_pl011 *u)
{
	uint64_t frame = frame_ns_locked(u), now = gctl_now_ns();
	struct timespec ts;

	if (!frame)
		return !u->closed;
	u->rx_due_ns = (u->rx_due_ns > now ? u->rx_due_ns : now) + frame;
	ts = gctl_deadline_at(u->rx_due_ns);
	while (!u->closed && gctl_now_ns() < u->rx_due_ns)
		pthread_cond_timedwait(&u->space, &u->lock, &ts);
	return !u->closed;
}

void gctl_pl011_destroy(struct gctl_pl011 *u)
{
	pthread_cond_destroy(&u->space);
	pthread_mutex_destroy(&u->lock);
}

uint64_t gctl_pl011_read(struct gctl_pl011 *u, uint64_t off)
{
	uint64_t v = 0;
	uint32_t before;

	if (off >= 0xfe0 && off < 0x1000)
		return ids[(off - 0xfe0) / 4];
	pthread_mutex_lock(&u->lock);
	before = mis(u);
	switch (off) {
	case DR:
		if (u->rx_count) {
			v = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % GCTL_PL011_FIFO;
			u->rx_count--;
			pthread_cond_signal(&u->space);
		}
		break;
	case FR:
		v = FR_TXFE | (u->rx_count ? 0 : FR_RXFE) |
		    (u->rx_count == GCTL_PL011_FIFO ? FR_RXFF : 0);
		break;
	case IBRD: v = u->ibrd; break;
	case FBRD: v = u->fbrd; break;
	case LCR_H: v = u->lcr_h; break;
	case CR: v = u->cr; break;
	case IFLS: v = u->ifls; break;
	case IMSC: v = u->imsc; break;
	case RIS: v = ris(u); break;
	case MIS: v = mis(u); break;
	case DMACR: v = u->dmacr; break;
	default: break; /* RSR and the rest: 0 */
	}
	update(u, before, false);
	pthread_mutex_unlock(&u->lock);
	(void)FR_TXFF;
	(void)RSR;
	return v;
}

bool gctl_pl011_write(struct gctl_pl011 *u, uint64_t off, uint64_t val,
		      char *tx)
{
	bool is_tx = false, force = false;
	uint32_t before;

	pthread_mutex_lock(&u->lock);
	before = mis(u);
	switch (off) {
	case DR:
		*tx = (char)val;
		is_tx = true;
		u->tx_cleared = false;
		/* Sent at once: the FIFO drained, another TX interrupt. */
		force = u->imsc & INT_TX;
		break;
	case IBRD: u->ibrd = (uint32_t)val & 0xffff; break;
	case FBRD: u->fbrd = (uint32_t)val & 0x3f; break;
	case LCR_H: u->lcr_h = (uint32_t)val & 0xff; break;
	case CR: u->cr = (uint32_t)val & 0xffff; break;
	case IFLS: u->ifls = (uint32_t)val & 0x3f; break;
	case IMSC:
		u->imsc = (uint32_t)val & 0x7ff;
		force = true;
		pthread_cond_signal(&u->space);
		break;
	case ICR:
		if (val & INT_TX)
			u->tx_cleared = true;
		break;
	case DMACR: u->dmacr = (uint32_t)val & 7; break;
	default: break;
	}
	update(u, before, force);
	pthread_mutex_unlock(&u->lock);
	return is_tx;
}

bool gctl_pl011_input(struct gctl_pl011 *u, uint8_t c)
{
	uint32_t before;
	bool ok;

	pthread_mutex_lock(&u->lock);
	/*
	 * Typed ahead, as on a terminal: nothing arrives before the guest
	 * listens (its driver unmasked the receive interrupts; Linux drops
	 * what came before), nor while the FIFO is full.
	 */
	while (!u->closed && (u->rx_count == GCTL_PL011_FIFO ||
			      !(u->imsc & (INT_RX | INT_RT))))
		pthread_cond_wait(&u->space, &u->lock);
	ok = wait_frame_locked(u);
	if (ok) {
		before = mis(u);
		u->rx[(u->rx_head + u->rx_count) % GCTL_PL011_FIFO] = c;
		u->rx_count++;
		update(u, before, false);
	}
	pthread_mutex_unlock(&u->lock);
	return ok;
}

void gctl_pl011_close(struct gctl_pl011 *u)
{
	pthread_mutex_lock(&u->lock);
	u->closed = true;
	pthread_cond_broadcast(&u->space);
	pthread_mutex_unlock(&u->lock);
}
