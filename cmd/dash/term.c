// SPDX-License-Identifier: GPL-2.0-only
/* Giving the terminal back, and keeping stderr off the screen (dash_term.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <curses.h>
#include <term.h>

#include "common.h"
#include "dash/term.h"

#define KEPT_MAX 65536 /* standard error kept for after the view */

/* ---- the guard ------------------------------------------------------------ */

/*
 * A fatal signal's handler can reach nothing but globals: what it needs
 * to give the terminal back is kept here while a view holds it.
 */
static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
				     SIGABRT, SIGQUIT };
#define NR_FATAL ARRAY_SIZE(fatal_signals)

static struct {
	volatile sig_atomic_t active;
	bool atexit_set;
	bool have_termios;
	struct termios termios;
	int saved_stderr;
	size_t seq_len;
	char seq[256]; /* attributes off, cursor on, keypad off, screen back */
	struct sigaction old[NR_FATAL];
} guard = { .saved_stderr = -1 };

/* Async-signal-safe: write, tcsetattr and dup2 only. */
static void guard_restore(void)
{
	if (!guard.active)
		return;
	guard.active = 0;
	if (guard.seq_len &&
	    write(STDOUT_FILENO, guard.seq, guard.seq_len) < 0) {
		/* nothing more to be done from here */
	}
	if (guard.have_termios)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &guard.termios);
	if (guard.saved_stderr >= 0)
		dup2(guard.saved_stderr, STDERR_FILENO);
}

static void guard_signal(int sig)
{
	guard_restore();
	for (size_t i = 0; i < NR_FATAL; i++)
		if (fatal_signals[i] == sig)
			sigaction(sig, &guard.old[i], NULL);
	/* Pending until we return: then the earlier action (a core dump, a
	 * sanitizer's report) takes it as if we had never been there. */
	raise(sig);
}

static void guard_atexit(void)
{
	guard_restore();
}

static void add_cap(const char *cap)
{
	const char *s = tigetstr(cap);
	size_t n;

	if (!s || s == (const char *)-1)
		return;
	n = strlen(s);
	if (guard.seq_len + n <= sizeof(guard.seq)) {
		memcpy(guard.seq + guard.seq_len, s, n);
		guard.seq_len += n;
	}
}

void gctl_term_guard_save(void)
{
	guard.have_termios = !tcgetattr(STDIN_FILENO, &guard.termios);
}

void gctl_term_guard_arm(int saved_stderr)
{
	struct sigaction sa = { .sa_handler = guard_signal };

	guard.seq_len = 0;
	add_cap("sgr0");
	add_cap("cnorm");
	add_cap("rmkx");
	add_cap("rmcup");
	guard.saved_stderr = saved_stderr;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NR_FATAL; i++)
		sigaction(fatal_signals[i], &sa, &guard.old[i]);
	if (!guard.atexit_set)
		guard.atexit_set = !atexit(guard_atexit);
	guard.active = 1;
}

void gctl_term_guard_disarm(void)
{
	if (!guard.active)
		return;
	guard.active = 0;
	for (size_t i = 0; i < NR_FATAL; i++)
		sigaction(fatal_signals[i], &guard.old[i], NULL);
	guard.saved_stderr = -1;
}

/* ---- the catcher -------------------------------------------------------- */

int gctl_errcatch_start(struct gctl_errcatch *c,
			void (*line)(void *ctx, const char *line, size_t len),
			void *ctx)
{
	int p[2], ret;

	*c = (struct gctl_errcatch){ .pipe = -1, .saved = -1, .line = line,
				     .ctx = ctx };
	if (!isatty(STDERR_FILENO))
		return 0;
	/*
	 * Non-blocking: a vCPU thread reporting into a full pipe loses the
	 * line rather than wait for the screen.
	 */
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	c->saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (c->saved < 0 || dup2(p[1], STDERR_FILENO) < 0) {
		ret = -errno;
		if (c->saved >= 0)
			close(c->saved);
		c->saved = -1;
		close(p[0]);
		close(p[1]);
		return ret;
	}
	close(p[1]);
	c->pipe = p[0];
	return 0;
}

static void keep(struct gctl_errcatch *c, const char *s, size_t n)
{
	if (!c->kept)
		c->kept = malloc(KEPT_MAX);
	if (!c->kept || c->kept_len + n > KEPT_MAX) {
		c->dropped += n;
		return;
	}
	memcpy(c->kept + c->kept_len, s, n);
	c->kept_len += n;
}

static void line_done(struct gctl_errcatch *c)
{
	if (!c->len)
		return;
	if (c->line)
		c->line(c->ctx, c->buf, c->len);
	keep(c, c->buf, c->len);
	keep(c, "\n", 1);
	c->len = 0;
}

void gctl_errcatch_read(struct gctl_errcatch *c)
{
	char buf[4096];
	ssize_t n;

	if (c->pipe < 0)
		return;
	while ((n = read(c->pipe, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				line_done(c);
				continue;
			}
			c->buf[c->len++] = buf[i];
			if (c->len == sizeof(c->buf))
				line_done(c);
		}
	}
}

void gctl_errcatch_stop(struct gctl_errcatch *c)
{
	size_t off = 0;
	ssize_t n;

	if (c->pipe < 0)
		return;
	gctl_errcatch_read(c);
	line_done(c);
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	close(c->pipe);
	c->saved = c->pipe = -1;

	while (off < c->kept_len) {
		n = write(STDERR_FILENO, c->kept + off, c->kept_len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (c->dropped)
		fprintf(stderr, "gunyahctl: %zu more bytes of messages were "
			"dropped while the dashboard was up\n", c->dropped);
	free(c->kept);
	c->kept = NULL;
	c->kept_len = c->dropped = 0;
}
