// SPDX-License-Identifier: GPL-2.0-only
/*
 * One exit, every writer: the same records go to the text writer (run,
 * attach, step), the JSON Lines writer (run --json and the control
 * socket's stream), the dashboard's model (its event line), and the
 * model's snapshot JSON (attach --dashboard).  Each field must read the
 * same in all of them: the JSON read back equals the record, the text
 * line and the dashboard's line (before and after the snapshot's trip
 * through JSON) are the same words, and they carry the record's numbers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common.h"
#include "ctl/snapshot_json.h"
#include "dash/stats.h"
#include "engine/sink.h"
#include "output/exit_fmt.h"
#include "output/json_rec.h"
#include "test.h"

#define NR_RECS 7

static void records(struct gctl_exit_record *r)
{
	memset(r, 0, NR_RECS * sizeof(*r));
	for (unsigned int i = 0; i < NR_RECS; i++) {
		r[i].seq = i + 1;
		r[i].vcpu = i % 2;
		r[i].t_ns = 1000 * (i + 1);
		r[i].resume = GUNYAH_VCPU_RESUME_HANDLED;
	}
	r[0].reason = GUNYAH_VCPU_EXIT_MMIO;
	r[0].mmio.phys_addr = 0x9000000;
	r[0].mmio.len = 4;
	r[0].mmio.is_write = true;
	r[0].mmio.data = 0x41;
	r[0].region = "uart";
	r[1].reason = GUNYAH_VCPU_EXIT_MMIO;
	r[1].mmio.phys_addr = 0xa001000;
	r[1].mmio.len = 8;
	r[1].mmio.data = 0x1122334455667788ull;
	r[1].resume = GUNYAH_VCPU_RESUME_FAULT;
	r[2].reason = GUNYAH_VCPU_EXIT_MMIO;
	r[2].mmio.phys_addr = 0x100000000ull;
	r[2].mmio.len = 1;
	r[2].mmio.data = 0x7;
	r[3].reason = GUNYAH_VCPU_EXIT_PAGE_FAULT;
	r[3].page_fault.phys_addr = 0x90000000;
	r[3].page_fault.attempt = 1;
	r[3].resume = GUNYAH_VCPU_RESUME_RETRY;
	r[4].reason = GUNYAH_VCPU_EXIT_STATUS;
	r[4].resume = GCTL_RESUME_NONE;
	r[4].status.status = GUNYAH_VM_STATUS_EXITED;
	r[4].status.exit_info.type = GUNYAH_VM_EXIT_TYPE_VM_EXIT;
	r[4].status.exit_info.reason_size = 4;
	r[4].status.exit_info.reason[0] = 0x01;
	r[4].status.exit_info.reason[2] = 0x01;
	r[5].reason = GUNYAH_VCPU_EXIT_STATUS;
	r[5].resume = GCTL_RESUME_NONE;
	r[5].status.status = GUNYAH_VM_STATUS_EXITED;
	r[5].status.exit_info.type = GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF;
	r[5].status.exit_info.reason_size = 4;
	r[6].reason = 99; /* no such exit reason */
	r[6].resume = GCTL_RESUME_NONE;
}

/* Feed recs to a writer on a memfd; what it wrote, one line per exit. */
static char *write_all(int (*new)(int, bool, struct gctl_sink *),
		       const struct gctl_exit_record *recs)
{
	int fd = memfd_create("writer", 0);
	struct gctl_sink s;
	char *buf;
	off_t len;

	ASSERT_TRUE(fd >= 0);
	ASSERT_OK(new(fd, false, &s));
	for (unsigned int i = 0; i < NR_RECS; i++)
		s.ops->exit(s.ctx, &recs[i]);
	ASSERT_OK(gctl_sink_flush(&s));
	gctl_sink_destroy(&s);
	len = lseek(fd, 0, SEEK_END);
	ASSERT_TRUE(len > 0);
	buf = calloc(1, (size_t)len + 1);
	ASSERT_TRUE(buf);
	ASSERT_EQ(pread(fd, buf, (size_t)len, 0), len);
	close(fd);
	return buf;
}

static void expect_same_record(const struct gctl_exit_record *a,
			       const struct gctl_exit_record *b)
{
	ASSERT_EQ(a->seq, b->seq);
	ASSERT_EQ(a->vcpu, b->vcpu);
	ASSERT_EQ(a->t_ns, b->t_ns);
	ASSERT_EQ(a->reason, b->reason);
	switch (a->reason) {
	case GUNYAH_VCPU_EXIT_MMIO:
		ASSERT_EQ(a->mmio.phys_addr, b->mmio.phys_addr);
		ASSERT_EQ(a->mmio.len, b->mmio.len);
		ASSERT_EQ(a->mmio.is_write, b->mmio.is_write);
		ASSERT_EQ(a->mmio.data, b->mmio.data);
		ASSERT_EQ(a->resume, b->resume);
		break;
	case GUNYAH_VCPU_EXIT_PAGE_FAULT:
		ASSERT_EQ(a->page_fault.phys_addr, b->page_fault.phys_addr);
		ASSERT_EQ(a->page_fault.attempt, b->page_fault.attempt);
		ASSERT_EQ(a->resume, b->resume);
		break;
	case GUNYAH_VCPU_EXIT_STATUS:
		ASSERT_EQ(a->status.status, b->status.status);
		ASSERT_EQ(a->status.exit_info.type, b->status.exit_info.type);
		ASSERT_EQ(gh_exit_info_reason(&a->status.exit_info),
			  gh_exit_info_reason(&b->status.exit_info));
		break;
	}
	if (a->region || b->region)
		ASSERT_STREQ(a->region, b->region);
}

/* The record's own numbers, in the words every line uses. */
static void expect_fields_in(const struct gctl_exit_record *r,
			     const char *line)
{
	char want[64];

	ASSERT_TRUE(strstr(line, gh_exit_reason_str(r->reason)) == line);
	switch (r->reason) {
	case GUNYAH_VCPU_EXIT_MMIO:
		snprintf(want, sizeof(want), " %s " GCTL_ADDR " len=%u ",
			 r->mmio.is_write ? "write" : "read",
			 r->mmio.phys_addr, r->mmio.len);
		ASSERT_TRUE(strstr(line, want));
		snprintf(want, sizeof(want), "data=0x%0*" PRIx64,
			 (int)(2 * r->mmio.len), r->mmio.data);
		ASSERT_TRUE(strstr(line, want));
		break;
	case GUNYAH_VCPU_EXIT_PAGE_FAULT:
		snprintf(want, sizeof(want), " " GCTL_ADDR " attempt=%d",
			 r->page_fault.phys_addr, r->page_fault.attempt);
		ASSERT_TRUE(strstr(line, want));
		break;
	case GUNYAH_VCPU_EXIT_STATUS:
		snprintf(want, sizeof(want), " %s type=%s(%u)",
			 gh_vm_status_str(r->status.status),
			 gh_exit_type_str(r->status.exit_info.type),
			 r->status.exit_info.type);
		ASSERT_TRUE(strstr(line, want));
		break;
	default:
		snprintf(want, sizeof(want), " exit_reason=%u", r->reason);
		ASSERT_TRUE(strstr(line, want));
		break;
	}
	if (r->resume != GUNYAH_VCPU_RESUME_HANDLED &&
	    r->reason != GUNYAH_VCPU_EXIT_STATUS && r->reason < 99) {
		snprintf(want, sizeof(want), " resume=%s",
			 gctl_resume_str(r->resume));
		ASSERT_TRUE(strstr(line, want));
	}
	if (r->region) {
		snprintf(want, sizeof(want), " [%s]", r->region);
		ASSERT_TRUE(strstr(line, want));
	}
}

TEST(every_writer_says_the_same_of_each_exit)
{
	struct gctl_exit_record recs[NR_RECS];
	struct gctl_stats_snap *snap = calloc(1, sizeof(*snap));
	struct gctl_stats_snap *back = calloc(1, sizeof(*back));
	const struct gctl_stats_event *ev[NR_RECS], *ev_back[NR_RECS];
	char *text, *json, *tl, *jl, *tsave = NULL, *jsave = NULL;
	struct gctl_stats *st;
	json_object *snap_json, *made;

	ASSERT_TRUE(snap && back);
	records(recs);
	text = write_all(gctl_out_text_new, recs);
	json = write_all(gctl_out_json_new, recs);

	ASSERT_OK(gctl_stats_new(2, &st));
	for (unsigned int i = 0; i < NR_RECS; i++)
		gctl_stats_exit(st, &recs[i]);
	gctl_stats_snapshot(st, snap);
	ASSERT_EQ(gctl_stats_recent(snap, GCTL_EV_ALL, GCTL_STATS_ANY_VCPU, ev,
				    NR_RECS), NR_RECS);
	made = gctl_stats_snap_json(snap);
	snap_json = json_tokener_parse(json_object_to_json_string_ext(
		made, GCTL_JSON_PLAIN));
	json_object_put(made);
	ASSERT_TRUE(snap_json);
	ASSERT_OK(gctl_stats_snap_from_json(snap_json, back));
	ASSERT_EQ(gctl_stats_recent(back, GCTL_EV_ALL, GCTL_STATS_ANY_VCPU,
				    ev_back, NR_RECS), NR_RECS);

	tl = strtok_r(text, "\n", &tsave);
	jl = strtok_r(json, "\n", &jsave);
	for (unsigned int i = 0; i < NR_RECS; i++) {
		const struct gctl_exit_record *r = &recs[i];
		struct gctl_exit_record from_json;
		char head[32], dash[GCTL_EXIT_STR_MAX], dash_back[GCTL_EXIT_STR_MAX];
		json_object *o;

		ASSERT_TRUE(tl && jl);
		/* JSON: every field reads back as it was. */
		o = json_tokener_parse(jl);
		ASSERT_TRUE(o);
		ASSERT_OK(gctl_json_to_exit(o, &from_json));
		expect_same_record(r, &from_json);

		/* Text: "vcpuN #SEQ " and the record's fields. */
		snprintf(head, sizeof(head), "vcpu%u #%" PRIu64 " ", r->vcpu,
			 r->seq);
		ASSERT_TRUE(!strncmp(tl, head, strlen(head)));
		expect_fields_in(r, tl + strlen(head));

		/* The dashboard: the same words, here and across the socket. */
		ASSERT_EQ(ev[i]->seq, r->seq);
		ASSERT_EQ(ev[i]->vcpu, r->vcpu);
		gctl_stats_event_str(snap, ev[i], dash, sizeof(dash));
		ASSERT_STREQ(dash, tl + strlen(head));
		ASSERT_EQ(ev_back[i]->seq, r->seq);
		gctl_stats_event_str(back, ev_back[i], dash_back,
				     sizeof(dash_back));
		ASSERT_STREQ(dash_back, dash);

		json_object_put(o);
		tl = strtok_r(NULL, "\n", &tsave);
		jl = strtok_r(NULL, "\n", &jsave);
	}
	ASSERT_TRUE(!tl && !jl);
	json_object_put(snap_json);
	gctl_stats_free(st);
	free(text);
	free(json);
	free(snap);
	free(back);
}
