// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: what libgunyah makes of numbers and strings it did not
 * choose (lib/gh_names.c, lib/gh_flavour.c): the exit_info reason decoder
 * and the number <-> name tables that text, JSON and the dashboard print.
 *
 * Input: the first 16 bytes are a struct gunyah_vm_exit_info as the
 * driver would copy it out (any reason_size); the whole input is also
 * read as 32-bit numbers and as a string.  Checked:
 *   - gh_exit_info_reason() is the little-endian value of the first
 *     min(reason_size, 8) reason bytes and reads nothing past the struct
 *     (it gets a heap copy of exactly that size, so ASan sees an overread);
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
