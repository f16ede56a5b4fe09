// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyahctl attach NAME: the live exits and console of a named VM, shown
 * as run shows them (the stream's JSON records fed to the same writer),
 * until the VM ends or the user lets go; the VM runs on either way.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dash/attach_source.h"
#include "ctl/args.h"
#include "ctl/attach_record.h"
#include "ctl/client.h"
#include "ctl/view_filter.h"
#include "ctl/console.h"
#include "dash/dashboard.h"
#include "gunyahctl.h"
#include "output/json_rec.h"
#include "output/outbuf.h"
#include "engine/sink.h"

#define CMD "attach"

enum {
	OPT_DASHBOARD = 0x100,
	OPT_INTERVAL,
	OPT_FILTER,
	OPT_CONSOLE,
	OPT_RECORD,
};

static error_t parse_opt(int key, char *arg, struct argp_state *state);

static const struct argp_option options[] = {
	{ "console", OPT_CONSOLE, NULL, 0,
	  "the guest's console alone: its output, and what is typed to the "
	  "UART's receive side (a terminal is raw, Ctrl-] detaches; else "
	  "standard input is sent to its end)", 0 },
	{ "count", 'n', "N", 0, "detach after N exits (shown or not)", 0 },
	{ "filter", OPT_FILTER, "EXPR", 0,
	  "print only the exits EXPR matches (gunyahctl(1), FILTERS); a "
	  "last line says how many of how many", 0 },
	{ "record", OPT_RECORD, "FILE", 0,
	  "also write every exit received to FILE, as run --record does "
	  "(gunyahctl-record(5)), for report and replay", 0 },
	{ "dashboard", OPT_DASHBOARD, NULL, 0,
	  "run's live full-screen view, of this VM: keys p s 0-9 f r ?, "
	  "q leaves (the VM runs on)", 0 },
	{ "interval", OPT_INTERVAL, "MS", 0,
	  "(dashboard) redraw every MS milliseconds (default 500)", 0 },
	{ 0 }
};

static const struct argp attach_argp = {
	.doc = "Show the exits and the console of the named VM as they happen, "
	       "in run's text or JSON, from now until the VM ends (then its "
	       "summary) or until Ctrl-C, SIGTERM or --count: the VM runs on.  "
	       "Several clients may attach at once.  A client that does not "
	       "keep up loses records, and is told how many.  --dashboard: "
	       "run's live view instead, of the VM's own model of its exits "
	       "(q leaves, the VM runs on).  --console: the guest's console "
	       "alone, both ways.\v"
	       "Exit status: the VM's (as run's) when it ended while attached; "
	       "0 when detached; 66 no such VM running, 73 the --record file "
	       "could not be made, 74 the output (or the --record file) could "
	       "not be written.",
	.options = options,
	.parser = parse_opt,
};

struct attach_args {
	struct gctl_ctl_args ctl; /* NAME, --json */
	bool dashboard;
	bool console;
	unsigned int interval_ms;
	uint64_t count;
	const char *record;
	struct gctl_view_filter filter;
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct attach_args *a = state->input;

	switch (key) {
	case 'n':
		a->count = gctl_count_arg(CMD, "--count", arg, UINT64_MAX);
		return 0;
	case OPT_DASHBOARD:
		a->dashboard = true;
		return 0;
	case OPT_FILTER:
		gctl_view_filter_arg(&a->filter, CMD, arg);
		return 0;
	case OPT_CONSOLE:
		a->console = true;
		return 0;
	case OPT_RECORD:
		a->record = arg;
		return 0;
	case OPT_INTERVAL:
		a->interval_ms = gctl_dash_interval_arg(CMD, arg);
		return 0;
	case ARGP_KEY_END:
		if (a->console && (a->dashboard || a->ctl.json || a->count ||
				   a->filter.on || a->record))
			gctl_usage_err(CMD, "--console: not with --%s: the "
				       "console is the output",
				       a->dashboard ? "dashboard" :
				       a->ctl.json ? "json" :
				       a->count ? "count" :
				       a->record ? "record" : "filter");
		if (a->dashboard && (a->ctl.json || a->count || a->filter.on ||
				     a->record))
			gctl_usage_err(CMD, "--dashboard: not with --%s: the "
				       "dashboard is the output",
				       a->ctl.json ? "json" :
				       a->count ? "count" :
				       a->record ? "record" : "filter");
		if (!a->dashboard && a->interval_ms)
			gctl_usage_err(CMD, "--interval: only with --dashboard");
		if (a->dashboard)
			gctl_dash_need_tty(CMD);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* Where the records go: run's text writer, or the lines as they came. */
struct out {
	bool json;
	struct gctl_sink text;
	struct gctl_outbuf ob;
	struct gctl_view_filter *filter;
	struct gctl_attach_rec *rec; /* --record, or NULL */
};

/* An engine message: where run's text writer puts it, in its place. */
static void show_message(struct out *o, json_object *rec)
{
	struct gctl_message m = { .vcpu = GCTL_MSG_NO_VCPU };
	uint64_t vcpu;

	m.text = gctl_json_get_str(rec, "text");
	if (!m.text)
		return;
	if (gctl_json_get_u64(rec, "vcpu", &vcpu) && vcpu < GCTL_MAX_VCPUS)
		m.vcpu = (unsigned int)vcpu;
	gctl_sink_message(&o->text, &m);
}

/* rec NULL: an exit record passed on unparsed (gctl_ctl_pass_exits). */
static void show_record(struct out *o, json_object *rec, const char *line,
			uint64_t *exits, int *end_code)
{
	const char *event = rec ? gctl_json_get_str(rec, "event") : NULL;
	struct gctl_exit_record r;
	struct gctl_summary s;
	uint64_t n;

	if (o->rec && rec)
		gctl_attach_rec_line(o->rec, rec);
	if (!event) {
		++*exits;
		if (!gctl_view_filter_exit(o->filter, rec))
			return;
	}
	if (event && !strcmp(event, "summary") && !gctl_json_to_summary(rec, &s))
		*end_code = s.exit_code;
	if (o->json) {
		gctl_outbuf_puts(&o->ob, line);
		gctl_outbuf_puts(&o->ob, "\n");
		return;
	}
	if (!event) {
		if (!gctl_json_to_exit(rec, &r))
			gctl_sink_exit(&o->text, &r);
	} else if (!strcmp(event, "console")) {
		const char *t = gctl_json_get_str(rec, "text");

		if (t)
			gctl_sink_console(&o->text, t, strlen(t));
	} else if (!strcmp(event, "summary")) {
		if (!gctl_json_to_summary(rec, &s))
			gctl_sink_summary(&o->text, &s);
	} else if (!strcmp(event, "message")) {
		show_message(o, rec);
	} else if (!strcmp(event, "lost") && gctl_json_get_u64(rec, "records", &n)) {
		gctl_sink_flush(&o->text);
		gctl_err(CMD, "%" PRIu64 " records lost: this client did not "
			 "keep up", n);
	}
}

static int flush_out(struct out *o)
{
	return o->json ? gctl_outbuf_flush(&o->ob) : gctl_sink_flush(&o->text);
}

int gctl_cmd_attach(int argc, char **argv)
{
	struct attach_args a = {
		.ctl = {
			.cmd = CMD,
			.json_doc = "JSON Lines, exactly as run --json prints "
				    "them",
		},
	};
	struct out o = { 0 };
	struct gctl_ctl_conn *c = NULL;
	json_object *rec;
	uint64_t exits = 0;
	int ret, sig_fd, end_code = -1, out_err;
	bool attached = false;

	gctl_ctl_parse_args(&a.ctl, &attach_argp, argc, argv, &a);
	if (a.console)
		return gctl_attach_console(CMD, a.ctl.name);
	if (a.dashboard) {
		struct gctl_attach_dash_opts dopts = {
			.name = a.ctl.name,
			.interval_ms = a.interval_ms,
		};

		return gctl_attach_dash(&dopts);
	}
	sig_fd = gctl_stop_signalfd(false);
	if (sig_fd < 0) {
		gctl_err(CMD, "signalfd: %s", strerror(errno));
		return GCTL_EXIT_OSERR;
	}
	o.json = a.ctl.json;
	o.filter = &a.filter;
	if (a.ctl.json)
		gctl_outbuf_init(&o.ob, STDOUT_FILENO);
	else if (gctl_out_text_new(STDOUT_FILENO, false, &o.text)) {
		gctl_err(CMD, "%s", strerror(ENOMEM));
		ret = GCTL_EXIT_OSERR;
		goto out;
	}
	ret = gctl_ctl_open(CMD, a.ctl.name, &c);
	if (ret)
		goto out;
	gctl_ctl_set_sig_fd(c, sig_fd);
	if (a.record) {
		ret = gctl_attach_rec_open(CMD, a.ctl.name, c, a.record, &o.rec);
		if (ret)
			goto out;
	}
	ret = gctl_ctl_call(CMD, a.ctl.name, c, "attach", NULL, GCTL_CTL_TIMEOUT_MS,
			    &rec);
	if (ret)
		goto out;
	json_object_put(rec);
	attached = true;
	/* unparsed is faster; a filter and a record read them */
	gctl_ctl_pass_exits(c, a.ctl.json && !a.filter.on && !a.record);

	for (;;) {
		/* Out before waiting: what was read is shown at once. */
		if (!gctl_ctl_pending(c) && flush_out(&o))
			break;
		ret = gctl_ctl_read(c, -1, &rec);
		if (ret <= 0)
			break;
		if (!rec || !gctl_ctl_is_reply(rec))
			show_record(&o, rec, gctl_ctl_line(c), &exits, &end_code);
		json_object_put(rec);
		if (a.count && exits >= a.count)
			break;
	}
	/* Detached (signal, --count): 0; the VM ended: its status. */
	if (ret == 0)
		ret = end_code >= 0 ? end_code : gctl_ctl_read_err(CMD, a.ctl.name, 0);
	else if (ret < 0 && ret != -EINTR)
		ret = gctl_ctl_read_err(CMD, a.ctl.name, ret);
	else
		ret = 0;

out:
	out_err = o.json ? gctl_outbuf_flush(&o.ob) :
		  o.text.ops ? gctl_sink_flush(&o.text) : 0;
	if (!out_err && attached)
		out_err = gctl_view_filter_end(&a.filter, o.json, STDOUT_FILENO);
	if (out_err) {
		gctl_err(CMD, "writing the output: %s", strerror(-out_err));
		ret = GCTL_EXIT_IOERR;
	}
	if (gctl_attach_rec_close(CMD, o.rec) && !out_err)
		ret = GCTL_EXIT_IOERR;
	gctl_ctl_close(c);
	gctl_sink_destroy(&o.text);
	close(sig_fd);
	return ret;
}
