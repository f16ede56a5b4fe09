// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host-time histogram (cmd/engine/hist.h): every value lands in a
 * bucket that holds it, buckets are in order and tile the range, and the
 * p99 of known distributions is the true one or at most 1/16 above it.
 */
#include <math.h>
#include <stdlib.h>

#include "engine/hist.h"
#include "test.h"

static uint64_t rnd(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The exact q quantile of v[n] (sorted here): the ceil(q n)th smallest. */
static uint64_t exact(uint64_t *v, size_t n, double q)
{
	size_t rank = (size_t)ceil(q * (double)n);

	qsort(v, n, sizeof(*v), cmp_u64);
	return v[(rank ? rank : 1) - 1];
}

/* v[n] through one histogram: its p99 against the exact one. */
static void expect_p99(uint64_t *v, size_t n)
{
	struct gctl_hist *h = calloc(1, sizeof(*h));
	struct gctl_hist_acc *acc = calloc(1, sizeof(*acc));
	struct gctl_timing t;
	uint64_t want, sum = 0, max = 0;

	ASSERT_TRUE(h && acc);
	for (size_t i = 0; i < n; i++) {
		gctl_hist_add(h, v[i]);
		sum += v[i];
		max = v[i] > max ? v[i] : max;
	}
	gctl_hist_acc_add(acc, h);
	gctl_hist_timing(acc, &t);
	want = exact(v, n, 0.99);
	ASSERT_EQ(t.n, n);
	ASSERT_EQ(t.sum_ns, sum);
	ASSERT_EQ(t.max_ns, max);
	if (t.p99_ns < want || t.p99_ns > want + want / 16)
		TEST_FAIL("p99 %llu, exact %llu", (unsigned long long)t.p99_ns,
			  (unsigned long long)want);
	free(h);
	free(acc);
}

#define N 100000

TEST(buckets_hold_their_values_in_order)
{
	uint64_t state = 0x9e3779b97f4a7c15ull, prev_max = 0;

	/* small values are exact */
	for (uint64_t v = 0; v < GCTL_HIST_SUB; v++)
		ASSERT_EQ(gctl_hist_bucket_max(gctl_hist_bucket(v)), v);
	/* consecutive buckets tile the numbers: no gap, no overlap */
	for (unsigned int i = 1; i < GCTL_HIST_BUCKETS - 1; i++) {
		uint64_t lo = gctl_hist_bucket_max(i - 1) + 1;

		ASSERT_EQ(gctl_hist_bucket(lo), i);
		ASSERT_EQ(gctl_hist_bucket(gctl_hist_bucket_max(i)), i);
		ASSERT_TRUE(gctl_hist_bucket_max(i) > prev_max || i == 1);
		prev_max = gctl_hist_bucket_max(i);
	}
	/* any value: in its bucket, and the bucket at most 1/16 wide */
	for (int i = 0; i < N; i++) {
		uint64_t v = rnd(&state) >> (rnd(&state) % 64);
		unsigned int b = gctl_hist_bucket(v);

		ASSERT_TRUE(b < GCTL_HIST_BUCKETS);
		ASSERT_TRUE(v <= gctl_hist_bucket_max(b));
		if (b && b < GCTL_HIST_BUCKETS - 1)
			ASSERT_TRUE(v > gctl_hist_bucket_max(b - 1) &&
				    gctl_hist_bucket_max(b) - v <= v / 16);
	}
	/* from 2^40 on, the top bucket */
	ASSERT_EQ(gctl_hist_bucket(UINT64_MAX), GCTL_HIST_BUCKETS - 1);
	ASSERT_EQ(gctl_hist_bucket(1ull << 40), GCTL_HIST_BUCKETS - 1);
}

TEST(p99_of_known_distributions)
{
	static uint64_t v[N];
	uint64_t state = 0x243f6a8885a308d3ull;

	/* uniform 1..1000 ns: p99 990 */
	for (int i = 0; i < N; i++)
		v[i] = 1 + i % 1000;
	expect_p99(v, N);
	/* all equal: p99 is that value, exactly (the max caps the bucket) */
	for (int i = 0; i < N; i++)
		v[i] = 12345;
	expect_p99(v, N);
	/* 98.9 % fast, 1.1 % slow: p99 in the slow mode */
	for (int i = 0; i < N; i++)
		v[i] = i % 1000 < 11 ? 50000 + i % 7 : 400 + i % 13;
	expect_p99(v, N);
	/* 99.1 % fast: p99 still in the fast mode */
	for (int i = 0; i < N; i++)
		v[i] = i % 1000 < 9 ? 50000 : 400 + i % 13;
	expect_p99(v, N);
	/* exponential, mean 2 us */
	for (int i = 0; i < N; i++)
		v[i] = (uint64_t)(-2000.0 * log((double)(rnd(&state) >> 11) /
						 9007199254740992.0 + 1e-12));
	expect_p99(v, N);
	/* log-uniform over ns to seconds */
	for (int i = 0; i < N; i++)
		v[i] = (uint64_t)exp((double)(rnd(&state) % 20000) / 1000.0);
	expect_p99(v, N);
}

TEST(several_vcpus_add_up)
{
	struct gctl_hist *h = calloc(2, sizeof(*h));
	struct gctl_hist_acc *acc = calloc(1, sizeof(*acc));
	struct gctl_timing t;

	ASSERT_TRUE(h && acc);
	/* vCPU 0: 990 fast; vCPU 1: 10 slow: over both, p99 is fast */
	for (int i = 0; i < 990; i++)
		gctl_hist_add(&h[0], 100);
	for (int i = 0; i < 10; i++)
		gctl_hist_add(&h[1], 9000);
	gctl_hist_acc_add(acc, &h[0]);
	gctl_hist_acc_add(acc, &h[1]);
	gctl_hist_timing(acc, &t);
	ASSERT_EQ(t.n, 1000);
	ASSERT_EQ(t.max_ns, 9000);
	ASSERT_TRUE(t.p99_ns >= 100 && t.p99_ns <= 100 + 100 / 16);
	ASSERT_EQ(t.sum_ns, 990 * 100 + 10 * 9000);
	/* empty: all 0 */
	memset(acc, 0, sizeof(*acc));
	gctl_hist_timing(acc, &t);
	ASSERT_TRUE(!t.n && !t.p99_ns && !t.max_ns);
	free(h);
	free(acc);
}
