// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyahctl status NAME: what a named VM is and does; for one that has
 * ended and not been waited for, how it ended.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "ctl/args.h"
#include "ctl/client.h"
#include "gunyahctl.h"
#include "output/json_rec.h"

#define CMD "status"

static const struct argp status_argp = {
	.doc = "Show a named VM: its process, backend, image, vCPUs, state "
	       "(running, paused, or done while its process ends), uptime, "
	       "exits, attached clients, socket and log.  For a VM that has "
	       "ended and was not waited for: how it ended (state exited), "
	       "or that its process died (state died, and its log).\v"
	       "Exit status: 0 shown, 66 no such VM, 70 its process died and its "
	       "exit record could not be written, 74 the output could not be "
	       "written, 75 no reply in time.",
};

static void line(const char *key, const char *val)
{
	printf("%-9s %s\n", key, val ? val : "-");
}

static void line_u64(json_object *o, const char *key, const char *label)
{
	char buf[32] = "-";
	uint64_t v;

	if (gctl_json_get_u64(o, key, &v))
		snprintf(buf, sizeof(buf), "%" PRIu64, v);
	line(label, buf);
}

static void line_time(json_object *o, const char *key, const char *label)
{
	char buf[32] = "-";
	uint64_t v;

	if (gctl_json_get_u64(o, key, &v))
		gctl_fmt_duration(v, buf, sizeof(buf));
	line(label, buf);
}

/* The log, and what it could not take (never silently cut). */
static void line_log(json_object *o)
{
	const char *log = gctl_json_get_str(o, "log");
	const char *why = gctl_json_get_str(o, "log_error");
	char buf[PATH_MAX + 128];
	uint64_t lost;

	if (!log || !gctl_json_get_u64(o, "log_lost", &lost)) {
		line("log:", log);
		return;
	}
	snprintf(buf, sizeof(buf), "%s (%" PRIu64 " bytes lost: %s)", log,
		 lost, why ? why : "?");
	line("log:", buf);
}

/* The process and what it runs, running or ended alike. */
static void print_process(json_object *o)
{
	line_u64(o, "pid", "pid:");
	line("backend:", gctl_json_get_str(o, "backend"));
	line("image:", gctl_json_get_str(o, "image"));
	line_u64(o, "vcpus", "vcpus:");
}

static void print_running(json_object *o)
{
	line("name:", gctl_json_get_str(o, "name"));
	line("state:", gctl_json_get_str(o, "state"));
	print_process(o);
	line_time(o, "uptime_ns", "uptime:");
	line_u64(o, "exits", "exits:");
	line_u64(o, "attached", "attached:");
	line_u64(o, "waiting", "waiting:");
	line("socket:", gctl_json_get_str(o, "socket"));
	line_log(o);
}

static void print_exited(json_object *o)
{
	const char *result = gctl_json_get_str(o, "result");
	char buf[64] = "-";
	uint64_t code;

	line("name:", gctl_json_get_str(o, "name"));
	line("state:", gctl_json_get_str(o, "state"));
	if (result && gctl_json_get_u64(o, "exit_code", &code))
		snprintf(buf, sizeof(buf), "%s, exit status %" PRIu64, result,
			 code);
	line("result:", buf);
	print_process(o);
	line_time(o, "wall_ns", "ran:");
	line_u64(o, "exits", "exits:");
	/* A VM that died leaves its log: all there is to tell why. */
	if (gctl_json_get_str(o, "log"))
		line_log(o);
}

static void print_json(json_object *o)
{
	puts(json_object_to_json_string_ext(o, GCTL_JSON_PLAIN));
}

/* Ended: its exit object, with the state a running VM's has.  False if
 * it has none. */
static bool show_exited(const char *name, bool json)
{
	const char *result;
	json_object *o;

	if (!gctl_ctl_exited(name, &o))
		return false;
	result = gctl_json_get_str(o, "result");
	json_object_object_add(o, "state", json_object_new_string(
			result && !strcmp(result, "died") ? "died" : "exited"));
	if (json)
		print_json(o);
	else
		print_exited(o);
	json_object_put(o);
	return true;
}

int gctl_cmd_status(int argc, char **argv)
{
	struct gctl_ctl_args a = {
		.cmd = CMD,
		.json_doc = "print one JSON object",
	};
	struct gctl_ctl_conn *c;
	json_object *reply, *o;
	int ret;

	gctl_ctl_parse_args(&a, &status_argp, argc, argv, NULL);
	if (show_exited(a.name, a.json))
		return 0;
	ret = gctl_ctl_open(CMD, a.name, &c);
	if (ret)
		return ret;
	/* Ending just now: closed without a reply, the status file says. */
	gctl_ctl_set_quiet_end(c);
	ret = gctl_ctl_call(CMD, a.name, c, "status", NULL,
			    GCTL_CTL_TIMEOUT_MS, &reply);
	gctl_ctl_close(c);
	if (ret == GCTL_EXIT_NOINPUT) {
		for (int i = 0; i < 100; i++) {
			if (show_exited(a.name, a.json))
				return 0;
			usleep(10000);
		}
		return gctl_ctl_read_err(CMD, a.name, 0);
	}
	if (ret)
		return ret;
	o = gctl_ctl_payload(reply);
	if (a.json)
		print_json(o);
	else
		print_running(o);
	json_object_put(o);
	json_object_put(reply);
	return 0;
}
