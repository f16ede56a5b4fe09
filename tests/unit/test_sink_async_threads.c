// SPDX-License-Identifier: GPL-2.0-only
/*
 * The asynchronous sink: records from several producer threads (one at a
 * time, as the engine calls it) reach the inner sink complete and in
 * order, console text included and in its place among the records, and
 * summary/flush see everything that was reported before them; the same
 * with an inner sink that takes records only in runs (sink.h: exits).
 * make tsan runs it.
 */
#include <pthread.h>

#include "../../cmd/engine/sink_async.c"
#include "test.h"

#define PRODUCERS 3
#define PER_PRODUCER 200000

struct fake {
	pthread_mutex_t lock; /* the inner sink serialises itself, as writers do */
	uint64_t exits, next_seq, console_bytes;
	/* the last record said text follows it (t_ns 1); text came */
	bool text_due, in_text;
	bool out_of_order;
	uint64_t at_summary, at_flush;
	uint64_t batches, max_batch;
};

static void exit_locked(struct fake *f, const struct gctl_exit_record *r)
{
	if (r->seq != f->next_seq || (f->text_due && !f->in_text))
		f->out_of_order = true;
	f->next_seq = r->seq + 1;
	f->exits++;
	f->text_due = r->t_ns == 1;
	f->in_text = false;
}

static void fake_exit(void *ctx, const struct gctl_exit_record *r)
{
	struct fake *f = ctx;

	pthread_mutex_lock(&f->lock);
	exit_locked(f, r);
	pthread_mutex_unlock(&f->lock);
}

static void fake_exits(void *ctx, const struct gctl_exit_record *const *recs,
		       size_t n)
{
	struct fake *f = ctx;

	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < n; i++)
		exit_locked(f, recs[i]);
	f->batches++;
	if (n > f->max_batch)
		f->max_batch = n;
	pthread_mutex_unlock(&f->lock);
}

static void fake_console(void *ctx, const char *buf, size_t len)
{
	struct fake *f = ctx;

	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < len; i++)
		if (buf[i] != 'x')
			f->out_of_order = true;
	if (!f->text_due)
		f->out_of_order = true;
	f->in_text = true;
	f->console_bytes += len;
	pthread_mutex_unlock(&f->lock);
}

static void fake_summary(void *ctx, const struct gctl_summary *s)
{
	struct fake *f = ctx;

	(void)s;
	pthread_mutex_lock(&f->lock);
	f->at_summary = f->exits;
	pthread_mutex_unlock(&f->lock);
}

static int fake_flush(void *ctx)
{
	struct fake *f = ctx;

	pthread_mutex_lock(&f->lock);
	f->at_flush = f->exits;
	pthread_mutex_unlock(&f->lock);
	return 0;
}

static void fake_destroy(void *ctx)
{
	(void)ctx;
}

static const struct gctl_sink_ops fake_ops = {
	.exit = fake_exit,
	.console = fake_console,
	.summary = fake_summary,
	.flush = fake_flush,
	.destroy = fake_destroy,
};

/* Records in runs only, as the dashboard's statistics take them. */
static const struct gctl_sink_ops fake_batch_ops = {
	.exits = fake_exits,
	.console = fake_console,
	.summary = fake_summary,
	.flush = fake_flush,
	.destroy = fake_destroy,
};

struct producer {
	pthread_t thread;
	pthread_mutex_t *engine_lock;
	uint64_t *seq;
	struct gctl_sink *sink;
};

/* As the engine: one report at a time under its lock, seq assigned there. */
static void *producer_main(void *data)
{
	struct producer *p = data;
	static const char text[600] = { [0 ... 599] = 'x' };

	for (unsigned int i = 0; i < PER_PRODUCER; i++) {
		struct gctl_exit_record r = { .reason = GUNYAH_VCPU_EXIT_MMIO };

		pthread_mutex_lock(p->engine_lock);
		r.seq = (*p->seq)++;
		r.t_ns = i % 1000 == 0; /* text follows */
		p->sink->ops->exit(p->sink->ctx, &r);
		if (i % 1000 == 0) /* longer than one ring entry */
			gctl_sink_console(p->sink, text, sizeof(text));
		pthread_mutex_unlock(p->engine_lock);
	}
	return NULL;
}

static void keeps_every_record_in_order(const struct gctl_sink_ops *ops,
					struct fake *out)
{
	struct fake f = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct gctl_sink inner = { ops, &f, NULL }, sink;
	pthread_mutex_t engine_lock = PTHREAD_MUTEX_INITIALIZER;
	struct producer p[PRODUCERS];
	struct gctl_summary s = { 0 };
	uint64_t seq = 0;

	ASSERT_OK(gctl_sink_async_new(&inner, &sink));
	for (int i = 0; i < PRODUCERS; i++) {
		p[i] = (struct producer){ .engine_lock = &engine_lock,
					  .seq = &seq, .sink = &sink };
		ASSERT_EQ(pthread_create(&p[i].thread, NULL, producer_main, &p[i]), 0);
	}
	for (int i = 0; i < PRODUCERS; i++)
		ASSERT_EQ(pthread_join(p[i].thread, NULL), 0);

	/* summary and flush come after everything reported before them */
	gctl_sink_summary(&sink, &s);
	ASSERT_EQ(f.at_summary, (uint64_t)PRODUCERS * PER_PRODUCER);
	ASSERT_OK(gctl_sink_flush(&sink));
	ASSERT_EQ(f.at_flush, (uint64_t)PRODUCERS * PER_PRODUCER);
	ASSERT_TRUE(!f.out_of_order);
	ASSERT_EQ(f.console_bytes, (uint64_t)PRODUCERS * (PER_PRODUCER / 1000) * 600);
	gctl_sink_destroy(&sink);
	gctl_sink_destroy(&inner);
	*out = f;
}

TEST(threads_async_sink_keeps_every_record_in_order)
{
	struct fake f;

	keeps_every_record_in_order(&fake_ops, &f);
	ASSERT_EQ(f.batches, 0);
}

/* Runs of records as batches, no longer than BATCH, text between them. */
TEST(threads_async_sink_passes_batches_in_order)
{
	struct fake f;

	keeps_every_record_in_order(&fake_batch_ops, &f);
	ASSERT_TRUE(f.batches > 0);
	ASSERT_TRUE(f.max_batch > 1 && f.max_batch <= BATCH);
}

/* A decorator's one record reaches a sink that takes runs only. */
TEST(one_record_reaches_a_sink_of_runs)
{
	struct fake f = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct gctl_sink inner = { &fake_batch_ops, &f, NULL };
	struct gctl_exit_record r = { .seq = 0 };

	gctl_sink_exit(&inner, &r);
	r.seq = 1;
	gctl_sink_exit(&inner, &r);
	ASSERT_EQ(f.exits, 2);
	ASSERT_EQ(f.batches, 2);
	ASSERT_EQ(f.max_batch, 1);
	ASSERT_TRUE(!f.out_of_order);
}

/* Destroying passes on what is still queued. */
TEST(threads_async_sink_destroy_delivers_the_rest)
{
	struct fake f = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct gctl_sink inner = { &fake_ops, &f, NULL }, sink;

	ASSERT_OK(gctl_sink_async_new(&inner, &sink));
	for (uint64_t i = 0; i < 10; i++) {
		struct gctl_exit_record r = { .seq = i };

		sink.ops->exit(sink.ctx, &r);
	}
	gctl_sink_destroy(&sink);
	ASSERT_EQ(f.exits, 10);
	gctl_sink_destroy(&inner);
	ASSERT_TRUE(!f.out_of_order);
}
