// SPDX-License-Identifier: GPL-2.0-only
/* gunyahctl resume NAME: let a paused VM run freely again. */
#include "ctl/client.h"
#include "gunyahctl.h"

#define CMD "resume"

struct resume_args {
	const char *name;
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct resume_args *a = state->input;

	return gctl_ctl_parse_name(CMD, key, arg, &a->name, NULL);
}

static const struct argp resume_argp = {
	.parser = parse_opt,
	.args_doc = "NAME",
	.doc = "Resume the named VM: its vCPUs run freely again, after a "
	       "pause, a step, or run --step.\v"
	       "Exit status: 0 running, 66 no such VM running, 69 the VM cannot, "
	       "75 no reply in time.",
};

static int resume_main(int argc, char **argv)
{
	struct resume_args a = { 0 };
	json_object *reply;
	int ret;

	gctl_parse_args("gunyahctl resume", &resume_argp, argc, argv, &a);
	ret = gctl_ctl_request(CMD, a.name, "resume", NULL, &reply);
	if (!ret)
		json_object_put(reply);
	return ret;
}

const struct gctl_cmd gctl_cmd_resume = {
	.name = "resume",
	.doc = "let a paused named VM run again",
	.main = resume_main,
};
