// SPDX-License-Identifier: GPL-2.0-only
/* gunyahctl explain: placeholder until the command lands. */
#include "gunyahctl.h"

static int explain_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	gctl_err("explain", "not available in this build yet");
	return GCTL_EXIT_SOFTWARE;
}

const struct gctl_cmd gctl_cmd_explain = {
	.name = "explain",
	.doc = "(not available yet)",
	.main = explain_main,
};
