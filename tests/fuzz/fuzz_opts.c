// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the parsers behind run's option values (cmd/util.c's
 * numbers and sizes, cmd/engine/opts.c's --mmio, --pf-region and --mmio-read).
 *
 * Input: byte 0 picks the parser, the rest is the argument.  Checked:
 *   - numbers: a plain decimal or 0x-hex number that fits is accepted with
 *     the value a digit loop of our own gives; one with a sign, blank or
 *     junk is refused; an accepted number reads back the same printed in
 *     decimal and in hex;
 *   - sizes: N[K|M|G|T][i][B] is N shifted, too large is -ERANGE;
 *   - regions and scripts: accepted values printed back as an argument
 *     parse to the same values; a refusal says why, on one line as
 *     gunyahctl shows it (gctl_printable);
 *   - gctl_printable() never writes past its buffer and leaves no
 *     control character;
 *   - nothing reads or writes out of bounds (ASan).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cmd/engine/opts.c"
#include "../../cmd/util.c"

#define FAIL(...)                                                          \
	do {                                                               \
		fprintf(stderr, "fuzz_opts: ");                            \
		fprintf(stderr, __VA_ARGS__);                              \
		fputc('\n', stderr);                                       \
		abort();                                                   \
	} while (0)

/*
 * The value of s if it is ^[0-9]+$ (decimal, leading zeros too: never
 * octal) or ^0[xX][0-9a-fA-F]+$ and fits.
 */
static bool plain_number(const char *s, uint64_t *v)
{
	unsigned int base = 10;
	size_t i = 0;

	*v = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (s[0] < '0' || s[0] > '9') {
		return false;
	}
	if (!s[i])
		return false;
	for (; s[i]; i++) {
		unsigned int d;

		if (s[i] >= '0' && s[i] <= '9')
			d = (unsigned int)(s[i] - '0');
		else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
			d = (unsigned int)(s[i] - 'a' + 10);
		else if (base == 16 && s[i] >= 'A' && s[i] <= 'F')
			d = (unsigned int)(s[i] - 'A' + 10);
		else
			return false;
		if (*v > (UINT64_MAX - d) / base)
			return false;
		*v = *v * base + d;
	}
	return true;
}

static void check_u64(const char *s)
{
	char buf[32];
	uint64_t v, w, plain;
	int ret = gctl_parse_u64(s, &v);

	if (plain_number(s, &plain) && (ret || v != plain))
		FAIL("\"%s\": want %" PRIu64 ", got ret %d value %" PRIu64, s,
		     plain, ret, v);
	if (ret)
		return;
	if (!strchr("0123456789", s[0]))
		FAIL("\"%s\" accepted", s);
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	if (gctl_parse_u64(buf, &w) || w != v)
		FAIL("%s does not read back", buf);
	snprintf(buf, sizeof(buf), "%#" PRIx64, v);
	if (gctl_parse_u64(buf, &w) || w != v)
		FAIL("%s does not read back", buf);
}

static void check_size(const char *s)
{
	static const char suffixes[] = "KMGT";
	uint64_t v, plain;
	char num[64];
	size_t n = strcspn(s, "kKmMgGtT");
	int ret = gctl_parse_size(s, &v);

	if (n >= sizeof(num))
		return;
	memcpy(num, s, n);
	num[n] = 0;
	if (!plain_number(num, &plain))
		return; /* checked for crashes only */
	if (!s[n]) {
		if (ret || v != plain)
			FAIL("size \"%s\": ret %d value %" PRIu64, s, ret, v);
		return;
	}
	for (unsigned int i = 0; i < 4; i++) {
		unsigned int shift = 10 * (i + 1);
		const char *rest = s + n + 1;

		if ((s[n] & ~0x20) != suffixes[i])
			continue;
		if (*rest == 'i' || *rest == 'I')
			rest++;
		if (*rest == 'b' || *rest == 'B')
			rest++;
		if (*rest)
			break; /* junk: refused, checked below */
		if (plain > UINT64_MAX >> shift ? ret != -ERANGE :
						  ret || v != plain << shift)
			FAIL("size \"%s\": ret %d value %" PRIu64, s, ret, v);
		return;
	}
	if (!ret)
		FAIL("size \"%s\" accepted", s);
}

/* A reason to show; gctl_err prints it through gctl_printable: one line. */
static void check_err(const char *what, const char *arg, const char *err)
{
	char shown[1024];

	gctl_printable(shown, sizeof(shown), err);
	if (!err[0] || strchr(shown, '\n') || strchr(shown, '\r'))
		FAIL("%s \"%s\": error \"%s\" is not one line", what, arg, err);
}

static void check_region(const char *s, bool named)
{
	char name[GCTL_REGION_NAME_MAX] = "", name2[GCTL_REGION_NAME_MAX] = "";
	char err[160] = "", again[320];
	uint64_t addr, size, addr2, size2;
	int ret = gctl_opt_region(s, &addr, &size, named ? name : NULL, err,
				  sizeof(err));

	if (ret) {
		check_err("region", s, err);
		return;
	}
	if (!size || (name[0] && !gctl_opt_valid_name(name)))
		FAIL("region \"%s\": size %" PRIu64 " name \"%s\"", s, size, name);
	snprintf(again, sizeof(again), "%#" PRIx64 ":%#" PRIx64 "%s%s", addr,
		 size, name[0] ? ":" : "", name);
	if (gctl_opt_region(again, &addr2, &size2, named ? name2 : NULL, err,
			    sizeof(err)) ||
	    addr2 != addr || size2 != size || strcmp(name, name2))
		FAIL("region \"%s\" -> \"%s\" does not read back", s, again);
}

static void check_script(const char *s)
{
	struct gctl_mmio_script sc, sc2;
	char err[160] = "", again[1024];
	size_t n;

	if (gctl_opt_script(s, &sc, err, sizeof(err))) {
		check_err("script", s, err);
		return;
	}
	if (!sc.nr_values || sc.nr_values > GCTL_SCRIPT_MAX_VALUES)
		FAIL("script \"%s\": %u values", s, sc.nr_values);
	n = (size_t)snprintf(again, sizeof(again), "%#" PRIx64 "=", sc.addr);
	for (unsigned int i = 0; i < sc.nr_values; i++)
		n += (size_t)snprintf(again + n, sizeof(again) - n, "%s%#" PRIx64,
				      i ? "," : "", sc.values[i]);
	if (gctl_opt_script(again, &sc2, err, sizeof(err)) ||
	    sc2.addr != sc.addr || sc2.nr_values != sc.nr_values ||
	    memcmp(sc2.values, sc.values, sc.nr_values * sizeof(sc.values[0])))
		FAIL("script \"%s\" -> \"%s\" does not read back", s, again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1 || size > 2048)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = 0;
	{
		char small[7];

		gctl_printable(small, sizeof(small), s);
		for (const char *p = small; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				FAIL("control character left by gctl_printable");
	}
	switch (data[0] % 5) {
	case 0:
		check_u64(s);
		break;
	case 1:
		check_size(s);
		break;
	case 2:
		check_region(s, true);
		break;
	case 3:
		check_region(s, false);
		break;
	default:
		check_script(s);
		break;
	}
	free(s);
	return 0;
}
