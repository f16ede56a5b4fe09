// SPDX-License-Identifier: GPL-2.0-only
/* The step-mode controller: commands in, engine controls out (step.h). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gunyahctl.h"
#include "engine/stepper.h"

#define STEP_LINE_MAX 4096
#define STEP_MEM_DEFAULT 64
#define STEP_MEM_MAX 4096

struct gctl_step {
	struct gctl_vmm *vmm;
	struct gctl_sink sink;
	int fd;
	uint64_t every;
	bool interactive; /* a terminal: prompt on stderr */
	bool eof;
	bool quit;
	bool running;	  /* after c: free-running */
	bool prompted;	  /* prompt shown for this stop */
	size_t len;
	char buf[STEP_LINE_MAX];
};

int gctl_step_new(struct gctl_vmm *vmm, const struct gctl_sink *sink,
		  int fd, uint64_t every, struct gctl_step **out)
{
	struct gctl_step *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	st->vmm = vmm;
	st->sink = *sink;
	st->fd = fd;
	st->every = every ? every : 1;
	st->interactive = isatty(fd);
	*out = st;
	return 0;
}

void gctl_step_free(struct gctl_step *st)
{
	free(st);
}

static void help(void)
{
	fputs("step commands:\n"
	      "  Enter, s [N]   run to the next exit (or the next N)\n"
	      "  c              continue (s or p pauses again)\n"
	      "  p              pause (also while a step is under way)\n"
	      "  r [VCPU]       show registers (sim backend)\n"
	      "  m ADDR [LEN]   dump guest memory\n"
	      "  q              stop the VM and quit\n", stderr);
}

static void prompt(struct gctl_step *st, enum gctl_vmm_state state)
{
	if (!st->interactive || st->prompted || state != GCTL_VMM_PAUSED ||
	    st->quit)
		return;
	fputs("step> ", stderr);
	fflush(stderr);
	st->prompted = true;
}

static void do_regs(struct gctl_step *st, const char *arg)
{
	unsigned int vcpu = gctl_vmm_last_vcpu(st->vmm);
	struct gh_sim_regs regs;
	uint64_t v;
	int ret;

	if (*arg) {
		if (gctl_parse_u64(arg, &v) ||
		    v >= gctl_vmm_nr_vcpus(st->vmm)) {
			gctl_err("run", "step: r %s: no such vCPU (0 to %u)",
				 arg, gctl_vmm_nr_vcpus(st->vmm) - 1);
			return;
		}
		vcpu = (unsigned int)v;
	}
	ret = gctl_vmm_regs(st->vmm, vcpu, &regs);
	if (ret == -ENOTTY) {
		gctl_err("run", "step: r: registers need the sim backend");
		return;
	}
	if (ret) {
		gctl_err("run", "step: r: vcpu%u: %s", vcpu, strerror(-ret));
		return;
	}
	gctl_sink_regs(&st->sink, vcpu, &regs);
}

/*
 * m ADDR LEN did not fit in guest RAM: say which part is outside.  The
 * readable part is a prefix (a range is read from one region), found by
 * halving: len is at most STEP_MEM_MAX, so a dozen reads.
 */
static void mem_outside(struct gctl_step *st, uint64_t addr, uint64_t len,
			void *buf)
{
	uint64_t ok = 0, bad = len;

	while (bad - ok > 1) {
		uint64_t mid = ok + (bad - ok) / 2;

		if (gctl_vmm_read_mem(st->vmm, addr, buf, mid))
			bad = mid;
		else
			ok = mid;
	}
	if (!ok)
		gctl_err("run", "step: m %#" PRIx64 " %" PRIu64
			 ": not in guest RAM", addr, len);
	else
		gctl_err("run", "step: m %#" PRIx64 " %" PRIu64 ": [%#" PRIx64
			 ", %#" PRIx64 ") is not in guest RAM (only the first %"
			 PRIu64 " bytes are)", addr, len, addr + ok, addr + len,
			 ok);
}

static void do_mem(struct gctl_step *st, char *arg)
{
	char *len_s = arg + strcspn(arg, " \t");
	unsigned char *buf;
	uint64_t addr, len = STEP_MEM_DEFAULT;
	int ret;

	if (*len_s) {
		*len_s++ = 0;
		len_s += strspn(len_s, " \t");
	}
	if (!*arg || gctl_parse_u64(arg, &addr)) {
		gctl_err("run", "step: m: want an address: m ADDR [LEN]");
		return;
	}
	if (*len_s && (gctl_parse_size(len_s, &len) || !len ||
		       len > STEP_MEM_MAX)) {
		gctl_err("run", "step: m: %s: want a length of 1 to %d",
			 len_s, STEP_MEM_MAX);
		return;
	}
	buf = malloc(len);
	if (!buf) {
		gctl_err("run", "step: m: %s", strerror(ENOMEM));
		return;
	}
	ret = gctl_vmm_read_mem(st->vmm, addr, buf, len);
	if (ret == -EFAULT)
		mem_outside(st, addr, len, buf);
	else if (ret)
		gctl_err("run", "step: m %#" PRIx64 " %" PRIu64 ": %s", addr,
			 len, ret == -ENOTTY ? "not readable on this backend" :
			 strerror(-ret));
	else
		gctl_sink_memory(&st->sink, addr, buf, len);
	free(buf);
}

/* The first word of a line. */
static bool first_word_is(const char *line, const char *word)
{
	size_t n;

	line += strspn(line, " \t");
	n = strcspn(line, " \t\r\n");
	return n == strlen(word) && !strncmp(line, word, n);
}

/*
 * A person at a terminal may quit or pause while a step is still running
 * (a guest that never exits again); a script's lines keep their order.
 */
static bool urgent(const struct gctl_step *st, const char *line)
{
	return st->interactive &&
	       (first_word_is(line, "q") || first_word_is(line, "p"));
}

static void pause_now(struct gctl_step *st, enum gctl_vmm_state *state)
{
	st->running = false;
	gctl_vmm_pause(st->vmm);
	*state = GCTL_VMM_PAUSED;
}

/* Run one command line.  Returns false when it set the engine going. */
static bool command(struct gctl_step *st, char *line,
		    enum gctl_vmm_state *state)
{
	bool paused = *state == GCTL_VMM_PAUSED;
	char *arg;
	uint64_t n;

	while (isspace((unsigned char)*line))
		line++;
	line[strcspn(line, "\r\n")] = 0;
	for (size_t l = strlen(line); l && isspace((unsigned char)line[l - 1]);)
		line[--l] = 0;
	arg = line + strcspn(line, " \t");
	if (*arg) {
		*arg++ = 0;
		arg += strspn(arg, " \t");
	}

	if (!strcmp(line, "p")) {
		if (!paused)
			pause_now(st, state);
		return true;
	}
	if (!*line || !strcmp(line, "s")) {
		if (!paused) { /* free-running after c: s pauses */
			pause_now(st, state);
			return true;
		}
		n = st->every;
		if (*arg && (gctl_parse_u64(arg, &n) || !n)) {
			gctl_err("run", "step: s %s: want a count of 1 or more",
				 arg);
			return true;
		}
		gctl_vmm_step(st->vmm, n);
		*state = GCTL_VMM_RUNNING;
		return false;
	}
	if (!strcmp(line, "c")) {
		st->running = true;
		gctl_vmm_resume(st->vmm);
		*state = GCTL_VMM_RUNNING;
		return false;
	}
	if (!strcmp(line, "q")) {
		st->quit = true;
		gctl_vmm_stop(st->vmm, GCTL_STOP_USER);
		return false;
	}
	if (!strcmp(line, "h") || !strcmp(line, "?") || !strcmp(line, "help")) {
		help();
		return true;
	}
	if (!strcmp(line, "r") || !strcmp(line, "m")) {
		if (!paused) {
			gctl_err("run", "step: %s: pause first (p)", line);
			return true;
		}
		if (*line == 'r')
			do_regs(st, arg);
		else
			do_mem(st, arg);
		return true;
	}
	gctl_err("run", "step: %s: unknown command (h lists them)", line);
	return true;
}

/* The next command line in the buffer (or what input ended with), or 0. */
static size_t next_line(const struct gctl_step *st)
{
	const char *nl = memchr(st->buf, '\n', st->len);

	if (nl)
		return (size_t)(nl - st->buf) + 1;
	return st->eof ? st->len : 0;
}

/* Take the lines that may run now: at a stop, after c, or urgent ones. */
static void run_lines(struct gctl_step *st, enum gctl_vmm_state state)
{
	char line[STEP_LINE_MAX + 1];
	size_t n;

	while (!st->quit && state != GCTL_VMM_DONE && (n = next_line(st))) {
		memcpy(line, st->buf, n);
		line[n] = 0;
		if (state != GCTL_VMM_PAUSED && !st->running &&
		    !urgent(st, line))
			break; /* its turn comes at the next stop */
		memmove(st->buf, st->buf + n, st->len - n);
		st->len -= n;
		st->prompted = false;
		command(st, line, &state);
	}
	/* Out of commands at a stop: that is the end of the script. */
	if (st->eof && !st->len && !st->quit && state == GCTL_VMM_PAUSED) {
		st->quit = true;
		gctl_vmm_stop(st->vmm, GCTL_STOP_USER);
	}
	prompt(st, state);
}

int gctl_step_poll_fd(const struct gctl_step *st, enum gctl_vmm_state state)
{
	if (st->eof || st->quit || state == GCTL_VMM_DONE)
		return -1;
	/* A line already waits for the next stop: read no further. */
	if (memchr(st->buf, '\n', st->len))
		return -1;
	/* A script's next line waits for the step to end (not so a person's:
	 * q and p act at once). */
	if (state != GCTL_VMM_PAUSED && !st->running && !st->interactive)
		return -1;
	return st->fd;
}

void gctl_step_update(struct gctl_step *st, enum gctl_vmm_state state)
{
	run_lines(st, state);
}

void gctl_step_read(struct gctl_step *st, enum gctl_vmm_state state)
{
	ssize_t n;

	if (st->len == sizeof(st->buf)) {
		gctl_err("run", "step: command line too long: dropped");
		st->len = 0;
	}
	n = read(st->fd, st->buf + st->len, sizeof(st->buf) - st->len);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		if (n < 0)
			gctl_err("run", "step: reading commands: %s",
				 strerror(errno));
		st->eof = true;
		if (st->interactive && state == GCTL_VMM_PAUSED)
			fputc('\n', stderr);
	} else {
		st->len += (size_t)n;
	}
	run_lines(st, state);
}
