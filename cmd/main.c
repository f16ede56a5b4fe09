// SPDX-License-Identifier: GPL-2.0-only
/* gunyahctl: global options and the subcommand table. */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "gunyahctl.h"

const char *argp_program_version = "gunyahctl " GUNYAHCTL_VERSION;
const char *argp_program_bug_address = NULL;

/* The commands, in `gunyahctl --help`'s order: each is a main of its own
 * (gunyahctl.h), in cmd-NAME.c. */
static const struct gctl_cmd {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *doc; /* one line, for `gunyahctl --help` */
} commands[] = {
	{ "info", gctl_cmd_info,
	  "show the backend, ABI constants and limits" },
	{ "run", gctl_cmd_run,
	  "run a guest image and show every vCPU exit" },
	{ "diag", gctl_cmd_diag,
	  "Check which parts of the vCPU ABI work (sim or /dev/gunyah)" },
	{ "probe", gctl_cmd_probe,
	  "Say whether this machine can run Gunyah VMs, and why not" },
	{ "explain", gctl_cmd_explain,
	  "decode a VM exit type and exit reason word" },
	{ "list", gctl_cmd_list,
	  "list the named VMs" },
	{ "status", gctl_cmd_status,
	  "show a named VM" },
	{ "stat", gctl_cmd_stat,
	  "show a named VM's exit counters" },
	{ "attach", gctl_cmd_attach,
	  "show a named VM's exits and console live" },
	{ "pause", gctl_cmd_pause,
	  "pause a named VM's vCPUs" },
	{ "resume", gctl_cmd_resume,
	  "let a paused named VM run again" },
	{ "step", gctl_cmd_step,
	  "let a paused named VM take N exits and show them" },
	{ "stop", gctl_cmd_stop,
	  "power off (or force-stop) a named VM" },
	{ "wait", gctl_cmd_wait,
	  "wait for a named VM to end, exit with its status" },
	{ "report", gctl_cmd_report,
	  "table where the time of a recorded run went" },
	{ "replay", gctl_cmd_replay,
	  "run a recorded guest again on the sim and check every exit" },
};

#define NR_COMMANDS ARRAY_SIZE(commands)

struct main_args {
	int cmd_argc;
	char **cmd_argv;
};

static char *help_filter(int key, const char *text, void *input)
{
	size_t len = 0, off = 0;
	char *buf;

	(void)input;
	if (key != ARGP_KEY_HELP_POST_DOC)
		return (char *)text;
	for (size_t i = 0; i < NR_COMMANDS; i++)
		len += strlen(commands[i].name) + strlen(commands[i].doc) + 16;
	buf = malloc(len + 32);
	if (!buf)
		return (char *)text;
	off += (size_t)sprintf(buf + off, "Commands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		off += (size_t)sprintf(buf + off, "  %-10s %s\n",
				       commands[i].name, commands[i].doc);
	sprintf(buf + off, "\n'gunyahctl COMMAND --help' describes each.");
	return buf;
}

static error_t parse_main(int key, char *arg, struct argp_state *state)
{
	struct main_args *a = state->input;

	switch (key) {
	case ARGP_KEY_ARG:
		/* Everything from the command on belongs to the command. */
		a->cmd_argv = &state->argv[state->next - 1];
		a->cmd_argc = state->argc - state->next + 1;
		state->next = state->argc;
		(void)arg;
		return 0;
	case ARGP_KEY_NO_ARGS:
		/* A bare "gunyahctl" shows what it can do, as a usage error. */
		argp_state_help(state, stderr, ARGP_HELP_USAGE | ARGP_HELP_LONG |
				ARGP_HELP_DOC | ARGP_HELP_EXIT_ERR);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp main_argp = {
	.parser = parse_main,
	.args_doc = "COMMAND [ARG...]",
	.doc = "Create Gunyah VMs, run their proxy-scheduled vCPUs and show "
	       "every exit.\v",
	.help_filter = help_filter,
};

int main(int argc, char **argv)
{
	struct main_args a = { 0 };

	/* Closed, stdout would be the first file opened: output goes astray. */
	if (fcntl(STDOUT_FILENO, F_GETFD) < 0) {
		gctl_err(NULL, "standard output: %s", strerror(errno));
		return GCTL_EXIT_IOERR;
	}
	/* A file past RLIMIT_FSIZE is a write error ("File too large") to
	 * report, like a full disk, not a signal that kills us silently. */
	signal(SIGXFSZ, SIG_IGN);
	argp_err_exit_status = GCTL_EXIT_USAGE;
	gctl_parse_global_args(&main_argp, argc, argv, &a);
	if (!a.cmd_argv)
		return GCTL_EXIT_USAGE;

	for (size_t i = 0; i < NR_COMMANDS; i++) {
		int ret, out;

		if (strcmp(a.cmd_argv[0], commands[i].name))
			continue;
		ret = commands[i].main(a.cmd_argc, a.cmd_argv);
		/*
		 * Output that could not be written (a full disk, a closed
		 * pipe) fails the command, whatever it did: one line, 74.
		 * A command that said so itself (74) is not told twice, nor
		 * is one that failed already (a sysexits status).
		 */
		if (ret >= GCTL_EXIT_USAGE) {
			__fpurge(stdout);
			clearerr(stdout);
			return ret;
		}
		out = gctl_stdout_check(commands[i].name);
		return out ? out : ret;
	}

	gctl_err(NULL, "%s: unknown command (see 'gunyahctl --help')",
		 a.cmd_argv[0]);
	return GCTL_EXIT_USAGE;
}
