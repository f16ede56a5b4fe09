/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by gunyahctl's subcommands: the command table, errors, parsing. */
#ifndef GUNYAHCTL_H
#define GUNYAHCTL_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sysexits.h>

#include "gunyah.h"

/*
 * Exit statuses beyond sysexits(3), for how a VM ended (gunyahctl(1),
 * EXIT STATUS).  0 is a guest power-off.
 */
enum gctl_exit {
	GCTL_EXIT_OK = 0,
	GCTL_EXIT_FAILURE = 1,	    /* a check failed, or an internal error */
	GCTL_EXIT_RESET = 2,	    /* guest asked for a reset (RESET, RESET2) */
	GCTL_EXIT_CRASHED = 3,	    /* VM crashed, or exited abnormally */
	GCTL_EXIT_LOAD_FAILED = 4,  /* VM failed to load */
	GCTL_EXIT_TIMEOUT = 5,	    /* --timeout: forced stop */
	GCTL_EXIT_STOPPED = 6,	    /* stopped by the user (q, Ctrl-C), or --max-exits */
	GCTL_EXIT_STUCK = 8,	    /* --on-stuck=stop: a vCPU repeated one exit */
	GCTL_EXIT_VCPU_FAILED = 7,  /* a vCPU could not go on: an unhandled
				     * page fault, or a RUN error */
	GCTL_EXIT_USAGE = EX_USAGE,	    /* 64 */
	GCTL_EXIT_DATAERR = EX_DATAERR,	    /* 65: bad image */
	GCTL_EXIT_NOINPUT = EX_NOINPUT,	    /* 66: image missing */
	GCTL_EXIT_UNAVAILABLE = EX_UNAVAILABLE, /* 69: backend unavailable */
	GCTL_EXIT_SOFTWARE = EX_SOFTWARE,   /* 70 */
	GCTL_EXIT_OSERR = EX_OSERR,	    /* 71 */
	GCTL_EXIT_CANTCREAT = EX_CANTCREAT, /* 73: a VM of that name runs */
	GCTL_EXIT_IOERR = EX_IOERR,	    /* 74 */
	GCTL_EXIT_TEMPFAIL = EX_TEMPFAIL,   /* 75: timed out, try again */
	GCTL_EXIT_PROTOCOL = EX_PROTOCOL,   /* 76: the VM's reply makes no sense */
	GCTL_EXIT_NOPERM = EX_NOPERM,	    /* 77 */
};

/* The commands (main.c dispatches): each parses its own argv, argv[0] its
 * name, and returns the process's exit status. */
int gctl_cmd_info(int argc, char **argv);
int gctl_cmd_run(int argc, char **argv);
int gctl_cmd_diag(int argc, char **argv);
int gctl_cmd_probe(int argc, char **argv);
int gctl_cmd_explain(int argc, char **argv);
int gctl_cmd_list(int argc, char **argv);
int gctl_cmd_status(int argc, char **argv);
int gctl_cmd_stat(int argc, char **argv);
int gctl_cmd_attach(int argc, char **argv);
int gctl_cmd_pause(int argc, char **argv);
int gctl_cmd_resume(int argc, char **argv);
int gctl_cmd_step(int argc, char **argv);
int gctl_cmd_stop(int argc, char **argv);
int gctl_cmd_wait(int argc, char **argv);
int gctl_cmd_report(int argc, char **argv);
int gctl_cmd_replay(int argc, char **argv);

/*
 * What failed, for gctl_exit_of: the same errno means another exit status
 * for each (ENOENT is a missing input file, but a missing device).
 */
enum gctl_failed {
	GCTL_FAILED_INPUT,	/* reading a file the user named (image, record) */
	GCTL_FAILED_BACKEND,	/* the backend: its device, a VM on it */
	GCTL_FAILED_SYSTEM,	/* the system: sockets, files made, memory */
};

/*
 * The one errno-to-exit-status mapping (sysexits(3)): the status for
 * -errno err when what failed.  err 0 is GCTL_EXIT_OK.
 */
int gctl_exit_of(int err, enum gctl_failed what);

/*
 * Parse a command's arguments.  Usage errors print one line on stderr and
 * exit EX_USAGE; --help prints and exits 0.  prog is what help calls the
 * command ("gunyahctl run").
 */
void gctl_parse_args(const char *prog, const struct argp *argp, int argc,
		     char **argv, void *input);

/* The same for gunyahctl's own options, which end at the command name. */
void gctl_parse_global_args(const struct argp *argp, int argc, char **argv,
			    void *input);

/*
 * s with control characters as \xHH, into dst (len bytes, NUL included,
 * cut short if need be): user text fit to echo on one line.  Returns the
 * length written.
 */
size_t gctl_printable(char *dst, size_t len, const char *s);

/*
 * --json was given: from now on every error is also a record on standard
 * output, {"error":"<cmd>: <message>"} (gunyahctl-json(7)).
 */
void gctl_err_json(void);

/* "gunyahctl: <cmd>: <message>" on stderr, on one line. */
void gctl_err(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same line on stderr alone, never an {"error"} record: for what
 * the JSON stream carries in a record of its own (a message event). */
void gctl_err_stderr(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "gunyahctl: <cmd>: note: <message>" on stderr: a remark, not an error
 * (no record in --json mode). */
void gctl_note(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Report a usage error from inside an argp parser, then exit EX_USAGE. */
void gctl_usage_err(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/*
 * Standard output flushed: 0, or (one line said, "gunyahctl: CMD: writing
 * the output: <why>") GCTL_EXIT_IOERR when it could not all be written.
 * A command whose output is its result checks this before it acts on
 * having printed it (wait reaps only what it has reported).
 */
int gctl_stdout_check(const char *cmd);

/*
 * Numbers: decimal or 0x hexadecimal, a leading 0 is still decimal (no
 * octal); sizes accept K/M/G/T suffixes.  0 or -errno.
 */
int gctl_parse_u64(const char *s, uint64_t *out);
int gctl_parse_size(const char *s, uint64_t *out);
/* Seconds, fractions allowed, within [min, max].  0 or -EINVAL. */
int gctl_parse_seconds(const char *s, double min, double max, double *out);
/* A count option's value, 1 to max (UINT64_MAX: no bound to say), or a
 * usage error from inside an argp parser. */
uint64_t gctl_count_arg(const char *cmd, const char *opt, const char *arg,
			uint64_t max);
/* A --timeout SEC argument (more than 0, at most 1000000), or a usage
 * error from inside an argp parser. */
double gctl_timeout_arg(const char *cmd, const char *arg);

/*
 * Block SIGINT, SIGTERM and SIGHUP (and SIGWINCH if block_winch, which a
 * dashboard takes from a signalfd of its own) in the calling thread: call
 * it before any thread exists, so every thread inherits the mask.  A
 * non-blocking signalfd for the three, or -1 with errno set.
 */
int gctl_stop_signalfd(bool block_winch);

/* A non-blocking timerfd that fires once, secs (more than 0) from now:
 * its fd, or -1 with errno set. */
int gctl_timer_once(double secs);

/* The device the dev backend opens: $GUNYAHCTL_DEVICE, else /dev/gunyah. */
const char *gctl_device_path(void);

/* How the ABI flavour in use was chosen. */
struct gctl_abi_choice {
	const char *source;	/* "--abi", "sim default" or "detected" */
	struct gh_abi_detect detect; /* when detected */
};

/*
 * Open the named backend, speaking the ABI flavour abi ("upstream",
 * "android"; NULL: the sim's default, upstream, or on the dev backend the
 * flavour the device answers, gh_abi_detect()).  On failure explain why
 * and return an exit code (64 for an unknown name).  choice may be NULL.
 */
int gctl_backend_open(const char *cmd, const char *name, const char *abi,
		      struct gh_backend **out, struct gctl_abi_choice *choice);
/* --abi's value: a usage error (exit 64) from inside argp if unknown. */
const char *gctl_abi_arg(const char *cmd, const char *arg);

#endif /* GUNYAHCTL_H */
