/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * --filter EXPR, one syntax for run, attach, step and report
 * (gunyahctl(1), FILTERS): terms separated by commas,
 *
 *   mmio  read  write  page_fault  status  unknown   exit kinds
 *   vcpu=N  vcpu=N-M                                   vCPUs
 *   addr=A  addr=A-B                                   addresses, inclusive
 *
 * Terms of one sort widen (mmio,status: either kind), sorts narrow each
 * other (mmio,vcpu=1: MMIO exits of vCPU 1).  An addr= term passes only
 * exits that have an address (MMIO, page faults).
 */
#ifndef GCTL_FILTER_H
#define GCTL_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/sink.h"

#define GCTL_FILTER_MAX_RANGES 16
#define GCTL_FILTER_TEXT_MAX 256

/* A set of exit kinds: bit gctl_exit_kind(). */
enum gctl_filter_kind {
	GCTL_FK_MMIO_READ = 1u << GCTL_TK_MMIO_READ,
	GCTL_FK_MMIO_WRITE = 1u << GCTL_TK_MMIO_WRITE,
	GCTL_FK_PAGE_FAULT = 1u << GCTL_TK_PAGE_FAULT,
	GCTL_FK_STATUS = 1u << GCTL_TK_STATUS,
	GCTL_FK_UNKNOWN = 1u << GCTL_TK_UNKNOWN,
};

struct gctl_filter_range {
	uint64_t lo, hi; /* inclusive */
};

struct gctl_filter {
	char text[GCTL_FILTER_TEXT_MAX]; /* as given */
	unsigned int kinds;		  /* enum gctl_filter_kind; 0: all */
	unsigned int nr_vcpus, nr_addrs;
	struct gctl_filter_range vcpus[GCTL_FILTER_MAX_RANGES];
	struct gctl_filter_range addrs[GCTL_FILTER_MAX_RANGES];
};

/* 0, or -EINVAL with a one-line reason in err ("vcpu=x: not a number"). */
int gctl_filter_parse(const char *s, struct gctl_filter *f, char *err,
		      size_t errlen);
bool gctl_filter_match(const struct gctl_filter *f,
		       const struct gctl_exit_record *r);

/*
 * A sink in front of inner that passes on only the exits f matches
 * (everything else unchanged) and counts them; its summary() hands inner
 * the summary with gctl_summary.filter and .shown set.  f is copied;
 * inner stays the caller's.  0 or -ENOMEM.
 */
int gctl_filter_sink_new(const struct gctl_filter *f,
			 const struct gctl_sink *inner, struct gctl_sink *out);

#endif /* GCTL_FILTER_H */
