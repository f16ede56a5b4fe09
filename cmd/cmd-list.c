// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyahctl list: every named VM of this user, running or ended and not
 * yet waited for; one whose process died (a stale socket) is listed as
 * died, its socket removed, until wait collects it.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "ctl/args.h"
#include "ctl/client.h"
#include "gunyahctl.h"
#include "output/json_rec.h"
#include "ctl/rundir.h"

#define CMD "list"
#define NR_COLS 7

static const struct argp list_argp = {
	.doc = "List the named VMs (run --name) of this user: name, pid, "
	       "backend, vCPUs, state, uptime and exits.  A VM is running, "
	       "paused, done (its process is ending), exited (with its exit "
	       "status) or died (its process is gone without an exit status: "
	       "killed, crashed; its log is kept); the last two until "
	       "'gunyahctl wait' collects them.\v"
	       "Exit status: 0, 71 the runtime directory is unusable, 74 the "
	       "output could not be written.",
};

/* The keys of a list object: every one, null where not known. */
static const char *const keys[] = {
	"name", "state", "pid", "backend", "image", "vcpus",
	"uptime_ns", "exits", "exit_code", "result",
};

static json_object *row_new(const char *name, const char *state)
{
	json_object *o = json_object_new_object();

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		json_object_object_add(o, keys[i], NULL);
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "state", json_object_new_string(state));
	return o;
}

static void copy_key(json_object *to, json_object *from, const char *key,
		     const char *as)
{
	json_object *v;

	if (json_object_object_get_ex(from, key, &v))
		json_object_object_add(to, as, json_object_get(v));
}

/*
 * A running VM answers for itself; one that does not is said so.  One
 * that went between the look and the answer (killed just now: its
 * socket outlives it while its threads exit) sets *gone: look again.
 */
static json_object *row_alive(const char *name, bool *gone)
{
	json_object *o, *reply, *p;
	struct gctl_ctl_conn *c;
	int ret;

	ret = gctl_ctl_open_live(CMD, name, &c);
	if (ret) {
		*gone = ret == GCTL_EXIT_NOINPUT;
		return NULL;
	}
	gctl_ctl_set_quiet_end(c);
	ret = gctl_ctl_call(CMD, name, c, "status", NULL, GCTL_CTL_TIMEOUT_MS,
			    &reply);
	gctl_ctl_close(c);
	if (ret == GCTL_EXIT_NOINPUT) {
		*gone = true;
		return NULL;
	}
	if (ret)
		return row_new(name, "unresponsive");
	p = gctl_ctl_payload(reply);
	o = row_new(name, gctl_json_get_str(p, "state"));
	for (size_t i = 2; i < ARRAY_SIZE(keys); i++)
		copy_key(o, p, keys[i], keys[i]);
	json_object_put(p);
	json_object_put(reply);
	return o;
}

/* A VM's row by what its socket says; NULL when it is not to be listed. */
static json_object *row_of(const struct gctl_rundir *rd, const char *name)
{
	const char *result;
	char err[PATH_MAX + 128];
	json_object *st, *o;
	bool gone = false;
	int ret;

	/* A few looks: each but the last ended by a VM going meanwhile. */
	for (int look = 0; look < 3; look++, gone = false) {
		ret = gctl_rundir_probe(rd, name, NULL);
		if (ret == GCTL_PROBE_ALIVE || ret == -EBUSY) {
			o = row_alive(name, &gone);
			if (gone)
				continue;
			return o;
		}
		/* Its process died: the socket goes, a status file says
		 * so (unless a new run took the name: look again). */
		if (ret == GCTL_PROBE_STALE) {
			ret = gctl_rundir_clean_stale(rd, name, err, sizeof(err));
			if (ret < 0 && ret != -ENOENT) {
				/* Died, and no record could be written. */
				gctl_err(CMD, "%s: its process died; %s", name, err);
				return row_new(name, "died");
			}
			if (ret != 1)
				continue;
		}
		break;
	}
	if (gctl_rundir_read_status(rd, name, &st))
		return NULL; /* neither: it went between readdir and now */
	result = gctl_json_get_str(st, "result");
	o = row_new(name, result && !strcmp(result, "died") ? "died" : "exited");
	for (size_t i = 2; i < ARRAY_SIZE(keys); i++)
		copy_key(o, st, keys[i], keys[i]);
	copy_key(o, st, "wall_ns", "uptime_ns");
	json_object_put(st);
	return o;
}

static void cell_u64(json_object *o, const char *key, char *buf, size_t len)
{
	uint64_t v;

	if (gctl_json_get_u64(o, key, &v))
		snprintf(buf, len, "%" PRIu64, v);
	else
		snprintf(buf, len, "-");
}

static void cells(json_object *o, char cell[NR_COLS][64])
{
	const char *state = gctl_json_get_str(o, "state");
	const char *backend = gctl_json_get_str(o, "backend");
	uint64_t v;

	snprintf(cell[0], 64, "%s", gctl_json_get_str(o, "name"));
	cell_u64(o, "pid", cell[1], 64);
	snprintf(cell[2], 64, "%s", backend ? backend : "-");
	cell_u64(o, "vcpus", cell[3], 64);
	if (state && !strcmp(state, "exited") &&
	    gctl_json_get_u64(o, "exit_code", &v))
		snprintf(cell[4], 64, "exited(%" PRIu64 ")", v);
	else
		snprintf(cell[4], 64, "%s", state ? state : "-");
	if (gctl_json_get_u64(o, "uptime_ns", &v))
		gctl_fmt_duration(v, cell[5], 64);
	else
		snprintf(cell[5], 64, "-");
	cell_u64(o, "exits", cell[6], 64);
}

static void print_row(const char *const *cell, const int *w)
{
	for (int j = 0; j < NR_COLS - 1; j++)
		printf("%-*s  ", w[j], cell[j]);
	printf("%s\n", cell[NR_COLS - 1]);
}

static void print_table(json_object **rows, size_t n)
{
	static const char *const head[NR_COLS] = {
		"NAME", "PID", "BACKEND", "VCPUS", "STATE", "UPTIME", "EXITS",
	};
	char (*c)[NR_COLS][64] = calloc(n ? n : 1, sizeof(*c));
	int w[NR_COLS];

	if (!c)
		return;
	for (int j = 0; j < NR_COLS; j++)
		w[j] = (int)strlen(head[j]);
	for (size_t i = 0; i < n; i++) {
		cells(rows[i], c[i]);
		for (int j = 0; j < NR_COLS; j++)
			if ((int)strlen(c[i][j]) > w[j])
				w[j] = (int)strlen(c[i][j]);
	}
	print_row(head, w);
	for (size_t i = 0; i < n; i++) {
		const char *row[NR_COLS];

		for (int j = 0; j < NR_COLS; j++)
			row[j] = c[i][j];
		print_row(row, w);
	}
	free(c);
}

int gctl_cmd_list(int argc, char **argv)
{
	char err[PATH_MAX + 128];
	struct gctl_rundir rd = { .fd = -1 };
	struct gctl_ctl_args a = {
		.cmd = CMD,
		.json_doc = "one JSON object per VM",
		.no_name = true,
	};
	json_object **rows = NULL;
	char **names = NULL;
	size_t nr = 0, nrows = 0;
	int ret;

	gctl_ctl_parse_args(&a, &list_argp, argc, argv, NULL);
	ret = gctl_rundir_open(false, &rd, err, sizeof(err));
	if (ret && ret != -ENOENT) {
		gctl_err(CMD, "%s", err);
		return gctl_exit_of(ret, GCTL_FAILED_SYSTEM);
	}
	if (!ret) {
		ret = gctl_rundir_names(&rd, &names, &nr);
		if (ret) {
			gctl_err(CMD, "%s: %s", rd.path, strerror(-ret));
			gctl_rundir_close(&rd);
			return GCTL_EXIT_OSERR;
		}
	}
	rows = calloc(nr ? nr : 1, sizeof(*rows));
	if (!rows) {
		gctl_rundir_names_free(names, nr);
		gctl_rundir_close(&rd);
		gctl_err(CMD, "%s", strerror(ENOMEM));
		return GCTL_EXIT_OSERR;
	}
	for (size_t i = 0; i < nr; i++) {
		json_object *o = row_of(&rd, names[i]);

		if (o)
			rows[nrows++] = o;
	}
	if (a.json)
		for (size_t i = 0; i < nrows; i++)
			puts(json_object_to_json_string_ext(rows[i],
							    GCTL_JSON_PLAIN));
	else
		print_table(rows, nrows);
	for (size_t i = 0; i < nrows; i++)
		json_object_put(rows[i]);
	free(rows);
	gctl_rundir_names_free(names, nr);
	gctl_rundir_close(&rd);
	return 0;
}
