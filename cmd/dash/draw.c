// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dashboard's screen (dashboard.h), drawn whole from a snapshot:
 *
 *   row 0      title: what runs, backend, vCPUs, state, uptime
 *   row 1      totals: exits, exits/s, by kind, console bytes
 *   row 2      the view: focus, filter, interval, time since a reset
 *   rows       vCPUs: state, exits by kind, exits/s, last exit (and the
 *              focused one in full)
 *   rows       top MMIO addresses: count, reads, writes, vCPU, region
 *   rows       recent events, oldest first
 *   last row   keys, a note, or how the VM ended
 *
 * Fits 80x24; on a bigger terminal the lists get the room.  Curses
 * sends only what changed.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "dash/view.h"

#define MIN_ROWS 12
#define MIN_COLS 60
#define MMIO_ROWS 5	/* top addresses shown at 80x24 */
#define EVENT_ROWS_MIN 3

const struct gctl_dash_filter gctl_dash_filters[] = {
	{ "all", GCTL_EV_ALL },
	{ "mmio", 1u << GCTL_EV_MMIO },
	{ "page_fault", 1u << GCTL_EV_PAGE_FAULT },
	{ "status", 1u << GCTL_EV_STATUS },
	{ "unknown", 1u << GCTL_EV_UNKNOWN },
	{ "console", 1u << GCTL_EV_CONSOLE },
	{ "message", 1u << GCTL_EV_MESSAGE },
};

const unsigned int gctl_dash_nr_filters =
	ARRAY_SIZE(gctl_dash_filters);

/* ---- drawing helpers -------------------------------------------------- */

static attr_t attr(const struct gctl_dash *d, int pair)
{
	if (d->color)
		return COLOR_PAIR(pair) |
		       (pair == C_HEAD || pair == C_TITLE ? A_BOLD : 0);
	switch (pair) {
	case C_TITLE:
		return A_REVERSE;
	case C_HEAD:
	case C_PAUSED:
	case C_STATUS:
	case C_MESSAGE:
		return A_BOLD;
	default:
		return A_NORMAL;
	}
}

static void put(int row, int col, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Text at (row, col), cut at the right edge. */
static void put(int row, int col, attr_t a, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (row < 0 || row >= LINES || col < 0 || col >= COLS)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	attrset(a);
	mvaddnstr(row, col, buf, COLS - col);
	attrset(A_NORMAL);
}

/* A whole row in attribute a: left text, right text at the right edge. */
static void bar(int row, attr_t a, const char *left, const char *right)
{
	int rl = (int)strlen(right);

	attrset(a);
	mvhline(row, 0, ' ', COLS);
	mvaddnstr(row, 0, left, COLS);
	if (rl < COLS - (int)strlen(left) - 1)
		mvaddstr(row, COLS - rl, right);
	attrset(A_NORMAL);
}

/* v in at most width characters: exact if it fits, else 12.3M. */
static const char *num(char *buf, size_t len, uint64_t v, int width)
{
	static const char suffix[] = "kMGTPE";
	double x = (double)v;
	int i = -1;

	snprintf(buf, len, "%" PRIu64, v);
	if ((int)strlen(buf) <= width)
		return buf;
	while (x >= 999.95 && i < 5) {
		x /= 1000;
		i++;
	}
	snprintf(buf, len, "%.1f%c", x, suffix[i < 0 ? 0 : i]);
	if ((int)strlen(buf) > width)
		snprintf(buf, len, "%.0f%c", x, suffix[i < 0 ? 0 : i]);
	return buf;
}

static void duration(char *buf, size_t len, uint64_t ns)
{
	uint64_t ds = ns / 100000000ull, s = ds / 10;

	snprintf(buf, len, "%" PRIu64 ":%02u:%02u.%u", s / 3600,
		 (unsigned int)(s / 60 % 60), (unsigned int)(s % 60),
		 (unsigned int)(ds % 10));
}

static int state_pair(const char *state)
{
	if (!strcmp(state, "running"))
		return C_RUN;
	if (!strcmp(state, "idle"))
		return C_IDLE;
	if (!strcmp(state, "paused"))
		return C_PAUSED;
	if (!strcmp(state, "stopped") || !strcmp(state, "failed") ||
	    !strcmp(state, "done"))
		return C_STOPPED;
	return C_IDLE;
}

static int event_pair(const struct gctl_stats_event *e)
{
	switch (e->kind) {
	case GCTL_EV_MMIO:
		return e->mmio.is_write ? C_WRITE : C_READ;
	case GCTL_EV_CONSOLE:
		return C_CONSOLE;
	case GCTL_EV_MESSAGE:
		return C_MESSAGE;
	case GCTL_EV_STATUS:
	case GCTL_EV_PAGE_FAULT:
	case GCTL_EV_UNKNOWN:
		return C_STATUS;
	default:
		return 0;
	}
}

bool gctl_dash_paused(const struct gctl_dash *d)
{
	return d->latest->run_state == GCTL_VMM_PAUSED;
}

/* The last exit, short, for the vCPU table. */
static void last_short(const struct gctl_stats_vcpu *v, char *buf, size_t len)
{
	const struct gctl_stats_event *e = &v->last;

	if (!v->have_last) {
		snprintf(buf, len, "-");
		return;
	}
	switch (e->kind) {
	case GCTL_EV_MMIO:
		snprintf(buf, len, "%c 0x%08" PRIx64,
			 e->mmio.is_write ? 'w' : 'r', e->mmio.phys_addr);
		break;
	case GCTL_EV_PAGE_FAULT:
		snprintf(buf, len, "pf 0x%08" PRIx64, e->page_fault.phys_addr);
		break;
	case GCTL_EV_STATUS:
		snprintf(buf, len, "%s",
			 gh_exit_type_str(e->status.exit_info.type));
		break;
	default:
		snprintf(buf, len, "exit %u", e->reason);
		break;
	}
}

/* ---- the screen --------------------------------------------------------- */

static void draw_title(struct gctl_dash *d, int row)
{
	const struct gctl_stats_snap *s = d->view;
	const char *name = gctl_vmm_state_str(s->run_state);
	char left[256], right[96], up[32], state[16];
	size_t i;

	for (i = 0; i + 1 < sizeof(state) && name[i]; i++)
		state[i] = (char)toupper((unsigned char)name[i]);
	state[i] = 0;
	duration(up, sizeof(up), s->uptime_ns);
	snprintf(left, sizeof(left), " %s  %s  backend %s  vCPUs %u",
		 d->title, s->vm, s->backend, s->nr_vcpus);
	snprintf(right, sizeof(right), "%s  up %s ", state, up);
	bar(row, attr(d, C_TITLE), left, right);
}

static void draw_totals(struct gctl_dash *d, int row)
{
	const struct gctl_stats_snap *s = d->view;
	const struct gctl_counters *t = &s->total;
	char a[24], b[24], c[24], e[24], f[24], g[24], h[24];

	put(row, 0, A_NORMAL,
	    " exits %s  %s/s  mmio r %s w %s  pf %s  status %s  console %s B",
	    num(a, sizeof(a), t->exits, 12),
	    num(b, sizeof(b), (uint64_t)(d->rates.total + 0.5), 9),
	    num(c, sizeof(c), t->mmio_read, 9),
	    num(e, sizeof(e), t->mmio_write, 9),
	    num(f, sizeof(f), t->page_fault, 9),
	    num(g, sizeof(g), t->status, 4),
	    num(h, sizeof(h), s->console_bytes, 9));
}

/* After the vCPU table, which says which vCPUs fit (first, n). */
static void draw_settings(struct gctl_dash *d, int row, unsigned int first,
			  unsigned int n)
{
	char focus[16] = "all", since[64] = "", shown[48] = "";
	char up[32];

	if (d->focus != GCTL_STATS_ANY_VCPU)
		snprintf(focus, sizeof(focus), "vcpu%u", d->focus);
	if (d->have_base) {
		duration(up, sizeof(up), d->latest->t_ns - d->base->t_ns);
		snprintf(since, sizeof(since), "  since reset %s", up);
	}
	if (n < d->view->nr_vcpus)
		snprintf(shown, sizeof(shown), "  vCPUs %u-%u of %u (Tab)",
			 first, first + n - 1, d->view->nr_vcpus);
	put(row, 0, A_NORMAL, " focus %s  filter %s  every %u ms%s%s", focus,
	    gctl_dash_filters[d->filter].name, d->interval_ms, since, shown);
}

static void vcpu_line(struct gctl_dash *d, int row, unsigned int i)
{
	const struct gctl_stats_vcpu *v = &d->view->vcpu[i];
	const struct gctl_counters *c = &v->cnt;
	char name[16], a[24], b[24], e[24], f[24], g[24], h[24], last[40];
	const char *state = v->state[0] ? v->state : "-";
	bool focused = d->focus == i;
	attr_t fa = focused ? A_REVERSE : A_NORMAL;

	snprintf(name, sizeof(name), "vcpu%u", i);
	last_short(v, last, sizeof(last));
	put(row, 0, fa, "%c%-6s %-8s %9s %8s %9s %9s %5s %2s  %s",
	    focused ? '>' : ' ', name, "", num(a, sizeof(a), c->exits, 9),
	    num(b, sizeof(b), (uint64_t)(d->rates.vcpu[i] + 0.5), 8),
	    num(e, sizeof(e), c->mmio_read, 9),
	    num(f, sizeof(f), c->mmio_write, 9),
	    num(g, sizeof(g), c->page_fault, 5),
	    num(h, sizeof(h), c->status + c->unknown, 2), last);
	put(row, 8, fa | attr(d, state_pair(state)), "%-8.8s", state);
}

/* The focused vCPU in full: its last exit, the hypervisor's counts. */
static int focus_lines(struct gctl_dash *d, int row, int rows)
{
	const struct gctl_stats_vcpu *v = &d->view->vcpu[d->focus];
	char buf[256];
	int n = 0;

	if (n < rows) {
		if (v->have_last) {
			gctl_stats_event_str(d->view, &v->last, buf, sizeof(buf));
			put(row + n++, 0, A_NORMAL, "   last #%" PRIu64 ": %s",
			    v->last.seq, buf);
		} else {
			put(row + n++, 0, A_NORMAL, "   no exit yet");
		}
	}
	if (n < rows && v->have_hyp)
		put(row + n++, 0, A_NORMAL,
		    "   hypervisor: slices %" PRIu64 "  wfi %" PRIu64
		    "  wakeups %" PRIu64 "  psci %" PRIu64 "  off %" PRIu64,
		    (uint64_t)v->hyp.ready,
		    (uint64_t)v->hyp.expects_wakeup, (uint64_t)v->hyp.wakeups,
		    (uint64_t)v->hyp.psci, (uint64_t)v->hyp.powered_off);
	return n;
}

/* Sets *first and *shown to the vCPUs that fit. */
static int draw_vcpus(struct gctl_dash *d, int row, int rows,
		      unsigned int *first_out, unsigned int *shown)
{
	unsigned int nr = d->view->nr_vcpus, first = 0, n;
	int extra = d->focus != GCTL_STATS_ANY_VCPU ?
			    1 + d->view->vcpu[d->focus].have_hyp : 0;
	int nlines = rows - 1 - extra;

	if (nlines < 1) {
		extra = 0;
		nlines = rows - 1;
	}
	n = nr < (unsigned int)nlines ? nr : (unsigned int)nlines;
	/* Too many to show: a window with the focused one in it. */
	if (n < nr && d->focus != GCTL_STATS_ANY_VCPU && d->focus >= n)
		first = d->focus - n + 1;
	*first_out = first;
	*shown = n;
	put(row, 0, attr(d, C_HEAD), " %-6s %-8s %9s %8s %9s %9s %5s %2s  %s",
	    "VCPU", "STATE", "EXITS", "EXITS/S", "MMIO-R", "MMIO-W", "PF", "ST",
	    "LAST EXIT");
	for (unsigned int i = 0; i < n; i++)
		vcpu_line(d, row + 1 + (int)i, first + i);
	if (extra)
		extra = focus_lines(d, row + 1 + (int)n, extra);
	return row + 1 + (int)n + extra;
}

static unsigned int nr_top(struct gctl_dash *d)
{
	return gctl_stats_top_addrs(d->view, d->focus, d->top);
}

static int draw_mmio(struct gctl_dash *d, int row, int rows,
		     unsigned int ntop)
{
	const struct gctl_stats_snap *s = d->view;
	char head[48] = "MMIO ADDRESS";
	uint64_t other = s->other_reads + s->other_writes;
	int room = rows - 1, show;
	bool more;

	if (d->focus != GCTL_STATS_ANY_VCPU)
		snprintf(head, sizeof(head), "MMIO ADDRESS (vcpu%u)", d->focus);
	put(row, 0, attr(d, C_HEAD), " %-19s %9s %9s %9s  %-6s %s", head,
	    "COUNT", "READS", "WRITES", "VCPU", "REGION");
	if (!ntop && !other) {
		if (rows > 1)
			put(row + 1, 0, A_NORMAL, "   (no MMIO exits yet)");
		return row + rows;
	}
	more = ntop > (unsigned int)room || other;
	show = more ? room - 1 : (int)ntop;
	if (show < 0)
		show = 0;
	for (int i = 0; i < show && i < (int)ntop; i++) {
		const struct gctl_stats_addr *a = &d->top[i];
		const char *region = gctl_stats_region(s, a->region);
		char addr[24], cnt[24], r[24], w[24], who[16];

		snprintf(addr, sizeof(addr), "0x%08" PRIx64, a->addr);
		if (a->vcpu == GCTL_STATS_ANY_VCPU)
			snprintf(who, sizeof(who), "*");
		else
			snprintf(who, sizeof(who), "vcpu%u", a->vcpu);
		put(row + 1 + i, 0, A_NORMAL,
		    "   %-18s %9s %9s %9s  %-6s %s", addr,
		    num(cnt, sizeof(cnt), a->reads + a->writes, 9),
		    num(r, sizeof(r), a->reads, 9),
		    num(w, sizeof(w), a->writes, 9), who,
		    region ? region : "-");
	}
	if (more && room > 0) {
		char o[24];
		unsigned int rest = ntop > (unsigned int)show ?
					    ntop - (unsigned int)show : 0;

		if (other)
			put(row + 1 + show, 0, A_NORMAL,
			    "   (%u more; %s accesses to addresses not tracked)",
			    rest, num(o, sizeof(o), other, 9));
		else
			put(row + 1 + show, 0, A_NORMAL, "   (%u more)", rest);
	}
	return row + rows;
}

static void draw_events(struct gctl_dash *d, int row, int rows)
{
	const struct gctl_stats_event *ev[GCTL_EV__COUNT * GCTL_STATS_RING];
	unsigned int n;
	char body[256];

	put(row, 0, attr(d, C_HEAD), " EVENTS (%s%s)", gctl_dash_filters[d->filter].name,
	    d->focus != GCTL_STATS_ANY_VCPU ? ", focused vCPU" : "");
	if (rows < 2)
		return;
	n = gctl_stats_recent(d->view, gctl_dash_filters[d->filter].kinds, d->focus, ev,
			      (unsigned int)rows - 1);
	if (!n)
		put(row + 1, 0, A_NORMAL, "   (none yet)");
	for (unsigned int i = 0; i < n; i++) {
		const struct gctl_stats_event *e = ev[i];
		double t = (double)e->t_ns / 1e9;

		gctl_stats_event_str(d->view, e, body, sizeof(body));
		if (e->vcpu == GCTL_STATS_NO_VCPU)
			put(row + 1 + (int)i, 0, attr(d, event_pair(e)),
			    " %7.3f %s", t, body);
		else
			put(row + 1 + (int)i, 0, attr(d, event_pair(e)),
			    " %7.3f #%" PRIu64 " vcpu%u %s", t, e->seq,
			    e->vcpu, body);
	}
}

static void draw_keys(struct gctl_dash *d, int row)
{
	const struct gctl_stats_snap *s = d->view;
	char left[192];

	if (d->note[0] && gctl_now_ns() < d->note_until)
		snprintf(left, sizeof(left), " %s", d->note);
	else if (d->ended && s->done)
		snprintf(left, sizeof(left),
			 " VM ended: %s, exit status %d.  q: leave  0-9 Tab f r ?: look around",
			 s->result, s->exit_code);
	else if (d->ended || d->quitting)
		snprintf(left, sizeof(left), " stopping the VM...");
	else
		snprintf(left, sizeof(left),
			 " q quit  p %s  s step  0-9 Tab focus  f filter  r reset  ? help",
			 gctl_dash_paused(d) ? "resume" : "pause");
	bar(row, attr(d, C_TITLE), left, "");
}

static void draw_help(struct gctl_dash *d)
{
	static const char *const text[] = {
		"q        stop the VM and quit (again: stop waiting)",
		"p        pause every vCPU / run again",
		"s        paused: let one exit through (--step=N: N)",
		"         running: pause",
		"0-9      focus that vCPU (again: all of them)",
		"Tab      focus the next vCPU (Shift-Tab: the one before)",
		"Esc      focus all vCPUs",
		"f        events of one kind: all, mmio, page_fault,",
		"         status, unknown, console, message",
		"r        reset the counts (this view's only)",
		"Ctrl-L   redraw",
		"?        this help (any key closes it)",
	};
	/* A view of a VM in another process leaves it running. */
	const char *q = d->ops->stop ? text[0] : "q        leave (the VM runs on)";
	int h = (int)ARRAY_SIZE(text) + 4, w = 62;
	int top = (LINES - h) / 2, left = (COLS - w) / 2;

	if (top < 0 || left < 0)
		return;
	for (int r = 0; r < h; r++)
		mvhline(top + r, left, ' ', w);
	/* Plain ASCII: line drawing depends on the locale and terminal. */
	attrset(attr(d, C_HEAD));
	mvhline(top, left, '-', w);
	mvhline(top + h - 1, left, '-', w);
	mvvline(top, left, '|', h);
	mvvline(top, left + w - 1, '|', h);
	mvaddch(top, left, '+');
	mvaddch(top, left + w - 1, '+');
	mvaddch(top + h - 1, left, '+');
	mvaddch(top + h - 1, left + w - 1, '+');
	mvaddstr(top, left + 2, " Keys ");
	attrset(A_NORMAL);
	for (int i = 0; i < h - 4; i++)
		mvaddnstr(top + 2 + i, left + 3, i ? text[i] : q, w - 5);
}

void gctl_dash_draw(struct gctl_dash *d)
{
	int avail, ev_rows, mmio_rows, mmio_max, vcpu_rows, row, want_vcpu;
	unsigned int ntop, first, shown;

	erase();
	if (LINES < MIN_ROWS || COLS < MIN_COLS) {
		put(0, 0, A_NORMAL, "terminal too small: %dx%d, want %dx%d",
		    COLS, LINES, MIN_COLS, MIN_ROWS);
		put(1, 0, A_NORMAL, "q quits");
		refresh();
		return;
	}
	draw_title(d, 0);
	draw_totals(d, 1);

	/* Rows between the settings line and the key line, headers in. */
	avail = LINES - 4;
	ntop = nr_top(d);
	/* A quarter of a tall terminal, at least MMIO_ROWS. */
	mmio_max = avail / 4 > (int)MMIO_ROWS ? avail / 4 : (int)MMIO_ROWS;
	mmio_rows = 1 + (ntop ? (ntop < (unsigned int)mmio_max ? (int)ntop : mmio_max) : 1);
	if (ntop > (unsigned int)mmio_max ||
	    d->view->other_reads + d->view->other_writes)
		mmio_rows++;
	want_vcpu = 1 + (int)d->view->nr_vcpus;
	if (d->focus != GCTL_STATS_ANY_VCPU)
		want_vcpu += 1 + d->view->vcpu[d->focus].have_hyp;
	vcpu_rows = avail - mmio_rows - 1 - EVENT_ROWS_MIN;
	if (vcpu_rows > want_vcpu)
		vcpu_rows = want_vcpu;
	if (vcpu_rows < 2)
		vcpu_rows = 2;
	ev_rows = avail - vcpu_rows - mmio_rows;

	row = draw_vcpus(d, 3, vcpu_rows, &first, &shown);
	draw_settings(d, 2, first, shown);
	row = draw_mmio(d, row, mmio_rows, ntop);
	draw_events(d, row, ev_rows);
	draw_keys(d, LINES - 1);
	if (d->help)
		draw_help(d);
	refresh();
}

void gctl_dash_colours(struct gctl_dash *d)
{
	const char *no = getenv("NO_COLOR");

	/* https://no-color.org: any non-empty value. */
	d->color = has_colors() && !(no && *no) && start_color() == OK;
	if (!d->color)
		return;
	use_default_colors();
	init_pair(C_TITLE, COLOR_WHITE, COLOR_BLUE);
	init_pair(C_HEAD, COLOR_CYAN, -1);
	init_pair(C_RUN, COLOR_GREEN, -1);
	init_pair(C_IDLE, COLOR_CYAN, -1);
	init_pair(C_PAUSED, COLOR_YELLOW, -1);
	init_pair(C_STOPPED, COLOR_RED, -1);
	init_pair(C_READ, COLOR_CYAN, -1);
	init_pair(C_WRITE, -1, -1);
	init_pair(C_STATUS, COLOR_YELLOW, -1);
	init_pair(C_CONSOLE, COLOR_GREEN, -1);
	init_pair(C_MESSAGE, COLOR_RED, -1);
}
