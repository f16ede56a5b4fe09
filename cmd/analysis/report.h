/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gunyahctl report's tables: exits grouped by kind, vCPU, address or
 * region, with perf-kvm-stat's columns (samples, their share, the share
 * of host handling time, min, max, mean and standard deviation of it) and
 * the guest's run time before the exits.  Exits come from a record
 * (report_in.c) or a run --json file; the table is printed as text or as
 * one JSON object (gunyahctl-json(7), "Reports").
 */
#ifndef GCTL_REPORT_H
#define GCTL_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/filter.h"
#include "analysis/record.h"
#include "engine/sink.h"

enum gctl_report_by {
	GCTL_REPORT_BY_KIND,
	GCTL_REPORT_BY_VCPU,
	GCTL_REPORT_BY_ADDR,
	GCTL_REPORT_BY_REGION,
};

/* What the table is about, for its heading. */
struct gctl_report_source {
	const char *file;
	const char *format;	/* "record" or "json" */
	bool have_times;	/* host and guest times known */
	bool truncated;		/* cut short: no summary */
	uint64_t lost, gaps;	/* records lost in gaps (attach --record) */
	const struct gctl_rec_config *cfg; /* a record's, else NULL */
	bool have_summary;	/* the run's summary was read */
	uint64_t wall_ns;
	const char *result;
	struct gctl_counters summary; /* the summary's totals */
};

struct gctl_report;

/* f: only the exits it matches are tabled (NULL: all).  0 or -ENOMEM. */
int gctl_report_new(enum gctl_report_by by, const struct gctl_filter *f,
		    struct gctl_report **out);
void gctl_report_free(struct gctl_report *r);
/* One exit (region: its name, or NULL).  0 or -ENOMEM. */
int gctl_report_add(struct gctl_report *r, const struct gctl_exit_record *e);

/*
 * Print the table (rows by samples, the first top of them; 0: all).
 * 0, or -errno of the write.
 */
int gctl_report_print(struct gctl_report *r, const struct gctl_report_source *src,
		      unsigned int top, bool json, FILE *out);

/*
 * Feed r from a file: a record (gunyahctl-record(5)) or the JSON Lines of
 * run --json (told apart by their first bytes), and fill src (whose
 * strings live as long as *keep, to be freed with gctl_report_input_free).
 * 0, or -errno with a reason in err (-EBADMSG: malformed).
 */
struct gctl_report_input;
int gctl_report_read(struct gctl_report *r, const char *path,
		     struct gctl_report_source *src,
		     struct gctl_report_input **keep, char *err, size_t errlen);
void gctl_report_input_free(struct gctl_report_input *in);

/* "kind", "vcpu", "addr", "region": the names --by takes.  -1 if unknown. */
int gctl_report_by_parse(const char *s);

#endif /* GCTL_REPORT_H */
