/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The small helpers every part of cmd/ uses, written once: the length of
 * an array and the monotonic clock.
 */
#ifndef GCTL_COMMON_H
#define GCTL_COMMON_H

#include <stdint.h>
#include <time.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define GCTL_NS_PER_SEC 1000000000ull

/* CLOCK_MONOTONIC in nanoseconds: for intervals, rates, deadlines. */
static inline uint64_t gctl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * GCTL_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* CLOCK_MONOTONIC ns from now, as pthread_cond_timedwait wants it (a
 * condition variable set to CLOCK_MONOTONIC). */
static inline struct timespec gctl_deadline_in(uint64_t ns)
{
	uint64_t t = gctl_now_ns() + ns;

	return (struct timespec){ .tv_sec = (time_t)(t / GCTL_NS_PER_SEC),
				  .tv_nsec = (long)(t % GCTL_NS_PER_SEC) };
}

#endif /* GCTL_COMMON_H */
