// SPDX-License-Identifier: GPL-2.0-only
/*
 * The JSON writer's MMIO records, written from a template, against the
 * same records built whole with json-c: byte for byte, over random values
 * (0 and all ones included) and region names json-c must escape.
 */
#include <sys/mman.h>

#include <json-c/json.h>

#include "../../cmd/output/json.c"
#include "../../cmd/output/json_mmio.c"
#include "../../cmd/output/outbuf.c"
#include "test.h"

static const char *const regions[] = {
	NULL, "uart", "", "a\"quote", "back\\slash", "tab\there",
	"new\nline", "\x01ctl", "caf\xc3\xa9", "slash/",
};

static uint64_t rnd(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* Pick 0, all ones, small, a power of ten or one less (each count of
 * decimal digits), any number of bits (each count of hex digits), or
 * any. */
static uint64_t rnd_value(uint64_t *state)
{
	uint64_t p10 = 1;

	switch (rnd(state) % 6) {
	case 0:
		return 0;
	case 1:
		return UINT64_MAX;
	case 2:
		return rnd(state) % 300;
	case 3:
		for (unsigned int i = rnd(state) % 20; i; i--)
			p10 *= 10;
		return p10 - (rnd(state) & 1);
	case 4:
		return rnd(state) >> (rnd(state) % 64);
	default:
		return rnd(state);
	}
}

static json_object *hex_str(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

/* An address: json(7) writes 16 digits, so that strings sort as numbers. */
static json_object *addr_str(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%016" PRIx64, v);
	return json_object_new_string(buf);
}

/* gunyahctl-json(7)'s MMIO exit record, key by key. */
static char *expected(const struct gctl_exit_record *r)
{
	json_object *o = json_object_new_object(), *k = json_object_new_object();
	const char *resume = r->resume == GCTL_RESUME_NONE ?
				     "none" : gh_resume_action_str((uint32_t)r->resume);
	char *s;

	json_object_object_add(o, "seq", json_object_new_int64((int64_t)r->seq));
	json_object_object_add(o, "vcpu", json_object_new_int((int)r->vcpu));
	json_object_object_add(o, "t_ns", json_object_new_int64((int64_t)r->t_ns));
	json_object_object_add(o, "exit", json_object_new_string("mmio"));
	json_object_object_add(k, "phys_addr", addr_str(r->mmio.phys_addr));
	json_object_object_add(k, "len", json_object_new_int64(r->mmio.len));
	json_object_object_add(k, "is_write",
			       json_object_new_boolean(r->mmio.is_write));
	json_object_object_add(k, "data", hex_str(r->mmio.data));
	json_object_object_add(o, "mmio", k);
	json_object_object_add(o, "resume", json_object_new_string(resume));
	if (r->region)
		json_object_object_add(o, "region",
				       json_object_new_string(r->region));
	s = strdup(json_object_to_json_string_ext(o, GCTL_JSON_PLAIN));
	json_object_put(o);
	return s;
}

#define RECORDS 20000

TEST(mmio_records_match_json_c_byte_for_byte)
{
	static struct gctl_exit_record recs[RECORDS];
	struct gctl_sink sink;
	uint64_t state = 0x9e3779b97f4a7c15ull;
	int fd = memfd_create("out_json", 0);
	char *text, *line, *save = NULL;
	off_t size;
	size_t i = 0;

	ASSERT_TRUE(fd >= 0);
	ASSERT_OK(gctl_out_json_new(fd, false, &sink));
	for (i = 0; i < RECORDS; i++) {
		struct gctl_exit_record *r = &recs[i];

		r->seq = i < 2 ? (i ? UINT64_MAX : 0) : rnd_value(&state);
		/* json-c prints seq and t_ns as signed: keep them in range */
		r->seq &= INT64_MAX;
		r->vcpu = (unsigned int)(rnd(&state) % 64);
		r->t_ns = rnd_value(&state) & INT64_MAX;
		r->reason = GUNYAH_VCPU_EXIT_MMIO;
		r->mmio.phys_addr = rnd_value(&state);
		r->mmio.len = (uint32_t)(rnd(&state) % 9);
		r->mmio.is_write = rnd(&state) & 1;
		r->mmio.data = rnd_value(&state);
		r->resume = (int)(rnd(&state) % 4) - 1;
		r->region = regions[rnd(&state) % (sizeof(regions) / sizeof(regions[0]))];
		sink.ops->exit(sink.ctx, r);
	}
	ASSERT_OK(gctl_sink_flush(&sink));
	gctl_sink_destroy(&sink);

	size = lseek(fd, 0, SEEK_END);
	ASSERT_TRUE(size > 0);
	text = mmap(NULL, (size_t)size + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		    fd, 0);
	ASSERT_TRUE(text != MAP_FAILED);
	text[size] = '\0';
	i = 0;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), i++) {
		char *want;

		ASSERT_TRUE(i < RECORDS);
		want = expected(&recs[i]);
		if (strcmp(line, want))
			TEST_FAIL("record %zu:\n#  got  %s\n#  want %s", i, line,
				  want);
		free(want);
	}
	ASSERT_EQ(i, RECORDS);
	munmap(text, (size_t)size + 1);
	close(fd);
}

/* Addresses as strings compare as the numbers do (jq range filters). */
TEST(addr_strings_sort_as_numbers)
{
	uint64_t state = 0x243f6a8885a308d3ull;

	for (int i = 0; i < 100000; i++) {
		uint64_t a = rnd_value(&state), b = rnd_value(&state);
		char sa[GCTL_JSON_ADDR_LEN + 1], sb[GCTL_JSON_ADDR_LEN + 1];
		int c;

		gctl_json_addr_str(sa, a);
		gctl_json_addr_str(sb, b);
		ASSERT_EQ(strlen(sa), (size_t)GCTL_JSON_ADDR_LEN);
		c = strcmp(sa, sb);
		ASSERT_TRUE((a < b) == (c < 0) && (a == b) == (c == 0));
	}
}
