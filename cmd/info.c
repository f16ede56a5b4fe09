// SPDX-License-Identifier: GPL-2.0-only
/* gunyahctl info: placeholder until the command lands. */
#include "gunyahctl.h"

static int info_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	gctl_err("info", "not available in this build yet");
	return GCTL_EXIT_SOFTWARE;
}

const struct gctl_cmd gctl_cmd_info = {
	.name = "info",
	.doc = "(not available yet)",
	.main = info_main,
};
