// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyahctl diag: run the battery of vCPU ABI checks (diag_checks.c) on
 * the simulator or on /dev/gunyah and say which parts of the ABI work.
 *
 * Each check runs in a child process with a backend of its own: a driver
 * that hangs in GUNYAH_VCPU_RUN, a crash, or a VM left behind stays in
 * that check, which then fails with what it was doing at the time.  The
 * child writes its verdict into shared memory; this file only orders,
 * times and prints.
 */
#include <errno.h>
#include <math.h>
#include <float.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "output/json_rec.h"

#include "backend_args.h"
#include "common.h"
#include "diag/diag.h"
#include "gunyahctl.h"

#define CMD "diag"
#define DEFAULT_TIMEOUT_S 15
#define MAX_TIMEOUT_S 3600
#define MAX_CHECKS 64

enum {
	OPT_JSON = 'j',
	OPT_LIST = 'l',
	OPT_ONLY = 'o',
	OPT_VCPUS = 'n',
	OPT_TIMEOUT = 't',
};

static error_t parse_opt(int key, char *arg, struct argp_state *state);

static const struct argp_option options[] = {
	{ "json", OPT_JSON, NULL, 0,
	  "One JSON object per check, then a summary object", 0 },
	{ "list", OPT_LIST, NULL, 0, "List the checks and exit", 0 },
	{ "only", OPT_ONLY, "NAME[,NAME...]", 0,
	  "Run only the named checks (repeatable)", 0 },
	{ "vcpus", OPT_VCPUS, "N", 0,
	  "vCPUs of the SMP checks (default 2, 1 to 16)", 0 },
	{ "timeout", OPT_TIMEOUT, "SEC", 0,
	  "Fail a check still running after SEC seconds (default 15; "
	  "fractions allowed)", 0 },
	{ 0 },
};

static const struct argp diag_argp = {
	.args_doc = "[NAME...]",
	.doc = "Check which parts of the Gunyah vCPU ABI work: run a battery "
	       "of checks, each a small built-in guest program and the exits "
	       "the driver must give for it, and print PASS, FAIL or SKIP for "
	       "each with what was measured, then a summary.\v"
	       "NAMEs, like --only, pick checks; --list shows them all.  Each "
	       "check runs in a process of its own with its own VM; one that "
	       "hangs fails after --timeout.  Checks that need what only the "
	       "simulator offers (waking a vCPU from WFI, page-fault regions, "
	       "a forced stop) are skipped on a device that answers them with "
	       "ENOTTY.  The MMIO latency check reports, it never fails.\n\n"
	       "Exit status: 0 when no check failed (skips do not count), 1 "
	       "when one did, 64 for a usage error, 69 when the backend's "
	       "device is missing or cannot be opened, or is not a Gunyah "
	       "device (diag stops at the first check that shows it).",
	.children = gctl_backend_children,
	.options = options,
	.parser = parse_opt,
};

struct diag_args {
	struct gctl_backend_args be;	/* be.abi: --abi, then what is spoken */
	const char *abi_source;		/* "--abi", "sim default", "detected" */
	bool json;
	bool list;
	unsigned int nr_vcpus;
	double timeout_s;		/* per check */
	bool only;			/* some checks were named */
	bool selected[MAX_CHECKS];
};

static void select_checks(struct diag_args *a, const char *list)
{
	char *copy = strdup(list), *save = NULL, *name;

	if (!copy) {
		gctl_err(CMD, "out of memory");
		exit(GCTL_EXIT_OSERR);
	}
	for (name = strtok_r(copy, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < diag_nr_checks; i++)
			if (!strcmp(diag_checks[i].name, name))
				break;
		if (i == diag_nr_checks) {
			gctl_err(CMD, "%s: no such check (see 'gunyahctl diag "
				 "--list')", name);
			free(copy);
			exit(GCTL_EXIT_USAGE);
		}
		a->selected[i] = true;
		a->only = true;
	}
	free(copy);
	if (!a->only)
		gctl_usage_err(CMD, "--only: no check named");
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct diag_args *a = state->input;
	uint64_t n;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->be;
		return 0;
	case OPT_JSON:
		a->json = true;
		gctl_err_json();
		return 0;
	case OPT_LIST:
		a->list = true;
		return 0;
	case OPT_ONLY:
	case ARGP_KEY_ARG: /* names after --only, or instead of it */
		select_checks(a, arg);
		return 0;
	case OPT_VCPUS:
		if (gctl_parse_u64(arg, &n) || n < 1 || n > DIAG_MAX_VCPUS)
			gctl_usage_err(CMD, "--vcpus: %s: want 1 to %d", arg,
				       DIAG_MAX_VCPUS);
		a->nr_vcpus = (unsigned int)n;
		return 0;
	case OPT_TIMEOUT:
		/* Fractions allowed, as every --timeout takes them. */
		if (gctl_parse_seconds(arg, DBL_MIN, MAX_TIMEOUT_S,
				       &a->timeout_s))
			gctl_usage_err(CMD, "--timeout %s: want seconds, more "
				       "than 0 and at most %d", arg,
				       MAX_TIMEOUT_S);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* ---- output ------------------------------------------------------------- */

static const char *status_str(enum diag_status st)
{
	switch (st) {
	case DIAG_PASS:
		return "pass";
	case DIAG_FAIL:
		return "fail";
	case DIAG_SKIP:
		return "skip";
	default:
		return "running";
	}
}

static void print_value(FILE *f, const struct diag_value *v)
{
	switch (v->type) {
	case DIAG_V_UINT:
		fprintf(f, "%s=%" PRIu64, v->key, v->u);
		break;
	case DIAG_V_INT:
		fprintf(f, "%s=%" PRId64, v->key, v->i);
		break;
	case DIAG_V_HEX:
		fprintf(f, "%s=%#" PRIx64, v->key, v->u);
		break;
	case DIAG_V_US:
		fprintf(f, "%s=%.2f", v->key, v->us);
		break;
	case DIAG_V_STR:
		fprintf(f, "%s=%s", v->key, v->s);
		break;
	}
}

static int name_width(void)
{
	size_t w = 0;

	for (size_t i = 0; i < diag_nr_checks; i++)
		if (strlen(diag_checks[i].name) > w)
			w = strlen(diag_checks[i].name);
	return (int)w;
}

static void print_text(const struct diag_check *chk,
		       const struct diag_result *res)
{
	const char *label = res->status == DIAG_PASS ? "PASS" :
			    res->status == DIAG_SKIP ? "SKIP" : "FAIL";

	printf("%s  %-*s", label, name_width(), chk->name);
	if (res->reason[0])
		printf("  %s", res->reason);
	for (unsigned int i = 0; i < res->nr_values; i++) {
		fputs(i ? " " : res->reason[0] ? "  [" : "  ", stdout);
		print_value(stdout, &res->values[i]);
	}
	if (res->reason[0] && res->nr_values)
		putchar(']');
	putchar('\n');
	if (res->status == DIAG_FAIL && res->log[0])
		printf("      %*s  backend log: %s\n", name_width(), "", res->log);
}

static struct json_object *value_json(const struct diag_value *v)
{
	char buf[32];

	switch (v->type) {
	case DIAG_V_UINT:
		return json_object_new_uint64(v->u);
	case DIAG_V_INT:
		return json_object_new_int64(v->i);
	case DIAG_V_HEX:
		return gctl_json_addr(v->u);
	case DIAG_V_US:
		snprintf(buf, sizeof(buf), "%.2f", v->us);
		return json_object_new_double_s(v->us, buf);
	case DIAG_V_STR:
		return json_object_new_string(v->s);
	}
	return NULL;
}

static void print_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, GCTL_JSON_PLAIN));
	json_object_put(o);
}

static struct json_object *ms_json(uint64_t ns)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.1f", (double)ns / 1e6);
	return json_object_new_double_s((double)ns / 1e6, buf);
}

static void print_check_json(const struct diag_check *chk,
			     const struct diag_result *res, uint64_t ns)
{
	struct json_object *o = json_object_new_object();
	struct json_object *values = json_object_new_object();

	json_object_object_add(o, "event", json_object_new_string("check"));
	json_object_object_add(o, "name", json_object_new_string(chk->name));
	json_object_object_add(o, "status",
			       json_object_new_string(status_str(res->status)));
	json_object_object_add(o, "reason", res->reason[0] ?
			       json_object_new_string(res->reason) : NULL);
	for (unsigned int i = 0; i < res->nr_values; i++)
		json_object_object_add(values, res->values[i].key,
				       value_json(&res->values[i]));
	json_object_object_add(o, "values", values);
	json_object_object_add(o, "log", res->log[0] ?
			       json_object_new_string(res->log) : NULL);
	json_object_object_add(o, "description",
			       json_object_new_string(chk->doc));
	json_object_object_add(o, "t_ms", ms_json(ns));
	print_json(o);
}

static int list_checks(const struct diag_args *a)
{
	int ret = GCTL_EXIT_OK;

	for (size_t i = 0; i < diag_nr_checks; i++) {
		const struct diag_check *chk = &diag_checks[i];

		if (a->only && !a->selected[i])
			continue;
		if (a->json) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "name",
					       json_object_new_string(chk->name));
			json_object_object_add(o, "description",
					       json_object_new_string(chk->doc));
			print_json(o);
		} else {
			printf("%-*s  %s\n", name_width(), chk->name, chk->doc);
		}
	}
	if (fflush(stdout) || ferror(stdout)) {
		gctl_err(CMD, "writing the output: %s", strerror(errno));
		ret = GCTL_EXIT_IOERR;
	}
	return ret;
}

/* ---- running one check ---------------------------------------------------- */

static void child_main(const struct diag_check *chk, const struct diag_args *a,
		       struct diag_result *res)
{
	struct diag_ctx c = {
		.backend = a->be.backend,
		.abi = a->be.abi,
		.device = gctl_device_path(),
		.nr_vcpus = a->nr_vcpus,
		.res = res,
		.log_lock = PTHREAD_MUTEX_INITIALIZER,
	};

	/* Whatever the parent could not write is not ours to write again. */
	__fpurge(stdout);
	diag_step(&c, "starting");
	diag_check_start(&c, chk);
	if (res->status == DIAG_RUNNING)
		res->status = DIAG_PASS;
	if (c.abandoned)
		_exit(0); /* a thread is still inside the driver */
	exit(0);
}

/* Wait for the child to close its end of the pipe: it has exited. */
static bool wait_eof(int fd, unsigned int ms)
{
	uint64_t end = gctl_now_ns() + (uint64_t)ms * 1000000;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[64];

	for (;;) {
		uint64_t now = gctl_now_ns();
		int ret;

		if (now >= end)
			return false;
		ret = poll(&p, 1, (int)((end - now) / 1000000) + 1);
		if (ret < 0 && errno != EINTR)
			return false;
		if (ret > 0 && read(fd, buf, sizeof(buf)) <= 0)
			return true;
	}
}

static void run_check(const struct diag_check *chk, const struct diag_args *a,
		      struct diag_result *res)
{
	int pfd[2], status = 0;
	bool finished;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (pipe2(pfd, O_CLOEXEC)) {
		snprintf(res->reason, sizeof(res->reason), "pipe: %s",
			 strerror(errno));
		res->status = DIAG_FAIL;
		return;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		snprintf(res->reason, sizeof(res->reason), "fork: %s",
			 strerror(errno));
		res->status = DIAG_FAIL;
		close(pfd[0]);
		close(pfd[1]);
		return;
	}
	if (pid == 0) {
		close(pfd[0]);
		child_main(chk, a, res);
	}
	close(pfd[1]);
	finished = wait_eof(pfd[0], (unsigned int)ceil(a->timeout_s * 1000));
	close(pfd[0]);
	if (!finished)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	if (!finished) {
		snprintf(res->reason, sizeof(res->reason),
			 "timed out after %g s (%s)", a->timeout_s, res->step);
		res->status = DIAG_FAIL;
	} else if (WIFSIGNALED(status)) {
		snprintf(res->reason, sizeof(res->reason), "crashed: %s (%s)",
			 strsignal(WTERMSIG(status)), res->step);
		res->status = DIAG_FAIL;
	} else if (WEXITSTATUS(status) && res->status != DIAG_FAIL) {
		/* A sanitizer's report, say, after the verdict. */
		snprintf(res->reason, sizeof(res->reason),
			 "the check's process exited with status %d",
			 WEXITSTATUS(status));
		res->status = DIAG_FAIL;
	} else if (res->status == DIAG_RUNNING) {
		snprintf(res->reason, sizeof(res->reason),
			 "ended without a verdict (%s)", res->step);
		res->status = DIAG_FAIL;
	}
}

/*
 * A device that is missing or closed to us ends diag before any check.
 * The ABI flavour is settled here, once, for every check's process.
 */
static int probe_backend(struct diag_args *a)
{
	struct gctl_abi_choice choice;
	struct gh_backend *be;
	int ret, fd;

	ret = gctl_backend_open(CMD, a->be.backend, a->be.abi, &be, &choice);
	if (ret)
		return ret;
	a->be.abi = gh_backend_abi(be)->name;
	a->abi_source = choice.source;
	fd = gh_open(be, GH_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		gctl_err(CMD, "%s: %s%s", gctl_device_path(), strerror(-fd),
			 fd == -ENOENT ? " (no Gunyah driver here? --backend "
			 "sim checks the simulator)" : "");
		gh_backend_close(be);
		return GCTL_EXIT_UNAVAILABLE;
	}
	gh_close(be, fd);
	gh_backend_close(be);
	return 0;
}

static int run_checks(const struct diag_args *a)
{
	unsigned int passed = 0, failed = 0, skipped = 0, ran = 0;
	struct diag_result *res;
	uint64_t t_start = gctl_now_ns();

	/* Shared with the children, which write their verdicts here. */
	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED) {
		gctl_err(CMD, "mmap: %s", strerror(errno));
		return GCTL_EXIT_OSERR;
	}
	for (size_t i = 0; i < diag_nr_checks; i++) {
		const struct diag_check *chk = &diag_checks[i];
		uint64_t t0 = gctl_now_ns();
		const char *missing;

		if (a->only && !a->selected[i])
			continue;
		missing = diag_missing_feature(chk, gh_abi_by_name(a->be.abi));
		if (missing) {
			memset(res, 0, sizeof(*res));
			res->status = DIAG_SKIP;
			snprintf(res->reason, sizeof(res->reason), "%s", missing);
		} else {
			run_check(chk, a, res);
		}
		ran++;
		passed += res->status == DIAG_PASS;
		failed += res->status == DIAG_FAIL;
		skipped += res->status == DIAG_SKIP;
		if (a->json)
			print_check_json(chk, res, gctl_now_ns() - t0);
		else
			print_text(chk, res);
		fflush(stdout);
		/* As info: a device that is not Gunyah is unavailable. */
		if (res->not_gunyah) {
			munmap(res, sizeof(*res));
			gctl_err(CMD, "%s: not a Gunyah device (GUNYAH_CREATE_VM: "
				 "%s); no other check was run",
				 gctl_device_path(), strerror(ENOTTY));
			return GCTL_EXIT_UNAVAILABLE;
		}
	}
	munmap(res, sizeof(*res));

	if (a->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "event", json_object_new_string("summary"));
		json_object_object_add(o, "backend",
				       json_object_new_string(a->be.backend));
		json_object_object_add(o, "abi", json_object_new_string(a->be.abi));
		json_object_object_add(o, "vcpus", json_object_new_int(a->nr_vcpus));
		json_object_object_add(o, "checks", json_object_new_int(ran));
		json_object_object_add(o, "passed", json_object_new_int(passed));
		json_object_object_add(o, "failed", json_object_new_int(failed));
		json_object_object_add(o, "skipped", json_object_new_int(skipped));
		json_object_object_add(o, "result", json_object_new_string(
					       failed ? "fail" : "pass"));
		json_object_object_add(o, "t_ms",
				       ms_json(gctl_now_ns() - t_start));
		print_json(o);
	} else {
		printf("\n%u check%s: %u passed, %u failed, %u skipped "
		       "(backend %s, ABI %s, %u vCPU%s, %.2f s)\n", ran,
		       ran == 1 ? "" : "s", passed, failed, skipped, a->be.backend,
		       a->be.abi,
		       a->nr_vcpus,
		       a->nr_vcpus == 1 ? "" : "s",
		       (double)(gctl_now_ns() - t_start) / 1e9);
	}
	if (fflush(stdout) || ferror(stdout)) {
		gctl_err(CMD, "writing the output: %s", strerror(errno));
		return GCTL_EXIT_IOERR;
	}
	return failed ? GCTL_EXIT_FAILURE : GCTL_EXIT_OK;
}

int gctl_cmd_diag(int argc, char **argv)
{
	struct diag_args a = {
		.be = { .cmd = CMD, .backend = "sim" },
		.nr_vcpus = 2,
		.timeout_s = DEFAULT_TIMEOUT_S,
	};
	int ret;

	if (diag_nr_checks > MAX_CHECKS) {
		gctl_err(CMD, "%zu checks, room for %d", diag_nr_checks,
			 MAX_CHECKS);
		return GCTL_EXIT_SOFTWARE;
	}
	gctl_parse_args("gunyahctl diag", &diag_argp, argc, argv, &a);
	if (a.list)
		return list_checks(&a);
	ret = probe_backend(&a);
	if (ret)
		return ret;
	return run_checks(&a);
}
