// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyahctl report FILE: where the time of a recorded run went, as
 * perf kvm stat report shows it for KVM (analysis/report.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analysis/filter.h"
#include "analysis/report.h"
#include "ctl/args.h"
#include "gunyahctl.h"

#define CMD "report"

enum { OPT_BY = 0x100, OPT_TOP, OPT_FILTER };

static error_t parse_opt(int key, char *arg, struct argp_state *state);

static const struct argp_option options[] = {
	{ "by", OPT_BY, "kind|vcpu|addr|region", 0,
	  "group the exits by kind (default), vCPU, address or region", 0 },
	{ "top", OPT_TOP, "N", 0, "only the N rows with the most exits", 0 },
	{ "filter", OPT_FILTER, "EXPR", 0,
	  "table only the exits EXPR matches (gunyahctl(1), FILTERS); the "
	  "totals stay those of every exit", 0 },
	{ 0 },
};

static const struct argp report_argp = {
	.doc = "Table the exits of a run recorded with run --record FILE (or "
	       "the output of run --json): for each exit kind, vCPU, address "
	       "or region, the number of exits, their share, and the host's "
	       "handling time (share, min, max, mean, standard deviation) and "
	       "the guest's run time before them.\v"
	       "Exit status:\n"
	       "  0   the table was printed\n"
	       "  64  bad options, 65 not a record (or malformed),\n"
	       "  66  FILE missing, 74 the output could not be written,\n"
	       "  76  a record of a later format version",
	.options = options,
	.parser = parse_opt,
};

struct report_args {
	int by;
	unsigned int top;
	bool json;
	bool filtered;
	struct gctl_filter filter;
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct report_args *a = state->input;
	char err[200];

	switch (key) {
	case OPT_BY:
		a->by = gctl_report_by_parse(arg);
		if (a->by < 0)
			gctl_usage_err(CMD, "--by %s: want kind, vcpu, addr or "
				       "region", arg);
		return 0;
	case OPT_TOP:
		a->top = (unsigned int)gctl_count_arg(CMD, "--top", arg,
						      UINT32_MAX);
		return 0;
	case OPT_FILTER:
		if (gctl_filter_parse(arg, &a->filter, err, sizeof(err)))
			gctl_usage_err(CMD, "--filter %s", err);
		a->filtered = true;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

int gctl_cmd_report(int argc, char **argv)
{
	struct gctl_ctl_args ca = {
		.cmd = CMD,
		.json_doc = "one JSON object (gunyahctl-json(7))",
		.args_doc = "FILE",
	};
	struct report_args a = { .by = GCTL_REPORT_BY_KIND };
	struct gctl_report_input *in = NULL;
	struct gctl_report_source src;
	struct gctl_report *r = NULL;
	char err[512];
	int ret;

	gctl_ctl_parse_args(&ca, &report_argp, argc, argv, &a);
	ret = gctl_report_new((enum gctl_report_by)a.by,
			      a.filtered ? &a.filter : NULL, &r);
	if (ret) {
		gctl_err(CMD, "%s", strerror(-ret));
		return GCTL_EXIT_OSERR;
	}
	ret = gctl_report_read(r, ca.name, &src, &in, err, sizeof(err));
	if (ret) {
		gctl_err(CMD, "%s: %s", ca.name, err);
		ret = gctl_exit_of(ret, GCTL_FAILED_INPUT);
		goto out;
	}
	ret = gctl_report_print(r, &src, a.top, ca.json, stdout);
	if (ret) {
		gctl_err(CMD, "writing the output: %s", strerror(-ret));
		ret = GCTL_EXIT_IOERR;
	}
out:
	gctl_report_free(r);
	gctl_report_input_free(in);
	return ret;
}
