// SPDX-License-Identifier: GPL-2.0-only
/* The asynchronous sink (see sink_async.h). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sink_async.h"

#define RING_ENTRIES 4096 /* a power of two */
#define CONSOLE_CHUNK 256
#define WAKE_AT (RING_ENTRIES / 4)
#define IDLE_WAIT_NS 1000000 /* the writer looks at least every 1 ms */

enum entry_kind {
	ENTRY_EXIT,
	ENTRY_CONSOLE,
};

struct entry {
	enum entry_kind kind;
	union {
		struct gctl_exit_record rec;
		struct {
			size_t len;
			char buf[CONSOLE_CHUNK];
		} console;
	};
};

struct async_sink {
	struct gctl_sink inner;
	pthread_t writer;

	pthread_mutex_t lock;
	pthread_cond_t more;	 /* to the writer: entries, or stop */
	pthread_cond_t space;	 /* to producers: the ring has room */
	pthread_cond_t drained;	 /* to drain(): the ring is empty, writer idle */
	/* lock: lock */
	uint64_t head, tail;	 /* entries [tail, head) wait for the writer */
	bool busy;		 /* the writer is passing entries on */
	bool stop;
	unsigned int waiting;	 /* producers waiting for space */
	struct entry ring[RING_ENTRIES];
};

static struct entry *slot_at(struct async_sink *a, uint64_t i)
{
	return &a->ring[i & (RING_ENTRIES - 1)];
}

static void pass_on(struct async_sink *a, const struct entry *e)
{
	if (e->kind == ENTRY_EXIT)
		a->inner.ops->exit(a->inner.ctx, &e->rec);
	else
		a->inner.ops->console(a->inner.ctx, e->console.buf,
				      e->console.len);
}

static void deadline_in(struct timespec *ts, long ns)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_nsec += ns;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/* Batches out of the ring, handed on outside the lock. */
static void *writer_main(void *data)
{
	struct async_sink *a = data;
	struct timespec ts;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		uint64_t from = a->tail, to = a->head;

		if (from == to) {
			a->busy = false;
			pthread_cond_broadcast(&a->drained);
			if (a->stop)
				break;
			deadline_in(&ts, IDLE_WAIT_NS);
			pthread_cond_timedwait(&a->more, &a->lock, &ts);
			continue;
		}
		a->busy = true;
		pthread_mutex_unlock(&a->lock);
		/* Producers write only past head: [from, to) is ours. */
		for (uint64_t i = from; i < to; i++)
			pass_on(a, slot_at(a, i));
		pthread_mutex_lock(&a->lock);
		a->tail = to;
		if (a->waiting)
			pthread_cond_broadcast(&a->space);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

/* A free entry (the lock held, waiting for room if need be). */
static struct entry *reserve_locked(struct async_sink *a)
{
	while (a->head - a->tail == RING_ENTRIES) {
		pthread_cond_signal(&a->more);
		a->waiting++;
		pthread_cond_wait(&a->space, &a->lock);
		a->waiting--;
	}
	return slot_at(a, a->head);
}

static void commit_locked(struct async_sink *a)
{
	if (++a->head - a->tail == WAKE_AT)
		pthread_cond_signal(&a->more);
}

static void async_exit(void *ctx, const struct gctl_exit_record *rec)
{
	struct async_sink *a = ctx;
	struct entry *e;

	pthread_mutex_lock(&a->lock);
	e = reserve_locked(a);
	e->kind = ENTRY_EXIT;
	e->rec = *rec;
	commit_locked(a);
	pthread_mutex_unlock(&a->lock);
}

static void async_console(void *ctx, const char *buf, size_t len)
{
	struct async_sink *a = ctx;

	pthread_mutex_lock(&a->lock);
	do {
		struct entry *e = reserve_locked(a);
		size_t n = len < CONSOLE_CHUNK ? len : CONSOLE_CHUNK;

		e->kind = ENTRY_CONSOLE;
		e->console.len = n;
		memcpy(e->console.buf, buf, n);
		commit_locked(a);
		buf += n;
		len -= n;
	} while (len);
	pthread_mutex_unlock(&a->lock);
}

/* Wait until everything reported so far has been passed on. */
static void drain(struct async_sink *a)
{
	pthread_mutex_lock(&a->lock);
	pthread_cond_signal(&a->more);
	while (a->head != a->tail || a->busy)
		pthread_cond_wait(&a->drained, &a->lock);
	pthread_mutex_unlock(&a->lock);
}

static void async_regs(void *ctx, unsigned int vcpu,
		       const struct gh_sim_regs *regs)
{
	struct async_sink *a = ctx;

	drain(a);
	a->inner.ops->regs(a->inner.ctx, vcpu, regs);
}

static void async_memory(void *ctx, uint64_t addr, const void *buf,
			 size_t len)
{
	struct async_sink *a = ctx;

	drain(a);
	a->inner.ops->memory(a->inner.ctx, addr, buf, len);
}

static void async_summary(void *ctx, const struct gctl_summary *s)
{
	struct async_sink *a = ctx;

	drain(a);
	a->inner.ops->summary(a->inner.ctx, s);
}

static int async_flush(void *ctx)
{
	struct async_sink *a = ctx;

	drain(a);
	return a->inner.ops->flush(a->inner.ctx);
}

static void async_destroy(void *ctx)
{
	struct async_sink *a = ctx;

	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_signal(&a->more);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->writer, NULL); /* it passes on what is left first */
	gctl_sink_destroy(&a->inner);
	pthread_cond_destroy(&a->drained);
	pthread_cond_destroy(&a->space);
	pthread_cond_destroy(&a->more);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

static const struct gctl_sink_ops async_ops = {
	.exit = async_exit,
	.console = async_console,
	.regs = async_regs,
	.memory = async_memory,
	.summary = async_summary,
	.flush = async_flush,
	.destroy = async_destroy,
};

int gctl_sink_async_new(const struct gctl_sink *inner, struct gctl_sink *out)
{
	pthread_condattr_t attr;
	struct async_sink *a;
	sigset_t all, old;
	int ret;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->inner = *inner;
	pthread_mutex_init(&a->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&a->more, &attr);
	pthread_condattr_destroy(&attr);
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
	out->ops = &async_ops;
	out->ctx = a;
	return 0;
}
