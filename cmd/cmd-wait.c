// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyahctl wait NAME: block until a named VM has ended and exit with its
 * status, as run would have.  The exit status comes from the VM's
 * process while it runs (its reply to "wait"), or from NAME.status once
 * it has gone; either way it is then collected: NAME.status and NAME.log
 * are removed, as waitpid(2) reaps a child (the log of a VM whose process
 * died stays: it is all there is to tell what happened).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "ctl/args.h"
#include "ctl/client.h"
#include "gunyahctl.h"
#include "output/json_rec.h"
#include "ctl/rundir.h"

#define CMD "wait"

static const struct argp wait_argp = {
	.doc = "Wait until the named VM has ended, print how (its result and "
	       "exit status), and exit with the status run would have exited "
	       "with.  The status is collected: the VM leaves the list.\v"
	       "Exit status: that of run (0 power-off, 2 reset, 3 crashed, "
	       "4 load failed, 5 timeout, 6 stopped, 7 vCPU failed, ...); "
	       "66 no such VM, 70 the VM's process died without an exit "
	       "status, 74 the output could not be written (the status is "
	       "not collected), 75 --timeout expired.",
};

/* Print how it ended; its exit status, or -1 if the object is not one. */
static int report(const char *name, json_object *o, bool json)
{
	const char *result = gctl_json_get_str(o, "result");
	const char *log = gctl_json_get_str(o, "log");
	uint64_t code, lost;

	if (!result || !gctl_json_get_u64(o, "exit_code", &code) || code > 255)
		return -1;
	if (json)
		puts(json_object_to_json_string_ext(o, GCTL_JSON_PLAIN));
	else if (strcmp(result, "died"))
		printf("%s: %s, exit status %" PRIu64 "\n", name, result, code);
	/* Output the VM's log could not take: said, never silently cut. */
	if (gctl_json_get_u64(o, "log_lost", &lost))
		gctl_err(CMD, "%s: its log lost %" PRIu64 " bytes: %s", name,
			 lost, gctl_json_get_str(o, "log_error") ?
				       gctl_json_get_str(o, "log_error") : "?");
	/* No exit status to print: an error, and where to look. */
	if (!strcmp(result, "died"))
		gctl_err(CMD, "%s: the VM's process died without an exit "
			 "status%s%s%s", name, log ? " (its log: " : "",
			 log ? log : "", log ? ")" : "");
	return (int)code;
}

/*
 * The connection ended without a reply and no status file: the process
 * died.  Its socket may take a moment to refuse (the kernel closes a dead
 * process's fds one by one): wait for that, then clean it (which writes
 * its "died" status).  0, or -errno when that record could not be
 * written (why in err).
 */
static int clean_after_death(const struct gctl_rundir *rd, const char *name,
			     char *err, size_t errlen)
{
	for (int i = 0; i < 100; i++) {
		int ret = gctl_rundir_probe(rd, name, NULL);

		if (ret == GCTL_PROBE_STALE) {
			ret = gctl_rundir_clean_stale(rd, name, err, errlen);
			return ret < 0 && ret != -ENOENT ? ret : 0;
		}
		if (ret != GCTL_PROBE_ALIVE)
			return 0;
		usleep(10000);
	}
	return 0;
}

/*
 * Print how it ended (ob), then collect it: NAME.status goes, and the log
 * but for a VM that died (the only word of what happened).  Its exit
 * status; 74 when it could not be printed (then nothing is collected).
 */
static int collect(const struct gctl_rundir *rd, const char *name,
		   json_object *ob, bool json)
{
	const char *result = gctl_json_get_str(ob, "result");
	bool died = result && !strcmp(result, "died");
	int ret = report(name, ob, json);

	if (ret < 0)
		return ret;
	/* Written first, reaped after: an unread status is not collected. */
	if (gctl_stdout_check(CMD))
		return GCTL_EXIT_IOERR;
	if (rd && died)
		gctl_rundir_reap_status(rd, name);
	else if (rd)
		gctl_rundir_reap(rd, name);
	return ret;
}

/* The VM's process is gone: its status file says how it ended, or not. */
static int from_file(const char *name, bool json, bool was_connected)
{
	char err[PATH_MAX + 128];
	struct gctl_rundir rd;
	json_object *st = NULL;
	int ret;

	if (gctl_rundir_open(false, &rd, err, sizeof(err)))
		rd.fd = -1;
	ret = rd.fd < 0 ? -ENOENT : gctl_rundir_read_status(&rd, name, &st);
	if (ret == -ENOENT && rd.fd >= 0 &&
	    (was_connected || gctl_rundir_probe(&rd, name, NULL) == GCTL_PROBE_STALE)) {
		/* It went without writing one: killed, crashed. */
		if (clean_after_death(&rd, name, err, sizeof(err))) {
			gctl_rundir_close(&rd);
			gctl_err(CMD, "%s: the VM's process died and its exit "
				 "record could not be written: %s", name, err);
			return GCTL_EXIT_SOFTWARE;
		}
		ret = gctl_rundir_read_status(&rd, name, &st);
	}
	if (ret) {
		gctl_rundir_close(&rd);
		if (!was_connected)
			return -1;
		gctl_err(CMD, "%s: the VM's process died without an exit status",
			 name);
		return GCTL_EXIT_SOFTWARE;
	}
	ret = collect(&rd, name, st, json);
	json_object_put(st);
	if (ret < 0) {
		gctl_err(CMD, "%s: %s/%s.status: not an exit status", name,
			 rd.path, name);
		ret = GCTL_EXIT_PROTOCOL;
	}
	gctl_rundir_close(&rd);
	return ret;
}

int gctl_cmd_wait(int argc, char **argv)
{
	char err[PATH_MAX + 128];
	struct gctl_ctl_args a = {
		.cmd = CMD,
		.json_doc = "print how it ended as one JSON object",
		.timeout_doc = "give up after SEC seconds (exit status 75; the "
			       "VM runs on)",
	};
	struct gctl_rundir rd;
	struct gctl_ctl_conn *c;
	json_object *reply, *p;
	int ret, timeout_ms;

	gctl_ctl_parse_args(&a, &wait_argp, argc, argv, NULL);
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
	/* Collected: the file the VM wrote on its way out goes. */
	ret = gctl_rundir_open(false, &rd, err, sizeof(err)) ?
		      collect(NULL, a.name, p, a.json) :
		      collect(&rd, a.name, p, a.json);
	gctl_rundir_close(&rd);
	json_object_put(p);
	if (ret < 0) {
		gctl_err(CMD, "%s: the reply carries no exit status", a.name);
		return GCTL_EXIT_PROTOCOL;
	}
	return ret;
}
