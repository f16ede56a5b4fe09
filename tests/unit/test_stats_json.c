// SPDX-License-Identifier: GPL-2.0-only
/*
 * What crosses a named VM's control socket, read back: stats snapshots
 * (cmd/ctl/snapshot_json.c, for attach --dashboard) and run's exit records and
 * summary (cmd/output/json_read.c, for attach and step in text).  Each is
 * built, printed as the VM prints it, parsed, read back and compared
 * field by field; malformed objects are refused.
 */
#include <json-c/json.h>

#include "output/json_rec.h"
#include "dash/stats.h"
#include "ctl/snapshot_json.h"
#include "test.h"

/* Through the text of the wire, as the client gets it. */
static json_object *wire(json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	json_object *back = json_tokener_parse(s);

	ASSERT_TRUE(back);
	json_object_put(o);
	return back;
}

static struct gctl_exit_record mmio(uint64_t seq, unsigned int vcpu,
				    uint64_t addr, bool is_write, uint64_t data,
				    const char *region)
{
	return (struct gctl_exit_record){
		.seq = seq, .vcpu = vcpu, .t_ns = seq * 1000 + 7,
		.reason = GUNYAH_VCPU_EXIT_MMIO,
		.mmio = { .phys_addr = addr, .len = 4, .is_write = is_write,
			  .data = data },
		.resume = GUNYAH_VCPU_RESUME_HANDLED, .region = region,
	};
}

static struct gctl_exit_record status_rec(uint64_t seq, unsigned int vcpu)
{
	struct gctl_exit_record r = {
		.seq = seq, .vcpu = vcpu, .t_ns = seq * 1000,
		.reason = GUNYAH_VCPU_EXIT_STATUS,
		.status = { .status = GUNYAH_VM_STATUS_EXITED },
		.resume = GCTL_RESUME_NONE,
	};
	uint32_t reason = 0x10001;

	r.status.exit_info.type = GUNYAH_VM_EXIT_TYPE_VM_EXIT;
	r.status.exit_info.reason_size = 4;
	memcpy(r.status.exit_info.reason, &reason, 4);
	return r;
}

static struct gctl_exit_record pf_rec(uint64_t seq, unsigned int vcpu)
{
	return (struct gctl_exit_record){
		.seq = seq, .vcpu = vcpu, .t_ns = seq * 1000,
		.reason = GUNYAH_VCPU_EXIT_PAGE_FAULT,
		.page_fault = { .phys_addr = 0x90001000, .attempt = 2 },
		.resume = GUNYAH_VCPU_RESUME_RETRY,
	};
}

static void expect_event(const struct gctl_stats_event *a,
			 const struct gctl_stats_event *b)
{
	ASSERT_EQ(a->order, b->order);
	ASSERT_EQ(a->seq, b->seq);
	ASSERT_EQ(a->t_ns, b->t_ns);
	ASSERT_EQ(a->kind, b->kind);
	ASSERT_EQ(a->vcpu, b->vcpu);
	ASSERT_EQ(a->reason, b->reason);
	ASSERT_EQ(a->resume, b->resume);
	ASSERT_EQ(a->region, b->region);
	switch (a->kind) {
	case GCTL_EV_MMIO:
		ASSERT_EQ(a->mmio.phys_addr, b->mmio.phys_addr);
		ASSERT_EQ(a->mmio.data, b->mmio.data);
		ASSERT_EQ(a->mmio.len, b->mmio.len);
		ASSERT_EQ(a->mmio.is_write, b->mmio.is_write);
		break;
	case GCTL_EV_STATUS:
		ASSERT_EQ(a->status.status, b->status.status);
		ASSERT_EQ(a->status.exit_info.type, b->status.exit_info.type);
		ASSERT_EQ(a->status.exit_info.reason_size,
			  b->status.exit_info.reason_size);
		ASSERT_EQ(gh_exit_info_reason(&a->status.exit_info),
			  gh_exit_info_reason(&b->status.exit_info));
		break;
	case GCTL_EV_PAGE_FAULT:
		ASSERT_EQ(a->page_fault.phys_addr, b->page_fault.phys_addr);
		ASSERT_EQ(a->page_fault.attempt, b->page_fault.attempt);
		break;
	case GCTL_EV_CONSOLE:
	case GCTL_EV_MESSAGE:
		ASSERT_STREQ(a->text, b->text);
		break;
	default:
		break;
	}
}

static void expect_counters(const struct gctl_counters *a,
			    const struct gctl_counters *b)
{
	ASSERT_EQ(a->exits, b->exits);
	ASSERT_EQ(a->mmio_read, b->mmio_read);
	ASSERT_EQ(a->mmio_write, b->mmio_write);
	ASSERT_EQ(a->page_fault, b->page_fault);
	ASSERT_EQ(a->status, b->status);
	ASSERT_EQ(a->unknown, b->unknown);
}

static void expect_snaps(const struct gctl_stats_snap *a,
			 const struct gctl_stats_snap *b)
{
	ASSERT_EQ(a->t_ns, b->t_ns);
	ASSERT_EQ(a->uptime_ns, b->uptime_ns);
	ASSERT_EQ(a->order, b->order);
	ASSERT_EQ(a->nr_vcpus, b->nr_vcpus);
	expect_counters(&a->total, &b->total);
	for (unsigned int i = 0; i < a->nr_vcpus; i++) {
		const struct gctl_stats_vcpu *va = &a->vcpu[i], *vb = &b->vcpu[i];

		expect_counters(&va->cnt, &vb->cnt);
		ASSERT_STREQ(va->state, vb->state);
		ASSERT_EQ(va->have_last, vb->have_last);
		if (va->have_last)
			expect_event(&va->last, &vb->last);
		ASSERT_EQ(va->nr_events, vb->nr_events);
		for (unsigned int e = 0; e < va->nr_events; e++)
			expect_event(&va->events[e], &vb->events[e]);
		ASSERT_EQ(va->have_hyp, vb->have_hyp);
		if (va->have_hyp) {
			ASSERT_EQ(va->hyp.state, vb->hyp.state);
			ASSERT_EQ(va->hyp.ready, vb->hyp.ready);
			ASSERT_EQ(va->hyp.instructions, vb->hyp.instructions);
			ASSERT_EQ(va->hyp.wakeups, vb->hyp.wakeups);
		}
	}
	ASSERT_EQ(a->console_bytes, b->console_bytes);
	ASSERT_EQ(a->nr_regions, b->nr_regions);
	for (unsigned int i = 1; i < a->nr_regions; i++)
		ASSERT_STREQ(a->regions[i], b->regions[i]);
	ASSERT_EQ(a->nr_addrs, b->nr_addrs);
	for (unsigned int i = 0; i < a->nr_addrs; i++) {
		ASSERT_EQ(a->addrs[i].addr, b->addrs[i].addr);
		ASSERT_EQ(a->addrs[i].reads, b->addrs[i].reads);
		ASSERT_EQ(a->addrs[i].writes, b->addrs[i].writes);
		ASSERT_EQ(a->addrs[i].vcpu, b->addrs[i].vcpu);
		ASSERT_EQ(a->addrs[i].region, b->addrs[i].region);
	}
	ASSERT_EQ(a->other_reads, b->other_reads);
	ASSERT_EQ(a->other_writes, b->other_writes);
	for (unsigned int k = 0; k < GCTL_EV__COUNT; k++) {
		ASSERT_EQ(a->nr_events[k], b->nr_events[k]);
		for (unsigned int e = 0; e < a->nr_events[k]; e++)
			expect_event(&a->events[k][e], &b->events[k][e]);
	}
	ASSERT_EQ(a->done, b->done);
	if (a->done) {
		ASSERT_STREQ(a->result, b->result);
		ASSERT_EQ(a->exit_code, b->exit_code);
	}
	ASSERT_STREQ(a->vm, b->vm);
	ASSERT_STREQ(a->backend, b->backend);
	ASSERT_EQ(a->run_state, b->run_state);
}

/* A model fed every kind of event, more than a ring holds of some. */
static struct gctl_stats *fed(unsigned int nr_vcpus, uint64_t *seq)
{
	struct gctl_stats *st;
	struct gctl_exit_record r;

	ASSERT_OK(gctl_stats_new(nr_vcpus, &st));
	for (int i = 0; i < 50; i++) {
		r = mmio(++*seq, (unsigned int)i % nr_vcpus,
			 0x9000000 + 4 * (uint64_t)(i % 3), i % 2, 0x41 + i,
			 i % 3 ? "uart" : NULL);
		gctl_stats_exit(st, &r);
	}
	r = mmio(++*seq, 1, 0xa000000, false, 0xdeadbeef, "dev0");
	gctl_stats_exit(st, &r);
	r = pf_rec(++*seq, 0);
	gctl_stats_exit(st, &r);
	r = (struct gctl_exit_record){ .seq = ++*seq, .vcpu = 1, .reason = 9,
				       .resume = GCTL_RESUME_NONE };
	gctl_stats_exit(st, &r);
	gctl_stats_console(st, "Hello, \"Gunyah\"!\n", 17);
	gctl_stats_message(st, "gunyahctl: run: a message\n", 26);
	return st;
}

TEST(snapshot_round_trip)
{
	struct gctl_stats_snap *a = calloc(1, sizeof(*a));
	struct gctl_stats_snap *b = calloc(1, sizeof(*b));
	struct gctl_stats *st;
	struct gctl_exit_record r;
	struct gctl_summary sum = { .result = "exited", .exit_code = 3,
				    .wall_ns = 987654321 };
	uint64_t seq = 0;

	ASSERT_TRUE(a && b);
	st = fed(3, &seq);
	gctl_stats_snapshot(st, a);
	/* The source's fields. */
	snprintf(a->vm, sizeof(a->vm), "web");
	snprintf(a->backend, sizeof(a->backend), "sim");
	a->run_state = GCTL_VMM_PAUSED;
	snprintf(a->vcpu[0].state, sizeof(a->vcpu[0].state), "idle");
	snprintf(a->vcpu[2].state, sizeof(a->vcpu[2].state), "off");
	a->vcpu[1].have_hyp = true;
	a->vcpu[1].hyp.state = GH_SIM_VCPU_RUNNING;
	a->vcpu[1].hyp.ready = 77;
	a->vcpu[1].hyp.instructions = 1ull << 40;
	a->vcpu[1].hyp.wakeups = 3;
	ASSERT_OK(gctl_stats_snap_from_json(wire(gctl_stats_snap_json(a)), b));
	expect_snaps(a, b);
	/* The totals are the vCPUs' sums, also on the far side. */
	ASSERT_EQ(b->total.exits, seq);
	ASSERT_TRUE(b->nr_events[GCTL_EV_CONSOLE] == 1);
	ASSERT_STREQ(b->events[GCTL_EV_CONSOLE][0].text, "Hello, \"Gunyah\"!");

	/* The end: done, result and exit code go across. */
	r = status_rec(++seq, 2);
	gctl_stats_exit(st, &r);
	gctl_stats_summary(st, &sum);
	gctl_stats_snapshot(st, a);
	ASSERT_OK(gctl_stats_snap_from_json(wire(gctl_stats_snap_json(a)), b));
	expect_snaps(a, b);
	ASSERT_TRUE(b->done);
	ASSERT_EQ(b->uptime_ns, 987654321);
	ASSERT_EQ(b->exit_code, 3);
	/* What a view derives is the same from either. */
	{
		struct gctl_stats_addr ta[GCTL_STATS_MAX_ADDRS], tb[GCTL_STATS_MAX_ADDRS];
		unsigned int na = gctl_stats_top_addrs(a, GCTL_STATS_ANY_VCPU, ta);
		unsigned int nb = gctl_stats_top_addrs(b, GCTL_STATS_ANY_VCPU, tb);

		ASSERT_EQ(na, nb);
		ASSERT_EQ(na, 4);
		for (unsigned int i = 0; i < na; i++) {
			ASSERT_EQ(ta[i].addr, tb[i].addr);
			ASSERT_EQ(ta[i].reads + ta[i].writes,
				  tb[i].reads + tb[i].writes);
		}
	}
	gctl_stats_free(st);
	free(a);
	free(b);
}

TEST(snapshot_of_64_busy_vcpus_fits_a_line)
{
	struct gctl_stats_snap *a = calloc(1, sizeof(*a));
	struct gctl_stats_snap *b = calloc(1, sizeof(*b));
	struct gctl_stats *st;
	struct gctl_exit_record r;
	json_object *o;
	uint64_t seq = 0;
	size_t len;

	ASSERT_TRUE(a && b);
	ASSERT_OK(gctl_stats_new(GCTL_MAX_VCPUS, &st));
	/* Every ring full, more addresses than the table keeps. */
	for (unsigned int i = 0; i < 1000 * GCTL_MAX_VCPUS; i++) {
		r = mmio(++seq, i % GCTL_MAX_VCPUS, 0x10000000 + 8 * (uint64_t)i,
			 i & 1, i, "region-with-a-long-name");
		gctl_stats_exit(st, &r);
	}
	gctl_stats_snapshot(st, a);
	ASSERT_EQ(a->nr_addrs, GCTL_STATS_MAX_ADDRS);
	ASSERT_TRUE(a->other_reads + a->other_writes > 0);
	o = gctl_stats_snap_json(a);
	len = strlen(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	/* The client's line limit (ctl.h) holds the largest there is. */
	ASSERT_TRUE(len < 4u * 1024 * 1024);
	ASSERT_OK(gctl_stats_snap_from_json(wire(o), b));
	expect_snaps(a, b);
	gctl_stats_free(st);
	free(a);
	free(b);
}

TEST(malformed_snapshots_are_refused)
{
	struct gctl_stats_snap *a = calloc(1, sizeof(*a));
	struct gctl_stats_snap *b = calloc(1, sizeof(*b));
	static const char *const bad[] = {
		"{}",
		/* a key of the wrong type */
		"{\"t_ns\":\"1\"}",
	};
	struct gctl_stats *st;
	json_object *o, *v;
	uint64_t seq = 0;

	ASSERT_TRUE(a && b);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = json_tokener_parse(bad[i]);
		ASSERT_EQ(gctl_stats_snap_from_json(o, b), -EINVAL);
		json_object_put(o);
	}
	st = fed(2, &seq);
	gctl_stats_snapshot(st, a);

	/* A region index beyond the names sent. */
	o = wire(gctl_stats_snap_json(a));
	v = json_object_array_get_idx(json_object_object_get(o, "addrs"), 0);
	json_object_object_add(v, "region", json_object_new_int(40));
	ASSERT_EQ(gctl_stats_snap_from_json(o, b), -EINVAL);
	json_object_put(o);

	/* More vCPUs than there can be. */
	o = wire(gctl_stats_snap_json(a));
	v = json_object_object_get(o, "vcpus");
	for (int i = 0; i < GCTL_MAX_VCPUS; i++)
		json_object_array_add(v, json_object_get(json_object_array_get_idx(v, 0)));
	ASSERT_EQ(gctl_stats_snap_from_json(o, b), -EINVAL);
	json_object_put(o);

	/* An event of a kind nobody knows. */
	o = wire(gctl_stats_snap_json(a));
	v = json_object_array_get_idx(json_object_object_get(o, "vcpus"), 0);
	v = json_object_array_get_idx(json_object_object_get(v, "events"), 0);
	json_object_object_add(v, "kind", json_object_new_string("teleport"));
	ASSERT_EQ(gctl_stats_snap_from_json(o, b), -EINVAL);
	json_object_put(o);

	/* Ended without saying how. */
	o = wire(gctl_stats_snap_json(a));
	json_object_object_add(o, "done", json_object_new_boolean(true));
	ASSERT_EQ(gctl_stats_snap_from_json(o, b), -EINVAL);
	json_object_put(o);

	gctl_stats_free(st);
	free(a);
	free(b);
}

static void expect_exit_round_trip(const struct gctl_exit_record *r)
{
	struct gctl_exit_record back;
	json_object *o = wire(gctl_json_exit(r));

	ASSERT_OK(gctl_json_to_exit(o, &back));
	ASSERT_EQ(back.seq, r->seq);
	ASSERT_EQ(back.vcpu, r->vcpu);
	ASSERT_EQ(back.t_ns, r->t_ns);
	ASSERT_EQ(back.reason, r->reason);
	ASSERT_EQ(back.resume, r->resume);
	if (r->region)
		ASSERT_STREQ(back.region, r->region);
	else
		ASSERT_TRUE(!back.region);
	switch (r->reason) {
	case GUNYAH_VCPU_EXIT_MMIO:
		ASSERT_EQ(back.mmio.phys_addr, r->mmio.phys_addr);
		ASSERT_EQ(back.mmio.len, r->mmio.len);
		ASSERT_EQ(back.mmio.is_write, r->mmio.is_write);
		ASSERT_EQ(back.mmio.data, r->mmio.data);
		break;
	case GUNYAH_VCPU_EXIT_PAGE_FAULT:
		ASSERT_EQ(back.page_fault.phys_addr, r->page_fault.phys_addr);
		ASSERT_EQ(back.page_fault.attempt, r->page_fault.attempt);
		break;
	case GUNYAH_VCPU_EXIT_STATUS:
		ASSERT_EQ(back.status.status, r->status.status);
		ASSERT_EQ(back.status.exit_info.type, r->status.exit_info.type);
		ASSERT_EQ(back.status.exit_info.reason_size,
			  r->status.exit_info.reason_size);
		ASSERT_EQ(gh_exit_info_reason(&back.status.exit_info),
			  gh_exit_info_reason(&r->status.exit_info));
		break;
	}
	json_object_put(o);
}

TEST(exit_records_read_back_as_run_wrote_them)
{
	struct gctl_exit_record r;

	r = mmio(1, 0, 0x9000000, true, 0x48, "uart");
	expect_exit_round_trip(&r);
	r = mmio(2, 5, 0xffffffffffffff00ull, false, 0xfedcba9876543210ull, NULL);
	r.mmio.len = 8;
	r.resume = GUNYAH_VCPU_RESUME_FAULT;
	expect_exit_round_trip(&r);
	r = pf_rec(3, 1);
	expect_exit_round_trip(&r);
	r.resume = GCTL_RESUME_NONE;
	expect_exit_round_trip(&r);
	r = status_rec(4, 2);
	expect_exit_round_trip(&r);
	/* An exit reason the ABI does not name. */
	r = (struct gctl_exit_record){ .seq = 5, .vcpu = 1, .t_ns = 9,
				       .reason = 77, .resume = GCTL_RESUME_NONE };
	expect_exit_round_trip(&r);
}

TEST(summary_reads_back)
{
	struct gctl_summary s = {
		.wall_ns = 123456789, .nr_vcpus = 2, .console_bytes = 15,
		.have_status = true, .status = GUNYAH_VM_STATUS_EXITED,
		.result = "poweroff", .exit_code = 0,
	}, back;
	json_object *o;

	s.vcpu[0] = (struct gctl_counters){ 10, 4, 5, 0, 1, 0 };
	s.vcpu[1] = (struct gctl_counters){ 3, 0, 1, 1, 1, 0 };
	s.total = (struct gctl_counters){ 13, 4, 6, 1, 2, 0 };
	s.exit_info.type = GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF;
	s.exit_info.reason_size = 4;
	o = wire(gctl_json_summary(&s));
	ASSERT_OK(gctl_json_to_summary(o, &back));
	ASSERT_EQ(back.wall_ns, s.wall_ns);
	ASSERT_EQ(back.nr_vcpus, 2);
	expect_counters(&back.total, &s.total);
	expect_counters(&back.vcpu[0], &s.vcpu[0]);
	expect_counters(&back.vcpu[1], &s.vcpu[1]);
	ASSERT_EQ(back.console_bytes, 15);
	ASSERT_TRUE(back.have_status);
	ASSERT_EQ(back.exit_info.type, GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF);
	ASSERT_STREQ(back.result, "poweroff");
	ASSERT_EQ(back.exit_code, 0);
	json_object_put(o);

	/* Not a summary. */
	o = json_tokener_parse("{\"event\":\"summary\",\"result\":\"x\"}");
	ASSERT_EQ(gctl_json_to_summary(o, &back), -EINVAL);
	json_object_put(o);
}
