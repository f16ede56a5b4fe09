// SPDX-License-Identifier: GPL-2.0-only
/* Errors, argument parsing and signal set-up shared by the subcommands. */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common.h"
#include "gunyahctl.h"

size_t gctl_printable(char *dst, size_t len, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	if (!len)
		return 0;
	for (; *s && n + 1 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != 0x7f) {
			dst[n++] = (char)c;
			continue;
		}
		if (n + 5 > len)
			break;
		dst[n++] = '\\';
		dst[n++] = 'x';
		dst[n++] = hex[c >> 4];
		dst[n++] = hex[c & 15];
	}
	dst[n] = 0;
	return n;
}

/*
 * --json: every error is also a record on standard output (json(7)).
 * Set by the option parsers as they meet --json, before any thread
 * exists; only read after.
 */
static bool errors_json;

void gctl_err_json(void)
{
	errors_json = true;
}

/*
 * s and a newline on standard output, after what stdio holds, in one
 * write (a line of its own beside a writer thread's lines).  The error
 * may be that standard output is gone: a closed pipe must not kill the
 * process with SIGPIPE (the message is on stderr already).
 */
static void write_stdout_line(const char *s)
{
	sigset_t pipe_set, old, pending;
	bool was_pending;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	fflush(stdout);
	dprintf(STDOUT_FILENO, "%s\n", s);
	/* Ours, if it came: taken, not left to kill us once unblocked. */
	if (!was_pending) {
		sigpending(&pending);
		if (sigismember(&pending, SIGPIPE))
			sigtimedwait(&pipe_set, NULL, &(struct timespec){ 0 });
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* {"error":"CMD: LINE"}, after what the command printed before it. */
static void err_record(const char *cmd, const char *line)
{
	json_object *o = json_object_new_object();
	char text[4200];
	const char *s;

	snprintf(text, sizeof(text), "%s%s%s", cmd ? cmd : "", cmd ? ": " : "",
		 line);
	json_object_object_add(o, "error", json_object_new_string(text));
	s = json_object_to_json_string_ext(o, GCTL_JSON_PLAIN);
	write_stdout_line(s);
	json_object_put(o);
}

static void verr(const char *cmd, bool record, const char *fmt, va_list ap)
{
	char msg[1024], line[4 * sizeof(msg)];

	/* Arguments are echoed in messages: control characters would break
	 * the one line (or the terminal); they show as \xHH. */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	gctl_printable(line, sizeof(line), msg);
	/* vCPU threads report too: one line stays one line. */
	flockfile(stderr);
	fputs("gunyahctl: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	fputs(line, stderr);
	fputc('\n', stderr);
	funlockfile(stderr);
	if (errors_json && record)
		err_record(cmd, line);
}

void gctl_err_stderr(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(cmd, false, fmt, ap);
	va_end(ap);
}

void gctl_note(const char *cmd, const char *fmt, ...)
{
	char note[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(note, sizeof(note), fmt, ap);
	va_end(ap);
	gctl_err_stderr(cmd, "note: %s", note);
}

void gctl_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(cmd, true, fmt, ap);
	va_end(ap);
}

int gctl_stdout_check(const char *cmd)
{
	int e;

	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	/* The reason of the failed flush; an earlier failure left none. */
	e = errno ? errno : EIO;
	/* Said once: what is still buffered is dropped, not retried. */
	__fpurge(stdout);
	clearerr(stdout);
	gctl_err(cmd, "writing the output: %s", strerror(e));
	return GCTL_EXIT_IOERR;
}

void gctl_usage_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(cmd, true, fmt, ap);
	va_end(ap);
	exit(GCTL_EXIT_USAGE);
}

struct parse_input {
	const char *prog; /* "gunyahctl run": what --help calls it */
	char **argv;	  /* argv, but argv[0] "gunyahctl: run" */
	void *input;
};

/*
 * argp prints its own errors as two lines (the error and a "Try --help"
 * hint).  getopt's line is kept, the hint goes to /dev/null, so every
 * usage error is one line on stderr.  getopt names the argv[0] it is
 * given in its line, "gunyahctl: run: unrecognized option", as every
 * other error reads; help names state->name, "Usage: gunyahctl run",
 * which argp takes from program_invocation_short_name once state->argv
 * is not argv.
 */
static error_t quiet_parser(int key, char *arg, struct argp_state *state)
{
	struct parse_input *in = state->input;

	(void)arg;
	if (key == ARGP_KEY_INIT) {
		FILE *devnull = fopen("/dev/null", "w");

		if (devnull)
			state->err_stream = devnull;
		if (in->argv)
			state->argv = in->argv;
		state->child_inputs[0] = in->input;
	}
	return ARGP_ERR_UNKNOWN;
}

static void parse_args(const char *prog, const struct argp *argp,
		       unsigned int flags, int argc, char **argv, void *input)
{
	struct argp_child children[] = { { argp, 0, NULL, 0 }, { 0 } };
	struct argp wrapper = {
		.parser = quiet_parser,
		.children = children,
	};
	struct parse_input in = { .prog = prog, .input = input };
	const char *space = strchr(prog, ' ');
	char *saved_name = program_invocation_short_name;
	char *saved = argv[0];
	char **err_argv = NULL;
	char errname[64];
	error_t err;

	/* A command's: "gunyahctl: run" (gunyahctl's own is argv[0]). */
	if (space) {
		err_argv = calloc((size_t)argc + 1, sizeof(*err_argv));
		if (!err_argv) {
			gctl_err(NULL, "out of memory");
			exit(GCTL_EXIT_OSERR);
		}
		snprintf(errname, sizeof(errname), "%.*s:%s",
			 (int)(space - prog), prog, space);
		memcpy(err_argv, argv, (size_t)argc * sizeof(*argv));
		err_argv[0] = errname;
		in.argv = err_argv;
		program_invocation_short_name = (char *)prog;
	}
	argv[0] = (char *)prog;
	err = argp_parse(&wrapper, argc, argv, flags, NULL, &in);
	argv[0] = saved;
	program_invocation_short_name = saved_name;
	free(err_argv);
	if (err)
		exit(GCTL_EXIT_USAGE);
}

void gctl_parse_args(const char *prog, const struct argp *argp, int argc,
		     char **argv, void *input)
{
	parse_args(prog, argp, 0, argc, argv, input);
}

/*
 * The global parser must stop at the command name: getopt's default
 * permutation would otherwise take "run --json" 's --json as a global
 * option.
 */
void gctl_parse_global_args(const struct argp *argp, int argc, char **argv,
			    void *input)
{
	parse_args("gunyahctl", argp, ARGP_IN_ORDER, argc, argv, input);
}

/*
 * The leading number of s, decimal or 0x hexadecimal (never octal: "010"
 * is ten, as the man pages say); *end after its last digit.  No s: -EINVAL.
 */
static int parse_number(const char *s, unsigned long long *v, char **end)
{
	int base = 10;

	if (!s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!isxdigit((unsigned char)*s))
			return -EINVAL;
	} else if (!isdigit((unsigned char)*s)) {
		return -EINVAL;
	}
	errno = 0;
	*v = strtoull(s, end, base);
	return errno ? -errno : 0;
}

int gctl_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int ret = parse_number(s, &v, &end);

	if (ret)
		return ret;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

int gctl_parse_seconds(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

double gctl_timeout_arg(const char *cmd, const char *arg)
{
	double v;

	if (gctl_parse_seconds(arg, DBL_MIN, 1e6, &v))
		gctl_usage_err(cmd, "--timeout %s: want seconds, more than 0 "
			       "and at most 1000000", arg);
	return v;
}

int gctl_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;
	int ret = parse_number(s, &v, &end);

	if (ret)
		return ret;
	switch (toupper((unsigned char)*end)) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	case 'T': shift = 40; end++; break;
	default: break;
	}
	if (shift && (*end == 'i' || *end == 'I'))
		end++;
	if (shift && (*end == 'B' || *end == 'b'))
		end++;
	if (*end)
		return -EINVAL;
	if (shift && v > (~0ULL >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

const char *gctl_device_path(void)
{
	const char *p = getenv("GUNYAHCTL_DEVICE");

	return p && *p ? p : GH_DEV_PATH;
}

const char *gctl_abi_arg(const char *cmd, const char *arg)
{
	if (!gh_abi_by_name(arg))
		gctl_usage_err(cmd, "--abi %s: unknown ABI flavour (want "
			       "upstream or android)", arg);
	return arg;
}

int gctl_backend_open(const char *cmd, const char *name, const char *abi,
		      struct gh_backend **out, struct gctl_abi_choice *choice)
{
	struct gctl_abi_choice local;
	int ret = gh_backend_open(name, gctl_device_path(), out);

	if (ret == -EINVAL) {
		gctl_err(cmd, "%s: unknown backend (want sim or dev)", name);
		return GCTL_EXIT_USAGE;
	}
	if (ret) {
		gctl_err(cmd, "backend %s: %s", name, strerror(-ret));
		return GCTL_EXIT_UNAVAILABLE;
	}
	if (!choice)
		choice = &local;
	memset(choice, 0, sizeof(*choice));
	if (abi) {
		choice->source = "--abi";
		gh_backend_set_abi(*out, gh_abi_by_name(abi));
	} else if (gh_backend_is_sim(*out)) {
		choice->source = "sim default";
	} else {
		/* Ask the device; if it cannot be asked, the open that
		 * follows says why. */
		choice->source = "detected";
		if (!gh_abi_detect(*out, &choice->detect) &&
		    choice->detect.abi)
			gh_backend_set_abi(*out, choice->detect.abi);
	}
	return 0;
}

int gctl_stop_signalfd(bool block_winch)
{
	sigset_t set, blocked;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	blocked = set;
	if (block_winch)
		sigaddset(&blocked, SIGWINCH);
	if (pthread_sigmask(SIG_BLOCK, &blocked, NULL))
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* errno, for which failures (1 << enum gctl_failed), and the status. */
#define ANY (1u << GCTL_FAILED_INPUT | 1u << GCTL_FAILED_BACKEND | \
	     1u << GCTL_FAILED_SYSTEM)
#define ON(w) (1u << GCTL_FAILED_##w)

static const struct {
	int err;
	unsigned int on;
	int status;
} exit_map[] = {
	{ ENOMEM, ANY, GCTL_EXIT_OSERR },
	{ EMFILE, ANY, GCTL_EXIT_OSERR },
	{ ENFILE, ANY, GCTL_EXIT_OSERR },
	{ ENOEXEC, ON(INPUT), GCTL_EXIT_DATAERR },	/* not an image */
	{ EBADMSG, ON(INPUT), GCTL_EXIT_DATAERR },	/* a malformed record */
	{ EFBIG, ON(INPUT), GCTL_EXIT_DATAERR },	/* not in guest RAM */
	{ EPROTONOSUPPORT, ON(INPUT), GCTL_EXIT_PROTOCOL }, /* a later format */
	{ ENOENT, ON(BACKEND), GCTL_EXIT_UNAVAILABLE },
	{ ENODEV, ON(BACKEND), GCTL_EXIT_UNAVAILABLE },
	{ ENXIO, ON(BACKEND), GCTL_EXIT_UNAVAILABLE },
	{ EACCES, ON(BACKEND), GCTL_EXIT_UNAVAILABLE },
	{ EPERM, ON(BACKEND), GCTL_EXIT_UNAVAILABLE },
	{ ENOTTY, ON(BACKEND), GCTL_EXIT_UNAVAILABLE },	/* not Gunyah */
	{ EOPNOTSUPP, ON(BACKEND), GCTL_EXIT_UNAVAILABLE },
	{ EINVAL, ON(BACKEND), GCTL_EXIT_USAGE },	/* a VM the options ask */
	{ EEXIST, ON(BACKEND), GCTL_EXIT_USAGE },
	{ ERANGE, ON(BACKEND), GCTL_EXIT_USAGE },
	{ ENOSPC, ON(BACKEND), GCTL_EXIT_USAGE },
	{ EPERM, ON(SYSTEM), GCTL_EXIT_NOPERM },
	{ EACCES, ON(SYSTEM), GCTL_EXIT_NOPERM },
	{ EADDRINUSE, ON(SYSTEM), GCTL_EXIT_CANTCREAT },	/* a name in use */
	{ ENAMETOOLONG, ON(SYSTEM), GCTL_EXIT_CANTCREAT },
	/* no room for a file to make (a name's, its exit record's) */
	{ ENOSPC, ON(SYSTEM), GCTL_EXIT_CANTCREAT },
	{ EDQUOT, ON(SYSTEM), GCTL_EXIT_CANTCREAT },
	{ EFBIG, ON(SYSTEM), GCTL_EXIT_CANTCREAT },
	{ ENOTTY, ON(SYSTEM), GCTL_EXIT_USAGE },	/* no terminal */
	{ ETIMEDOUT, ON(SYSTEM), GCTL_EXIT_TEMPFAIL },
};

int gctl_exit_of(int err, enum gctl_failed what)
{
	static const int fallback[] = {
		[GCTL_FAILED_INPUT] = GCTL_EXIT_NOINPUT,
		[GCTL_FAILED_BACKEND] = GCTL_EXIT_UNAVAILABLE,
		[GCTL_FAILED_SYSTEM] = GCTL_EXIT_OSERR,
	};

	if (!err)
		return GCTL_EXIT_OK;
	for (size_t i = 0; i < ARRAY_SIZE(exit_map); i++)
		if (exit_map[i].err == -err && (exit_map[i].on & (1u << what)))
			return exit_map[i].status;
	return fallback[what];
}

int gctl_timer_once(double secs)
{
	struct itimerspec its = { 0 };
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (fd < 0)
		return -1;
	its.it_value.tv_sec = (time_t)secs;
	its.it_value.tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9);
	/* 0 would disarm it. */
	if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
		its.it_value.tv_nsec = 1;
	timerfd_settime(fd, 0, &its, NULL);
	return fd;
}

uint64_t gctl_count_arg(const char *cmd, const char *opt, const char *arg,
			uint64_t max)
{
	uint64_t v;

	if (gctl_parse_u64(arg, &v) || !v || v > max) {
		if (max == UINT64_MAX)
			gctl_usage_err(cmd, "%s %s: want a number from 1", opt, arg);
		gctl_usage_err(cmd, "%s %s: want a number from 1 to %" PRIu64,
			       opt, arg, max);
	}
	return v;
}
