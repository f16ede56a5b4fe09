// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: what libgunyah makes of numbers and strings it did not
 * choose (lib/gh_names.c, lib/gh_flavour.c): the exit_info reason and its
 * 32-bit reason word, and the number <-> name tables and descriptions that
 * text, JSON and the dashboard print.
 *
 * Input: the first 16 bytes are a struct gunyah_vm_exit_info as the
 * driver would copy it out (any reason_size); the whole input is also
 * read as 32-bit numbers and as a string.  Checked:
 *   - gh_exit_info_reason() is the little-endian value of the first
 *     min(reason_size, 8) reason bytes and reads nothing past the struct
 *     (it gets a heap copy of exactly that size, so ASan sees an overread);
 *   - gh_exit_reason_decode() of any word loses nothing: its fields put
 *     back together are the word, and the code's name is the table's;
 *   - exactly the named exit types and codes have a description, and it
 *     is one printable line;
 *   - every name is a short [a-z0-9_]+ word, "unknown" outside the table,
 *     and the inverse lookups give the number back;
 *   - an inverse lookup of any string finds only a name that is spelled
 *     exactly so, and finds every one that is;
 *   - gh_request_name() of any number is NULL or the name the flavour
 *     tables give that request.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gunyah.h"

#define FAIL(...)                                                          \
	do {                                                               \
		fprintf(stderr, "fuzz_names: ");                           \
		fprintf(stderr, __VA_ARGS__);                              \
		fputc('\n', stderr);                                       \
		abort();                                                   \
	} while (0)

/* Names are probed this far: every table is much shorter. */
#define PROBE_MAX 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct table {
	const char *what;
	const char *(*str)(uint32_t);
	int (*from_str)(const char *); /* NULL: no inverse */
};

static const struct table tables[] = {
	{ "exit reason", gh_exit_reason_str, gh_exit_reason_from_str },
	{ "VM status", gh_vm_status_str, NULL },
	{ "exit type", gh_exit_type_str, gh_exit_type_from_str },
	{ "resume action", gh_resume_action_str, gh_resume_action_from_str },
	{ "exit code", gh_exit_code_str, NULL },
	{ "vCPU state", gh_vcpu_state_str, NULL },
};

/* The fields of a decoded reason word must give the word back. */
static void check_reason_word(uint32_t w)
{
	struct gh_exit_reason r;
	uint32_t back;

	memset(&r, 0xa5, sizeof(r));
	gh_exit_reason_decode(w, &r);
	back = (r.restart ? GUNYAH_VM_EXIT_REASON_RESTART : 0) |
	       (r.reason_64bit ? GUNYAH_VM_EXIT_REASON_64BIT : 0) |
	       r.code << GUNYAH_VM_EXIT_REASON_CODE_SHIFT | r.unknown_bits;
	if (r.word != w || back != w || r.code > 0xff)
		FAIL("reason word %#x decodes to code %u restart %d 64bit %d unknown %#x",
		     w, r.code, r.restart, r.reason_64bit, r.unknown_bits);
	if (r.unknown_bits & (GUNYAH_VM_EXIT_REASON_RESTART |
			      GUNYAH_VM_EXIT_REASON_64BIT |
			      GUNYAH_VM_EXIT_REASON_CODE_MASK))
		FAIL("reason word %#x: unknown bits %#x overlap the fields", w,
		     r.unknown_bits);
	if (!r.code_name || strcmp(r.code_name, gh_exit_code_str(r.code)) ||
	    r.code_known != !!strcmp(r.code_name, "unknown"))
		FAIL("reason word %#x: code %u named \"%s\" (known %d)", w, r.code,
		     r.code_name ? r.code_name : "(null)", r.code_known);
}

/* A description exactly for the named ones, one printable line each. */
static void check_desc(const char *what, const char *(*str)(uint32_t),
		       const char *(*desc)(uint32_t), unsigned int count,
		       uint32_t v)
{
	const char *d = desc(v);
	bool named = strcmp(str(v), "unknown") != 0;

	if (!!d != named || (v < count) != named)
		FAIL("%s %u: name \"%s\", description %s, count %u", what, v,
		     str(v), d ? "present" : "absent", count);
	for (; d && *d; d++)
		if (*d < 0x20 || *d > 0x7e)
			FAIL("%s %u: description has byte %#x", what, v,
			     (unsigned char)*d);
}

static void check_exit_info(const uint8_t *data, size_t size)
{
	struct gunyah_vm_exit_info *info;
	uint64_t got, want = 0;
	uint32_t n;

	if (size < sizeof(*info))
		return;
	info = malloc(sizeof(*info));
	if (!info)
		abort();
	memcpy(info, data, sizeof(*info));
	n = info->reason_size < 8 ? info->reason_size : 8;
	for (uint32_t i = 0; i < n; i++)
		want |= (uint64_t)info->reason[i] << (8 * i);
	got = gh_exit_info_reason(info);
	if (got != want)
		FAIL("reason_size %u: reason %#llx, want %#llx", info->reason_size,
		     (unsigned long long)got, (unsigned long long)want);
	check_reason_word((uint32_t)got);
	free(info);
}

static bool is_word(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 31)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return false;
	return true;
}

static void check_number(const struct table *t, uint32_t v)
{
	const char *s = t->str(v);

	if (!s || !is_word(s))
		FAIL("%s %u: name \"%s\" is not a short word", t->what, v,
		     s ? s : "(null)");
	if (!t->from_str)
		return;
	/* "unknown" is the name of anything outside the table, and may
	 * also be a real name (exit reason 0); the inverse picks the real. */
	if (strcmp(s, "unknown") && t->from_str(s) != (int)v)
		FAIL("%s %u: \"%s\" maps back to %d", t->what, v, s,
		     t->from_str(s));
}

static void check_string(const struct table *t, const char *s)
{
	int v = t->from_str(s);

	if (v >= 0) {
		if (strcmp(t->str((uint32_t)v), s))
			FAIL("%s \"%s\" -> %d, whose name is \"%s\"", t->what, s, v,
			     t->str((uint32_t)v));
		return;
	}
	if (v != -1)
		FAIL("%s \"%s\" -> %d", t->what, s, v);
	for (uint32_t i = 0; i < PROBE_MAX; i++)
		if (!strcmp(t->str(i), s) && strcmp(s, "unknown"))
			FAIL("%s \"%s\" not found, but it is the name of %u",
			     t->what, s, i);
}

/* Named as one of the flavours that have it names it, or not at all. */
static void check_request(unsigned long req)
{
	const struct gh_abi_flavour *fl[] = { &gh_abi_upstream, &gh_abi_android };
	const char *name = gh_request_name(req);
	bool known = false, agrees = false;

	for (size_t f = 0; f < 2; f++)
		for (int op = 0; op < GH_OP__COUNT; op++)
			if (req && fl[f]->request[op] == req) {
				known = true;
				agrees |= name && !strcmp(name, fl[f]->request_name[op]);
			}
	if (known != !!name || (known && !agrees))
		FAIL("request %#lx: named \"%s\", %s", req, name ? name : "(null)",
		     known ? "not as its flavour names it" : "but in no table");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	check_exit_info(data, size);
	for (size_t off = 0; off + 4 <= size && off < 64; off += 4) {
		uint32_t v;

		memcpy(&v, data + off, 4);
		for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
			check_number(&tables[i], v);
			check_number(&tables[i], v & 0xff); /* near the tables */
		}
		check_request(v);
		check_reason_word(v);
		check_desc("exit type", gh_exit_type_str, gh_exit_type_desc,
			   gh_exit_type_count(), v & 0xff);
		check_desc("exit code", gh_exit_code_str, gh_exit_code_desc,
			   gh_exit_code_count(), v & 0xff);
	}

	s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (tables[i].from_str)
			check_string(&tables[i], s);
	free(s);
	return 0;
}
