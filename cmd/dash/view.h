/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside the dashboard: its state, shared by the part that handles input
 * and snapshots (dashboard.c) and the part that draws (dash_draw.c).
 */
#ifndef GCTL_DASH_VIEW_H
#define GCTL_DASH_VIEW_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <curses.h>

#include "dash/term.h"
#include "dash/dashboard.h"

#define GCTL_DASH_NOTE_NS 3000000000ull /* how long a note stays */

/* Colour pairs, or the attributes that stand in for them. */
enum {
	C_TITLE = 1,
	C_HEAD,
	C_RUN,
	C_IDLE,
	C_PAUSED,
	C_STOPPED,
	C_READ,
	C_WRITE,
	C_STATUS,
	C_CONSOLE,
	C_MESSAGE,
};

struct gctl_dash_filter {
	const char *name;
	unsigned int kinds; /* mask of 1 << enum gctl_stats_kind */
};

/* What f cycles through. */
extern const struct gctl_dash_filter gctl_dash_filters[];
extern const unsigned int gctl_dash_nr_filters;

struct gctl_dash {
	const struct gctl_dash_ops *ops;
	void *ctx;
	unsigned int interval_ms;
	uint64_t step;
	const char *title;

	SCREEN *scr;
	bool color;
	int timer_fd, winch_fd;
	sigset_t old_mask;

	struct gctl_errcatch err; /* standard error, while the view is up */

	/* The view. */
	uint32_t focus; /* a vCPU, or GCTL_STATS_ANY_VCPU */
	unsigned int filter;
	bool help, quitting, ended, have_base, have_prev;
	char note[96];
	uint64_t note_until;
	/* prev: the last interval's snapshot, for rates; latest: the
	 * newest (== prev, or cur after a key); view: latest - base. */
	struct gctl_stats_snap *cur, *prev, *latest, *base, *view;
	struct gctl_stats_rates rates;
	struct gctl_stats_addr *top;
};

/* Draw the whole screen from d->view. */
void gctl_dash_draw(struct gctl_dash *d);
/* Colours, if the terminal has them and NO_COLOR is not set. */
void gctl_dash_colours(struct gctl_dash *d);
/* The source says it is paused. */
bool gctl_dash_paused(const struct gctl_dash *d);

#endif /* GCTL_DASH_VIEW_H */
