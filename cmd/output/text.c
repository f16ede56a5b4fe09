// SPDX-License-Identifier: GPL-2.0-only
/*
 * The text writer: one line per exit, for people, as exit_fmt.h words it
 * after the vCPU and the sequence number:
 *
 *   vcpu0 #12 mmio write 0x09000000 len=4 data=0x00000041 [uart]
 *   vcpu0 #40 status exited type=poweroff(1) reason=0x00000000
 *   vcpu0 crash EC=0x22 (PC alignment fault) ESR=0x8a000000 FAR=... : why
 *
 * Engine messages go to standard error, once the exits before them are
 * out: "2>&1" reads in the order things happened.
 * Console lines are printed as the guest wrote them, between the exits.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/exit_fmt.h"
#include "output/outbuf.h"
#include "engine/hist.h"
#include "engine/sink.h"
#include "gunyahctl.h"

struct text_out {
	struct gctl_out_stream s; /* first: its ops are ours (outbuf.h) */
	bool mid_line; /* console output without its newline yet */
};
_Static_assert(offsetof(struct text_out, s) == 0, "gctl_out_stream_*() take our ctx");

/* Our lines start on a line of their own, after a partial console line. */
static void line_start(struct text_out *t)
{
	if (t->mid_line)
		gctl_outbuf_puts(&t->s.ob, "\n");
	t->mid_line = false;
}

static void text_exit(void *ctx, const struct gctl_exit_record *r)
{
	struct text_out *t = ctx;
	char line[GCTL_EXIT_STR_MAX];

	if (t->s.quiet)
		return;
	gctl_exit_str(r, line, sizeof(line));
	pthread_mutex_lock(&t->s.lock);
	line_start(t);
	gctl_outbuf_printf(&t->s.ob, "vcpu%u #%" PRIu64 " %s\n", r->vcpu, r->seq,
			   line);
	gctl_outbuf_end_line(&t->s.ob);
	pthread_mutex_unlock(&t->s.lock);
}

static void text_console(void *ctx, const char *buf, size_t len)
{
	struct text_out *t = ctx;

	pthread_mutex_lock(&t->s.lock);
	gctl_outbuf_put(&t->s.ob, buf, len);
	t->mid_line = len && buf[len - 1] != '\n';
	gctl_outbuf_flush(&t->s.ob);
	pthread_mutex_unlock(&t->s.lock);
}

static void text_regs(void *ctx, unsigned int vcpu,
		      const struct gh_sim_regs *r)
{
	struct text_out *t = ctx;
	struct gctl_outbuf *ob = &t->s.ob;

	pthread_mutex_lock(&t->s.lock);
	line_start(t);
	gctl_outbuf_printf(ob, "vcpu%u registers:\n", vcpu);
	for (unsigned int i = 0; i < 31; i++) {
		char name[8];

		snprintf(name, sizeof(name), "x%u", i);
		gctl_outbuf_printf(ob, "  %-3s 0x%016" PRIx64 "%s", name,
				   (uint64_t)r->x[i], i % 4 == 3 || i == 30 ? "\n" : "");
	}
	gctl_outbuf_printf(ob, "  sp  0x%016" PRIx64 "  pc  0x%016" PRIx64
			   "  pstate 0x%08" PRIx64 "\n", (uint64_t)r->sp,
			   (uint64_t)r->pc, (uint64_t)r->pstate);
	gctl_outbuf_printf(ob, "  esr_el1 0x%08" PRIx64 "  far_el1 0x%016" PRIx64
			   "  elr_el1 0x%016" PRIx64 "  vbar_el1 0x%016" PRIx64 "\n",
			   (uint64_t)r->esr_el1, (uint64_t)r->far_el1,
			   (uint64_t)r->elr_el1, (uint64_t)r->vbar_el1);
	gctl_outbuf_flush(ob);
	pthread_mutex_unlock(&t->s.lock);
}

static void text_memory(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct text_out *t = ctx;
	struct gctl_outbuf *ob = &t->s.ob;
	const unsigned char *p = buf;

	pthread_mutex_lock(&t->s.lock);
	line_start(t);
	for (size_t off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16;

		gctl_outbuf_printf(ob, "0x%08" PRIx64 ":", addr + off);
		for (size_t i = 0; i < 16; i++) {
			if (i < n)
				gctl_outbuf_printf(ob, " %02x", p[off + i]);
			else
				gctl_outbuf_puts(ob, "   ");
		}
		gctl_outbuf_puts(ob, "  |");
		for (size_t i = 0; i < n; i++) {
			unsigned char c = p[off + i];

			if (c < 0x20 || c >= 0x7f)
				c = '.';
			gctl_outbuf_put(ob, &c, 1);
		}
		gctl_outbuf_puts(ob, "|\n");
	}
	gctl_outbuf_flush(ob);
	pthread_mutex_unlock(&t->s.lock);
}

static void put_counts(struct gctl_outbuf *ob, const char *who,
		       const struct gctl_counters *c)
{
	gctl_outbuf_printf(ob, "  %s: %" PRIu64 " exit%s", who, c->exits,
			   c->exits == 1 ? "" : "s");
	if (c->mmio_read + c->mmio_write)
		gctl_outbuf_printf(ob, ", mmio %" PRIu64 " (%" PRIu64 " read, %"
				   PRIu64 " write)", c->mmio_read + c->mmio_write,
				   c->mmio_read, c->mmio_write);
	if (c->page_fault)
		gctl_outbuf_printf(ob, ", page_fault %" PRIu64, c->page_fault);
	if (c->status)
		gctl_outbuf_printf(ob, ", status %" PRIu64, c->status);
	if (c->unknown)
		gctl_outbuf_printf(ob, ", unknown %" PRIu64, c->unknown);
	gctl_outbuf_puts(ob, "\n");
}

/* The host's handling time of each kind that had exits. */
static void put_host_times(struct gctl_outbuf *ob,
			   const struct gctl_timing host[GCTL_TK__COUNT])
{
	char buf[160];

	for (unsigned int k = 0; k < GCTL_TK__COUNT; k++) {
		if (!host[k].n)
			continue;
		gctl_timing_line(k, &host[k], buf, sizeof(buf));
		gctl_outbuf_printf(ob, "  %s\n", buf);
	}
}

static void text_summary(void *ctx, const struct gctl_summary *s)
{
	struct text_out *t = ctx;
	struct gctl_outbuf *ob = &t->s.ob;
	double secs = (double)s->wall_ns / 1e9;
	char who[16];

	if (t->s.quiet)
		return;
	pthread_mutex_lock(&t->s.lock);
	line_start(t);
	gctl_outbuf_printf(ob, "summary: %" PRIu64 " exit%s in %.3f s (%.0f exits/s); "
			   "result %s, exit status %d\n", s->total.exits,
			   s->total.exits == 1 ? "" : "s", secs,
			   secs > 0 ? (double)s->total.exits / secs : 0.0,
			   s->result, s->exit_code);
	for (unsigned int i = 0; i < s->nr_vcpus; i++) {
		snprintf(who, sizeof(who), "vcpu%u", i);
		put_counts(ob, who, &s->vcpu[i]);
	}
	if (s->nr_vcpus > 1)
		put_counts(ob, "total", &s->total);
	put_host_times(ob, s->host);
	if (s->filter)
		gctl_outbuf_printf(ob, "  filter %s: %" PRIu64 " of %" PRIu64
				   " exits shown\n", s->filter, s->shown,
				   s->total.exits);
	gctl_outbuf_flush(ob);
	pthread_mutex_unlock(&t->s.lock);
}

/* Shown even when quiet: it is why the VM went down. */
static void text_crash(void *ctx, const struct gh_sim_crash *c)
{
	struct text_out *t = ctx;
	uint32_t ec = (uint32_t)(c->esr >> 26) & 0x3f;
	const char *name = gh_esr_ec_str(ec);

	pthread_mutex_lock(&t->s.lock);
	line_start(t);
	gctl_outbuf_printf(&t->s.ob, "vcpu%u crash EC=%#x (%s) ESR=%#" PRIx64
			   " FAR=%#" PRIx64 " ELR=%#" PRIx64 " PC=%#" PRIx64
			   " VBAR=%#" PRIx64 ": %.*s\n", c->vcpu, ec,
			   name ? name : "unknown", (uint64_t)c->esr,
			   (uint64_t)c->far, (uint64_t)c->elr, (uint64_t)c->pc,
			   (uint64_t)c->vbar, (int)sizeof(c->why), c->why);
	pthread_mutex_unlock(&t->s.lock);
}

/*
 * Standard error, for people (and scripts that read stderr), but after
 * the exits before it: those are on their way out first.
 */
static void text_message(void *ctx, const struct gctl_message *m)
{
	struct text_out *t = ctx;

	pthread_mutex_lock(&t->s.lock);
	if (t->mid_line && !t->s.quiet)
		line_start(t);
	gctl_outbuf_flush(&t->s.ob);
	gctl_err("run", "%s", m->text);
	pthread_mutex_unlock(&t->s.lock);
}

static const struct gctl_sink_ops text_ops = {
	.exit = text_exit,
	.console = text_console,
	.regs = text_regs,
	.memory = text_memory,
	.summary = text_summary,
	.crash = text_crash,
	.message = text_message,
	.flush = gctl_out_stream_flush,
	.on_write_error = gctl_out_stream_on_write_error,
	.destroy = gctl_out_stream_destroy,
};

int gctl_out_text_new(int fd, bool quiet, struct gctl_sink *out)
{
	struct text_out *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	gctl_out_stream_init(&t->s, fd, quiet);
	*out = (struct gctl_sink){ .ops = &text_ops, .ctx = t };
	return 0;
}
