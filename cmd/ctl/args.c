// SPDX-License-Identifier: GPL-2.0-only
/* The arguments the admin commands share (args.h). */
#include <stdio.h>
#include <string.h>

#include "ctl/args.h"
#include "gunyahctl.h"

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct gctl_ctl_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		if (a->input)
			state->child_inputs[0] = a->input;
		return 0;
	case 'j':
		a->json = true;
		gctl_err_json();
		return 0;
	case 't':
		a->timeout = gctl_timeout_arg(a->cmd, arg);
		return 0;
	case ARGP_KEY_ARG:
		if (a->no_name)
			gctl_usage_err(a->cmd, "%s: unexpected argument", arg);
		if (!a->name)
			a->name = arg;
		else if (a->extra && !a->arg)
			a->arg = arg;
		else
			gctl_usage_err(a->cmd, "%s: one argument too many", arg);
		return 0;
	case ARGP_KEY_END:
		/* Named as the usage line names it: NAME, FILE. */
		if (!a->no_name && !a->name)
			gctl_usage_err(a->cmd, "no %.*s given (see 'gunyahctl "
				       "%s --help')", (int)strcspn(a->args_doc ?
				       a->args_doc : "NAME", " "), a->args_doc ?
				       a->args_doc : "NAME", a->cmd);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

void gctl_ctl_parse_args(struct gctl_ctl_args *a, const struct argp *argp,
			 int argc, char **argv, void *input)
{
	struct argp_option options[3] = { { 0 } };
	struct argp own = { 0 };
	struct argp_child children[2] = { { 0 } };
	struct argp parent = {
		.options = options,
		.parser = parse_opt,
		.children = children,
	};
	struct argp_option *o = options;
	char prog[64];

	if (a->json_doc)
		*o++ = (struct argp_option){ "json", 'j', NULL, 0,
					     a->json_doc, 0 };
	if (a->timeout_doc)
		*o++ = (struct argp_option){ "timeout", 't', "SEC", 0,
					     a->timeout_doc, 0 };
	/* No options at all: none (glibc's argp help leaks an empty list). */
	if (o == options)
		parent.options = NULL;
	/* The doc is the parent's: a child's would print twice. */
	parent.doc = argp->doc;
	if (!a->no_name)
		parent.args_doc = a->args_doc ? a->args_doc : "NAME";
	a->input = NULL;
	if (argp->options || argp->parser) {
		own.options = argp->options;
		own.parser = argp->parser;
		own.children = argp->children;
		children[0].argp = &own;
		a->input = input;
	}
	snprintf(prog, sizeof(prog), "gunyahctl %s", a->cmd);
	gctl_parse_args(prog, &parent, argc, argv, a);
}
