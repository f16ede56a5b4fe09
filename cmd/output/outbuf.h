/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small output buffer on a file descriptor, for the writers.
 *
 * Not stdio: writers run in vCPU threads, which take a signal (SIGUSR1,
 * without SA_RESTART) whenever the engine kicks them, and a stdio write
 * interrupted that way loses its data.  Here an interrupted or short
 * write(2) is simply continued.  Not thread-safe: the writer's own mutex
 * covers it.
 */
#ifndef GCTL_OUTBUF_H
#define GCTL_OUTBUF_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define GCTL_OUTBUF_SIZE 65536

struct gctl_outbuf {
	int fd;
	bool line_flush; /* flush at every end of line (a terminal) */
	int error;	 /* -errno of the first failed write: later output
			  * is dropped */
	/* Called once, by the writing thread, at that first failed write. */
	void (*on_error)(void *arg);
	void *on_error_arg;
	size_t len;
	char buf[GCTL_OUTBUF_SIZE];
};

void gctl_outbuf_init(struct gctl_outbuf *ob, int fd);
void gctl_outbuf_put(struct gctl_outbuf *ob, const void *data, size_t len);
void gctl_outbuf_puts(struct gctl_outbuf *ob, const char *s);
/*
 * For writers that format in place: room for n bytes (at most
 * GCTL_OUTBUF_SIZE), flushing first if need be; then commit what was used.
 */
char *gctl_outbuf_room(struct gctl_outbuf *ob, size_t n);
void gctl_outbuf_commit(struct gctl_outbuf *ob, size_t n);
void gctl_outbuf_printf(struct gctl_outbuf *ob, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Call at the end of a record: flushes on a terminal. */
void gctl_outbuf_end_line(struct gctl_outbuf *ob);
/* 0, or -errno of the first write that failed, now or before. */
int gctl_outbuf_flush(struct gctl_outbuf *ob);

/*
 * What the text and JSON writers share: the buffer, the lock that
 * serialises all their output (sink.h) and --quiet.  Each writer's ctx
 * begins with one, so these are their flush(), on_write_error() and
 * destroy() (the writer frees what else it holds first).
 */
struct gctl_out_stream {
	pthread_mutex_t lock;
	bool quiet;
	struct gctl_outbuf ob;
};

void gctl_out_stream_init(struct gctl_out_stream *s, int fd, bool quiet);
int gctl_out_stream_flush(void *ctx);
void gctl_out_stream_on_write_error(void *ctx, void (*fn)(void *arg),
				    void *arg);
void gctl_out_stream_destroy(void *ctx);

#endif /* GCTL_OUTBUF_H */
