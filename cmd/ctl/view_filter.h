/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * --filter on the clients of a VM's stream (attach, step), as on run: every
 * exit record read is counted, only those the filter matches are shown,
 * and the end says what was filtered, in a line of its own (the VM's
 * summary, if one comes, is the VM's: complete and unchanged).
 */
#ifndef GCTL_VIEW_FILTER_H
#define GCTL_VIEW_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "analysis/filter.h"

struct gctl_view_filter {
	bool on;		/* --filter given */
	struct gctl_filter f;
	uint64_t exits, shown;	/* exit records read, and shown */
};

/*
 * --filter EXPR for command cmd: parsed into v, or one line on stderr and
 * exit EX_USAGE (as run's and report's).
 */
void gctl_view_filter_arg(struct gctl_view_filter *v, const char *cmd,
			  const char *arg);

/* Count the exit record rec; true when it is to be shown. */
bool gctl_view_filter_exit(struct gctl_view_filter *v, json_object *rec);

/*
 * What was filtered, one line to fd: "filter EXPR: S of N exits shown",
 * or with json {"event":"filter","expr":...,"exits":N,"shown":S}
 * (gunyahctl-json(7)).  Nothing without a filter.  0, or -errno.
 */
int gctl_view_filter_end(const struct gctl_view_filter *v, bool json, int fd);

#endif /* GCTL_VIEW_FILTER_H */
