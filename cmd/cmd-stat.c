// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyahctl stat NAME: a named VM's exit counters, per vCPU and in all,
 * with each vCPU's state; --watch samples them every interval and gives
 * the rate over it.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "ctl/args.h"
#include "ctl/client.h"
#include "engine/hist.h"
#include "gunyahctl.h"
#include "output/json_rec.h"

#define CMD "stat"

static error_t parse_opt(int key, char *arg, struct argp_state *state);

static const struct argp_option options[] = {
	{ "watch", 'w', NULL, 0,
	  "a sample every interval until the VM ends or Ctrl-C", 0 },
	{ "interval", 'i', "SEC", 0,
	  "seconds between samples with --watch (default 1)", 0 },
	{ "count", 'n', "N", 0, "with --watch: stop after N samples", 0 },
	{ 0 }
};

static const struct argp stat_argp = {
	.doc = "Show the named VM's exit counters: per vCPU (with what its "
	       "thread is doing) and in all, by kind, and the exit rate.  "
	       "Once, the rate is the average since the VM started; with "
	       "--watch, a sample every interval and the rate over it.\v"
	       "Exit status: 0 (also when the VM ends while watched), 66 no "
	       "such VM running, 75 no reply in time.",
	.options = options,
	.parser = parse_opt,
};

struct stat_args {
	bool watch;
	double interval;
	uint64_t count;
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct stat_args *a = state->input;

	switch (key) {
	case 'w':
		a->watch = true;
		return 0;
	case 'i':
		if (gctl_parse_seconds(arg, 0.01, 86400, &a->interval))
			gctl_usage_err(CMD, "--interval %s: want seconds, from "
				       "0.01 to 86400", arg);
		return 0;
	case 'n':
		a->count = gctl_count_arg(CMD, "--count", arg, UINT64_MAX);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static uint64_t u64_of(json_object *o, const char *key)
{
	uint64_t v = 0;

	gctl_json_get_u64(o, key, &v);
	return v;
}

static void print_counts(const char *who, const char *state, json_object *v)
{
	json_object *k = json_object_object_get(v, "counts");
	uint64_t exits = u64_of(v, "exits");
	struct gctl_counters c;

	if (!k || gctl_json_to_counts(k, &c))
		memset(&c, 0, sizeof(c));
	printf("  %s%s%s: %" PRIu64 " exit%s", who, state ? " " : "",
	       state ? state : "", exits, exits == 1 ? "" : "s");
	if (c.mmio_read + c.mmio_write)
		printf(", mmio %" PRIu64 " (%" PRIu64 " read, %" PRIu64 " write)",
		       c.mmio_read + c.mmio_write, c.mmio_read, c.mmio_write);
	if (c.page_fault)
		printf(", page_fault %" PRIu64, c.page_fault);
	if (c.status)
		printf(", status %" PRIu64, c.status);
	if (c.unknown)
		printf(", unknown %" PRIu64, c.unknown);
	putchar('\n');
}

/* The busiest MMIO addresses, as the dashboard ranks them. */
static void print_top(json_object *s)
{
	json_object *top = json_object_object_get(s, "mmio_top");
	size_t n = top ? json_object_array_length(top) : 0;

	if (!n)
		return;
	printf("  busiest MMIO:\n");
	for (size_t i = 0; i < n; i++) {
		json_object *t = json_object_array_get_idx(top, i);
		const char *region = gctl_json_get_str(t, "region");
		uint64_t a;
		char addr[24] = "?";

		/* text keeps run's short form; JSON pads for sorting */
		if (gctl_json_get_hex(t, "addr", &a))
			snprintf(addr, sizeof(addr), "%#" PRIx64, a);
		printf("    %-12s %" PRIu64 " read, %" PRIu64 " write%s%s%s\n",
		       addr, u64_of(t, "reads"), u64_of(t, "writes"),
		       region ? " [" : "", region ? region : "",
		       region ? "]" : "");
	}
}

/* The host's handling time of each kind that had exits, as run's summary. */
static void print_host(json_object *s)
{
	json_object *o = json_object_object_get(s, "host_ns");
	struct gctl_timing t[GCTL_TK__COUNT];
	char buf[160];

	if (!o || gctl_json_to_host_times(o, t))
		return;
	for (unsigned int k = 0; k < GCTL_TK__COUNT; k++) {
		if (!t[k].n)
			continue;
		gctl_timing_line(k, &t[k], buf, sizeof(buf));
		printf("  %s\n", buf);
	}
}

static void print_text(json_object *s, double rate)
{
	json_object *vcpus = json_object_object_get(s, "vcpus");
	char up[32];
	size_t n = vcpus ? json_object_array_length(vcpus) : 0;
	uint64_t exits = u64_of(s, "exits");

	gctl_fmt_duration(u64_of(s, "uptime_ns"), up, sizeof(up));
	printf("%s: %s, %" PRIu64 " exit%s in %s, %.0f exits/s\n",
	       gctl_json_get_str(s, "name"), gctl_json_get_str(s, "state"),
	       exits, exits == 1 ? "" : "s", up, rate);
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(vcpus, i);
		char who[16];

		snprintf(who, sizeof(who), "vcpu%" PRIu64, u64_of(v, "vcpu"));
		print_counts(who, gctl_json_get_str(v, "state"), v);
	}
	if (n > 1)
		print_counts("total", NULL, s);
	print_host(s);
	print_top(s);
}

/* Sleep ms, or less if a signal comes: false then. */
static bool nap(int sig_fd, int ms)
{
	struct pollfd pfd = { .fd = sig_fd, .events = POLLIN };

	return poll(&pfd, 1, ms) == 0;
}

int gctl_cmd_stat(int argc, char **argv)
{
	struct gctl_ctl_args ca = {
		.cmd = CMD,
		.json_doc = "one JSON object per sample",
	};
	struct stat_args a = { .interval = 1.0 };
	struct gctl_ctl_conn *c;
	uint64_t prev_exits = 0, prev_up = 0, samples = 0;
	bool tty = isatty(STDOUT_FILENO);
	int ret, sig_fd;

	gctl_ctl_parse_args(&ca, &stat_argp, argc, argv, &a);
	if (a.count && !a.watch)
		gctl_usage_err(CMD, "--count needs --watch");
	sig_fd = gctl_stop_signalfd(false);
	if (sig_fd < 0) {
		gctl_err(CMD, "signalfd: %s", strerror(errno));
		return GCTL_EXIT_OSERR;
	}
	ret = gctl_ctl_open(CMD, ca.name, &c);
	if (ret)
		goto out_sig;
	gctl_ctl_set_sig_fd(c, sig_fd);
	if (a.watch)
		gctl_ctl_set_quiet_end(c);
	for (;;) {
		json_object *reply, *s;
		uint64_t exits, up;
		double rate;

		ret = gctl_ctl_call(CMD, ca.name, c, "stat", NULL,
				    GCTL_CTL_TIMEOUT_MS, &reply);
		if (ret) {
			/* Watching a VM until it ends is no failure. */
			if (a.watch && samples && ret == GCTL_EXIT_NOINPUT)
				ret = 0;
			break;
		}
		s = gctl_ctl_payload(reply);
		json_object_put(reply);
		exits = u64_of(s, "exits");
		up = u64_of(s, "uptime_ns");
		/* The first sample: since the start; then: since the last. */
		rate = up > prev_up ? (double)(exits - prev_exits) * 1e9 /
					      (double)(up - prev_up) : 0.0;
		prev_exits = exits;
		prev_up = up;
		if (ca.json) {
			json_object_object_add(s, "exits_per_s", gctl_json_rate(rate));
			puts(json_object_to_json_string_ext(s, GCTL_JSON_PLAIN));
		} else {
			if (a.watch && tty)
				fputs("\033[H\033[2J", stdout);
			else if (samples)
				putchar('\n');
			print_text(s, rate);
		}
		json_object_put(s);
		/* Nobody reads any more: the watch is over, said once. */
		ret = gctl_stdout_check(CMD);
		if (ret)
			break;
		samples++;
		if (!a.watch || (a.count && samples >= a.count) ||
		    !nap(sig_fd, (int)ceil(a.interval * 1000)))
			break;
	}
	gctl_ctl_close(c);
out_sig:
	close(sig_fd);
	return ret;
}
