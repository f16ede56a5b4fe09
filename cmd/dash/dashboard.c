// SPDX-License-Identifier: GPL-2.0-only
/*
 * The live dashboard (dashboard.h): taking the terminal and giving it
 * back, the poll loop's side (keys, the interval, resizes, caught stderr),
 * snapshots and what the keys do.  The screen is drawn by dash_draw.c.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>
#include <term.h>

#include "common.h"
#include "gunyahctl.h"
#include "dash/view.h"

/* ---- the model side ------------------------------------------------------ */

static void swap(struct gctl_stats_snap **a, struct gctl_stats_snap **b)
{
	struct gctl_stats_snap *t = *a;

	*a = *b;
	*b = t;
}

/* A new snapshot; tick: the interval's, which the rates are taken over. */
static void update(struct gctl_dash *d, bool tick)
{
	d->ops->snapshot(d->ctx, d->cur);
	if (tick) {
		if (d->have_prev)
			gctl_stats_rates(d->prev, d->cur, &d->rates);
		swap(&d->cur, &d->prev);
		d->have_prev = true;
		d->latest = d->prev;
	} else {
		d->latest = d->cur;
	}
	/* At the end the rates say nothing more. */
	if (d->latest->done)
		memset(&d->rates, 0, sizeof(d->rates));
	memcpy(d->view, d->latest, sizeof(*d->view));
	if (d->have_base)
		gctl_stats_sub(d->view, d->base);
	if (d->focus != GCTL_STATS_ANY_VCPU && d->focus >= d->view->nr_vcpus)
		d->focus = GCTL_STATS_ANY_VCPU;
}

static void note(struct gctl_dash *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A short word on the key line, for a few seconds. */
static void note(struct gctl_dash *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->note, sizeof(d->note), fmt, ap);
	va_end(ap);
	d->note_until = gctl_now_ns() + GCTL_DASH_NOTE_NS;
}

static void resize(struct gctl_dash *d)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row &&
	    ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	gctl_dash_draw(d);
}

static void focus_step(struct gctl_dash *d, int dir)
{
	unsigned int nr = d->latest->nr_vcpus;

	if (!nr)
		return;
	if (d->focus == GCTL_STATS_ANY_VCPU)
		d->focus = dir > 0 ? 0 : nr - 1;
	else if (dir > 0)
		d->focus = d->focus + 1 < nr ? d->focus + 1 : GCTL_STATS_ANY_VCPU;
	else
		d->focus = d->focus ? d->focus - 1 : GCTL_STATS_ANY_VCPU;
}

/* Keys that change only the view.  False: not one of them. */
static bool view_key(struct gctl_dash *d, int c)
{
	switch (c) {
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9': {
		uint32_t v = (uint32_t)(c - '0');

		if (v >= d->latest->nr_vcpus)
			note(d, "no vcpu%u (vCPUs 0-%u)", v,
			     d->latest->nr_vcpus - 1);
		else
			d->focus = d->focus == v ? GCTL_STATS_ANY_VCPU : v;
		return true;
	}
	case '\t':
		focus_step(d, 1);
		return true;
	case KEY_BTAB:
		focus_step(d, -1);
		return true;
	case 27: /* Esc */
		d->focus = GCTL_STATS_ANY_VCPU;
		return true;
	case 'f':
		d->filter = (d->filter + 1) % gctl_dash_nr_filters;
		return true;
	case 'F':
		d->filter = (d->filter + gctl_dash_nr_filters - 1) %
			    gctl_dash_nr_filters;
		return true;
	case 'r':
		memcpy(d->base, d->latest, sizeof(*d->base));
		d->have_base = true;
		note(d, "counts reset");
		return true;
	case '?':
	case 'h':
		d->help = !d->help;
		return true;
	case 12: /* Ctrl-L */
		clearok(curscr, TRUE);
		return true;
	case KEY_RESIZE:
		return true;
	default:
		return false;
	}
}

/* Keys that act on the source. */
static void control_key(struct gctl_dash *d, int c)
{
	const struct gctl_dash_ops *o = d->ops;

	switch (c) {
	case 'q':
	case 'Q':
		if (!o->stop) {
			d->quitting = true; /* nothing to stop: just leave */
			break;
		}
		o->stop(d->ctx, d->quitting);
		d->quitting = true;
		break;
	case 'p':
		if (!o->pause || !o->resume)
			note(d, "this VM cannot be paused from here");
		else if (gctl_dash_paused(d))
			o->resume(d->ctx);
		else
			o->pause(d->ctx);
		break;
	case 's':
		if (!o->pause || !o->step)
			note(d, "this VM cannot be stepped from here");
		else if (gctl_dash_paused(d))
			o->step(d->ctx, d->step);
		else
			o->pause(d->ctx);
		break;
	default:
		break;
	}
}

/* Read every key there is.  Returns false if a key asks to leave the
 * final screen. */
static bool read_keys(struct gctl_dash *d)
{
	bool stay = true, any = false;
	int c;

	while ((c = getch()) != ERR) {
		any = true;
		if (d->help && c != '?' && c != 'h') {
			d->help = false;
			if (c == 27)
				continue;
		}
		if (view_key(d, c))
			continue;
		if (d->ended)
			stay = false; /* any other key leaves the final screen */
		else
			control_key(d, c);
	}
	if (any) {
		update(d, false);
		gctl_dash_draw(d);
	}
	return stay;
}

/* ---- the interface -------------------------------------------------------- */

static int arm_timer(int fd, unsigned int ms)
{
	struct itimerspec its = {
		.it_interval = { .tv_sec = ms / 1000,
				 .tv_nsec = (long)(ms % 1000) * 1000000 },
	};

	its.it_value = its.it_interval;
	return timerfd_settime(fd, 0, &its, NULL) ? -errno : 0;
}

static void free_parts(struct gctl_dash *d)
{
	if (d->timer_fd >= 0)
		close(d->timer_fd);
	if (d->winch_fd >= 0) {
		close(d->winch_fd);
		pthread_sigmask(SIG_SETMASK, &d->old_mask, NULL);
	}
	free(d->cur);
	free(d->prev);
	free(d->base);
	free(d->view);
	free(d->top);
	free(d);
}

int gctl_dash_new(const struct gctl_dash_ops *ops, void *ctx,
		  const struct gctl_dash_opts *opts, struct gctl_dash **out,
		  char *err, size_t errlen)
{
	struct gctl_dash *d;
	const char *term = getenv("TERM");
	sigset_t winch;
	int ret, term_err;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "standard input and output must be a terminal");
		return -ENOTTY;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		goto nomem;
	d->ops = ops;
	d->ctx = ctx;
	d->interval_ms = opts->interval_ms ? opts->interval_ms :
					     GCTL_DASH_INTERVAL_MS;
	d->step = opts->step ? opts->step : 1;
	d->title = opts->title ? opts->title : "gunyahctl";
	d->focus = GCTL_STATS_ANY_VCPU;
	d->timer_fd = d->winch_fd = d->err.pipe = d->err.saved = -1;
	d->cur = calloc(1, sizeof(*d->cur));
	d->prev = calloc(1, sizeof(*d->prev));
	d->base = calloc(1, sizeof(*d->base));
	d->view = calloc(1, sizeof(*d->view));
	d->top = calloc(GCTL_STATS_MAX_ADDRS, sizeof(*d->top));
	if (!d->cur || !d->prev || !d->base || !d->view || !d->top) {
		free_parts(d);
		goto nomem;
	}

	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &winch, &d->old_mask);
	d->winch_fd = signalfd(-1, &winch, SFD_NONBLOCK | SFD_CLOEXEC);
	d->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->winch_fd < 0 || d->timer_fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", d->winch_fd < 0 ? "signalfd" :
			 "timerfd", strerror(-ret));
		free_parts(d);
		return ret;
	}

	/*
	 * Ask terminfo first: a newterm that fails leaks what it set up,
	 * setupterm cleans up after itself.
	 */
	if (setupterm(NULL, STDOUT_FILENO, &term_err) != OK) {
		snprintf(err, errlen, "TERM=%s: not a terminal ncurses can drive",
			 term ? term : "(unset)");
		free_parts(d);
		return -ENOTTY;
	}
	del_curterm(cur_term);
	gctl_term_guard_save();
	d->scr = newterm(NULL, stdout, stdin);
	if (!d->scr) {
		snprintf(err, errlen, "TERM=%s: not a terminal ncurses can drive",
			 term ? term : "(unset)");
		free_parts(d);
		return -ENOTTY;
	}
	set_term(d->scr);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	leaveok(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	gctl_dash_colours(d);

	ret = gctl_errcatch_start(&d->err, d->ops->message, d->ctx);
	gctl_term_guard_arm(d->err.saved);
	if (!ret)
		ret = arm_timer(d->timer_fd, d->interval_ms);
	if (ret) {
		snprintf(err, errlen, "%s", strerror(-ret));
		gctl_dash_free(d);
		return ret;
	}
	update(d, true);
	gctl_dash_draw(d);
	*out = d;
	return 0;

nomem:
	snprintf(err, errlen, "%s", strerror(ENOMEM));
	return -ENOMEM;
}

unsigned int gctl_dash_fds(struct gctl_dash *d, struct pollfd *pfd)
{
	unsigned int n = 0;

	pfd[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	pfd[n++] = (struct pollfd){ .fd = d->winch_fd, .events = POLLIN };
	if (!d->ended)
		pfd[n++] = (struct pollfd){ .fd = d->timer_fd, .events = POLLIN };
	if (d->err.pipe >= 0)
		pfd[n++] = (struct pollfd){ .fd = d->err.pipe, .events = POLLIN };
	return n;
}

/* Returns false if a key asks to leave the final screen. */
static bool dispatch(struct gctl_dash *d, const struct pollfd *pfd,
		     unsigned int n)
{
	bool stay = true;

	for (unsigned int i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == d->timer_fd) {
			uint64_t ticks;

			if (read(d->timer_fd, &ticks, sizeof(ticks)) > 0) {
				update(d, true);
				gctl_dash_draw(d);
			}
		} else if (pfd[i].fd == d->winch_fd) {
			struct signalfd_siginfo si;

			while (read(d->winch_fd, &si, sizeof(si)) > 0)
				;
			resize(d);
		} else if (d->err.pipe >= 0 && pfd[i].fd == d->err.pipe) {
			gctl_errcatch_read(&d->err);
		} else if (pfd[i].fd == STDIN_FILENO) {
			stay = read_keys(d);
		}
	}
	return stay;
}

void gctl_dash_dispatch(struct gctl_dash *d, const struct pollfd *pfd,
			unsigned int n)
{
	dispatch(d, pfd, n);
}

bool gctl_dash_quitting(const struct gctl_dash *d)
{
	return d->quitting;
}

void gctl_dash_finish(struct gctl_dash *d, bool wait, int fd)
{
	struct pollfd pfd[GCTL_DASH_MAX_FDS + 1];
	unsigned int n;

	d->ended = true;
	gctl_errcatch_read(&d->err);
	update(d, true);
	gctl_dash_draw(d);
	if (!wait || d->quitting)
		return;
	for (;;) {
		n = gctl_dash_fds(d, pfd);
		if (fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (fd >= 0 && pfd[n - 1].revents)
			return;
		if (!dispatch(d, pfd, n))
			return;
	}
}

void gctl_dash_free(struct gctl_dash *d)
{
	if (!d)
		return;
	if (d->scr) {
		gctl_errcatch_read(&d->err);
		endwin();
		delscreen(d->scr);
		d->scr = NULL;
	}
	gctl_term_guard_disarm();
	gctl_errcatch_stop(&d->err);
	free_parts(d);
}

unsigned int gctl_dash_interval_arg(const char *cmd, const char *arg)
{
	uint64_t ms;

	if (gctl_parse_u64(arg, &ms) || ms < GCTL_DASH_MIN_INTERVAL_MS ||
	    ms > GCTL_DASH_MAX_INTERVAL_MS)
		gctl_usage_err(cmd, "--interval %s: want %d to %d ms", arg,
			       GCTL_DASH_MIN_INTERVAL_MS, GCTL_DASH_MAX_INTERVAL_MS);
	return (unsigned int)ms;
}

void gctl_dash_need_tty(const char *cmd)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		gctl_usage_err(cmd, "--dashboard: standard input and output "
			       "must be a terminal");
}
