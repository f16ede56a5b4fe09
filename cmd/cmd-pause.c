// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyahctl pause NAME: hold a named VM's vCPUs; gunyahctl resume NAME:
 * let them go.  One request each, the same in every other way.
 */
#include "ctl/args.h"
#include "ctl/client.h"
#include "gunyahctl.h"

static const struct argp pause_argp = {
	.doc = "Pause the named VM: every vCPU leaves its run and waits; an "
	       "exit already taken is held until the VM goes on.  Once this "
	       "returns, the exit counters stand still.\v"
	       "Exit status: 0 paused, 66 no such VM running, 75 no reply in "
	       "time.",
};

static const struct argp resume_argp = {
	.doc = "Resume the named VM: its vCPUs run freely again, after a "
	       "pause, a step, or run --step.\v"
	       "Exit status: 0 running, 66 no such VM running, 75 no reply in "
	       "time.",
};

/* cmd is also the request's name. */
static int request(const char *cmd, const struct argp *argp, int argc,
		   char **argv)
{
	struct gctl_ctl_args a = { .cmd = cmd };
	json_object *reply;
	int ret;

	gctl_ctl_parse_args(&a, argp, argc, argv, NULL);
	ret = gctl_ctl_request(cmd, a.name, cmd, NULL, &reply);
	if (!ret)
		json_object_put(reply);
	return ret;
}

int gctl_cmd_pause(int argc, char **argv)
{
	return request("pause", &pause_argp, argc, argv);
}

int gctl_cmd_resume(int argc, char **argv)
{
	return request("resume", &resume_argp, argc, argv);
}
