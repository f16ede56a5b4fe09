// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMM's PL011 (cmd/engine/pl011.c): its interrupt line as the irqfd's
 * eventfd sees it, and received bytes arriving at the programmed line rate.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "engine/pl011.h"
#include "test.h"

#define DR 0x000
#define FR 0x018
#define IBRD 0x024
#define FBRD 0x028
#define LCR_H 0x02c
#define IMSC 0x038
#define MIS 0x040
#define ICR 0x044
#define INT_RX 0x10
#define INT_TX 0x20
#define INT_RT 0x40
#define FR_RXFE 0x10

/* How many times the line was raised since the last call (0: none). */
static uint64_t raised(int efd)
{
	uint64_t n = 0;

	if (read(efd, &n, sizeof(n)) != sizeof(n))
		return 0; /* EAGAIN: not signalled */
	return n;
}

static void put(struct gctl_pl011 *u, uint64_t off, uint64_t val)
{
	char tx;

	gctl_pl011_write(u, off, val, &tx);
}

TEST(receive_line_is_high_while_the_fifo_holds_data)
{
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct gctl_pl011 u;

	ASSERT_TRUE(efd >= 0);
	gctl_pl011_init(&u, efd);
	put(&u, ICR, 0x7ff); /* TXRIS cleared, as at a driver's start-up */
	put(&u, IMSC, INT_RX | INT_RT);
	ASSERT_EQ(raised(efd), 0);

	/* A byte raises the line... */
	ASSERT_TRUE(gctl_pl011_input(&u, 'a'));
	ASSERT_EQ(raised(efd), 1);
	ASSERT_EQ(gctl_pl011_read(&u, MIS), INT_RX | INT_RT);
	/* ... a second one finds it already up: one assertion, not two. */
	ASSERT_TRUE(gctl_pl011_input(&u, 'b'));
	ASSERT_EQ(raised(efd), 0);

	/* Reading the FIFO empty lowers it; the next byte raises it again. */
	ASSERT_EQ(gctl_pl011_read(&u, DR), 'a');
	ASSERT_EQ(gctl_pl011_read(&u, MIS), INT_RX | INT_RT);
	ASSERT_EQ(gctl_pl011_read(&u, DR), 'b');
	ASSERT_EQ(gctl_pl011_read(&u, MIS), 0);
	ASSERT_TRUE(gctl_pl011_read(&u, FR) & FR_RXFE);
	ASSERT_TRUE(gctl_pl011_input(&u, 'c'));
	ASSERT_EQ(raised(efd), 1);

	/* Masked, the pending byte holds no line; unmasked, it raises it. */
	put(&u, IMSC, 0);
	ASSERT_EQ(gctl_pl011_read(&u, MIS), 0);
	ASSERT_EQ(raised(efd), 0);
	put(&u, IMSC, INT_RX);
	ASSERT_EQ(gctl_pl011_read(&u, MIS), INT_RX);
	ASSERT_EQ(raised(efd), 1);

	gctl_pl011_destroy(&u);
	close(efd);
}

TEST(transmit_interrupt_only_while_unmasked)
{
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct gctl_pl011 u;
	char tx = 0;

	ASSERT_TRUE(efd >= 0);
	gctl_pl011_init(&u, efd);
	put(&u, ICR, INT_TX);
	put(&u, IMSC, INT_RX | INT_RT);
	/* Polled transmit (Linux's console) raises nothing... */
	ASSERT_TRUE(gctl_pl011_write(&u, DR, 'x', &tx));
	ASSERT_EQ(tx, 'x');
	ASSERT_EQ(gctl_pl011_read(&u, MIS), 0);
	ASSERT_EQ(raised(efd), 0);
	/* ... interrupt-driven transmit gets its "FIFO drained" interrupt. */
	put(&u, IMSC, INT_RX | INT_RT | INT_TX);
	ASSERT_EQ(gctl_pl011_read(&u, MIS), INT_TX);
	ASSERT_EQ(raised(efd), 1);
	ASSERT_TRUE(gctl_pl011_write(&u, DR, 'y', &tx));
	ASSERT_EQ(raised(efd), 1);
	/* Stopping it (TXIM masked) drops the line for received bytes. */
	put(&u, IMSC, INT_RX | INT_RT);
	ASSERT_TRUE(gctl_pl011_input(&u, 'z'));
	ASSERT_EQ(raised(efd), 1);
	gctl_pl011_destroy(&u);
	close(efd);
}

TEST(frame_time_follows_the_divisor_and_format)
{
	struct gctl_pl011 u;

	gctl_pl011_init(&u, -1);
	ASSERT_EQ(gctl_pl011_frame_ns(&u), 0); /* no rate: at once */
	/* 115200 8N1 from 24 MHz: IBRD 13, FBRD 1; 10 bits of 8.68 us. */
	put(&u, IBRD, 13);
	put(&u, FBRD, 1);
	put(&u, LCR_H, 0x70); /* 8 bits, FIFOs on, no parity, 1 stop bit */
	ASSERT_EQ(gctl_pl011_frame_ns(&u), 86770);
	/* 7 data bits, parity and 2 stop bits: 11 bits. */
	put(&u, LCR_H, 0x4a);
	ASSERT_EQ(gctl_pl011_frame_ns(&u), 95447);
	gctl_pl011_destroy(&u);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

TEST(received_bytes_arrive_a_frame_apart)
{
	struct gctl_pl011 u;
	uint64_t frame, t0, spent;

	gctl_pl011_init(&u, -1);
	put(&u, IMSC, INT_RX | INT_RT);
	put(&u, IBRD, 156); /* 9600 8N1: about 1 ms a frame */
	put(&u, FBRD, 16);
	put(&u, LCR_H, 0x70);
	frame = gctl_pl011_frame_ns(&u);
	ASSERT_TRUE(frame > 1000000 && frame < 1100000);
	/* A lower bound only: the line cannot be faster than its rate. */
	t0 = mono_ns();
	for (int i = 0; i < 4; i++)
		ASSERT_TRUE(gctl_pl011_input(&u, (uint8_t)('0' + i)));
	spent = mono_ns() - t0;
	ASSERT_TRUE(spent >= 4 * frame);
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(gctl_pl011_read(&u, DR), (uint64_t)('0' + i));
	gctl_pl011_destroy(&u);
}

struct waiter {
	struct gctl_pl011 *u;
	bool ok;
};

static void *feed(void *data)
{
	struct waiter *w = data;

	w->ok = gctl_pl011_input(w->u, 'q');
	return NULL;
}

TEST(close_ends_a_byte_still_on_the_wire)
{
	struct gctl_pl011 u;
	struct waiter w = { .u = &u, .ok = true };
	pthread_t t;

	gctl_pl011_init(&u, -1);
	put(&u, IMSC, INT_RX | INT_RT);
	put(&u, IBRD, 0xffff); /* a frame of about 0.44 s */
	put(&u, LCR_H, 0x70);
	ASSERT_EQ(pthread_create(&t, NULL, feed, &w), 0);
	gctl_pl011_close(&u);
	ASSERT_EQ(pthread_join(t, NULL), 0);
	ASSERT_TRUE(!w.ok);
	ASSERT_TRUE(gctl_pl011_read(&u, FR) & FR_RXFE);
	gctl_pl011_destroy(&u);
}
