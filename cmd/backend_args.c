// SPDX-License-Identifier: GPL-2.0-only
/* --backend and --abi (backend_args.h). */
#include <string.h>

#include "backend_args.h"
#include "gunyahctl.h"

enum { OPT_ABI = 0x1000 };

static const struct argp_option options[] = {
	{ "backend", 'b', "NAME", 0,
	  "the backend: sim (default) or dev (/dev/gunyah)", 0 },
	{ "abi", OPT_ABI, "FLAVOUR", 0,
	  "ABI flavour to speak: upstream or android (default: the sim's "
	  "upstream; on dev, the one the device answers)", 0 },
	{ 0 },
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct gctl_backend_args *b = state->input;

	switch (key) {
	case 'b':
		if (strcmp(arg, "sim") && strcmp(arg, "dev"))
			gctl_usage_err(b->cmd, "%s: unknown backend (want sim or "
				       "dev)", arg);
		b->backend = arg;
		return 0;
	case OPT_ABI:
		b->abi = gctl_abi_arg(b->cmd, arg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp backend_argp = {
	.options = options,
	.parser = parse_opt,
};

const struct argp_child gctl_backend_children[] = {
	{ &backend_argp, 0, NULL, 0 },
	{ 0 },
};
