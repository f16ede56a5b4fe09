/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The small helpers every part of cmd/ uses, written once: the length of
 * an array, how addresses and JSON are written, the monotonic clock.
 */
#ifndef GCTL_COMMON_H
#define GCTL_COMMON_H

#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * A guest address in text, one way everywhere (exit lines, messages):
 * 0x and at least eight hex digits, 0x0a000000.
 */
#define GCTL_ADDR "0x%08" PRIx64

/*
 * How every JSON text is written: one line, and "/" as itself (json-c
 * would write "\/tmp").  For json_object_to_json_string_ext.
 */
#define GCTL_JSON_PLAIN (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

#define GCTL_NS_PER_SEC 1000000000ull

/* CLOCK_MONOTONIC in nanoseconds: for intervals, rates, deadlines. */
static inline uint64_t gctl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * GCTL_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* A gctl_now_ns() time, as pthread_cond_timedwait wants it (a condition
 * variable made by gctl_cond_init_monotonic). */
static inline struct timespec gctl_deadline_at(uint64_t t)
{
	return (struct timespec){ .tv_sec = (time_t)(t / GCTL_NS_PER_SEC),
				  .tv_nsec = (long)(t % GCTL_NS_PER_SEC) };
}

/* CLOCK_MONOTONIC ns from now, the same way. */
static inline struct timespec gctl_deadline_in(uint64_t ns)
{
	return gctl_deadline_at(gctl_now_ns() + ns);
}

/* A condition variable whose timed waits take those deadlines. */
static inline void gctl_cond_init_monotonic(pthread_cond_t *c)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(c, &attr);
	pthread_condattr_destroy(&attr);
}

#endif /* GCTL_COMMON_H */
