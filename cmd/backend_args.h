/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * --backend sim|dev and --abi FLAVOUR, as the commands that open a
 * backend themselves (info, diag) take them: one argp child.
 */
#ifndef GCTL_BACKEND_ARGS_H
#define GCTL_BACKEND_ARGS_H

#include <argp.h>

struct gctl_backend_args {
	const char *cmd;     /* for errors; set by the command */
	const char *backend; /* "sim" (preset it) or "dev" */
	const char *abi;     /* NULL: the backend's default */
};

/*
 * The child, as a parent's .children (one entry, then the end).  Its
 * input is a struct gctl_backend_args, which the parent passes
 * at ARGP_KEY_INIT in state->child_inputs[0].
 */
extern const struct argp_child gctl_backend_children[];

#endif /* GCTL_BACKEND_ARGS_H */
