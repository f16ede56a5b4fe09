// SPDX-License-Identifier: GPL-2.0-only
/*
 * The JSON Lines writer: one object per line, built with json-c.  Keys are
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

#include "json_rec.h"
#include "outbuf.h"
#include "sink.h"

/*
 * MMIO exit records, the hot path (millions a second), are written from a
 * template: json-c serializes a record once with a marker in every value
 * ("@@0@@", "@@1@@", ...), the text between markers is kept, and each
 * record is that text with its values put in.  So json-c still decides
 * every key, their order and their escaping; a record only costs number
 * formatting and copies.  Region names (user text) are escaped by json-c
 * too, once each.  tests/unit/test_out_json.c checks records written this
 * way against the same records built whole with json-c.
 */
enum mmio_slot {
	SLOT_SEQ,
	SLOT_VCPU,
	SLOT_T_NS,
	SLOT_PHYS_ADDR,
	SLOT_LEN,
	SLOT_IS_WRITE,
	SLOT_DATA,
	SLOT_RESUME,
	SLOT_REGION,
	NR_SLOTS,
};

#define MAX_FRAGS (NR_SLOTS + 1)
/* Fragments are copied CHUNK bytes at a time, past their end: a fixed-size
 * copy is one vector move, a call to memcpy per fragment costs more. */
#define CHUNK 16
#define MAX_REGIONS 40 /* the --mmio regions and the UART */

struct mmio_tmpl {
	bool ready;
	unsigned int nr;		/* slots in this template */
	enum mmio_slot slot[NR_SLOTS];	/* in the order they appear */
	char *frag[MAX_FRAGS];		/* text before slot i, and the tail,
					 * zero-padded to a CHUNK multiple */
	size_t frag_len[MAX_FRAGS];
	size_t frags_len;		/* their sum */
};

struct region_str {
	const char *name; /* the record's pointer: config strings are stable */
	char *json;	  /* "name", escaped */
	size_t len;
};

struct json_out {
	pthread_mutex_t lock;
	bool quiet;
	struct gctl_outbuf ob;
	/* lock: lock */
	struct mmio_tmpl mmio[2]; /* [1] has "region" */
	unsigned int nr_regions;
	struct region_str regions[MAX_REGIONS];
	/* the last resume action's name: it seldom changes */
	int resume;
	const char *resume_name;
	size_t resume_len;
};

static json_object *hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
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
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);

	gctl_outbuf_puts(&j->ob, s);
	gctl_outbuf_puts(&j->ob, "\n");
	gctl_outbuf_end_line(&j->ob);
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

static const char *resume_str(int resume)
{
	if (resume == GCTL_RESUME_NONE)
		return "none";
	return gh_resume_action_str((uint32_t)resume);
}

static json_object *marker(enum mmio_slot i)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "@@%d@@", (int)i);
	return json_object_new_string(buf);
}

/* The record as a whole json-c object, markers for values. */
static json_object *mmio_marked(bool region)
{
	json_object *o = json_object_new_object(), *k = json_object_new_object();

	add(o, "seq", marker(SLOT_SEQ));
	add(o, "vcpu", marker(SLOT_VCPU));
	add(o, "t_ns", marker(SLOT_T_NS));
	add(o, "exit", json_object_new_string(
			       gh_exit_reason_str(GUNYAH_VCPU_EXIT_MMIO)));
	add(k, "phys_addr", marker(SLOT_PHYS_ADDR));
	add(k, "len", marker(SLOT_LEN));
	add(k, "is_write", marker(SLOT_IS_WRITE));
	add(k, "data", marker(SLOT_DATA));
	add(o, "mmio", k);
	add(o, "resume", marker(SLOT_RESUME));
	if (region)
		add(o, "region", marker(SLOT_REGION));
	return o;
}

static char *frag_dup(const char *s, size_t len)
{
	char *f = calloc(1, (len / CHUNK + 1) * CHUNK);

	if (f)
		memcpy(f, s, len);
	return f;
}

/* Cut json-c's text of the marked record at its markers.  0 or -ENOMEM. */
static int mmio_tmpl_init(struct mmio_tmpl *t, bool region)
{
	json_object *o = mmio_marked(region);
	const char *text = json_object_to_json_string_ext(o,
						JSON_C_TO_STRING_PLAIN);
	const char *p = text;
	int ret = 0;

	t->nr = 0;
	for (;;) {
		const char *m = strstr(p, "\"@@");
		int slot = -1, used = 0;

		if (m && sscanf(m, "\"@@%d@@\"%n", &slot, &used) != 1)
			m = NULL;
		if (!m || used == 0 || slot < 0 || slot >= NR_SLOTS) {
			t->frag_len[t->nr] = strlen(p);
			t->frag[t->nr] = frag_dup(p, t->frag_len[t->nr]);
			ret = t->frag[t->nr] ? 0 : -ENOMEM;
			break;
		}
		t->frag_len[t->nr] = (size_t)(m - p);
		t->frag[t->nr] = frag_dup(p, (size_t)(m - p));
		if (!t->frag[t->nr]) {
			ret = -ENOMEM;
			break;
		}
		t->slot[t->nr++] = (enum mmio_slot)slot;
		p = m + used;
	}
	json_object_put(o);
	t->frags_len = 0;
	for (unsigned int i = 0; !ret && i <= t->nr; i++)
		t->frags_len += t->frag_len[i];
	t->ready = !ret;
	return ret;
}

static void mmio_tmpl_free(struct mmio_tmpl *t)
{
	for (unsigned int i = 0; i < MAX_FRAGS; i++)
		free(t->frag[i]);
	memset(t, 0, sizeof(*t));
}

/* A region name as json-c writes a string, cached by pointer. */
static const struct region_str *region_json(struct json_out *j,
					    const char *name)
{
	struct region_str *r;
	json_object *o;

	for (unsigned int i = 0; i < j->nr_regions; i++)
		if (j->regions[i].name == name)
			return &j->regions[i];
	if (j->nr_regions == MAX_REGIONS)
		return NULL;
	o = json_object_new_string(name);
	r = &j->regions[j->nr_regions];
	r->json = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	if (!r->json)
		return NULL;
	r->name = name;
	r->len = strlen(r->json);
	j->nr_regions++;
	return r;
}

/* Two digits a step, from the end: the hot path writes three a record. */
static size_t put_dec(char *p, uint64_t v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930"
		"31323334353637383940414243444546474849505152535455565758596061"
		"62636465666768697071727374757677787980818283848586878889909192"
		"93949596979899";
	size_t n = 1;
	char *q;

	for (uint64_t t = v; t >= 10; t /= 10)
		n++;
	q = p + n;
	for (; v >= 100; v /= 100) {
		q -= 2;
		memcpy(q, pairs + 2 * (v % 100), 2);
	}
	if (v >= 10)
		memcpy(q - 2, pairs + 2 * v, 2);
	else
		q[-1] = (char)('0' + v);
	return n;
}

/* "0x..." with quotes, lower case, no leading zeros: as hex() writes. */
static size_t put_hex_str(char *p, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	int top = v ? (63 - __builtin_clzll(v)) & ~3 : 0;
	size_t n = 0;

	p[n++] = '"';
	p[n++] = '0';
	p[n++] = 'x';
	for (; top >= 0; top -= 4)
		p[n++] = digits[(v >> top) & 0xf];
	p[n++] = '"';
	return n;
}

static size_t put_str(char *p, const char *s, size_t len)
{
	memcpy(p, s, len);
	return len;
}

/* A fragment: the destination has CHUNK bytes to spare. */
static size_t put_frag(char *p, const char *frag, size_t len)
{
	for (size_t i = 0; i < len; i += CHUNK)
		memcpy(p + i, frag + i, CHUNK);
	return len;
}

/*
 * The MMIO record through its template.  Caller holds the lock.  false
 * when the template cannot serve (out of memory, too many regions): the
 * caller builds the record whole.
 */
static bool emit_mmio_locked(struct json_out *j,
			     const struct gctl_exit_record *r)
{
	struct mmio_tmpl *t = &j->mmio[r->region != NULL];
	const struct region_str *region = NULL;
	size_t n = 0, need;
	char *line;

	if (!t->ready && mmio_tmpl_init(t, r->region != NULL))
		return false;
	if (r->region && !(region = region_json(j, r->region)))
		return false;
	if (!j->resume_name || r->resume != j->resume) {
		j->resume = r->resume;
		j->resume_name = resume_str(r->resume);
		j->resume_len = strlen(j->resume_name);
	}
	/* 4 numbers of at most 20 digits, 2 hex strings of 20, a name */
	need = 4 * 20 + 2 * 20 + j->resume_len + 3 + (region ? region->len : 0) +
	       t->frags_len + CHUNK;
	if (need > GCTL_OUTBUF_SIZE)
		return false;
	/* straight into the buffer: a record is copied once, by write(2) */
	line = gctl_outbuf_room(&j->ob, need);
	for (unsigned int i = 0; i <= t->nr; i++) {
		n += put_frag(line + n, t->frag[i], t->frag_len[i]);
		if (i == t->nr)
			break;
		switch (t->slot[i]) {
		case SLOT_SEQ:
			n += put_dec(line + n, r->seq);
			break;
		case SLOT_VCPU:
			n += put_dec(line + n, r->vcpu);
			break;
		case SLOT_T_NS:
			n += put_dec(line + n, r->t_ns);
			break;
		case SLOT_PHYS_ADDR:
			n += put_hex_str(line + n, r->mmio.phys_addr);
			break;
		case SLOT_LEN:
			n += put_dec(line + n, r->mmio.len);
			break;
		case SLOT_IS_WRITE:
			n += r->mmio.is_write ? put_str(line + n, "true", 4) :
						put_str(line + n, "false", 5);
			break;
		case SLOT_DATA:
			n += put_hex_str(line + n, r->mmio.data);
			break;
		case SLOT_RESUME:
			/* a name from gh_names.c: [a-z_], nothing to escape */
			line[n++] = '"';
			n += put_str(line + n, j->resume_name, j->resume_len);
			line[n++] = '"';
			break;
		case SLOT_REGION:
			n += put_str(line + n, region->json, region->len);
			break;
		default:
			break;
		}
	}
	line[n++] = '\n';
	gctl_outbuf_commit(&j->ob, n);
	gctl_outbuf_end_line(&j->ob);
	return true;
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
		k = json_object_new_object();
		add(k, "phys_addr", hex(r->mmio.phys_addr));
		add(k, "len", json_object_new_int64(r->mmio.len));
		add(k, "is_write", json_object_new_boolean(r->mmio.is_write));
		add(k, "data", hex(r->mmio.data));
		add(o, "mmio", k);
		add(o, "resume", json_object_new_string(resume_str(r->resume)));
		break;
	case GUNYAH_VCPU_EXIT_PAGE_FAULT:
		k = json_object_new_object();
		add(k, "phys_addr", hex(r->page_fault.phys_addr));
		add(k, "attempt", json_object_new_int(r->page_fault.attempt));
		add(o, "page_fault", k);
		add(o, "resume", json_object_new_string(resume_str(r->resume)));
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
	return o;
}

static void json_exit(void *ctx, const struct gctl_exit_record *r)
{
	struct json_out *j = ctx;
	json_object *o;

	if (j->quiet)
		return;
	if (r->reason == GUNYAH_VCPU_EXIT_MMIO) {
		bool done;

		pthread_mutex_lock(&j->lock);
		done = emit_mmio_locked(j, r);
		pthread_mutex_unlock(&j->lock);
		if (done)
			return;
	}
	o = gctl_json_exit(r);
	pthread_mutex_lock(&j->lock);
	emit(j, o);
	pthread_mutex_unlock(&j->lock);
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

static void json_console(void *ctx, const char *buf, size_t len)
{
	struct json_out *j = ctx;
	json_object *o = gctl_json_console(buf, len);

	pthread_mutex_lock(&j->lock);
	emit(j, o);
	gctl_outbuf_flush(&j->ob);
	pthread_mutex_unlock(&j->lock);
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
		json_object_array_add(x, hex(r->x[i]));
	add(o, "x", x);
	add(o, "sp", hex(r->sp));
	add(o, "pc", hex(r->pc));
	add(o, "pstate", hex(r->pstate));
	add(o, "esr_el1", hex(r->esr_el1));
	add(o, "far_el1", hex(r->far_el1));
	add(o, "elr_el1", hex(r->elr_el1));
	add(o, "vbar_el1", hex(r->vbar_el1));
	pthread_mutex_lock(&j->lock);
	emit(j, o);
	gctl_outbuf_flush(&j->ob);
	pthread_mutex_unlock(&j->lock);
}

static void json_memory(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct json_out *j = ctx;
	const unsigned char *p = buf;
	json_object *o = json_object_new_object();
	char *h = malloc(2 * len + 1);

	add(o, "event", json_object_new_string("memory"));
	add(o, "addr", hex(addr));
	add(o, "len", json_object_new_int64((int64_t)len));
	if (h) {
		for (size_t i = 0; i < len; i++)
			snprintf(h + 2 * i, 3, "%02x", p[i]);
		h[2 * len] = 0;
		add(o, "data", json_object_new_string(h));
		free(h);
	}
	pthread_mutex_lock(&j->lock);
	emit(j, o);
	gctl_outbuf_flush(&j->ob);
	pthread_mutex_unlock(&j->lock);
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
	return o;
}

static void json_summary(void *ctx, const struct gctl_summary *s)
{
	struct json_out *j = ctx;
	json_object *o;

	if (j->quiet)
		return;
	o = gctl_json_summary(s);
	pthread_mutex_lock(&j->lock);
	emit(j, o);
	gctl_outbuf_flush(&j->ob);
	pthread_mutex_unlock(&j->lock);
}

static int json_flush(void *ctx)
{
	struct json_out *j = ctx;
	int ret;

	pthread_mutex_lock(&j->lock);
	ret = gctl_outbuf_flush(&j->ob);
	pthread_mutex_unlock(&j->lock);
	return ret;
}

static void json_destroy(void *ctx)
{
	struct json_out *j = ctx;

	json_flush(j);
	for (size_t i = 0; i < sizeof(j->mmio) / sizeof(j->mmio[0]); i++)
		mmio_tmpl_free(&j->mmio[i]);
	for (unsigned int i = 0; i < j->nr_regions; i++)
		free(j->regions[i].json);
	pthread_mutex_destroy(&j->lock);
	free(j);
}

static const struct gctl_sink_ops json_ops = {
	.exit = json_exit,
	.console = json_console,
	.regs = json_regs,
	.memory = json_memory,
	.summary = json_summary,
	.flush = json_flush,
	.destroy = json_destroy,
};

int gctl_out_json_new(int fd, bool quiet, struct gctl_sink *out)
{
	struct json_out *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	pthread_mutex_init(&j->lock, NULL);
	j->quiet = quiet;
	gctl_outbuf_init(&j->ob, fd);
	out->ops = &json_ops;
	out->ctx = j;
	return 0;
}
