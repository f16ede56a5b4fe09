// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyahctl step NAME [N]: let a paused named VM take N more exits, show
 * them as run shows them, and leave it paused.  (step.c is run --step's
 * own controller; this is the same step asked over the socket.)
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "ctl/args.h"
#include "ctl/client.h"
#include "ctl/view_filter.h"
#include "gunyahctl.h"
#include "output/json_rec.h"
#include "output/outbuf.h"
#include "engine/sink.h"

#define CMD "step"
#define STEP_MAX 1000000000ull

enum {
	OPT_FILTER = 0x100,
};

static const struct argp_option options[] = {
	{ "filter", OPT_FILTER, "EXPR", 0,
	  "print only the exits EXPR matches (gunyahctl(1), FILTERS); the "
	  "step still takes N exits, a last line says how many were shown", 0 },
	{ 0 }
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct gctl_view_filter *f = state->input;

	switch (key) {
	case OPT_FILTER:
		gctl_view_filter_arg(f, CMD, arg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp step_argp = {
	.options = options,
	.parser = parse_opt,
	.doc = "Let the paused named VM take N exits (default 1), print "
	       "exactly those exits (and the console they wrote) as run "
	       "prints them, and leave the VM paused.  The VM must be paused "
	       "(gunyahctl pause, or run --step).\v"
	       "Exit status: 0 stepped (also when the VM ended on the way), "
	       "66 no such VM running, 69 not paused, 75 --timeout expired "
	       "(or, without it, the VM said nothing for long), 76 records of "
	       "the step were lost on the way.",
};

struct step {
	struct gctl_ctl_args a;
	uint64_t n;
	uint64_t deadline; /* ns, 0: none */
	struct gctl_ctl_conn *c;
	struct gctl_sink text;
	struct gctl_outbuf ob;
	struct gctl_view_filter filter;
	uint64_t lost;
	bool mid_line;
};

/* The next line of the step, within its deadline: 0 and *rec; or, *rec
 * NULL, the status to end with (said on stderr). */
static int step_read(struct step *st, json_object **rec)
{
	int ret, timeout_ms = GCTL_CTL_TIMEOUT_MS;

	*rec = NULL;
	if (st->deadline) {
		uint64_t now = gctl_now_ns();

		timeout_ms = now >= st->deadline ? 0 :
			     (int)((st->deadline - now + 999999) / 1000000);
	}
	/* The deadline is checked apart from the read: a VM that streams
	 * faster than we print always has a line ready, so a read alone
	 * would never time out. */
	ret = st->deadline && !timeout_ms ? -ETIMEDOUT :
	      gctl_ctl_read(st->c, timeout_ms, rec);
	if (ret > 0)
		return 0;
	if (ret == -ETIMEDOUT && st->deadline) {
		gctl_err(CMD, "%s: fewer than %" PRIu64 " exits in %g s",
			 st->a.name, st->n, st->a.timeout);
		return GCTL_EXIT_TEMPFAIL;
	}
	if (ret == -ETIMEDOUT) {
		gctl_err(CMD, "%s: nothing from the VM in %d s (stopped?): "
			 "giving up", st->a.name, GCTL_CTL_TIMEOUT_MS / 1000);
		return GCTL_EXIT_TEMPFAIL;
	}
	return gctl_ctl_read_err(CMD, st->a.name, ret);
}

/* One record of the step (not the reply), shown as run shows it. */
static void step_show(struct step *st, json_object *rec)
{
	const char *event = gctl_json_get_str(rec, "event");
	struct gctl_exit_record r;
	const char *text_s;
	uint64_t v;

	/* The step promises exactly its exits: a gap fails it. */
	if (event && !strcmp(event, "lost") &&
	    gctl_json_get_u64(rec, "records", &v))
		st->lost += v;
	if (!event && !gctl_view_filter_exit(&st->filter, rec))
		return;
	if (st->a.json) {
		gctl_outbuf_puts(&st->ob, gctl_ctl_line(st->c));
		gctl_outbuf_puts(&st->ob, "\n");
		gctl_outbuf_end_line(&st->ob);
	} else if (!event) {
		/* The writer ends a partial console line before it. */
		if (!gctl_json_to_exit(rec, &r))
			st->text.ops->exit(st->text.ctx, &r);
		st->mid_line = false;
	} else if ((text_s = gctl_json_get_str(rec, "text")) && *text_s) {
		st->text.ops->console(st->text.ctx, text_s, strlen(text_s));
		st->mid_line = text_s[strlen(text_s) - 1] != '\n';
	}
}

/* Ask for the step, show its records until its reply: 0 or a status. */
static int step_run(struct step *st)
{
	json_object *args = json_object_new_object(), *rec;
	int ret;

	json_object_object_add(args, "n", json_object_new_int64((int64_t)st->n));
	ret = gctl_ctl_send(st->c, "step", args);
	if (ret)
		return gctl_ctl_read_err(CMD, st->a.name, ret);
	for (;;) {
		ret = step_read(st, &rec);
		if (!rec)
			return ret;
		if (gctl_ctl_is_reply(rec)) {
			ret = json_object_get_boolean(json_object_object_get(rec, "ok")) ?
				      0 : gctl_ctl_reply_err(CMD, st->a.name, rec);
			json_object_put(rec);
			return ret;
		}
		step_show(st, rec);
		json_object_put(rec);
	}
}

static int step_main(int argc, char **argv)
{
	struct step *st = calloc(1, sizeof(*st));
	int ret, out_err;

	if (!st) {
		gctl_err(CMD, "%s", strerror(ENOMEM));
		return GCTL_EXIT_OSERR;
	}
	st->a = (struct gctl_ctl_args){
		.cmd = CMD,
		.json_doc = "JSON Lines, exactly as run --json prints them",
		.timeout_doc = "give up after SEC seconds in all (the VM pauses "
			       "where it is); without it, after 5 s with "
			       "nothing from the VM",
		.args_doc = "NAME [N]",
		.extra = true,
	};
	st->n = 1;
	gctl_ctl_parse_args(&st->a, &step_argp, argc, argv, &st->filter);
	if (st->a.arg && (gctl_parse_u64(st->a.arg, &st->n) || !st->n ||
			  st->n > STEP_MAX))
		gctl_usage_err(CMD, "%s: want a number of exits from 1 to %llu",
			       st->a.arg, (unsigned long long)STEP_MAX);
	/* --timeout bounds the whole step; without it, each wait for the
	 * VM's next line is bounded as a reply is. */
	if (st->a.timeout > 0)
		st->deadline = gctl_now_ns() + (uint64_t)ceil(st->a.timeout * 1e9);
	gctl_outbuf_init(&st->ob, STDOUT_FILENO);
	if (!st->a.json && gctl_out_text_new(STDOUT_FILENO, false, &st->text)) {
		gctl_err(CMD, "%s", strerror(ENOMEM));
		free(st);
		return GCTL_EXIT_OSERR;
	}
	ret = gctl_ctl_open(CMD, st->a.name, &st->c);
	if (!ret) {
		ret = step_run(st);
		gctl_ctl_close(st->c);
	}
	/* The guest's line stopped half-way: ours end theirs. */
	if (st->mid_line && !st->a.json)
		st->text.ops->console(st->text.ctx, "\n", 1);
	if (st->lost && !ret) {
		gctl_err(CMD, "%s: %" PRIu64 " records of the step were lost on "
			 "the way: the output has gaps", st->a.name, st->lost);
		ret = GCTL_EXIT_PROTOCOL;
	}
	out_err = st->a.json ? gctl_outbuf_flush(&st->ob) :
			       st->text.ops->flush(st->text.ctx);
	if (!out_err && st->c && !ret)
		out_err = gctl_view_filter_end(&st->filter, st->a.json,
					       STDOUT_FILENO);
	if (out_err) {
		gctl_err(CMD, "writing the output: %s", strerror(-out_err));
		ret = GCTL_EXIT_IOERR;
	}
	gctl_sink_destroy(&st->text);
	free(st);
	return ret;
}

const struct gctl_cmd gctl_cmd_step = {
	.name = "step",
	.doc = "let a paused named VM take N exits and show them",
	.main = step_main,
};
