// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyahctl stop NAME: end a named VM and return once it has ended.
 * Without --force, a power-off the guest sees as the resource manager
 * reports it (exit type poweroff: the run's status is 0); with --force,
 * a forced stop (exit type forced_stop, 7: status 6).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "ctl/args.h"
#include "ctl/client.h"
#include "gunyahctl.h"

#define CMD "stop"
#define DEFAULT_TIMEOUT_S 10.0

static error_t parse_opt(int key, char *arg, struct argp_state *state);

static const struct argp_option options[] = {
	{ "force", 'f', NULL, 0,
	  "a forced stop (exit type forced_stop) instead of a power-off", 0 },
	{ 0 }
};

static const struct argp stop_argp = {
	.doc = "Stop the named VM and wait until it has ended.  By default "
	       "the VM is powered off as a host power-off request through "
	       "the resource manager ends it: every vCPU sees a status exit "
	       "of type poweroff (1), and the run ends with status 0; "
	       "backends that cannot do that (dev) say so.  --force stops it "
	       "by force: exit type forced_stop (7), status 6.  'gunyahctl "
	       "wait' then collects its exit status.\v"
	       "Exit status: 0 it has ended, 66 no such VM running, 69 the "
	       "backend cannot power off (use --force), 75 still running "
	       "after --timeout.",
	.options = options,
	.parser = parse_opt,
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	bool *force = state->input;

	(void)arg;
	if (key != 'f')
		return ARGP_ERR_UNKNOWN;
	*force = true;
	return 0;
}

int gctl_cmd_stop(int argc, char **argv)
{
	struct gctl_ctl_args a = {
		.cmd = CMD,
		.timeout_doc = "give up waiting for the end after SEC seconds "
			       "(default 10)",
		.timeout = DEFAULT_TIMEOUT_S,
	};
	bool force = false;
	struct gctl_ctl_conn *c;
	json_object *args, *reply;
	char msg[128];
	int ret;

	gctl_ctl_parse_args(&a, &stop_argp, argc, argv, &force);
	ret = gctl_ctl_open(CMD, a.name, &c);
	if (ret)
		return ret;
	args = json_object_new_object();
	json_object_object_add(args, "force", json_object_new_boolean(force));
	/* The reply comes when the VM has ended: its timeout says so (a
	 * refusal, "too many connections", says only that). */
	snprintf(msg, sizeof(msg), "still running after %g s%s", a.timeout,
		 force ? "" : " (stop --force forces it)");
	gctl_ctl_set_timeout_msg(c, msg);
	ret = gctl_ctl_call(CMD, a.name, c, "stop", args,
			    (int)ceil(a.timeout * 1000), &reply);
	gctl_ctl_close(c);
	if (ret)
		return ret;
	json_object_put(reply);
	return 0;
}
