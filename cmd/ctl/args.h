/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every admin command (attach, list, pause, resume, stat, status,
 * step, stop, wait) takes alike: NAME, and where the command has them,
 * --json and --timeout SEC; replay and report take FILE the same way,
 * info and probe their --json.  One argp parent parses them; the command's
 * own argp, if any, is its child, and sees its own options only.
 */
#ifndef GCTL_CTL_ARGS_H
#define GCTL_CTL_ARGS_H

#include <argp.h>
#include <stdbool.h>

struct gctl_ctl_args {
	/* set by the command */
	const char *cmd;	 /* "stop": errors and "gunyahctl stop" */
	const char *json_doc;	 /* --json with this help line, if set */
	const char *timeout_doc; /* --timeout SEC with this help line, if set */
	const char *args_doc;	 /* "NAME" if NULL */
	bool no_name;		 /* takes no argument at all (list) */
	bool extra;		 /* one more optional argument after NAME */
	/* parsed */
	const char *name;
	const char *arg;	 /* the optional argument after NAME */
	bool json;
	double timeout;		 /* seconds; preset it to the default */
	void *input;		 /* private: the command's argp input */
};

/*
 * Parse argv: a's options and arguments, and those of argp (the
 * command's own: its doc, and options and a parser if it has any) into
 * input.  Usage
 * errors print one line and exit EX_USAGE.
 */
void gctl_ctl_parse_args(struct gctl_ctl_args *a, const struct argp *argp,
			 int argc, char **argv, void *input);

#endif /* GCTL_CTL_ARGS_H */
