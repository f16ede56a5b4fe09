// SPDX-License-Identifier: GPL-2.0-only
/* gunyahctl diag: placeholder until the command lands. */
#include "gunyahctl.h"

static int diag_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	gctl_err("diag", "not available in this build yet");
	return GCTL_EXIT_SOFTWARE;
}

const struct gctl_cmd gctl_cmd_diag = {
	.name = "diag",
	.doc = "(not available yet)",
	.main = diag_main,
};
