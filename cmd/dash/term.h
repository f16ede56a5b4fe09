/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a full-screen view needs besides drawing: giving the terminal back
 * whatever happens, and keeping diagnostics off the screen it draws.
 *
 * The guard: armed once curses holds the terminal, it restores it (the
 * terminal modes saved before curses started, attributes off, cursor on,
 * keypad off, the normal screen back) at exit() and on a fatal signal,
 * then lets the signal go on to its earlier action (a core dump, a
 * sanitizer's report).
 *
 * The catcher: standard error, when it is the terminal, goes to a pipe
 * while the view is up; each line is handed to a callback (to show it)
 * and kept, to be written out once the terminal is back.
 */
#ifndef GCTL_DASH_TERM_H
#define GCTL_DASH_TERM_H

#include <stdbool.h>
#include <stddef.h>

/* Before curses starts: the terminal modes to go back to. */
void gctl_term_guard_save(void);
/* Once curses holds the terminal (its capabilities are loaded). */
void gctl_term_guard_arm(int saved_stderr);
/* Curses has given the terminal back. */
void gctl_term_guard_disarm(void);

#define GCTL_ERRCATCH_LINE_MAX 512

struct gctl_errcatch {
	int pipe;  /* read end, or -1: not catching */
	int saved; /* the real standard error, or -1 */
	void (*line)(void *ctx, const char *line, size_t len);
	void *ctx;
	size_t len;
	char buf[GCTL_ERRCATCH_LINE_MAX];
	char *kept;
	size_t kept_len, dropped;
};

/*
 * Start catching, if standard error is a terminal (else leave it alone:
 * c->pipe stays -1).  0, or -errno.
 */
int gctl_errcatch_start(struct gctl_errcatch *c,
			void (*line)(void *ctx, const char *line, size_t len),
			void *ctx);
/* Read what is there (the pipe is non-blocking), a line at a time. */
void gctl_errcatch_read(struct gctl_errcatch *c);
/* Standard error back where it was, and what was caught written to it. */
void gctl_errcatch_stop(struct gctl_errcatch *c);

#endif /* GCTL_DASH_TERM_H */
