// SPDX-License-Identifier: GPL-2.0-only
/* Exit tables (see report.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "output/json_rec.h"

#include "analysis/report.h"
#include "engine/hist.h"
#include "common.h"

#define NO_ADDR UINT64_MAX /* the row of exits without an address */



static const char *const by_names[] = {
	[GCTL_REPORT_BY_KIND] = "kind",
	[GCTL_REPORT_BY_VCPU] = "vcpu",
	[GCTL_REPORT_BY_ADDR] = "addr",
	[GCTL_REPORT_BY_REGION] = "region",
};

struct row {
	uint64_t key;	   /* kind, vCPU, address (NO_ADDR), region index */
	const char *region; /* by addr: its region; by region: the name */
	uint64_t samples;
	uint64_t host_min, host_max, guest_min, guest_max;
	double host_sum, host_sq, guest_sum;
};

struct gctl_report {
	enum gctl_report_by by;
	bool filtered;
	struct gctl_filter filter;
	struct row *rows;
	size_t nr_rows, cap_rows;
	/* Open addressing, key -> row index + 1 (0: empty), a power of 2. */
	uint32_t *index;
	size_t index_cap;
	/* Every exit, filtered or not, by kind: compared with the summary. */
	struct gctl_counters all;
	uint64_t shown;
	double host_total; /* of every exit */
	/* by region: the names seen (rows' keys index this) */
	char **names;
	size_t nr_names;
};

int gctl_report_by_parse(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(by_names); i++)
		if (!strcmp(s, by_names[i]))
			return (int)i;
	return -1;
}

int gctl_report_new(enum gctl_report_by by, const struct gctl_filter *f,
		    struct gctl_report **out)
{
	struct gctl_report *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->by = by;
	if (f) {
		r->filtered = true;
		r->filter = *f;
	}
	r->index_cap = 64;
	r->index = calloc(r->index_cap, sizeof(*r->index));
	if (!r->index) {
		free(r);
		return -ENOMEM;
	}
	*out = r;
	return 0;
}

void gctl_report_free(struct gctl_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nr_names; i++)
		free(r->names[i]);
	free(r->names);
	free(r->index);
	free(r->rows);
	free(r);
}

static size_t slot_of(uint64_t key, size_t cap)
{
	/* Fibonacci hashing: addresses differ in their middle bits. */
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

static int grow_index(struct gctl_report *r)
{
	size_t cap = r->index_cap * 2;
	uint32_t *ix = calloc(cap, sizeof(*ix));

	if (!ix)
		return -ENOMEM;
	for (size_t i = 0; i < r->nr_rows; i++) {
		size_t s = slot_of(r->rows[i].key, cap);

		while (ix[s])
			s = (s + 1) & (cap - 1);
		ix[s] = (uint32_t)i + 1;
	}
	free(r->index);
	r->index = ix;
	r->index_cap = cap;
	return 0;
}

static struct row *row_for(struct gctl_report *r, uint64_t key)
{
	size_t s = slot_of(key, r->index_cap);
	struct row *row;

	for (; r->index[s]; s = (s + 1) & (r->index_cap - 1))
		if (r->rows[r->index[s] - 1].key == key)
			return &r->rows[r->index[s] - 1];
	if (r->nr_rows == r->cap_rows) {
		size_t cap = r->cap_rows ? 2 * r->cap_rows : 16;
		struct row *rows = realloc(r->rows, cap * sizeof(*rows));

		if (!rows)
			return NULL;
		r->rows = rows;
		r->cap_rows = cap;
	}
	row = &r->rows[r->nr_rows++];
	memset(row, 0, sizeof(*row));
	row->key = key;
	row->host_min = row->guest_min = UINT64_MAX;
	r->index[s] = (uint32_t)r->nr_rows;
	if (2 * r->nr_rows > r->index_cap && grow_index(r))
		return NULL;
	return row;
}

static void count(struct gctl_counters *c, unsigned int kind)
{
	uint64_t *k[] = { &c->mmio_read, &c->mmio_write, &c->page_fault,
			  &c->status, &c->unknown };

	c->exits++;
	(*k[kind])++;
}

/* The index of a region name, interned (NO_ADDR: none).  0 or -ENOMEM. */
static int region_key(struct gctl_report *r, const char *name, uint64_t *key)
{
	char **names;

	*key = NO_ADDR;
	if (!name)
		return 0;
	for (size_t i = 0; i < r->nr_names; i++)
		if (!strcmp(r->names[i], name)) {
			*key = i;
			return 0;
		}
	names = realloc(r->names, (r->nr_names + 1) * sizeof(*names));
	if (!names)
		return -ENOMEM;
	r->names = names;
	names[r->nr_names] = strdup(name);
	if (!names[r->nr_names])
		return -ENOMEM;
	*key = r->nr_names++;
	return 0;
}

int gctl_report_add(struct gctl_report *r, const struct gctl_exit_record *e)
{
	unsigned int kind = gctl_exit_kind(e);
	struct row *row;
	uint64_t key, rk;

	count(&r->all, kind);
	r->host_total += (double)e->host_ns;
	if (r->filtered && !gctl_filter_match(&r->filter, e))
		return 0;
	r->shown++;
	switch (r->by) {
	case GCTL_REPORT_BY_KIND:
		key = kind;
		break;
	case GCTL_REPORT_BY_VCPU:
		key = e->vcpu;
		break;
	case GCTL_REPORT_BY_ADDR:
		key = e->reason == GUNYAH_VCPU_EXIT_MMIO ? e->mmio.phys_addr :
		      e->reason == GUNYAH_VCPU_EXIT_PAGE_FAULT ?
				e->page_fault.phys_addr : NO_ADDR;
		break;
	default:
		if (region_key(r, e->reason == GUNYAH_VCPU_EXIT_MMIO ||
				   e->reason == GUNYAH_VCPU_EXIT_PAGE_FAULT ?
					   e->region : NULL, &key))
			return -ENOMEM;
		break;
	}
	row = row_for(r, key);
	if (!row)
		return -ENOMEM;
	if (r->by == GCTL_REPORT_BY_ADDR && !row->samples && e->region) {
		/* a copy: a JSON line's strings go with the line */
		if (region_key(r, e->region, &rk))
			return -ENOMEM;
		row->region = r->names[rk];
	}
	row->samples++;
	row->host_sum += (double)e->host_ns;
	row->host_sq += (double)e->host_ns * (double)e->host_ns;
	row->guest_sum += (double)e->guest_ns;
	if (e->host_ns < row->host_min)
		row->host_min = e->host_ns;
	if (e->host_ns > row->host_max)
		row->host_max = e->host_ns;
	if (e->guest_ns < row->guest_min)
		row->guest_min = e->guest_ns;
	if (e->guest_ns > row->guest_max)
		row->guest_max = e->guest_ns;
	return 0;
}

static int by_samples(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->samples != y->samples)
		return x->samples < y->samples ? 1 : -1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static double mean(double sum, uint64_t n)
{
	return n ? sum / (double)n : 0;
}

static double stddev(const struct row *row)
{
	double m = mean(row->host_sum, row->samples);
	double v = row->samples ? row->host_sq / (double)row->samples - m * m : 0;

	return v > 0 ? sqrt(v) : 0;
}

/* The row's name in the first column. */
static void row_label(const struct gctl_report *r, const struct row *row,
		      char *buf, size_t len)
{
	switch (r->by) {
	case GCTL_REPORT_BY_KIND:
		snprintf(buf, len, "%s", gctl_timing_kind_str(row->key));
		break;
	case GCTL_REPORT_BY_VCPU:
		snprintf(buf, len, "vcpu%" PRIu64, row->key);
		break;
	case GCTL_REPORT_BY_ADDR:
		if (row->key == NO_ADDR)
			snprintf(buf, len, "(no address)");
		else
			snprintf(buf, len, "0x%016" PRIx64, row->key);
		break;
	default:
		snprintf(buf, len, "%s", row->key == NO_ADDR ? "(none)" :
					 r->names[row->key]);
		break;
	}
}

static bool summary_agrees(const struct gctl_report *r,
			   const struct gctl_report_source *src)
{
	const struct gctl_counters *a = &r->all, *s = &src->summary;

	return a->exits == s->exits && a->mmio_read == s->mmio_read &&
	       a->mmio_write == s->mmio_write &&
	       a->page_fault == s->page_fault && a->status == s->status &&
	       a->unknown == s->unknown;
}

static void print_us(FILE *out, double ns)
{
	fprintf(out, " %10.2fus", ns / 1000.0);
}

static void print_text(const struct gctl_report *r,
		       const struct gctl_report_source *src, size_t nr,
		       FILE *out)
{
	const char *col = r->by == GCTL_REPORT_BY_KIND ? "KIND" :
			  r->by == GCTL_REPORT_BY_VCPU ? "VCPU" :
			  r->by == GCTL_REPORT_BY_ADDR ? "ADDRESS" : "REGION";
	uint64_t total = r->all.exits;

	fprintf(out, "%s: %" PRIu64 " exits", src->file, total);
	if (src->have_summary)
		fprintf(out, " in %.3f s, result %s", (double)src->wall_ns / 1e9,
			src->result);
	if (src->cfg)
		fprintf(out, " (%s, %s, %u vCPU%s)", src->cfg->tool,
			src->cfg->backend, src->cfg->vm.nr_vcpus,
			src->cfg->vm.nr_vcpus == 1 ? "" : "s");
	fputc('\n', out);
	if (src->cfg && src->cfg->attach)
		fprintf(out, "recorded by attach: no host or guest times\n");
	if (r->filtered)
		fprintf(out, "filter %s: %" PRIu64 " of %" PRIu64 " exits shown\n",
			r->filter.text, r->shown, total);
	fprintf(out, "\n%-18s %9s %9s", col, "SAMPLES", "SAMPLES%");
	if (src->have_times)
		fprintf(out, " %8s %12s %12s %12s   %-10s %12s", "TIME%",
			"MIN", "MAX", "AVG", "+- STDDEV", "GUEST AVG");
	if (r->by == GCTL_REPORT_BY_ADDR)
		fprintf(out, "  REGION");
	fputc('\n', out);
	for (size_t i = 0; i < nr; i++) {
		const struct row *row = &r->rows[i];
		char label[48];

		row_label(r, row, label, sizeof(label));
		fprintf(out, "%-18s %9" PRIu64 " %8.2f%%", label, row->samples,
			total ? 100.0 * (double)row->samples / (double)total : 0);
		if (src->have_times) {
			fprintf(out, " %7.2f%%", r->host_total > 0 ?
				100.0 * row->host_sum / r->host_total : 0);
			print_us(out, (double)row->host_min);
			print_us(out, (double)row->host_max);
			print_us(out, mean(row->host_sum, row->samples));
			fprintf(out, " +- %7.2fus", stddev(row) / 1000.0);
			print_us(out, mean(row->guest_sum, row->samples));
		}
		if (r->by == GCTL_REPORT_BY_ADDR && row->region)
			fprintf(out, "  %s", row->region);
		fputc('\n', out);
	}
	if (nr < r->nr_rows)
		fprintf(out, "(%zu more rows: --top)\n", r->nr_rows - nr);
	fputc('\n', out);
	if (src->gaps)
		fprintf(out, "the counts cover %" PRIu64 " gap%s: %" PRIu64
			" records (exits and events) were lost by the recorder\n",
			src->gaps, src->gaps == 1 ? "" : "s", src->lost);
	if (src->have_summary && summary_agrees(r, src))
		fprintf(out, "counts agree with the run's summary\n");
	else if (src->have_summary)
		fprintf(out, "counts DISAGREE with the run's summary: it says "
			"%" PRIu64 " exits, the file holds %" PRIu64 "\n",
			src->summary.exits, total);
	else
		fprintf(out, "no summary in the file: %s\n", src->truncated ?
			"it ends mid-record (the run was killed?)" :
			"the run did not finish");
}

static json_object *ns_obj(double total, double min, double max, double avg,
			   double sd, bool with_sd)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "total", json_object_new_uint64((uint64_t)total));
	json_object_object_add(o, "min", json_object_new_uint64((uint64_t)min));
	json_object_object_add(o, "max", json_object_new_uint64((uint64_t)max));
	json_object_object_add(o, "avg", json_object_new_double(round(avg * 10) / 10));
	if (with_sd)
		json_object_object_add(o, "stddev",
				       json_object_new_double(round(sd * 10) / 10));
	return o;
}

static json_object *row_json(const struct gctl_report *r,
			     const struct gctl_report_source *src,
			     const struct row *row)
{
	json_object *o = json_object_new_object();
	uint64_t total = r->all.exits;
	char label[48];

	row_label(r, row, label, sizeof(label));
	json_object_object_add(o, "key", json_object_new_string(label));
	switch (r->by) {
	case GCTL_REPORT_BY_KIND:
		json_object_object_add(o, "kind", json_object_new_string(label));
		break;
	case GCTL_REPORT_BY_VCPU:
		json_object_object_add(o, "vcpu", json_object_new_uint64(row->key));
		break;
	case GCTL_REPORT_BY_ADDR:
		json_object_object_add(o, "phys_addr", row->key == NO_ADDR ?
				       NULL : gctl_json_addr(row->key));
		json_object_object_add(o, "region", row->region ?
				       json_object_new_string(row->region) : NULL);
		break;
	default:
		json_object_object_add(o, "region", row->key == NO_ADDR ? NULL :
				       json_object_new_string(r->names[row->key]));
		break;
	}
	json_object_object_add(o, "samples", json_object_new_uint64(row->samples));
	json_object_object_add(o, "samples_pct", json_object_new_double(
		round(10000.0 * (double)row->samples / (double)(total ? total : 1)) / 100));
	if (!src->have_times) {
		json_object_object_add(o, "time_pct", NULL);
		json_object_object_add(o, "host_ns", NULL);
		json_object_object_add(o, "guest_ns", NULL);
		return o;
	}
	json_object_object_add(o, "time_pct", json_object_new_double(
		round(10000.0 * (r->host_total > 0 ? row->host_sum / r->host_total : 0)) / 100));
	json_object_object_add(o, "host_ns", ns_obj(row->host_sum,
		(double)row->host_min, (double)row->host_max,
		mean(row->host_sum, row->samples), stddev(row), true));
	json_object_object_add(o, "guest_ns", ns_obj(row->guest_sum,
		(double)row->guest_min, (double)row->guest_max,
		mean(row->guest_sum, row->samples), 0, false));
	return o;
}

static void print_json(const struct gctl_report *r,
		       const struct gctl_report_source *src, size_t nr,
		       FILE *out)
{
	json_object *o = json_object_new_object(), *rows = json_object_new_array();

	json_object_object_add(o, "file", json_object_new_string(src->file));
	json_object_object_add(o, "format", json_object_new_string(src->format));
	json_object_object_add(o, "by", json_object_new_string(by_names[r->by]));
	json_object_object_add(o, "exits", json_object_new_uint64(r->all.exits));
	json_object_object_add(o, "shown", json_object_new_uint64(r->shown));
	json_object_object_add(o, "filter", r->filtered ?
			       json_object_new_string(r->filter.text) : NULL);
	json_object_object_add(o, "truncated", json_object_new_boolean(src->truncated));
	json_object_object_add(o, "gaps", json_object_new_uint64(src->gaps));
	json_object_object_add(o, "lost", json_object_new_uint64(src->lost));
	json_object_object_add(o, "times", json_object_new_boolean(src->have_times));
	if (src->have_summary) {
		json_object_object_add(o, "wall_ns", json_object_new_uint64(src->wall_ns));
		json_object_object_add(o, "result", json_object_new_string(src->result));
		json_object_object_add(o, "summary_agrees",
				       json_object_new_boolean(summary_agrees(r, src)));
	} else {
		json_object_object_add(o, "wall_ns", NULL);
		json_object_object_add(o, "result", NULL);
		json_object_object_add(o, "summary_agrees", NULL);
	}
	for (size_t i = 0; i < nr; i++)
		json_object_array_add(rows, row_json(r, src, &r->rows[i]));
	json_object_object_add(o, "rows", rows);
	json_object_object_add(o, "more_rows",
			       json_object_new_uint64(r->nr_rows - nr));
	fprintf(out, "%s\n", json_object_to_json_string_ext(o, GCTL_JSON_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

int gctl_report_print(struct gctl_report *r, const struct gctl_report_source *src,
		      unsigned int top, bool json, FILE *out)
{
	size_t nr = r->nr_rows;

	/* The index is of no use from here: rows move. */
	qsort(r->rows, r->nr_rows, sizeof(*r->rows), by_samples);
	if (top && top < nr)
		nr = top;
	if (json)
		print_json(r, src, nr, out);
	else
		print_text(r, src, nr, out);
	return fflush(out) || ferror(out) ? -EIO : 0;
}
