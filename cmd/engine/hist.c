// SPDX-License-Identifier: GPL-2.0-only
/* Host handling times: the histogram's slow side (hist.h). */
#include <math.h>
#include <stdio.h>

#include "engine/hist.h"

uint64_t gctl_hist_bucket_max(unsigned int i)
{
	unsigned int g = i / GCTL_HIST_SUB, s = i % GCTL_HIST_SUB;

	if (i < GCTL_HIST_SUB)
		return i;
	if (i >= GCTL_HIST_BUCKETS - 1)
		return UINT64_MAX;
	/* group g holds [2^(g+3), 2^(g+4)) in steps of 2^(g-1) */
	return (((uint64_t)GCTL_HIST_SUB + s + 1) << (g - 1)) - 1;
}

void gctl_hist_acc_add(struct gctl_hist_acc *acc, const struct gctl_hist *h)
{
	uint64_t max = atomic_load_explicit(&h->max, memory_order_relaxed);

	acc->n += atomic_load_explicit(&h->n, memory_order_relaxed);
	acc->sum += atomic_load_explicit(&h->sum, memory_order_relaxed);
	if (max > acc->max)
		acc->max = max;
	for (unsigned int i = 0; i < GCTL_HIST_BUCKETS; i++)
		acc->b[i] += atomic_load_explicit(&h->b[i], memory_order_relaxed);
}

uint64_t gctl_hist_quantile(const struct gctl_hist_acc *acc, double q)
{
	uint64_t n = 0, rank, seen = 0;

	/* the buckets, not acc->n: a reader racing the writer may see a
	 * bucket's count before n's */
	for (unsigned int i = 0; i < GCTL_HIST_BUCKETS; i++)
		n += acc->b[i];
	if (!n)
		return 0;
	rank = (uint64_t)ceil(q * (double)n);
	if (rank < 1)
		rank = 1;
	for (unsigned int i = 0; i < GCTL_HIST_BUCKETS; i++) {
		seen += acc->b[i];
		if (seen >= rank) {
			uint64_t top = gctl_hist_bucket_max(i);

			return top < acc->max ? top : acc->max;
		}
	}
	return acc->max;
}

void gctl_hist_timing(const struct gctl_hist_acc *acc, struct gctl_timing *t)
{
	t->n = acc->n;
	t->sum_ns = acc->sum;
	t->max_ns = acc->max;
	t->p99_ns = gctl_hist_quantile(acc, 0.99);
}

const char *gctl_timing_kind_str(enum gctl_timing_kind k)
{
	/* the keys of the counts object (gunyahctl-json(7)) */
	static const char *const names[GCTL_TK__COUNT] = {
		[GCTL_TK_MMIO_READ] = "mmio_read",
		[GCTL_TK_MMIO_WRITE] = "mmio_write",
		[GCTL_TK_PAGE_FAULT] = "page_fault",
		[GCTL_TK_STATUS] = "status",
		[GCTL_TK_UNKNOWN] = "unknown",
	};

	return k < GCTL_TK__COUNT ? names[k] : "unknown";
}

void gctl_timing_str(const struct gctl_timing *t, char *buf, size_t len)
{
	double avg = t->n ? (double)t->sum_ns / (double)t->n : 0;

	snprintf(buf, len, "avg %.2f us, p99 %.2f us, max %.2f us", avg / 1e3,
		 (double)t->p99_ns / 1e3, (double)t->max_ns / 1e3);
}

void gctl_timing_line(enum gctl_timing_kind k, const struct gctl_timing *t,
		      char *buf, size_t len)
{
	char v[128];

	gctl_timing_str(t, v, sizeof(v));
	snprintf(buf, len, "host time %s: %s", gctl_timing_kind_str(k), v);
}
