// SPDX-License-Identifier: GPL-2.0-only
/* Live exit statistics (stats.h). */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output/exit_fmt.h"
#include "common.h"
#include "dash/stats.h"

/* Open addressing: the table stays at most 3/4 full, probes stay short. */
#define ADDR_SLOTS 1024
#define ADDR_SLOT_BITS 10
_Static_assert(ADDR_SLOTS == 1u << ADDR_SLOT_BITS, "slots are 2^bits");
_Static_assert(GCTL_STATS_MAX_ADDRS <= ADDR_SLOTS * 3 / 4,
	       "the table must keep free slots");
_Static_assert(GCTL_STATS_MAX_REGIONS <= 256, "region index is a uint8_t");

struct addr_slot {
	struct gctl_stats_addr a;
	bool used;
};

struct event_ring {
	uint64_t head; /* events ever put in */
	struct gctl_stats_event ev[GCTL_STATS_RING];
};

struct vcpu_stats {
	struct gctl_counters cnt;
	struct event_ring ring;
};

#define PREFIX "gunyahctl: run: "
#define SAID_MAX (64 * 1024)

struct gctl_stats {
	atomic_flag lock; /* stats_lock(): everything below */
	unsigned int nr_vcpus;
	/* When the stats began; from the first exit on, when the VM began
	 * (records' times count from there): text events and the uptime
	 * then share the exits' time base. */
	uint64_t t0_ns;
	bool t0_is_vm;
	uint64_t order;
	struct vcpu_stats vcpu[GCTL_MAX_VCPUS];
	uint64_t console_bytes;

	unsigned int nr_regions;
	char regions[GCTL_STATS_MAX_REGIONS][GCTL_STATS_NAME_MAX];
	/* The last name looked up and its index: records of one source
	 * point at the same few strings, so this usually saves a strcmp. */
	const char *last_region;
	uint8_t last_region_idx;

	unsigned int nr_addrs;
	struct addr_slot addrs[ADDR_SLOTS];
	uint64_t other_reads, other_writes;

	struct event_ring ring[GCTL_EV__COUNT];

	bool done;
	char result[16];
	int exit_code;
	uint64_t wall_ns;

	/* The engine's messages as standard error would have shown them,
	 * for the terminal once the screen is gone (gctl_stats_said). */
	char *said;
	size_t said_len, said_dropped;
};

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ __volatile__("yield")
#else
#define cpu_relax() ((void)0)
#endif
#define SPINS_BEFORE_YIELD 64

/*
 * A spin lock that yields.  run --dashboard counts every exit in the vCPU
 * thread that takes it (sinks_new in cmd-run.c says why), ~100
 * instructions under this lock, which pthread's mutex made half as much
 * again.  The other holders are short too (a snapshot, twice a second);
 * one that blocks holding it (writing out the messages kept, at the end)
 * only makes the others yield.
 */
static void stats_lock(struct gctl_stats *st)
{
	unsigned int spins = 0;

	while (atomic_flag_test_and_set_explicit(&st->lock,
						 memory_order_acquire)) {
		if (++spins < SPINS_BEFORE_YIELD)
			cpu_relax();
		else
			sched_yield();
	}
}

static void stats_unlock(struct gctl_stats *st)
{
	atomic_flag_clear_explicit(&st->lock, memory_order_release);
}

int gctl_stats_new(unsigned int nr_vcpus, struct gctl_stats **out)
{
	struct gctl_stats *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	atomic_flag_clear(&st->lock);
	st->nr_vcpus = nr_vcpus > GCTL_MAX_VCPUS ? GCTL_MAX_VCPUS : nr_vcpus;
	st->nr_regions = 1; /* index 0: no region */
	st->t0_ns = gctl_now_ns();
	*out = st;
	return 0;
}

void gctl_stats_free(struct gctl_stats *st)
{
	if (!st)
		return;
	free(st->said);
	free(st);
}

/* ---- feeding ------------------------------------------------------------ */

static inline uint8_t region_idx_locked(struct gctl_stats *st, const char *name)
{
	unsigned int i;

	if (!name || !*name)
		return 0;
	if (name == st->last_region)
		return st->last_region_idx;
	for (i = 1; i < st->nr_regions; i++)
		if (!strncmp(st->regions[i], name, GCTL_STATS_NAME_MAX - 1))
			break;
	if (i == st->nr_regions) {
		if (i == GCTL_STATS_MAX_REGIONS)
			return 0; /* shown without a name, counted all the same */
		snprintf(st->regions[i], GCTL_STATS_NAME_MAX, "%s", name);
		st->nr_regions++;
	}
	st->last_region = name;
	st->last_region_idx = (uint8_t)i;
	return (uint8_t)i;
}

/* A text event's slot in its kind's ring. */
static struct gctl_stats_event *ring_put_locked(struct gctl_stats *st,
						enum gctl_stats_kind kind)
{
	struct event_ring *r = &st->ring[kind];
	struct gctl_stats_event *e = &r->ev[r->head++ % GCTL_STATS_RING];

	e->order = ++st->order;
	e->kind = kind;
	return e;
}

/* A ring's events, oldest first; returns how many. */
static unsigned int ring_copy(const struct event_ring *r,
			      struct gctl_stats_event *out)
{
	uint64_t n = r->head < GCTL_STATS_RING ? r->head : GCTL_STATS_RING;

	for (uint64_t i = 0; i < n; i++)
		out[i] = r->ev[(r->head - n + i) % GCTL_STATS_RING];
	return (unsigned int)n;
}

static inline void count_addr_locked(struct gctl_stats *st, uint32_t vcpu,
			      uint64_t addr, bool is_write, uint8_t region)
{
	uint64_t h = (addr ^ ((uint64_t)vcpu << 48)) * 0x9e3779b97f4a7c15ull;
	unsigned int i = (unsigned int)(h >> (64 - ADDR_SLOT_BITS));
	struct addr_slot *s;

	for (;; i = (i + 1) & (ADDR_SLOTS - 1)) {
		s = &st->addrs[i];
		if (!s->used)
			break;
		if (s->a.addr == addr && s->a.vcpu == vcpu)
			goto found;
	}
	if (st->nr_addrs == GCTL_STATS_MAX_ADDRS) {
		if (is_write)
			st->other_writes++;
		else
			st->other_reads++;
		return;
	}
	st->nr_addrs++;
	s->used = true;
	s->a = (struct gctl_stats_addr){ .addr = addr, .vcpu = vcpu,
					 .region = region };
found:
	if (is_write)
		s->a.writes++;
	else
		s->a.reads++;
}

/* Inlined: a call's saving and restoring of registers, once per exit,
 * was a sixth of the writer thread's work for the dashboard. */
static inline __attribute__((always_inline)) void
exit_locked(struct gctl_stats *st, const struct gctl_exit_record *rec)
{
	struct vcpu_stats *v;
	struct gctl_stats_event *e;
	enum gctl_stats_kind kind;

	switch (rec->reason) {
	case GUNYAH_VCPU_EXIT_MMIO:
		kind = GCTL_EV_MMIO;
		break;
	case GUNYAH_VCPU_EXIT_PAGE_FAULT:
		kind = GCTL_EV_PAGE_FAULT;
		break;
	case GUNYAH_VCPU_EXIT_STATUS:
		kind = GCTL_EV_STATUS;
		break;
	default:
		kind = GCTL_EV_UNKNOWN;
		break;
	}

	if (rec->vcpu >= st->nr_vcpus)
		return; /* not a vCPU of this VM: nowhere to count it */
	if (!st->t0_is_vm) {
		uint64_t now = gctl_now_ns();

		st->t0_ns = rec->t_ns < now ? now - rec->t_ns : now;
		st->t0_is_vm = true;
	}
	v = &st->vcpu[rec->vcpu];
	/* Written once, in the vCPU's ring; copied to its kind's only for
	 * the rarer kinds (the bulk, MMIO, is found in the vCPUs' rings). */
	e = &v->ring.ev[v->ring.head++ % GCTL_STATS_RING];
	e->order = ++st->order;
	e->kind = kind;
	e->seq = rec->seq;
	e->t_ns = rec->t_ns;
	e->vcpu = rec->vcpu;
	e->reason = rec->reason;
	e->resume = rec->resume;
	e->region = region_idx_locked(st, rec->region);

	v->cnt.exits++;
	switch (kind) {
	case GCTL_EV_MMIO:
		e->mmio = rec->mmio;
		if (rec->mmio.is_write)
			v->cnt.mmio_write++;
		else
			v->cnt.mmio_read++;
		count_addr_locked(st, rec->vcpu, rec->mmio.phys_addr,
				  rec->mmio.is_write, e->region);
		break;
	case GCTL_EV_PAGE_FAULT:
		e->page_fault = rec->page_fault;
		v->cnt.page_fault++;
		break;
	case GCTL_EV_STATUS:
		e->status = rec->status;
		v->cnt.status++;
		break;
	default:
		v->cnt.unknown++;
		break;
	}
	if (kind != GCTL_EV_MMIO) {
		struct event_ring *r = &st->ring[kind];

		r->ev[r->head++ % GCTL_STATS_RING] = *e;
	}
}

void gctl_stats_exit(struct gctl_stats *st, const struct gctl_exit_record *rec)
{
	stats_lock(st);
	exit_locked(st, rec);
	stats_unlock(st);
}

/* A line of text as an event: printable, no newline, truncated. */
static void put_text(struct gctl_stats *st, enum gctl_stats_kind kind,
		     const char *buf, size_t len)
{
	struct gctl_stats_event *e;
	size_t n;

	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	n = len < GCTL_STATS_TEXT_MAX - 1 ? len : GCTL_STATS_TEXT_MAX - 1;

	stats_lock(st);
	e = ring_put_locked(st, kind);
	e->seq = 0;
	e->t_ns = gctl_now_ns() - st->t0_ns;
	e->vcpu = GCTL_STATS_NO_VCPU;
	e->reason = 0;
	e->resume = GCTL_RESUME_NONE;
	e->region = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		e->text[i] = c == '\t' ? ' ' : c < 0x20 || c >= 0x7f ? '.' :
								(char)c;
	}
	e->text[n] = 0;
	stats_unlock(st);
}

void gctl_stats_console(struct gctl_stats *st, const char *buf, size_t len)
{
	stats_lock(st);
	st->console_bytes += len;
	stats_unlock(st);
	put_text(st, GCTL_EV_CONSOLE, buf, len);
}

void gctl_stats_message(struct gctl_stats *st, const char *buf, size_t len)
{
	put_text(st, GCTL_EV_MESSAGE, buf, len);
}

void gctl_stats_summary(struct gctl_stats *st, const struct gctl_summary *s)
{
	stats_lock(st);
	st->done = true;
	snprintf(st->result, sizeof(st->result), "%s",
		 s->result ? s->result : "");
	st->exit_code = s->exit_code;
	st->wall_ns = s->wall_ns;
	stats_unlock(st);
}

/* ---- the sink ------------------------------------------------------------ */

static void sink_exits(void *ctx, const struct gctl_exit_record *const *recs,
		       size_t n)
{
	struct gctl_stats *st = ctx;

	stats_lock(st);
	for (size_t i = 0; i < n; i++)
		exit_locked(st, recs[i]);
	stats_unlock(st);
}

static void sink_console(void *ctx, const char *buf, size_t len)
{
	gctl_stats_console(ctx, buf, len);
}

static void sink_summary(void *ctx, const struct gctl_summary *s)
{
	gctl_stats_summary(ctx, s);
}

/* Kept, as "gunyahctl: run: TEXT", for gctl_stats_said. */
static void keep_said(struct gctl_stats *st, const char *text)
{
	size_t n = strlen(PREFIX) + strlen(text) + 1;

	stats_lock(st);
	if (!st->said)
		st->said = malloc(SAID_MAX);
	if (!st->said || st->said_len + n > SAID_MAX) {
		st->said_dropped++;
	} else {
		snprintf(st->said + st->said_len, n + 1, PREFIX "%s\n", text);
		st->said_len += n;
	}
	stats_unlock(st);
}

/* An engine message: an event in its place, and kept for the terminal. */
static void sink_message(void *ctx, const struct gctl_message *m)
{
	gctl_stats_message(ctx, m->text, strlen(m->text));
	keep_said(ctx, m->text);
}

int gctl_stats_said(struct gctl_stats *st, int fd)
{
	size_t off = 0;
	ssize_t n;
	int ret = 0;

	stats_lock(st);
	while (off < st->said_len) {
		n = write(fd, st->said + off, st->said_len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)n;
	}
	if (!ret && st->said_dropped)
		dprintf(fd, PREFIX "%zu more messages were dropped\n",
			st->said_dropped);
	stats_unlock(st);
	return ret;
}

static const struct gctl_sink_ops stats_sink_ops = {
	.exits = sink_exits,
	.console = sink_console,
	.summary = sink_summary,
	.message = sink_message,
	/* no regs, memory: step mode's answers have no place in the
	 * counts; no flush: every record is counted at once */
};

void gctl_stats_sink(struct gctl_stats *st, struct gctl_sink *out)
{
	*out = (struct gctl_sink){ .ops = &stats_sink_ops, .ctx = st };
}

/* ---- snapshots ------------------------------------------------------------ */

static int cmp_addr_vcpu(const void *a, const void *b)
{
	const struct gctl_stats_addr *x = a, *y = b;

	if (x->vcpu != y->vcpu)
		return x->vcpu < y->vcpu ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

void gctl_stats_snapshot(struct gctl_stats *st, struct gctl_stats_snap *out)
{
	memset(out, 0, sizeof(*out));

	stats_lock(st);
	out->t_ns = gctl_now_ns();
	out->uptime_ns = st->done ? st->wall_ns : out->t_ns - st->t0_ns;
	out->order = st->order;
	out->nr_vcpus = st->nr_vcpus;
	for (unsigned int i = 0; i < st->nr_vcpus; i++) {
		struct gctl_stats_vcpu *v = &out->vcpu[i];

		v->cnt = st->vcpu[i].cnt;
		v->nr_events = ring_copy(&st->vcpu[i].ring, v->events);
		v->have_last = v->nr_events > 0;
		if (v->have_last)
			v->last = v->events[v->nr_events - 1];
	}
	out->console_bytes = st->console_bytes;
	out->nr_regions = st->nr_regions;
	memcpy(out->regions, st->regions, sizeof(out->regions));
	for (unsigned int i = 0; i < ADDR_SLOTS; i++)
		if (st->addrs[i].used)
			out->addrs[out->nr_addrs++] = st->addrs[i].a;
	out->other_reads = st->other_reads;
	out->other_writes = st->other_writes;
	for (unsigned int k = 0; k < GCTL_EV__COUNT; k++)
		out->nr_events[k] = ring_copy(&st->ring[k], out->events[k]);
	out->done = st->done;
	memcpy(out->result, st->result, sizeof(out->result));
	out->exit_code = st->exit_code;
	stats_unlock(st);

	for (unsigned int i = 0; i < out->nr_vcpus; i++)
		gctl_counters_add(&out->total, &out->vcpu[i].cnt);
	qsort(out->addrs, out->nr_addrs, sizeof(out->addrs[0]), cmp_addr_vcpu);
}

/* ---- derived ---------------------------------------------------------------- */

static double per_s(uint64_t from, uint64_t to, double secs)
{
	return to >= from && secs > 0 ? (double)(to - from) / secs : 0.0;
}

void gctl_stats_rates(const struct gctl_stats_snap *prev,
		      const struct gctl_stats_snap *cur,
		      struct gctl_stats_rates *out)
{
	double secs = cur->t_ns > prev->t_ns ?
			      (double)(cur->t_ns - prev->t_ns) / 1e9 : 0.0;

	memset(out, 0, sizeof(*out));
	out->total = per_s(prev->total.exits, cur->total.exits, secs);
	for (unsigned int i = 0; i < cur->nr_vcpus && i < prev->nr_vcpus; i++)
		out->vcpu[i] = per_s(prev->vcpu[i].cnt.exits,
				     cur->vcpu[i].cnt.exits, secs);
}

static uint64_t sub_sat(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static void sub_counters(struct gctl_counters *c, const struct gctl_counters *b)
{
	c->exits = sub_sat(c->exits, b->exits);
	c->mmio_read = sub_sat(c->mmio_read, b->mmio_read);
	c->mmio_write = sub_sat(c->mmio_write, b->mmio_write);
	c->page_fault = sub_sat(c->page_fault, b->page_fault);
	c->status = sub_sat(c->status, b->status);
	c->unknown = sub_sat(c->unknown, b->unknown);
}

/* Keep the events after order; returns how many. */
static unsigned int newer(struct gctl_stats_event *ev, unsigned int n,
			  uint64_t order)
{
	unsigned int keep = 0;

	for (unsigned int i = 0; i < n; i++)
		if (ev[i].order > order)
			ev[keep++] = ev[i];
	return keep;
}

void gctl_stats_sub(struct gctl_stats_snap *cur,
		    const struct gctl_stats_snap *base)
{
	unsigned int i, j = 0, n = 0;

	sub_counters(&cur->total, &base->total);
	for (i = 0; i < cur->nr_vcpus && i < base->nr_vcpus; i++)
		sub_counters(&cur->vcpu[i].cnt, &base->vcpu[i].cnt);
	cur->console_bytes = sub_sat(cur->console_bytes, base->console_bytes);
	cur->other_reads = sub_sat(cur->other_reads, base->other_reads);
	cur->other_writes = sub_sat(cur->other_writes, base->other_writes);

	/* Both sorted by (vcpu, addr): one walk.  Pairs with nothing since
	 * the baseline go. */
	for (i = 0; i < cur->nr_addrs; i++) {
		struct gctl_stats_addr a = cur->addrs[i];

		while (j < base->nr_addrs &&
		       cmp_addr_vcpu(&base->addrs[j], &a) < 0)
			j++;
		if (j < base->nr_addrs && !cmp_addr_vcpu(&base->addrs[j], &a)) {
			a.reads = sub_sat(a.reads, base->addrs[j].reads);
			a.writes = sub_sat(a.writes, base->addrs[j].writes);
		}
		if (a.reads + a.writes)
			cur->addrs[n++] = a;
	}
	cur->nr_addrs = n;

	for (unsigned int k = 0; k < GCTL_EV__COUNT; k++)
		cur->nr_events[k] = newer(cur->events[k], cur->nr_events[k],
					  base->order);
	for (i = 0; i < cur->nr_vcpus; i++)
		cur->vcpu[i].nr_events = newer(cur->vcpu[i].events,
					       cur->vcpu[i].nr_events,
					       base->order);
}

static int cmp_addr_only(const void *a, const void *b)
{
	const struct gctl_stats_addr *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int cmp_busiest(const void *a, const void *b)
{
	const struct gctl_stats_addr *x = a, *y = b;
	uint64_t nx = x->reads + x->writes, ny = y->reads + y->writes;

	if (nx != ny)
		return nx > ny ? -1 : 1;
	return cmp_addr_vcpu(a, b);
}

unsigned int gctl_stats_top_addrs(const struct gctl_stats_snap *s,
				  uint32_t vcpu, struct gctl_stats_addr *out)
{
	unsigned int n = 0, m = 0;

	for (unsigned int i = 0; i < s->nr_addrs; i++)
		if (vcpu == GCTL_STATS_ANY_VCPU || s->addrs[i].vcpu == vcpu)
			out[n++] = s->addrs[i];
	if (vcpu == GCTL_STATS_ANY_VCPU && n) {
		/* One line per address, over every vCPU that touched it. */
		qsort(out, n, sizeof(out[0]), cmp_addr_only);
		for (unsigned int i = 1; i < n; i++) {
			if (out[i].addr == out[m].addr) {
				out[m].reads += out[i].reads;
				out[m].writes += out[i].writes;
				if (out[m].vcpu != out[i].vcpu)
					out[m].vcpu = GCTL_STATS_ANY_VCPU;
			} else {
				out[++m] = out[i];
			}
		}
		n = m + 1;
	}
	qsort(out, n, sizeof(out[0]), cmp_busiest);
	return n;
}

static int cmp_order(const void *a, const void *b)
{
	const struct gctl_stats_event *const *x = a, *const *y = b;

	return (*x)->order < (*y)->order ? -1 : (*x)->order > (*y)->order;
}

unsigned int gctl_stats_recent(const struct gctl_stats_snap *s,
			       unsigned int kinds, uint32_t vcpu,
			       const struct gctl_stats_event **out,
			       unsigned int max)
{
	const struct gctl_stats_event
		*all[(GCTL_MAX_VCPUS + GCTL_EV__COUNT) * GCTL_STATS_RING];
	bool one = vcpu != GCTL_STATS_ANY_VCPU;
	unsigned int n = 0, from;

	/*
	 * One vCPU's exits come from its own ring.  Of all vCPUs: the MMIO
	 * exits from theirs (the newest N of all are among each one's newest
	 * N), the rarer kinds from their kinds' rings, which keep them
	 * longer.  Text events from theirs.
	 */
	for (unsigned int v = 0; v < s->nr_vcpus; v++) {
		const struct gctl_stats_vcpu *sv = &s->vcpu[v];

		if (one && v != vcpu)
			continue;
		for (unsigned int i = 0; i < sv->nr_events; i++) {
			unsigned int k = sv->events[i].kind;

			if ((kinds & (1u << k)) && (one || k == GCTL_EV_MMIO))
				all[n++] = &sv->events[i];
		}
	}
	for (unsigned int k = 0; k < GCTL_EV__COUNT; k++) {
		if (!(kinds & (1u << k)))
			continue;
		if (one && k != GCTL_EV_CONSOLE && k != GCTL_EV_MESSAGE)
			continue;
		for (unsigned int i = 0; i < s->nr_events[k]; i++)
			all[n++] = &s->events[k][i];
	}
	qsort(all, n, sizeof(all[0]), cmp_order);
	from = n > max ? n - max : 0;
	for (unsigned int i = from; i < n; i++)
		out[i - from] = all[i];
	return n - from;
}

const char *gctl_stats_kind_str(enum gctl_stats_kind kind)
{
	static const char *const names[] = {
		[GCTL_EV_MMIO] = "mmio",
		[GCTL_EV_PAGE_FAULT] = "page_fault",
		[GCTL_EV_STATUS] = "status",
		[GCTL_EV_UNKNOWN] = "unknown",
		[GCTL_EV_CONSOLE] = "console",
		[GCTL_EV_MESSAGE] = "message",
	};

	if ((unsigned int)kind < GCTL_EV__COUNT)
		return names[kind];
	return "?";
}

const char *gctl_stats_region(const struct gctl_stats_snap *s,
			      unsigned int idx)
{
	if (!idx || idx >= s->nr_regions || idx >= GCTL_STATS_MAX_REGIONS)
		return NULL;
	return s->regions[idx];
}

void gctl_stats_event_str(const struct gctl_stats_snap *s,
			  const struct gctl_stats_event *e, char *buf,
			  size_t len)
{
	struct gctl_exit_record r = {
		.seq = e->seq,
		.vcpu = e->vcpu,
		.t_ns = e->t_ns,
		.reason = e->reason,
		.resume = e->resume,
		.region = gctl_stats_region(s, e->region),
	};

	if (!len)
		return;
	if (e->kind == GCTL_EV_CONSOLE || e->kind == GCTL_EV_MESSAGE) {
		snprintf(buf, len, "%s %s", gctl_stats_kind_str(e->kind),
			 e->text);
		return;
	}
	switch (e->kind) {
	case GCTL_EV_MMIO:
		r.mmio = e->mmio;
		break;
	case GCTL_EV_PAGE_FAULT:
		r.page_fault = e->page_fault;
		break;
	case GCTL_EV_STATUS:
		r.status = e->status;
		break;
	}
	gctl_exit_str(&r, buf, len);
}
