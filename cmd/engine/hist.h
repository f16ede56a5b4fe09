/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host handling time per exit kind, live: a log-linear histogram of fixed
 * size (HDR-like: 16 linear sub-buckets per power of two, so a quantile
 * read from it is at most 1/16 above the true one), written by one vCPU
 * thread with relaxed atomic stores -- no lock, no allocation, no
 * read-modify-write on the hot path -- and read by any thread.
 */
#ifndef GCTL_HIST_H
#define GCTL_HIST_H

#include <stdatomic.h>
#include <stdint.h>

#include "engine/sink.h"

#define GCTL_HIST_SUB_BITS 4
#define GCTL_HIST_SUB (1u << GCTL_HIST_SUB_BITS)
/* Values from 2^40 ns (18 minutes) on share the top bucket. */
#define GCTL_HIST_MAX_BITS 40
#define GCTL_HIST_BUCKETS \
	((GCTL_HIST_MAX_BITS - GCTL_HIST_SUB_BITS + 1) * GCTL_HIST_SUB)

struct gctl_hist {
	atomic_uint_least64_t n, sum, max;
	atomic_uint_least64_t b[GCTL_HIST_BUCKETS];
};

/* Several histograms added up, to read quantiles from: plain numbers. */
struct gctl_hist_acc {
	uint64_t n, sum, max;
	uint64_t b[GCTL_HIST_BUCKETS];
};

static inline unsigned int gctl_hist_bucket(uint64_t v)
{
	unsigned int e;

	if (v < GCTL_HIST_SUB)
		return (unsigned int)v;
	e = 63u - (unsigned int)__builtin_clzll(v);
	if (e >= GCTL_HIST_MAX_BITS)
		return GCTL_HIST_BUCKETS - 1;
	return (e - GCTL_HIST_SUB_BITS + 1) * GCTL_HIST_SUB +
	       (unsigned int)((v >> (e - GCTL_HIST_SUB_BITS)) &
			      (GCTL_HIST_SUB - 1));
}

/* Only h's own thread writes h: loads and stores, no atomic adds. */
static inline void gctl_hist_add(struct gctl_hist *h, uint64_t v)
{
	atomic_uint_least64_t *b = &h->b[gctl_hist_bucket(v)];

	atomic_store_explicit(b, atomic_load_explicit(b, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	atomic_store_explicit(&h->sum, atomic_load_explicit(&h->sum,
				memory_order_relaxed) + v, memory_order_relaxed);
	if (v > atomic_load_explicit(&h->max, memory_order_relaxed))
		atomic_store_explicit(&h->max, v, memory_order_relaxed);
	atomic_store_explicit(&h->n, atomic_load_explicit(&h->n,
				memory_order_relaxed) + 1, memory_order_relaxed);
}

/* The largest value bucket i holds. */
uint64_t gctl_hist_bucket_max(unsigned int i);
/* acc += h, read while h may be written (each number is whole). */
void gctl_hist_acc_add(struct gctl_hist_acc *acc, const struct gctl_hist *h);
/*
 * The q quantile (0 < q <= 1) of what acc holds: the top of the bucket
 * the ceil(q * n)th smallest value is in, at most the max; 0 when empty.
 */
uint64_t gctl_hist_quantile(const struct gctl_hist_acc *acc, double q);

const char *gctl_timing_kind_str(enum gctl_timing_kind k);

/* What a view shows of one exit kind's host times. */
void gctl_hist_timing(const struct gctl_hist_acc *acc, struct gctl_timing *t);
/* t as text: "avg 0.42 us, p99 0.61 us, max 12.30 us" */
void gctl_timing_str(const struct gctl_timing *t, char *buf, size_t len);
/* The line a summary or stat prints for kind k (without newline):
 * "host time mmio_read: avg 0.42 us, p99 0.61 us, max 12.30 us" */
void gctl_timing_line(enum gctl_timing_kind k, const struct gctl_timing *t,
		      char *buf, size_t len);

#endif /* GCTL_HIST_H */
