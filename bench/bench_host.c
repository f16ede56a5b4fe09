// SPDX-License-Identifier: GPL-2.0-only
/*
 * How much parallel work this host really gives: the same number of
 * threads as a multi-vCPU case, each running a plain C loop with no
 * sharing at all.  On a machine whose CPUs are shared with other tenants,
 * N threads may do far less than N times the work of one; scaling figures
 * of the sim mean something only next to this one, measured in the same
 * run.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

#define HOST_MAX_THREADS 64

struct spinner {
	pthread_t thread;
	uint64_t loops;
	uint64_t result;
};

/* An LCG the compiler cannot fold away: a dependent multiply-add chain. */
static void *spin_main(void *data)
{
	struct spinner *s = data;
	uint64_t x = (uint64_t)(uintptr_t)s | 1;

	for (uint64_t i = 0; i < s->loops; i++)
		x = x * 6364136223846793005ull + 1442695040888963407ull;
	s->result = x;
	return NULL;
}

int bench_host_spin(const struct bench_params *p, struct bench_sample *s,
		    char *err)
{
	struct spinner sp[HOST_MAX_THREADS] = { 0 };
	unsigned int n = p->vcpus, started;
	uint64_t t0, t1;
	int perr = 0;

	if (n < 1 || n > HOST_MAX_THREADS) {
		snprintf(err, BENCH_ERR_LEN, "%u threads: 1 to %d", n,
			 HOST_MAX_THREADS);
		return -1;
	}
	t0 = bench_now_ns();
	for (started = 0; started < n; started++) {
		sp[started].loops = p->work / n;
		perr = pthread_create(&sp[started].thread, NULL, spin_main,
				      &sp[started]);
		if (perr)
			break;
	}
	for (unsigned int i = 0; i < started; i++)
		pthread_join(sp[i].thread, NULL);
	t1 = bench_now_ns();
	if (perr) {
		snprintf(err, BENCH_ERR_LEN, "pthread_create: %s", strerror(perr));
		return -1;
	}
	s->ns = t1 - t0;
	s->work = p->work / n * n;
	return 0;
}
