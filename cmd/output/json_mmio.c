// SPDX-License-Identifier: GPL-2.0-only
/*
 * MMIO exit records, the hot path (millions a second), are written from a
 * template: json-c serializes a record once with a marker in every value
 * ("@@0@@", "@@1@@", ...), the text between markers is kept, and each
 * record is that text with its values put in.  So json-c still decides
 * every key, their order and their escaping; a record only costs number
 * formatting and copies.  Region names (user text) are escaped by json-c
 * too, once each.  run --json and the control socket's stream both use it;
 * tests/unit/test_out_json.c checks records written this way against the
 * same records built whole with json-c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "output/exit_fmt.h"
#include "common.h"
#include "output/json_rec.h"

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

struct gctl_json_mmio {
	struct mmio_tmpl mmio[2]; /* [1] has "region" */
	unsigned int nr_regions;
	struct region_str regions[MAX_REGIONS];
	/* the last resume action's name: it seldom changes */
	int resume;
	const char *resume_name;
	size_t resume_len;
};

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

	json_object_object_add(o, "seq", marker(SLOT_SEQ));
	json_object_object_add(o, "vcpu", marker(SLOT_VCPU));
	json_object_object_add(o, "t_ns", marker(SLOT_T_NS));
	json_object_object_add(o, "exit", json_object_new_string(
			       gh_exit_reason_str(GUNYAH_VCPU_EXIT_MMIO)));
	json_object_object_add(k, "phys_addr", marker(SLOT_PHYS_ADDR));
	json_object_object_add(k, "len", marker(SLOT_LEN));
	json_object_object_add(k, "is_write", marker(SLOT_IS_WRITE));
	json_object_object_add(k, "data", marker(SLOT_DATA));
	json_object_object_add(o, "mmio", k);
	json_object_object_add(o, "resume", marker(SLOT_RESUME));
	if (region)
		json_object_object_add(o, "region", marker(SLOT_REGION));
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
						GCTL_JSON_PLAIN);
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
static const struct region_str *region_json(struct gctl_json_mmio *j,
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
	r->json = strdup(json_object_to_json_string_ext(o, GCTL_JSON_PLAIN));
	json_object_put(o);
	if (!r->json)
		return NULL;
	r->name = name;
	r->len = strlen(r->json);
	j->nr_regions++;
	return r;
}

/* How many decimal digits v has: the bits it needs, times log10(2)
 * (1233 / 4096), is that or one less.  v | 1 has as many as v (no
 * power of ten but 1 is odd), and 0 then has its one. */
static size_t dec_digits(uint64_t v)
{
	static const uint64_t pow10[20] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
		10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
		100000000000ull, 1000000000000ull, 10000000000000ull,
		100000000000000ull, 1000000000000000ull, 10000000000000000ull,
		100000000000000000ull, 1000000000000000000ull,
		10000000000000000000ull,
	};
	unsigned int bits = 64 - (unsigned int)__builtin_clzll(v | 1);
	size_t n = (bits * 1233) >> 12;

	return n + ((v | 1) >= pow10[n]);
}

/* Two digits a step, from the end: the hot path writes three a record. */
static size_t put_dec(char *p, uint64_t v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930"
		"31323334353637383940414243444546474849505152535455565758596061"
		"62636465666768697071727374757677787980818283848586878889909192"
		"93949596979899";
	size_t n = dec_digits(v);
	char *q = p + n;

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

/*
 * The 16 hex digits of v, lower case, most significant first, into p:
 * each half's nibbles spread out to a byte each, then turned into digits
 * eight at a time (a byte over 9 gets 'a' - '0' - 10 more).
 */
static void hex16(char *p, uint64_t v)
{
	for (int half = 0; half < 2; half++) {
		uint64_t x = half ? (uint32_t)v : v >> 32, big;

		x = (x | x << 16) & 0x0000ffff0000ffffull;
		x = (x | x << 8) & 0x00ff00ff00ff00ffull;
		x = (x | x << 4) & 0x0f0f0f0f0f0f0f0full;
		big = ((x + 0x0606060606060606ull) >> 4) & 0x0101010101010101ull;
		x += 0x3030303030303030ull + big * ('a' - '0' - 10);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* the most significant digit is in the top byte: first */
		x = __builtin_bswap64(x);
#endif
		memcpy(p + 8 * half, &x, 8);
	}
}

/* "0x..." with quotes, lower case, no leading zeros: as hex() writes.
 * All 16 digits are copied, a fixed-size move; the closing quote then
 * lands on the first of those past the last digit kept. */
static size_t put_hex_str(char *p, uint64_t v)
{
	char all[32] = { 0 };
	size_t skip = v ? (size_t)__builtin_clzll(v) / 4 : 15;

	hex16(all, v);
	p[0] = '"';
	p[1] = '0';
	p[2] = 'x';
	memcpy(p + 3, all + skip, 16);
	p[3 + 16 - skip] = '"';
	return 3 + 16 - skip + 1;
}

/* "0x" and 16 digits with quotes: as gctl_json_addr() writes. */
static size_t put_addr_str(char *p, uint64_t v)
{
	p[0] = '"';
	p[1] = '0';
	p[2] = 'x';
	hex16(p + 3, v);
	p[19] = '"';
	return 20;
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

size_t gctl_json_mmio_line(struct gctl_json_mmio *j,
			  const struct gctl_exit_record *r, char *line,
			  size_t cap)
{
	struct mmio_tmpl *t = &j->mmio[r->region != NULL];
	const struct region_str *region = NULL;
	size_t n = 0, need;

	if (r->reason != GUNYAH_VCPU_EXIT_MMIO)
		return 0;
	if (!t->ready && mmio_tmpl_init(t, r->region != NULL))
		return 0;
	if (r->region && !(region = region_json(j, r->region)))
		return 0;
	if (!j->resume_name || r->resume != j->resume) {
		j->resume = r->resume;
		j->resume_name = gctl_resume_str(r->resume);
		j->resume_len = strlen(j->resume_name);
	}
	/* 4 numbers of at most 20 digits, 2 hex strings of 20, a name */
	need = 4 * 20 + 2 * 20 + j->resume_len + 3 + (region ? region->len : 0) +
	       t->frags_len + CHUNK;
	if (need > cap)
		return 0;
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
			n += put_addr_str(line + n, r->mmio.phys_addr);
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
	return n;
}

struct gctl_json_mmio *gctl_json_mmio_new(void)
{
	return calloc(1, sizeof(struct gctl_json_mmio));
}

void gctl_json_mmio_free(struct gctl_json_mmio *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(j->mmio); i++)
		mmio_tmpl_free(&j->mmio[i]);
	for (unsigned int i = 0; i < j->nr_regions; i++)
		free(j->regions[i].json);
	free(j);
}
