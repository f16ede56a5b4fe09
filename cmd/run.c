// SPDX-License-Identifier: GPL-2.0-only
/* gunyahctl run: placeholder until the command lands. */
#include "gunyahctl.h"

static int run_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	gctl_err("run", "not available in this build yet");
	return GCTL_EXIT_SOFTWARE;
}

const struct gctl_cmd gctl_cmd_run = {
	.name = "run",
	.doc = "(not available yet)",
	.main = run_main,
};
