// SPDX-License-Identifier: GPL-2.0-only
/* Buffered output that survives signals: see outbuf.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/outbuf.h"

void gctl_outbuf_init(struct gctl_outbuf *ob, int fd)
{
	ob->fd = fd;
	ob->line_flush = isatty(fd);
	ob->error = 0;
	ob->on_error = NULL;
	ob->on_error_arg = NULL;
	ob->len = 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int gctl_outbuf_flush(struct gctl_outbuf *ob)
{
	if (ob->len && !ob->error) {
		ob->error = write_all(ob->fd, ob->buf, ob->len);
		if (ob->error && ob->on_error)
			ob->on_error(ob->on_error_arg);
	}
	ob->len = 0;
	return ob->error;
}

void gctl_outbuf_put(struct gctl_outbuf *ob, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		size_t n = sizeof(ob->buf) - ob->len;

		if (!n) {
			gctl_outbuf_flush(ob);
			continue;
		}
		if (n > len)
			n = len;
		memcpy(ob->buf + ob->len, p, n);
		ob->len += n;
		p += n;
		len -= n;
	}
}

char *gctl_outbuf_room(struct gctl_outbuf *ob, size_t n)
{
	if (sizeof(ob->buf) - ob->len < n)
		gctl_outbuf_flush(ob);
	return ob->buf + ob->len;
}

void gctl_outbuf_commit(struct gctl_outbuf *ob, size_t n)
{
	ob->len += n;
}

void gctl_outbuf_puts(struct gctl_outbuf *ob, const char *s)
{
	gctl_outbuf_put(ob, s, strlen(s));
}

void gctl_outbuf_printf(struct gctl_outbuf *ob, const char *fmt, ...)
{
	char small[512], *big;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		gctl_outbuf_put(ob, small, (size_t)n);
		return;
	}
	/* Rare long lines: format into a buffer of their size. */
	big = malloc((size_t)n + 1);
	if (!big)
		return;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	gctl_outbuf_put(ob, big, (size_t)n);
	free(big);
}

void gctl_outbuf_end_line(struct gctl_outbuf *ob)
{
	if (ob->line_flush || ob->len > sizeof(ob->buf) - 1024)
		gctl_outbuf_flush(ob);
}

void gctl_out_stream_init(struct gctl_out_stream *s, int fd, bool quiet)
{
	pthread_mutex_init(&s->lock, NULL);
	s->quiet = quiet;
	gctl_outbuf_init(&s->ob, fd);
}

int gctl_out_stream_flush(void *ctx)
{
	struct gctl_out_stream *s = ctx;
	int ret;

	pthread_mutex_lock(&s->lock);
	ret = gctl_outbuf_flush(&s->ob);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

void gctl_out_stream_on_write_error(void *ctx, void (*fn)(void *arg),
				    void *arg)
{
	struct gctl_out_stream *s = ctx;

	pthread_mutex_lock(&s->lock);
	s->ob.on_error = fn;
	s->ob.on_error_arg = arg;
	pthread_mutex_unlock(&s->lock);
}

void gctl_out_stream_destroy(void *ctx)
{
	struct gctl_out_stream *s = ctx;

	gctl_out_stream_flush(s);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
