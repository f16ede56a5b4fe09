// SPDX-License-Identifier: GPL-2.0-only
/* Exit filters (see filter.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "filter.h"
#include "gunyahctl.h"

static const struct {
	const char *name;
	unsigned int kinds;
} kind_names[] = {
	{ "mmio", GCTL_FK_MMIO_READ | GCTL_FK_MMIO_WRITE },
	{ "read", GCTL_FK_MMIO_READ },
	{ "write", GCTL_FK_MMIO_WRITE },
	{ "page_fault", GCTL_FK_PAGE_FAULT },
	{ "status", GCTL_FK_STATUS },
	{ "unknown", GCTL_FK_UNKNOWN },
};

/* N or N-M into r.  0, or -1. */
static int parse_range(const char *s, struct gctl_filter_range *r)
{
	char buf[64];
	char *dash;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (gctl_parse_u64(buf, &r->lo))
		return -1;
	r->hi = r->lo;
	if (dash && (gctl_parse_u64(dash, &r->hi) || r->hi < r->lo))
		return -1;
	return 0;
}

static int bad(char *err, size_t errlen, const char *term, const char *why)
{
	snprintf(err, errlen, "%s: %s", term, why);
	return -EINVAL;
}

static int parse_term(const char *t, struct gctl_filter *f, char *err,
		      size_t errlen)
{
	struct gctl_filter_range r;

	if (!strncmp(t, "vcpu=", 5)) {
		if (f->nr_vcpus == GCTL_FILTER_MAX_RANGES)
			return bad(err, errlen, t, "too many vcpu= terms");
		if (parse_range(t + 5, &r) || r.hi >= GCTL_MAX_VCPUS)
			return bad(err, errlen, t, "want vcpu=N or vcpu=N-M, "
				   "numbers below 64");
		f->vcpus[f->nr_vcpus++] = r;
		return 0;
	}
	if (!strncmp(t, "addr=", 5)) {
		if (f->nr_addrs == GCTL_FILTER_MAX_RANGES)
			return bad(err, errlen, t, "too many addr= terms");
		if (parse_range(t + 5, &r))
			return bad(err, errlen, t, "want addr=A or addr=A-B, "
				   "A <= B");
		f->addrs[f->nr_addrs++] = r;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(kind_names); i++)
		if (!strcmp(t, kind_names[i].name)) {
			f->kinds |= kind_names[i].kinds;
			return 0;
		}
	return bad(err, errlen, t, "not a filter term (mmio, read, write, "
		   "page_fault, status, unknown, vcpu=N[-M], addr=A[-B])");
}

int gctl_filter_parse(const char *s, struct gctl_filter *f, char *err,
		      size_t errlen)
{
	char buf[GCTL_FILTER_TEXT_MAX], *save = NULL, *t;
	char shown[80];

	memset(f, 0, sizeof(*f));
	gctl_printable(shown, sizeof(shown), s);
	if (strlen(s) >= sizeof(buf))
		return bad(err, errlen, shown, "too long");
	if (!*s)
		return bad(err, errlen, "\"\"", "an empty filter");
	strcpy(buf, s);
	strcpy(f->text, s);
	if (buf[0] == ',' || buf[strlen(buf) - 1] == ',' || strstr(buf, ",,"))
		return bad(err, errlen, shown, "an empty term");
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char term[80];
		int ret;

		gctl_printable(term, sizeof(term), t);
		ret = parse_term(t, f, err, errlen);
		if (ret) {
			/* the reason, about the term as the user can read it */
			char why[160];
			const char *colon = strchr(err, ':');

			snprintf(why, sizeof(why), "%s", colon ? colon + 2 : err);
			return bad(err, errlen, term, why);
		}
	}
	return 0;
}

static bool in_ranges(const struct gctl_filter_range *r, unsigned int n,
		      uint64_t v)
{
	for (unsigned int i = 0; i < n; i++)
		if (v >= r[i].lo && v <= r[i].hi)
			return true;
	return false;
}

bool gctl_filter_match(const struct gctl_filter *f,
		       const struct gctl_exit_record *r)
{
	uint64_t addr;

	if (f->kinds && !(f->kinds & 1u << gctl_exit_kind(r)))
		return false;
	if (f->nr_vcpus && !in_ranges(f->vcpus, f->nr_vcpus, r->vcpu))
		return false;
	if (!f->nr_addrs)
		return true;
	if (r->reason == GUNYAH_VCPU_EXIT_MMIO)
		addr = r->mmio.phys_addr;
	else if (r->reason == GUNYAH_VCPU_EXIT_PAGE_FAULT)
		addr = r->page_fault.phys_addr;
	else
		return false;
	return in_ranges(f->addrs, f->nr_addrs, addr);
}

/* ---- the filter sink ---- */

struct filter_sink {
	struct gctl_filter f;
	struct gctl_sink inner;
	uint64_t shown; /* exit() runs one at a time (sink.h) */
};

static void fs_exit(void *ctx, const struct gctl_exit_record *r)
{
	struct filter_sink *fs = ctx;

	if (!gctl_filter_match(&fs->f, r))
		return;
	fs->shown++;
	gctl_sink_exit(&fs->inner, r);
}

static void fs_summary(void *ctx, const struct gctl_summary *s)
{
	struct filter_sink *fs = ctx;
	struct gctl_summary *copy = malloc(sizeof(*copy));

	if (!copy) {
		gctl_sink_summary(&fs->inner, s);
		return;
	}
	*copy = *s;
	copy->filter = fs->f.text;
	copy->shown = fs->shown;
	gctl_sink_summary(&fs->inner, copy);
	free(copy);
}

static void fs_destroy(void *ctx)
{
	free(ctx);
}

/* Only exits are filtered: the rest passes through (sink.h). */
static const struct gctl_sink_ops filter_ops = {
	.exit = fs_exit,
	.summary = fs_summary,
	.destroy = fs_destroy,
};

int gctl_filter_sink_new(const struct gctl_filter *f,
			 const struct gctl_sink *inner, struct gctl_sink *out)
{
	struct filter_sink *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return -ENOMEM;
	fs->f = *f;
	fs->inner = *inner;
	*out = (struct gctl_sink){ .ops = &filter_ops, .ctx = fs,
				    .next = &fs->inner };
	return 0;
}
