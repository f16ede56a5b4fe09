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

static error_t parse_opt(int key, char *arg, struct argp_state *state);

static const struct argp_option options[] = {
	{ "filter", OPT_FILTER, "EXPR", 0,
	  "print only the exits EXPR matches (gunyahctl(1), FILTERS); the "
	  "step still takes N exits, a last line says how many were shown", 0 },
	{ 0 }
};

static const struct argp step_argp = {
	.doc = "Let the paused named VM take N exits (default 1), print "
	       "exactly those exits (and the console they wrote) as run "
	       "prints them, and leave the VM paused.  The VM must be paused "
	       "(gunyahctl pause, or run --step).\v"
	       "Exit status: 0 stepped (also when the VM ended on the way), "
	       "66 no such VM running, 69 not paused, 75 --timeout expired "
	       "(or, without it, the VM said nothing for long), 76 records of "
	       "the step were lost on the way.",
	.options = options,
	.parser = parse_opt,
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

/* Where the step's records go: the lines as they came, or run's text. */
struct step_out {
	bool json;
	struct gctl_outbuf ob;
	struct gctl_sink text;
	bool mid_line;	/* the guest's console line stopped half-way */
	uint64_t lost;	/* records the server says it dropped */
	struct gctl_view_filter filter;
};

/*
 * The next line of the step, within the deadline (0: each wait bounded
 * as a reply is).  1 with *rec, or an exit status, said.
 */
static int read_next(struct gctl_ctl_conn *c, const struct gctl_ctl_args *a,
		     uint64_t n, uint64_t deadline, json_object **rec)
{
	int ret, timeout_ms = GCTL_CTL_TIMEOUT_MS;

	if (deadline) {
		uint64_t now = gctl_now_ns();

		timeout_ms = now >= deadline ? 0 :
			     (int)((deadline - now + 999999) / 1000000);
	}
	/* The deadline is checked apart from the read: a VM that streams
	 * faster than we print always has a line ready, so a read alone
	 * would never time out. */
	ret = deadline && !timeout_ms ? -ETIMEDOUT :
	      gctl_ctl_read(c, timeout_ms, rec);
	if (ret > 0)
		return 1;
	if (ret == -ETIMEDOUT && deadline) {
		gctl_err(CMD, "%s: fewer than %" PRIu64 " exits in %g s",
			 a->name, n, a->timeout);
		return GCTL_EXIT_TEMPFAIL;
	}
	if (ret == -ETIMEDOUT) {
		gctl_err(CMD, "%s: nothing from the VM in %d s (stopped?): "
			 "giving up", a->name, GCTL_CTL_TIMEOUT_MS / 1000);
		return GCTL_EXIT_TEMPFAIL;
	}
	return gctl_ctl_read_err(CMD, a->name, ret);
}

/* One record of the step, shown. */
static void show(struct step_out *o, struct gctl_ctl_conn *c, json_object *rec)
{
	const char *event = gctl_json_get_str(rec, "event");
	const char *text_s;
	struct gctl_exit_record r;
	uint64_t v;

	/* The step promises exactly its exits: a gap fails it. */
	if (event && !strcmp(event, "lost") &&
	    gctl_json_get_u64(rec, "records", &v))
		o->lost += v;
	if (!event && !gctl_view_filter_exit(&o->filter, rec))
		return;
	if (o->json) {
		gctl_outbuf_puts(&o->ob, gctl_ctl_line(c));
		gctl_outbuf_puts(&o->ob, "\n");
		gctl_outbuf_end_line(&o->ob);
	} else if (!event) {
		/* The writer ends a partial console line before it. */
		if (!gctl_json_to_exit(rec, &r))
			gctl_sink_exit(&o->text, &r);
		o->mid_line = false;
	} else if ((text_s = gctl_json_get_str(rec, "text")) && *text_s) {
		gctl_sink_console(&o->text, text_s, strlen(text_s));
		o->mid_line = text_s[strlen(text_s) - 1] != '\n';
	}
}

/* Ask for n exits and show the records up to the reply: an exit status. */
static int step_vm(struct gctl_ctl_conn *c, const struct gctl_ctl_args *a,
		   uint64_t n, struct step_out *o)
{
	uint64_t deadline = 0;
	json_object *args, *rec;
	int ret;

	/* --timeout bounds the whole step; without it, each wait for the
	 * VM's next line is bounded as a reply is. */
	if (a->timeout > 0)
		deadline = gctl_now_ns() + (uint64_t)ceil(a->timeout * 1e9);
	args = json_object_new_object();
	json_object_object_add(args, "n", json_object_new_int64((int64_t)n));
	ret = gctl_ctl_send(c, "step", args);
	if (ret)
		return gctl_ctl_read_err(CMD, a->name, ret);
	/* The step's records, then its reply. */
	while ((ret = read_next(c, a, n, deadline, &rec)) == 1) {
		if (gctl_ctl_is_reply(rec)) {
			ret = json_object_get_boolean(json_object_object_get(rec, "ok")) ?
				      0 : gctl_ctl_reply_err(CMD, a->name, rec);
			json_object_put(rec);
			break;
		}
		show(o, c, rec);
		json_object_put(rec);
	}
	/* The guest's line stopped half-way: ours end theirs. */
	if (o->mid_line && !o->json)
		gctl_sink_console(&o->text, "\n", 1);
	if (o->lost && !ret) {
		gctl_err(CMD, "%s: %" PRIu64 " records of the step were lost on "
			 "the way: the output has gaps", a->name, o->lost);
		ret = GCTL_EXIT_PROTOCOL;
	}
	return ret;
}

int gctl_cmd_step(int argc, char **argv)
{
	struct gctl_ctl_args a = {
		.cmd = CMD,
		.json_doc = "JSON Lines, exactly as run --json prints them",
		.timeout_doc = "give up after SEC seconds in all (the VM pauses "
			       "where it is); without it, after 5 s with "
			       "nothing from the VM",
		.args_doc = "NAME [N]",
		.extra = true,
	};
	struct step_out o = { 0 };
	struct gctl_ctl_conn *c;
	uint64_t n = 1;
	int ret, out_err;

	gctl_ctl_parse_args(&a, &step_argp, argc, argv, &o.filter);
	if (a.arg && (gctl_parse_u64(a.arg, &n) || !n || n > STEP_MAX))
		gctl_usage_err(CMD, "%s: want a number of exits from 1 to %llu",
			       a.arg, (unsigned long long)STEP_MAX);
	o.json = a.json;
	gctl_outbuf_init(&o.ob, STDOUT_FILENO);
	if (!a.json && gctl_out_text_new(STDOUT_FILENO, false, &o.text)) {
		gctl_err(CMD, "%s", strerror(ENOMEM));
		return GCTL_EXIT_OSERR;
	}
	ret = gctl_ctl_open(CMD, a.name, &c);
	if (!ret) {
		ret = step_vm(c, &a, n, &o);
		gctl_ctl_close(c);
	}
	out_err = a.json ? gctl_outbuf_flush(&o.ob) :
			   gctl_sink_flush(&o.text);
	if (!out_err && !ret)
		out_err = gctl_view_filter_end(&o.filter, a.json, STDOUT_FILENO);
	if (out_err) {
		gctl_err(CMD, "writing the output: %s", strerror(-out_err));
		ret = GCTL_EXIT_IOERR;
	}
	gctl_sink_destroy(&o.text);
	return ret;
}
