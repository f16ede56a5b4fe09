// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyahctl wait NAME: block until a named VM has ended and exit with its
 * status, as run would have.  The exit status comes from the VM's
 * process while it runs (its reply to "wait"), or from NAME.status once
 * it has gone; either way it is then collected: NAME.status and NAME.log
 * are removed, as waitpid(2) reaps a child.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/client.h"
#include "gunyahctl.h"
#include "output/json_rec.h"
#include "ctl/rundir.h"

#define CMD "wait"

struct wait_args {
	const char *name;
	bool json;
	double timeout;
};

static const struct argp_option options[] = {
	{ "json", 'j', NULL, 0, "print how it ended as one JSON object", 0 },
	{ "timeout", 't', "SEC", 0,
	  "give up after SEC seconds (exit status 75; the VM runs on)", 0 },
	{ 0 }
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct wait_args *a = state->input;

	switch (key) {
	case 'j':
		a->json = true;
		return 0;
	case 't':
		a->timeout = gctl_timeout_arg(CMD, arg);
		return 0;
	default:
		return gctl_ctl_parse_name(CMD, key, arg, &a->name, NULL);
	}
}

static const struct argp wait_argp = {
	.options = options,
	.parser = parse_opt,
	.args_doc = "NAME",
	.doc = "Wait until the named VM has ended, print how (its result and "
	       "exit status), and exit with the status run would have exited "
	       "with.  The status is collected: the VM leaves the list.\v"
	       "Exit status: that of run (0 power-off, 2 reset, 3 crashed, "
	       "4 load failed, 5 timeout, 6 stopped, 7 vCPU failed, ...); "
	       "66 no such VM, 70 the VM's process died without an exit "
	       "status, 75 --timeout expired.",
};

/* Print how it ended; its exit status, or -1 if the object is not one. */
static int report(const char *name, json_object *o, bool json)
{
	const char *result = gctl_json_get_str(o, "result");
	uint64_t code;

	if (!result || !gctl_json_get_u64(o, "exit_code", &code) || code > 255)
		return -1;
	if (json)
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	else
		printf("%s: %s, exit status %" PRIu64 "\n", name, result, code);
	return (int)code;
}

/*
 * The connection ended without a reply and no status file: the process
 * died.  Its socket may take a moment to refuse (the kernel closes a dead
 * process's fds one by one): wait for that, then clean it.
 */
static void clean_after_death(const char *dir, const char *name)
{
	char sock[GCTL_SOCK_PATH_MAX];

	if (gctl_rundir_file(dir, name, "sock", sock, sizeof(sock)))
		return;
	for (int i = 0; i < 100; i++) {
		int ret = gctl_rundir_probe(sock, NULL);

		if (ret == GCTL_PROBE_STALE) {
			gctl_rundir_clean_stale(dir, name);
			return;
		}
		if (ret != GCTL_PROBE_ALIVE)
			return;
		usleep(10000);
	}
}

static void reap(const char *name)
{
	char dir[PATH_MAX], err[PATH_MAX + 128];

	if (!gctl_rundir_open(false, dir, sizeof(dir), err, sizeof(err)))
		gctl_rundir_reap(dir, name);
}

/* The VM's process is gone: its status file says how it ended, or not. */
static int from_file(const char *name, bool json, bool was_connected)
{
	char dir[PATH_MAX], err[PATH_MAX + 128];
	json_object *st;
	int ret;

	if (gctl_rundir_open(false, dir, sizeof(dir), err, sizeof(err)) ||
	    gctl_rundir_read_status(dir, name, &st)) {
		if (was_connected) {
			/* It went without writing one: killed, crashed. */
			clean_after_death(dir, name);
			gctl_err(CMD, "%s: the VM's process died without an "
				 "exit status", name);
			return GCTL_EXIT_SOFTWARE;
		}
		return -1;
	}
	ret = report(name, st, json);
	json_object_put(st);
	if (ret < 0) {
		gctl_err(CMD, "%s: %s/%s.status: not an exit status", name,
			 dir, name);
		return GCTL_EXIT_PROTOCOL;
	}
	gctl_rundir_reap(dir, name);
	return ret;
}

static int wait_main(int argc, char **argv)
{
	struct wait_args a = { 0 };
	struct gctl_ctl_conn *c;
	json_object *reply, *p;
	int ret, timeout_ms;

	gctl_parse_args("gunyahctl wait", &wait_argp, argc, argv, &a);
	timeout_ms = a.timeout > 0 ? (int)ceil(a.timeout * 1000) : -1;

	/* Ended already: the status file. */
	ret = from_file(a.name, a.json, false);
	if (ret >= 0)
		return ret;
	ret = gctl_ctl_open(CMD, a.name, &c);
	if (ret) {
		/* It may have ended between the two looks. */
		int again = ret == GCTL_EXIT_NOINPUT ?
				    from_file(a.name, a.json, false) : -1;

		return again >= 0 ? again : ret;
	}
	ret = gctl_ctl_send(c, "wait", NULL);
	for (;;) {
		if (ret)
			break;
		ret = gctl_ctl_read(c, timeout_ms, &reply);
		if (ret <= 0)
			break;
		if (gctl_ctl_is_reply(reply))
			break;
		json_object_put(reply);
		ret = 0;
	}
	gctl_ctl_close(c);
	if (ret == -ETIMEDOUT) {
		gctl_err(CMD, "%s: still running after %g s", a.name, a.timeout);
		return GCTL_EXIT_TEMPFAIL;
	}
	if (ret <= 0)
		/* The connection ended without a reply: the file, or a death. */
		return from_file(a.name, a.json, true);
	if (!json_object_get_boolean(json_object_object_get(reply, "ok"))) {
		ret = gctl_ctl_reply_err(CMD, a.name, reply);
		json_object_put(reply);
		return ret;
	}
	p = gctl_ctl_payload(reply);
	json_object_put(reply);
	ret = report(a.name, p, a.json);
	json_object_put(p);
	if (ret < 0) {
		gctl_err(CMD, "%s: the reply carries no exit status", a.name);
		return GCTL_EXIT_PROTOCOL;
	}
	/* Collected: the file the VM wrote on its way out goes. */
	reap(a.name);
	return ret;
}

const struct gctl_cmd gctl_cmd_wait = {
	.name = "wait",
	.doc = "wait for a named VM to end, exit with its status",
	.main = wait_main,
};
