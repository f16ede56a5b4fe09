// SPDX-License-Identifier: GPL-2.0-only
/*
 * The live statistics model (cmd/dash/stats.c): counting, the address table,
 * the event rings, what views derive from snapshots, and feeding from
 * several threads while another takes snapshots (run under TSan by
 * `make tsan`, hence "threads" in the name).
 */
#include <pthread.h>

#include "../../cmd/dash/stats.c"
#include "test.h"

static struct gctl_snap_box {
	struct gctl_stats_snap a, b;
} *box;

static void setup(void)
{
	box = calloc(1, sizeof(*box));
	ASSERT_TRUE(box);
}

static struct gctl_exit_record mmio(uint64_t seq, unsigned int vcpu,
				    uint64_t addr, bool is_write,
				    const char *region)
{
	return (struct gctl_exit_record){
		.seq = seq, .vcpu = vcpu, .t_ns = seq * 1000,
		.reason = GUNYAH_VCPU_EXIT_MMIO,
		.mmio = { .phys_addr = addr, .len = 4, .is_write = is_write,
			  .data = 0x41 },
		.resume = GUNYAH_VCPU_RESUME_HANDLED, .region = region,
	};
}

static struct gctl_exit_record status(uint64_t seq, unsigned int vcpu,
				      uint16_t type, uint32_t reason)
{
	struct gctl_exit_record r = {
		.seq = seq, .vcpu = vcpu, .reason = GUNYAH_VCPU_EXIT_STATUS,
		.status = { .status = GUNYAH_VM_STATUS_EXITED },
		.resume = GCTL_RESUME_NONE,
	};

	r.status.exit_info.type = type;
	r.status.exit_info.reason_size = 4;
	memcpy(r.status.exit_info.reason, &reason, 4);
	return r;
}

TEST(counts_per_vcpu_and_kind)
{
	struct gctl_stats *st;
	struct gctl_exit_record r;
	uint64_t seq = 0;

	setup();
	ASSERT_OK(gctl_stats_new(2, &st));
	for (int i = 0; i < 5; i++) {
		r = mmio(++seq, 0, 0x9000000, true, "uart");
		gctl_stats_exit(st, &r);
	}
	for (int i = 0; i < 3; i++) {
		r = mmio(++seq, 1, 0x9000018, false, "uart");
		gctl_stats_exit(st, &r);
	}
	r = (struct gctl_exit_record){ .seq = ++seq, .vcpu = 1,
				       .reason = GUNYAH_VCPU_EXIT_PAGE_FAULT,
				       .page_fault = { 0x90000000, 0 },
				       .resume = GUNYAH_VCPU_RESUME_RETRY };
	gctl_stats_exit(st, &r);
	r = (struct gctl_exit_record){ .seq = ++seq, .vcpu = 0, .reason = 9 };
	gctl_stats_exit(st, &r);
	r = status(++seq, 0, GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	gctl_stats_exit(st, &r);
	/* Not a vCPU of this VM: ignored, not a crash. */
	r = mmio(++seq, 7, 0x9000000, true, NULL);
	gctl_stats_exit(st, &r);
	gctl_stats_console(st, "Hello\n", 6);

	gctl_stats_snapshot(st, &box->a);
	ASSERT_EQ(box->a.nr_vcpus, 2);
	ASSERT_EQ(box->a.vcpu[0].cnt.exits, 7);
	ASSERT_EQ(box->a.vcpu[0].cnt.mmio_write, 5);
	ASSERT_EQ(box->a.vcpu[0].cnt.unknown, 1);
	ASSERT_EQ(box->a.vcpu[0].cnt.status, 1);
	ASSERT_EQ(box->a.vcpu[1].cnt.exits, 4);
	ASSERT_EQ(box->a.vcpu[1].cnt.mmio_read, 3);
	ASSERT_EQ(box->a.vcpu[1].cnt.page_fault, 1);
	ASSERT_EQ(box->a.total.exits, 11);
	ASSERT_EQ(box->a.total.mmio_read + box->a.total.mmio_write, 8);
	ASSERT_EQ(box->a.console_bytes, 6);
	ASSERT_EQ(box->a.order, 12);
	/* The last exit of each vCPU. */
	ASSERT_TRUE(box->a.vcpu[0].have_last);
	ASSERT_EQ(box->a.vcpu[0].last.kind, GCTL_EV_STATUS);
	ASSERT_EQ(box->a.vcpu[1].last.kind, GCTL_EV_PAGE_FAULT);
	ASSERT_EQ(box->a.vcpu[1].last.seq, 9);
	ASSERT_TRUE(!box->a.done);

	struct gctl_summary s = { .result = "poweroff", .exit_code = 0,
				  .wall_ns = 12345 };
	gctl_stats_summary(st, &s);
	gctl_stats_snapshot(st, &box->a);
	ASSERT_TRUE(box->a.done);
	ASSERT_STREQ(box->a.result, "poweroff");
	ASSERT_EQ(box->a.uptime_ns, 12345);
	gctl_stats_free(st);
}

TEST(top_addresses_with_split_and_region)
{
	struct gctl_stats_addr top[GCTL_STATS_MAX_ADDRS];
	struct gctl_stats *st;
	struct gctl_exit_record r;
	uint64_t seq = 0;
	unsigned int n;

	setup();
	ASSERT_OK(gctl_stats_new(2, &st));
	/* 0x10: 3 writes + 1 read from vCPU 0, 2 writes from vCPU 1. */
	for (int i = 0; i < 3; i++) {
		r = mmio(++seq, 0, 0x10, true, "dev0");
		gctl_stats_exit(st, &r);
	}
	r = mmio(++seq, 0, 0x10, false, "dev0");
	gctl_stats_exit(st, &r);
	for (int i = 0; i < 2; i++) {
		r = mmio(++seq, 1, 0x10, true, "dev0");
		gctl_stats_exit(st, &r);
	}
	/* 0x20: 7 reads from vCPU 1, no region.  0x30: one write, vCPU 1,
	 * a region name in a different string with the same text. */
	for (int i = 0; i < 7; i++) {
		r = mmio(++seq, 1, 0x20, false, NULL);
		gctl_stats_exit(st, &r);
	}
	char name[] = "dev0";
	r = mmio(++seq, 1, 0x30, true, name);
	gctl_stats_exit(st, &r);
	gctl_stats_snapshot(st, &box->a);

	n = gctl_stats_top_addrs(&box->a, GCTL_STATS_ANY_VCPU, top);
	ASSERT_EQ(n, 3);
	ASSERT_EQ(top[0].addr, 0x20);
	ASSERT_EQ(top[0].reads, 7);
	ASSERT_EQ(top[0].vcpu, 1);
	ASSERT_TRUE(gctl_stats_region(&box->a, top[0].region) == NULL);
	ASSERT_EQ(top[1].addr, 0x10);
	ASSERT_EQ(top[1].reads, 1);
	ASSERT_EQ(top[1].writes, 5);
	ASSERT_EQ(top[1].vcpu, GCTL_STATS_ANY_VCPU);
	ASSERT_STREQ(gctl_stats_region(&box->a, top[1].region), "dev0");
	ASSERT_EQ(top[2].addr, 0x30);
	ASSERT_EQ(top[2].region, top[1].region);
	ASSERT_EQ(box->a.nr_regions, 2);

	n = gctl_stats_top_addrs(&box->a, 0, top);
	ASSERT_EQ(n, 1);
	ASSERT_EQ(top[0].writes, 3);
	ASSERT_EQ(top[0].reads, 1);
	ASSERT_EQ(top[0].vcpu, 0);
	gctl_stats_free(st);
}

TEST(address_table_overflow_is_counted)
{
	struct gctl_stats_addr top[GCTL_STATS_MAX_ADDRS];
	struct gctl_stats *st;
	struct gctl_exit_record r;
	uint64_t seq = 0, extra = 100;

	setup();
	ASSERT_OK(gctl_stats_new(1, &st));
	for (uint64_t a = 0; a < GCTL_STATS_MAX_ADDRS + extra; a++) {
		r = mmio(++seq, 0, 0x1000 + a * 8, a % 2, NULL);
		gctl_stats_exit(st, &r);
	}
	/* A known address still counts once the table is full. */
	r = mmio(++seq, 0, 0x1000, false, NULL);
	gctl_stats_exit(st, &r);
	gctl_stats_snapshot(st, &box->a);
	ASSERT_EQ(box->a.nr_addrs, GCTL_STATS_MAX_ADDRS);
	ASSERT_EQ(box->a.other_reads + box->a.other_writes, extra);
	ASSERT_EQ(gctl_stats_top_addrs(&box->a, 0, top), GCTL_STATS_MAX_ADDRS);
	ASSERT_EQ(top[0].addr, 0x1000);
	ASSERT_EQ(top[0].reads, 2);
	gctl_stats_free(st);
}

TEST(rings_keep_rare_kinds_and_merge_in_order)
{
	const struct gctl_stats_event *ev[(GCTL_EV__COUNT + 1) * GCTL_STATS_RING];
	struct gctl_stats *st;
	struct gctl_exit_record r;
	uint64_t seq = 0;
	unsigned int n;

	setup();
	ASSERT_OK(gctl_stats_new(3, &st));
	r = status(++seq, 1, GUNYAH_VM_EXIT_TYPE_VM_EXIT, 0x10000);
	gctl_stats_exit(st, &r);
	gctl_stats_message(st, "gunyahctl: run: oops\n", 21);
	/* A quiet vCPU 2, then a thousand exits of the busy ones. */
	for (int i = 0; i < 3; i++) {
		r = mmio(++seq, 2, 0x200, false, NULL);
		gctl_stats_exit(st, &r);
	}
	for (int i = 0; i < 1000; i++) {
		r = mmio(++seq, (unsigned int)i % 2, 0x100, true, NULL);
		gctl_stats_exit(st, &r);
	}
	gctl_stats_console(st, "a\tb\x01\n", 5);
	gctl_stats_snapshot(st, &box->a);

	/* MMIO exits are in the vCPUs' rings only; the rest in both. */
	ASSERT_EQ(box->a.nr_events[GCTL_EV_MMIO], 0);
	ASSERT_EQ(box->a.nr_events[GCTL_EV_STATUS], 1);
	ASSERT_EQ(box->a.vcpu[1].events[GCTL_STATS_RING - 1].seq, seq);

	/* MMIO only: the newest of all vCPUs, merged in order. */
	n = gctl_stats_recent(&box->a, 1u << GCTL_EV_MMIO, GCTL_STATS_ANY_VCPU,
			      ev, 40);
	ASSERT_EQ(n, 40);
	for (unsigned int i = 0; i < n; i++)
		ASSERT_EQ(ev[i]->seq, seq - 39 + i);

	/* Everything: the newest 4, oldest first. */
	n = gctl_stats_recent(&box->a, GCTL_EV_ALL, GCTL_STATS_ANY_VCPU, ev, 4);
	ASSERT_EQ(n, 4);
	ASSERT_EQ(ev[3]->kind, GCTL_EV_CONSOLE);
	ASSERT_STREQ(ev[3]->text, "a b.");
	ASSERT_EQ(ev[2]->seq, seq);
	ASSERT_EQ(ev[1]->seq, seq - 1);
	ASSERT_TRUE(ev[0]->order < ev[1]->order);

	/* The one status exit is still there among a thousand MMIO ones. */
	n = gctl_stats_recent(&box->a, 1u << GCTL_EV_STATUS,
			      GCTL_STATS_ANY_VCPU, ev, 10);
	ASSERT_EQ(n, 1);
	ASSERT_EQ(ev[0]->vcpu, 1);

	/* vCPU 1's: its last exits, and the text events. */
	n = gctl_stats_recent(&box->a, GCTL_EV_ALL, 1, ev, 100);
	ASSERT_EQ(n, GCTL_STATS_RING + 2);
	for (unsigned int i = 0; i < n; i++)
		ASSERT_TRUE(ev[i]->vcpu == 1 || ev[i]->vcpu == GCTL_STATS_NO_VCPU);
	ASSERT_EQ(ev[0]->kind, GCTL_EV_MESSAGE);
	ASSERT_EQ(ev[n - 2]->seq, seq);
	ASSERT_EQ(ev[n - 1]->kind, GCTL_EV_CONSOLE);

	/* The quiet vCPU's exits are not pushed out by the busy ones. */
	n = gctl_stats_recent(&box->a, 1u << GCTL_EV_MMIO, 2, ev, 100);
	ASSERT_EQ(n, 3);
	for (unsigned int i = 0; i < n; i++)
		ASSERT_EQ(ev[i]->seq, 2 + i);
	ASSERT_EQ(box->a.vcpu[2].nr_events, 3);
	ASSERT_EQ(box->a.vcpu[2].last.seq, 4);
	ASSERT_EQ(box->a.vcpu[1].nr_events, GCTL_STATS_RING);
	gctl_stats_free(st);
}

TEST(baseline_subtraction)
{
	struct gctl_stats_addr top[GCTL_STATS_MAX_ADDRS];
	const struct gctl_stats_event *ev[8];
	struct gctl_stats *st;
	struct gctl_exit_record r;
	uint64_t seq = 0;

	setup();
	ASSERT_OK(gctl_stats_new(1, &st));
	for (int i = 0; i < 10; i++) {
		r = mmio(++seq, 0, 0x10, true, NULL);
		gctl_stats_exit(st, &r);
	}
	gctl_stats_console(st, "x\n", 2);
	gctl_stats_snapshot(st, &box->b);
	for (int i = 0; i < 3; i++) {
		r = mmio(++seq, 0, 0x20, false, NULL);
		gctl_stats_exit(st, &r);
	}
	r = mmio(++seq, 0, 0x10, true, NULL);
	gctl_stats_exit(st, &r);
	gctl_stats_snapshot(st, &box->a);
	gctl_stats_sub(&box->a, &box->b);

	ASSERT_EQ(box->a.total.exits, 4);
	ASSERT_EQ(box->a.vcpu[0].cnt.mmio_write, 1);
	ASSERT_EQ(box->a.vcpu[0].cnt.mmio_read, 3);
	ASSERT_EQ(box->a.console_bytes, 0);
	ASSERT_EQ(gctl_stats_top_addrs(&box->a, GCTL_STATS_ANY_VCPU, top), 2);
	ASSERT_EQ(top[0].addr, 0x20);
	ASSERT_EQ(top[0].reads, 3);
	ASSERT_EQ(top[1].addr, 0x10);
	ASSERT_EQ(top[1].writes, 1);
	ASSERT_EQ(gctl_stats_recent(&box->a, GCTL_EV_ALL, GCTL_STATS_ANY_VCPU,
				    ev, 8), 4);
	ASSERT_EQ(ev[0]->seq, 11);
	/* The last exit is not a count: it stays. */
	ASSERT_EQ(box->a.vcpu[0].last.seq, 14);

	/* Nothing since the baseline: nothing left. */
	gctl_stats_snapshot(st, &box->b);
	gctl_stats_snapshot(st, &box->a);
	gctl_stats_sub(&box->a, &box->b);
	ASSERT_EQ(box->a.total.exits, 0);
	ASSERT_EQ(box->a.nr_addrs, 0);
	gctl_stats_free(st);
}

TEST(rates_between_snapshots)
{
	struct gctl_stats_rates rt;

	setup();
	box->a.nr_vcpus = box->b.nr_vcpus = 2;
	box->a.t_ns = 1000000000;
	box->b.t_ns = 1500000000;
	box->a.total.exits = 100;
	box->b.total.exits = 600;
	box->a.vcpu[1].cnt.exits = 10;
	box->b.vcpu[1].cnt.exits = 110;
	gctl_stats_rates(&box->a, &box->b, &rt);
	ASSERT_EQ((long long)rt.total, 1000);
	ASSERT_EQ((long long)rt.vcpu[1], 200);
	ASSERT_EQ((long long)rt.vcpu[0], 0);
	/* Backwards (another source, a restart): no rate, not a huge one. */
	gctl_stats_rates(&box->b, &box->a, &rt);
	ASSERT_EQ((long long)rt.total, 0);
}

TEST(events_as_text)
{
	struct gctl_stats *st;
	struct gctl_exit_record r;
	const struct gctl_stats_event *ev[8];
	char buf[160];

	setup();
	ASSERT_OK(gctl_stats_new(1, &st));
	r = mmio(1, 0, 0x9000000, true, "uart");
	gctl_stats_exit(st, &r);
	r = mmio(2, 0, 0xa001000, false, NULL);
	r.resume = GUNYAH_VCPU_RESUME_FAULT;
	r.mmio.data = 0;
	gctl_stats_exit(st, &r);
	r = (struct gctl_exit_record){ .seq = 3, .reason = GUNYAH_VCPU_EXIT_PAGE_FAULT,
				       .page_fault = { 0x90000000, 1 },
				       .resume = GCTL_RESUME_NONE };
	gctl_stats_exit(st, &r);
	/* vm_exit, code software_error, restart bit. */
	r = status(4, 0, GUNYAH_VM_EXIT_TYPE_VM_EXIT, 0x10001);
	gctl_stats_exit(st, &r);
	r = status(5, 0, GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	gctl_stats_exit(st, &r);
	gctl_stats_snapshot(st, &box->a);
	ASSERT_EQ(gctl_stats_recent(&box->a, GCTL_EV_ALL, GCTL_STATS_ANY_VCPU,
				    ev, 8), 5);

	gctl_stats_event_str(&box->a, ev[0], buf, sizeof(buf));
	ASSERT_STREQ(buf, "mmio write 0x09000000 len=4 data=0x00000041 [uart]");
	gctl_stats_event_str(&box->a, ev[1], buf, sizeof(buf));
	ASSERT_STREQ(buf, "mmio read 0x0a001000 len=4 data=0x00000000 resume=fault");
	gctl_stats_event_str(&box->a, ev[2], buf, sizeof(buf));
	ASSERT_STREQ(buf, "page_fault 0x90000000 attempt=1 resume=none");
	gctl_stats_event_str(&box->a, ev[3], buf, sizeof(buf));
	ASSERT_STREQ(buf, "status exited type=vm_exit(0) reason=0x00010001 "
			  "code=software_error restart");
	gctl_stats_event_str(&box->a, ev[4], buf, sizeof(buf));
	ASSERT_STREQ(buf, "status exited type=poweroff(1) reason=0x00000000");
	/* Never past the buffer. */
	gctl_stats_event_str(&box->a, ev[0], buf, 10);
	ASSERT_STREQ(buf, "mmio writ");
	gctl_stats_free(st);
}

#define FEEDERS 4
#define PER_FEEDER 20000

struct feeder {
	struct gctl_stats *st;
	unsigned int vcpu;
};

static void *feed(void *data)
{
	struct feeder *f = data;
	struct gctl_exit_record r;

	for (uint64_t i = 0; i < PER_FEEDER; i++) {
		r = mmio(i + 1, f->vcpu, 0x9000000 + (i % 64) * 8, i % 3 == 0,
			 i % 2 ? "a" : "b");
		gctl_stats_exit(f->st, &r);
		if (i % 1000 == 0)
			gctl_stats_console(f->st, "line\n", 5);
	}
	return NULL;
}

TEST(threads_feed_while_snapshots_are_taken)
{
	struct feeder f[FEEDERS];
	pthread_t t[FEEDERS];
	struct gctl_stats *st;
	uint64_t last = 0;

	setup();
	ASSERT_OK(gctl_stats_new(FEEDERS, &st));
	for (unsigned int i = 0; i < FEEDERS; i++) {
		f[i] = (struct feeder){ st, i };
		ASSERT_EQ(pthread_create(&t[i], NULL, feed, &f[i]), 0);
	}
	/* Counts only grow, and a snapshot is consistent in itself. */
	for (int i = 0; i < 50; i++) {
		uint64_t addr_sum = 0;

		gctl_stats_snapshot(st, &box->a);
		ASSERT_TRUE(box->a.total.exits >= last);
		last = box->a.total.exits;
		for (unsigned int j = 0; j < box->a.nr_addrs; j++)
			addr_sum += box->a.addrs[j].reads + box->a.addrs[j].writes;
		ASSERT_EQ(addr_sum, box->a.total.mmio_read + box->a.total.mmio_write);
	}
	for (unsigned int i = 0; i < FEEDERS; i++)
		pthread_join(t[i], NULL);
	gctl_stats_snapshot(st, &box->a);
	ASSERT_EQ(box->a.total.exits, FEEDERS * PER_FEEDER);
	ASSERT_EQ(box->a.nr_addrs, FEEDERS * 64);
	ASSERT_EQ(box->a.console_bytes, FEEDERS * (PER_FEEDER / 1000) * 5);
	ASSERT_EQ(box->a.nr_regions, 3);
	gctl_stats_free(st);
}
