// SPDX-License-Identifier: GPL-2.0-only
/* The asynchronous sink (see sink_async.h). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "engine/sink_async.h"

#define RING_ENTRIES 8192 /* a power of two; > 1 ms of exits */
#define CONSOLE_CHUNK 64 /* no bigger than an exit record */
#define WAKE_AT (RING_ENTRIES / 2)
#define IDLE_WAIT_NS 1000000 /* the writer looks at least every 1 ms */
#define CACHE_LINE 64
#define PREFETCH_AHEAD 4
#define BATCH 64 /* exit records passed on in one call (sink.h: exits) */

enum entry_kind {
	ENTRY_EXIT,
	ENTRY_CONSOLE,
};

/* Lines of their own: the writer reading one entry does not hold a line
 * the producer is filling the next one in. */
struct entry {
	alignas(CACHE_LINE) enum entry_kind kind;
	union {
		struct gctl_exit_record rec;
		struct {
			size_t len;
			char buf[CONSOLE_CHUNK];
		} console;
	};
};
_Static_assert(sizeof(struct entry) % CACHE_LINE == 0, "entries fill lines");

struct async_sink {
	struct gctl_sink inner;
	pthread_t writer;

	/*
	 * exit() and console() come one at a time (sink.h: the engine calls
	 * them under its lock), so the ring has one producer at a time and
	 * one consumer: head and tail are all they share on the fast path.
	 * Each index has a line of its own, and producers keep a stale copy
	 * of tail, reading the real one only when the copy says the ring is
	 * full: a line that moves between CPUs on every exit costs as much
	 * as the rest of the exit's way out.
	 */
	alignas(CACHE_LINE) _Atomic uint64_t head; /* next entry to fill */
	uint64_t tail_seen;	/* producers' copy of tail */
	alignas(CACHE_LINE) _Atomic uint64_t tail; /* next to pass on */
	atomic_bool waiting;	/* a producer waits for space */

	alignas(CACHE_LINE)
	pthread_mutex_t lock;	/* the slow paths: sleeping and waking */
	pthread_cond_t more;	/* to the writer: entries, or stop */
	pthread_cond_t space;	/* to a producer: the ring has room */
	pthread_cond_t drained; /* to drain(): the writer found it empty */
	bool stop;		/* lock: lock */
	struct entry ring[RING_ENTRIES];
};

static struct entry *slot_at(struct async_sink *a, uint64_t i)
{
	return &a->ring[i & (RING_ENTRIES - 1)];
}

static void pass_on_exits(struct async_sink *a,
			  const struct gctl_exit_record *const *recs, size_t n)
{
	if (n)
		gctl_sink_exits(&a->inner, recs, n);
}

/* Entries [from, to), in order: runs of exit records as batches. */
static void pass_on(struct async_sink *a, uint64_t from, uint64_t to)
{
	const struct gctl_exit_record *recs[BATCH];
	size_t n = 0;

	for (; from < to; from++) {
		const struct entry *e = slot_at(a, from);

		if (e->kind != ENTRY_EXIT) {
			pass_on_exits(a, recs, n);
			n = 0;
			gctl_sink_console(&a->inner, e->console.buf,
					  e->console.len);
			continue;
		}
		recs[n++] = &e->rec;
		if (n == BATCH) {
			pass_on_exits(a, recs, n);
			n = 0;
		}
	}
	pass_on_exits(a, recs, n);
}

static void *writer_main(void *data)
{
	struct async_sink *a = data;
	uint64_t from = atomic_load(&a->tail);
	struct timespec ts;

	for (;;) {
		uint64_t to = atomic_load_explicit(&a->head,
						   memory_order_acquire);

		if (from == to) {
			bool stop;

			pthread_mutex_lock(&a->lock);
			pthread_cond_broadcast(&a->drained);
			stop = a->stop;
			if (!stop && atomic_load(&a->head) == from) {
				ts = gctl_deadline_in(IDLE_WAIT_NS);
				pthread_cond_timedwait(&a->more, &a->lock, &ts);
			}
			pthread_mutex_unlock(&a->lock);
			if (stop && atomic_load(&a->head) == from)
				break;
			continue;
		}
		pass_on(a, from, to);
		from = to;
		atomic_store(&a->tail, to); /* seq_cst: pairs with waiting */
		if (atomic_load(&a->waiting)) {
			pthread_mutex_lock(&a->lock);
			pthread_cond_broadcast(&a->space);
			pthread_mutex_unlock(&a->lock);
		}
	}
	return NULL;
}

/* The ring looked full: look again, and wait for the writer to make
 * room if it is.  Out of line, so that the fast path is inlined. */
static __attribute__((noinline, cold)) void
wait_for_space(struct async_sink *a, uint64_t head)
{
	a->tail_seen = atomic_load_explicit(&a->tail, memory_order_acquire);
	if (head - a->tail_seen < RING_ENTRIES)
		return;
	pthread_mutex_lock(&a->lock);
	atomic_store(&a->waiting, true); /* seq_cst: then look at tail */
	pthread_cond_signal(&a->more);
	while (head - atomic_load(&a->tail) == RING_ENTRIES)
		pthread_cond_wait(&a->space, &a->lock);
	atomic_store(&a->waiting, false);
	pthread_mutex_unlock(&a->lock);
	a->tail_seen = atomic_load(&a->tail);
}

/* A free entry, waiting for the writer to make room if need be. */
static inline struct entry *reserve(struct async_sink *a, uint64_t head)
{
	/* The writer read the entries ahead last: ask for them back early,
	 * so that filling one does not wait for its lines to come over. */
	const char *ahead = (const char *)slot_at(a, head + PREFETCH_AHEAD);

	for (size_t i = 0; i < sizeof(struct entry); i += CACHE_LINE)
		__builtin_prefetch(ahead + i, 1);
	if (head - a->tail_seen >= RING_ENTRIES)
		wait_for_space(a, head);
	return slot_at(a, head);
}

/* The writer may have fallen behind: wake it, unless it has caught up. */
static __attribute__((noinline, cold)) void
wake_writer(struct async_sink *a, uint64_t head)
{
	/* acquire: reserve() trusts tail_seen to reuse entries */
	a->tail_seen = atomic_load_explicit(&a->tail, memory_order_acquire);
	if (head + 1 - a->tail_seen < WAKE_AT)
		return;
	pthread_mutex_lock(&a->lock);
	pthread_cond_signal(&a->more);
	pthread_mutex_unlock(&a->lock);
}

static inline void commit(struct async_sink *a, uint64_t head)
{
	atomic_store_explicit(&a->head, head + 1, memory_order_release);
	/* Wake the writer early when it may have fallen behind, else it
	 * looks every millisecond by itself. */
	if (head + 1 - a->tail_seen == WAKE_AT)
		wake_writer(a, head);
}

static void async_exit(void *ctx, const struct gctl_exit_record *rec)
{
	struct async_sink *a = ctx;
	uint64_t head = atomic_load_explicit(&a->head, memory_order_relaxed);
	struct entry *e = reserve(a, head);

	e->kind = ENTRY_EXIT;
	e->rec = *rec;
	commit(a, head);
}

static void async_console(void *ctx, const char *buf, size_t len)
{
	struct async_sink *a = ctx;

	do {
		uint64_t head = atomic_load_explicit(&a->head,
						     memory_order_relaxed);
		struct entry *e = reserve(a, head);
		size_t n = len < CONSOLE_CHUNK ? len : CONSOLE_CHUNK;

		e->kind = ENTRY_CONSOLE;
		e->console.len = n;
		memcpy(e->console.buf, buf, n);
		commit(a, head);
		buf += n;
		len -= n;
	} while (len);
}

/* Wait until everything reported so far has been passed on (the writer
 * moves tail past an entry only once it has passed it on). */
static void drain(struct async_sink *a)
{
	pthread_mutex_lock(&a->lock);
	pthread_cond_signal(&a->more);
	while (atomic_load(&a->head) != atomic_load(&a->tail))
		pthread_cond_wait(&a->drained, &a->lock);
	pthread_mutex_unlock(&a->lock);
}

/* Every op but exit() and console() goes past the queue: whatever was
 * reported before it, first (sink.c calls this, then the inner op). */
static void async_barrier(void *ctx)
{
	drain(ctx);
}

static void async_destroy(void *ctx)
{
	struct async_sink *a = ctx;

	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_signal(&a->more);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->writer, NULL); /* it passes on what is left first */
	pthread_cond_destroy(&a->drained);
	pthread_cond_destroy(&a->space);
	pthread_cond_destroy(&a->more);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

static const struct gctl_sink_ops async_ops = {
	.exit = async_exit,
	.console = async_console,
	.destroy = async_destroy,
	.barrier = async_barrier,
};

int gctl_sink_async_new(const struct gctl_sink *inner, struct gctl_sink *out)
{
	struct async_sink *a;
	sigset_t all, old;
	int ret;

	/* sizeof is a multiple of the alignment, as aligned_alloc wants */
	a = aligned_alloc(alignof(struct async_sink), sizeof(*a));
	if (!a)
		return -ENOMEM;
	memset(a, 0, sizeof(*a));
	a->inner = *inner;
	pthread_mutex_init(&a->lock, NULL);
	gctl_cond_init_monotonic(&a->more);
	pthread_cond_init(&a->space, NULL);
	pthread_cond_init(&a->drained, NULL);

	/* The writer takes no signals: they are the main thread's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&a->writer, NULL, writer_main, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		pthread_cond_destroy(&a->drained);
		pthread_cond_destroy(&a->space);
		pthread_cond_destroy(&a->more);
		pthread_mutex_destroy(&a->lock);
		free(a);
		return -ret;
	}
	*out = (struct gctl_sink){ .ops = &async_ops, .ctx = a,
				    .next = &a->inner };
	return 0;
}
