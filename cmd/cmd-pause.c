// SPDX-License-Identifier: GPL-2.0-only
/* gunyahctl pause NAME: hold a named VM's vCPUs (resume lets them go). */
#include "ctl/client.h"
#include "gunyahctl.h"

#define CMD "pause"

struct pause_args {
	const char *name;
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct pause_args *a = state->input;

	return gctl_ctl_parse_name(CMD, key, arg, &a->name, NULL);
}

static const struct argp pause_argp = {
	.parser = parse_opt,
	.args_doc = "NAME",
	.doc = "Pause the named VM: every vCPU leaves its run and waits; an "
	       "exit already taken is held until the VM goes on.  Once this "
	       "returns, the exit counters stand still.\v"
	       "Exit status: 0 paused, 66 no such VM running, 69 the VM cannot, "
	       "75 no reply in time.",
};

static int pause_main(int argc, char **argv)
{
	struct pause_args a = { 0 };
	json_object *reply;
	int ret;

	gctl_parse_args("gunyahctl pause", &pause_argp, argc, argv, &a);
	ret = gctl_ctl_request(CMD, a.name, "pause", NULL, &reply);
	if (!ret)
		json_object_put(reply);
	return ret;
}

const struct gctl_cmd gctl_cmd_pause = {
	.name = "pause",
	.doc = "pause a named VM's vCPUs",
	.main = pause_main,
};
