// SPDX-License-Identifier: GPL-2.0-only
/*
 * The JSON Lines writer: one object per line, built with json-c (MMIO
 * exits, the flood, from json_mmio.c's template of the same text).  Keys are
 * a contract (gunyahctl-json(7)): add keys, never rename or drop them.
 * Addresses, data and registers are "0x..." strings, so no consumer loses
 * bits to a double.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common.h"
#include "output/exit_fmt.h"
#include "engine/hist.h"
#include "output/json_rec.h"
#include "output/outbuf.h"
#include "engine/sink.h"
#include "gunyahctl.h"

struct json_out {
	struct gctl_out_stream s; /* first: its ops are ours (outbuf.h) */
	/* lock: s.lock */
	struct gctl_json_mmio *mmio; /* the hot path (json_mmio.c) */
};
_Static_assert(offsetof(struct json_out, s) == 0, "gctl_out_stream_*() take our ctx");

json_object *gctl_json_hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

void gctl_json_addr_str(char *buf, uint64_t v)
{
	snprintf(buf, GCTL_JSON_ADDR_LEN + 1, "0x%016" PRIx64, v);
}

json_object *gctl_json_addr(uint64_t v)
{
	char buf[GCTL_JSON_ADDR_LEN + 1];

	gctl_json_addr_str(buf, v);
	return json_object_new_string_len(buf, GCTL_JSON_ADDR_LEN);
}

/* Zero-padded to width hex digits: exit reasons keep their size. */
static json_object *hex_width(uint64_t v, unsigned int width)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%0*" PRIx64, (int)width, v);
	return json_object_new_string(buf);
}

static void add(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

/* Print o as one line and free it.  Caller holds the lock. */
static void emit(struct json_out *j, json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, GCTL_JSON_PLAIN);

	gctl_outbuf_puts(&j->s.ob, s);
	gctl_outbuf_puts(&j->s.ob, "\n");
	gctl_outbuf_end_line(&j->s.ob);
	json_object_put(o);
}

static json_object *exit_info_obj(const struct gunyah_vm_exit_info *ei)
{
	uint32_t rs = ei->reason_size > GUNYAH_VM_MAX_EXIT_REASON_SIZE ?
			      GUNYAH_VM_MAX_EXIT_REASON_SIZE : ei->reason_size;
	json_object *o = json_object_new_object();

	add(o, "type", json_object_new_string(gh_exit_type_str(ei->type)));
	add(o, "type_code", json_object_new_int(ei->type));
	add(o, "reason_size", json_object_new_int64(ei->reason_size));
	add(o, "reason", hex_width(gh_exit_info_reason(ei), rs ? 2 * rs : 1));
	return o;
}

json_object *gctl_json_status(uint32_t status,
			      const struct gunyah_vm_exit_info *ei)
{
	json_object *o = json_object_new_object();

	add(o, "state", json_object_new_string(gh_vm_status_str(status)));
	add(o, "exit_info", exit_info_obj(ei));
	return o;
}


int gctl_json_print(json_object *o)
{
	const char *s;
	int ret = 0;

	if (!o)
		return -ENOMEM;
	s = json_object_to_json_string_ext(o, GCTL_JSON_PLAIN);
	if (!s || printf("%s\n", s) < 0)
		ret = -EIO;
	json_object_put(o);
	return ret;
}

json_object *gctl_json_mmio_obj(const struct gctl_exit_mmio *m)
{
	json_object *k = json_object_new_object();

	add(k, "phys_addr", gctl_json_addr(m->phys_addr));
	add(k, "len", json_object_new_int64(m->len));
	add(k, "is_write", json_object_new_boolean(m->is_write));
	add(k, "data", gctl_json_hex(m->data));
	return k;
}

json_object *gctl_json_page_fault_obj(const struct gctl_exit_page_fault *pf)
{
	json_object *k = json_object_new_object();

	add(k, "phys_addr", gctl_json_addr(pf->phys_addr));
	add(k, "attempt", json_object_new_int(pf->attempt));
	return k;
}

json_object *gctl_json_exit(const struct gctl_exit_record *r)
{
	json_object *o, *k;

	o = json_object_new_object();
	add(o, "seq", json_object_new_int64((int64_t)r->seq));
	add(o, "vcpu", json_object_new_int((int)r->vcpu));
	add(o, "t_ns", json_object_new_int64((int64_t)r->t_ns));
	add(o, "exit", json_object_new_string(gh_exit_reason_str(r->reason)));

	switch (r->reason) {
	case GUNYAH_VCPU_EXIT_MMIO:
		add(o, "mmio", gctl_json_mmio_obj(&r->mmio));
		add(o, "resume", json_object_new_string(gctl_resume_str(r->resume)));
		break;
	case GUNYAH_VCPU_EXIT_PAGE_FAULT:
		add(o, "page_fault", gctl_json_page_fault_obj(&r->page_fault));
		add(o, "resume", json_object_new_string(gctl_resume_str(r->resume)));
		break;
	case GUNYAH_VCPU_EXIT_STATUS:
		add(o, "status", gctl_json_status(r->status.status,
					    &r->status.exit_info));
		break;
	default:
		k = json_object_new_object();
		add(k, "exit_reason", json_object_new_int64(r->reason));
		add(o, "unknown", k);
		break;
	}
	if (r->region)
		add(o, "region", json_object_new_string(r->region));
	if (r->stuck) {
		json_object *st = json_object_new_object();

		add(st, "repeats", json_object_new_int64((int64_t)r->stuck));
		add(st, "pc", r->have_pc ? gctl_json_addr(r->stuck_pc) : NULL);
		add(o, "stuck", st);
	}
	return o;
}

/* A record, under s.lock. */
static void exit_locked(struct json_out *j, const struct gctl_exit_record *r)
{
	if (r->reason == GUNYAH_VCPU_EXIT_MMIO && !r->stuck) {
		/* straight into the buffer: a record is copied once, by
		 * write(2) */
		size_t n = gctl_json_mmio_line(j->mmio, r,
					       gctl_outbuf_room(&j->s.ob, GCTL_JSON_MMIO_MAX),
					       GCTL_JSON_MMIO_MAX);

		if (n) {
			gctl_outbuf_commit(&j->s.ob, n);
			gctl_outbuf_end_line(&j->s.ob);
			return;
		}
	}
	emit(j, gctl_json_exit(r));
}

static void json_exit(void *ctx, const struct gctl_exit_record *r)
{
	struct json_out *j = ctx;

	if (j->s.quiet)
		return;
	pthread_mutex_lock(&j->s.lock);
	exit_locked(j, r);
	pthread_mutex_unlock(&j->s.lock);
}

static void json_exits(void *ctx, const struct gctl_exit_record *const *recs,
		       size_t n)
{
	struct json_out *j = ctx;

	if (j->s.quiet)
		return;
	pthread_mutex_lock(&j->s.lock);
	for (size_t i = 0; i < n; i++)
		exit_locked(j, recs[i]);
	pthread_mutex_unlock(&j->s.lock);
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0)
		len = 2, cp = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3, cp = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* No overlong forms, surrogates or values past U+10FFFF. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Guest bytes as a JSON string: invalid UTF-8 becomes U+FFFD. */
static json_object *console_string(const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf;
	char *s = malloc(3 * len + 1);
	size_t o = 0;
	json_object *js;

	if (!s)
		return json_object_new_string("");
	for (size_t i = 0; i < len;) {
		size_t n = utf8_len(p + i, len - i);

		if (n) {
			memcpy(s + o, p + i, n);
			o += n;
			i += n;
		} else {
			memcpy(s + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	js = json_object_new_string_len(s, (int)o);
	free(s);
	return js;
}

json_object *gctl_json_console(const char *buf, size_t len)
{
	json_object *o = json_object_new_object();

	add(o, "event", json_object_new_string("console"));
	add(o, "text", console_string(buf, len));
	return o;
}

json_object *gctl_json_message(const struct gctl_message *m)
{
	json_object *o = json_object_new_object();

	add(o, "event", json_object_new_string("message"));
	add(o, "vcpu", m->vcpu == GCTL_MSG_NO_VCPU ? NULL :
			       json_object_new_int((int)m->vcpu));
	add(o, "text", json_object_new_string(m->text));
	return o;
}

/* In the stream, in its place; and on standard error, for people. */
static void json_message(void *ctx, const struct gctl_message *m)
{
	struct json_out *j = ctx;
	json_object *o = gctl_json_message(m);

	pthread_mutex_lock(&j->s.lock);
	emit(j, o);
	gctl_outbuf_flush(&j->s.ob);
	gctl_err_stderr("run", "%s", m->text);
	pthread_mutex_unlock(&j->s.lock);
}

static void json_console(void *ctx, const char *buf, size_t len)
{
	struct json_out *j = ctx;
	json_object *o = gctl_json_console(buf, len);

	pthread_mutex_lock(&j->s.lock);
	emit(j, o);
	gctl_outbuf_flush(&j->s.ob);
	pthread_mutex_unlock(&j->s.lock);
}

static void json_regs(void *ctx, unsigned int vcpu,
		      const struct gh_sim_regs *r)
{
	struct json_out *j = ctx;
	json_object *o = json_object_new_object();
	json_object *x = json_object_new_array();

	add(o, "event", json_object_new_string("regs"));
	add(o, "vcpu", json_object_new_int((int)vcpu));
	for (unsigned int i = 0; i < 31; i++)
		json_object_array_add(x, gctl_json_addr(r->x[i]));
	add(o, "x", x);
	add(o, "sp", gctl_json_addr(r->sp));
	add(o, "pc", gctl_json_addr(r->pc));
	add(o, "pstate", gctl_json_addr(r->pstate));
	add(o, "esr_el1", gctl_json_addr(r->esr_el1));
	add(o, "far_el1", gctl_json_addr(r->far_el1));
	add(o, "elr_el1", gctl_json_addr(r->elr_el1));
	add(o, "vbar_el1", gctl_json_addr(r->vbar_el1));
	pthread_mutex_lock(&j->s.lock);
	emit(j, o);
	gctl_outbuf_flush(&j->s.ob);
	pthread_mutex_unlock(&j->s.lock);
}

static void json_crash(void *ctx, const struct gh_sim_crash *c)
{
	struct json_out *j = ctx;
	json_object *o = json_object_new_object();
	uint32_t ec = (uint32_t)(c->esr >> 26) & 0x3f;
	const char *name = gh_esr_ec_str(ec);
	char why[sizeof(c->why) + 1];

	snprintf(why, sizeof(why), "%.*s", (int)sizeof(c->why), c->why);
	add(o, "event", json_object_new_string("crash"));
	add(o, "vcpu", json_object_new_int((int)c->vcpu));
	add(o, "ec", gctl_json_hex(ec));
	add(o, "ec_name", name ? json_object_new_string(name) : NULL);
	add(o, "esr", gctl_json_hex(c->esr));
	add(o, "far", gctl_json_addr(c->far));
	add(o, "elr", gctl_json_addr(c->elr));
	add(o, "pc", gctl_json_addr(c->pc));
	add(o, "vbar", gctl_json_addr(c->vbar));
	add(o, "why", json_object_new_string(why));
	pthread_mutex_lock(&j->s.lock);
	emit(j, o);
	pthread_mutex_unlock(&j->s.lock);
}

static void json_memory(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct json_out *j = ctx;
	const unsigned char *p = buf;
	json_object *o = json_object_new_object();
	char *h = malloc(2 * len + 1);

	add(o, "event", json_object_new_string("memory"));
	add(o, "addr", gctl_json_addr(addr));
	add(o, "len", json_object_new_int64((int64_t)len));
	if (h) {
		for (size_t i = 0; i < len; i++)
			snprintf(h + 2 * i, 3, "%02x", p[i]);
		h[2 * len] = 0;
		add(o, "data", json_object_new_string(h));
		free(h);
	}
	pthread_mutex_lock(&j->s.lock);
	emit(j, o);
	gctl_outbuf_flush(&j->s.ob);
	pthread_mutex_unlock(&j->s.lock);
}

json_object *gctl_json_host_times(const struct gctl_timing t[GCTL_TK__COUNT])
{
	json_object *o = json_object_new_object();

	for (unsigned int k = 0; k < GCTL_TK__COUNT; k++) {
		json_object *e = json_object_new_object();
		uint64_t avg = t[k].n ? (t[k].sum_ns + t[k].n / 2) / t[k].n : 0;

		add(e, "exits", json_object_new_int64((int64_t)t[k].n));
		add(e, "total", json_object_new_int64((int64_t)t[k].sum_ns));
		add(e, "avg", json_object_new_int64((int64_t)avg));
		add(e, "p99", json_object_new_int64((int64_t)t[k].p99_ns));
		add(e, "max", json_object_new_int64((int64_t)t[k].max_ns));
		add(o, gctl_timing_kind_str(k), e);
	}
	return o;
}

json_object *gctl_json_counts(const struct gctl_counters *c)
{
	json_object *o = json_object_new_object();

	add(o, "mmio", json_object_new_int64((int64_t)(c->mmio_read + c->mmio_write)));
	add(o, "mmio_read", json_object_new_int64((int64_t)c->mmio_read));
	add(o, "mmio_write", json_object_new_int64((int64_t)c->mmio_write));
	add(o, "page_fault", json_object_new_int64((int64_t)c->page_fault));
	add(o, "status", json_object_new_int64((int64_t)c->status));
	add(o, "unknown", json_object_new_int64((int64_t)c->unknown));
	return o;
}

json_object *gctl_json_rate(double rate)
{
	char rate_s[32];

	snprintf(rate_s, sizeof(rate_s), "%.1f", rate);
	return json_object_new_double_s(rate, rate_s);
}

json_object *gctl_json_summary(const struct gctl_summary *s)
{
	double secs = (double)s->wall_ns / 1e9;
	double rate = secs > 0 ? (double)s->total.exits / secs : 0.0;
	json_object *o, *vcpus;

	o = json_object_new_object();
	add(o, "event", json_object_new_string("summary"));
	add(o, "result", json_object_new_string(s->result));
	add(o, "exit_code", json_object_new_int(s->exit_code));
	add(o, "wall_ns", json_object_new_int64((int64_t)s->wall_ns));
	add(o, "exits", json_object_new_int64((int64_t)s->total.exits));
	add(o, "exits_per_s", gctl_json_rate(rate));
	add(o, "counts", gctl_json_counts(&s->total));
	add(o, "host_ns", gctl_json_host_times(s->host));
	vcpus = json_object_new_array();
	for (unsigned int i = 0; i < s->nr_vcpus; i++) {
		json_object *v = json_object_new_object();

		add(v, "vcpu", json_object_new_int((int)i));
		add(v, "exits", json_object_new_int64((int64_t)s->vcpu[i].exits));
		add(v, "counts", gctl_json_counts(&s->vcpu[i]));
		json_object_array_add(vcpus, v);
	}
	add(o, "vcpus", vcpus);
	add(o, "console_bytes", json_object_new_int64((int64_t)s->console_bytes));
	if (s->have_status)
		add(o, "status", gctl_json_status(s->status, &s->exit_info));
	if (s->filter) {
		json_object *f = json_object_new_object();

		add(f, "expr", json_object_new_string(s->filter));
		add(f, "shown", json_object_new_int64((int64_t)s->shown));
		add(o, "filter", f);
	}
	return o;
}

static void json_summary(void *ctx, const struct gctl_summary *s)
{
	struct json_out *j = ctx;
	json_object *o;

	if (j->s.quiet)
		return;
	o = gctl_json_summary(s);
	pthread_mutex_lock(&j->s.lock);
	emit(j, o);
	gctl_outbuf_flush(&j->s.ob);
	pthread_mutex_unlock(&j->s.lock);
}

static void json_destroy(void *ctx)
{
	struct json_out *j = ctx;

	gctl_json_mmio_free(j->mmio);
	gctl_out_stream_destroy(j);
}

static const struct gctl_sink_ops json_ops = {
	.exit = json_exit,
	.exits = json_exits,
	.console = json_console,
	.regs = json_regs,
	.memory = json_memory,
	.summary = json_summary,
	.crash = json_crash,
	.message = json_message,
	.flush = gctl_out_stream_flush,
	.on_write_error = gctl_out_stream_on_write_error,
	.destroy = json_destroy,
};

int gctl_out_json_new(int fd, bool quiet, struct gctl_sink *out)
{
	struct json_out *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->mmio = gctl_json_mmio_new();
	if (!j->mmio) {
		free(j);
		return -ENOMEM;
	}
	gctl_out_stream_init(&j->s, fd, quiet);
	*out = (struct gctl_sink){ .ops = &json_ops, .ctx = j };
	return 0;
}
