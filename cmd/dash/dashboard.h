/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The live dashboard: a full-screen ncurses view of a running VM's exits
 * (gunyahctl-run(1), DASHBOARD).
 *
 * The view knows nothing of the run engine: it draws snapshots
 * (stats.h) that its source fills in, and drives the source through the
 * controls below, so `run --dashboard` and a view of a VM running
 * elsewhere share it.  It takes a snapshot every interval and when a key
 * changes something; focus, filter and reset are the view's own (a reset
 * is a baseline snapshot taken off later ones), so they cost the source
 * nothing.
 *
 * It lives in the caller's poll loop:
 *
 *   gctl_dash_new(&ops, ctx, &opts, &d, err, sizeof(err));
 *   for (;;) {
 *       n = my_fds(pfd);
 *       n += gctl_dash_fds(d, pfd + n);
 *       poll(pfd, n, -1);
 *       ... my fds ...
 *       gctl_dash_dispatch(d, pfd, n);
 *       if (source done) break;
 *   }
 *   gctl_dash_finish(d, !exit_on_stop, sig_fd);  the final state
 *   gctl_dash_free(d);                            the terminal restored
 *
 * Signals: the view reads SIGWINCH from a signalfd of its own (and
 * resizes itself); SIGWINCH must therefore be blocked in every thread,
 * which gctl_dash_new does for the calling thread: threads created before
 * it must block SIGWINCH themselves.  SIGINT and SIGTERM stay the
 * caller's.  The terminal is restored by gctl_dash_free, at exit(), and
 * on a fatal signal (SIGSEGV, SIGABRT...) before the signal goes on.
 *
 * Standard error: while the view holds the terminal, anything written to
 * a standard error that is that terminal goes to a pipe instead, becomes
 * a line of the event list (ops->message) and is written out again once
 * the terminal is restored.  A redirected standard error is left alone.
 */
#ifndef GCTL_DASHBOARD_H
#define GCTL_DASHBOARD_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dash/stats.h"

struct gctl_dash_ops {
	/*
	 * Fill snap: the counts (gctl_stats_snapshot) and the source's own
	 * fields: vm, backend, run_state ("running", "paused", "done"), and
	 * per vCPU state and, where known, the hypervisor's counts.
	 */
	void (*snapshot)(void *ctx, struct gctl_stats_snap *snap);
	/* Controls; NULL where the source has none (keys then say so). */
	void (*pause)(void *ctx);
	void (*resume)(void *ctx);
	void (*step)(void *ctx, uint64_t n);	/* while paused: n exits */
	/* Stop the VM by force; force: stop waiting for it, too (q, q). */
	void (*stop)(void *ctx, bool force);
	/* A line of standard error caught while the view was up. */
	void (*message)(void *ctx, const char *line, size_t len);
};

struct gctl_dash_opts {
	unsigned int interval_ms; /* between snapshots; 0: 500 */
	uint64_t step;		  /* exits an "s" lets through; 0: 1 */
	const char *title;	  /* "gunyahctl run" */
};

#define GCTL_DASH_MAX_FDS 4
#define GCTL_DASH_INTERVAL_MS 500
#define GCTL_DASH_MIN_INTERVAL_MS 10
#define GCTL_DASH_MAX_INTERVAL_MS 60000

struct gctl_dash;

/* --interval MS (run, attach), or a usage error from inside argp. */
unsigned int gctl_dash_interval_arg(const char *cmd, const char *arg);
/* --dashboard: standard input and output must be a terminal, or a usage
 * error from inside argp. */
void gctl_dash_need_tty(const char *cmd);

/*
 * Take over the terminal (standard input and output, which must both be
 * one).  0, or -errno with a reason in err (the terminal is left as it
 * was).
 */
int gctl_dash_new(const struct gctl_dash_ops *ops, void *ctx,
		  const struct gctl_dash_opts *opts, struct gctl_dash **out,
		  char *err, size_t errlen);

/* The view's fds, POLLIN, into pfd (room for GCTL_DASH_MAX_FDS). */
unsigned int gctl_dash_fds(struct gctl_dash *d, struct pollfd *pfd);
/* After poll: handle what is ready among the view's fds in pfd. */
void gctl_dash_dispatch(struct gctl_dash *d, const struct pollfd *pfd,
			unsigned int n);
/* The user quit (q): the source was told to stop. */
bool gctl_dash_quitting(const struct gctl_dash *d);

/*
 * The source has ended: draw its final state.  With wait (and unless the
 * user quit already), keep showing it, browsable (focus, filter, help),
 * until q or another key, or until fd (if >= 0) is readable.
 */
void gctl_dash_finish(struct gctl_dash *d, bool wait, int fd);

/* Restore the terminal and write out the standard error caught. */
void gctl_dash_free(struct gctl_dash *d);

#endif /* GCTL_DASHBOARD_H */
