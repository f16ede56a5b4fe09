/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * attach --record FILE: what the attacher receives, written in run
 * --record's format (gunyahctl-record(5)).  The CONFIG record is the VM's
 * own (the "config" request, json(7)) marked as an attach's; the exits'
 * guest and host times are not in the stream and stay 0; a "lost" event
 * becomes a GAP record.
 *
 *   gctl_attach_rec_open    before the "attach" request
 *   gctl_attach_rec_line    every record of the stream
 *   gctl_attach_rec_close   at the end: the file's write status
 */
#ifndef GCTL_ATTACH_RECORD_H
#define GCTL_ATTACH_RECORD_H

#include <json-c/json.h>

#include "ctl/client.h"

struct gctl_attach_rec;

/* Ask NAME for its configuration, create path and write the header.
 * 0, or the exit status after saying why (gctl_err). */
int gctl_attach_rec_open(const char *cmd, const char *name,
			 struct gctl_ctl_conn *c, const char *path,
			 struct gctl_attach_rec **out);
/* An exit, the summary or a "lost" event of the stream (others ignored). */
void gctl_attach_rec_line(struct gctl_attach_rec *ar, json_object *rec);
/* Flush, close and free (NULL: nothing).  0, or GCTL_EXIT_IOERR after
 * saying why. */
int gctl_attach_rec_close(const char *cmd, struct gctl_attach_rec *ar);

#endif /* GCTL_ATTACH_RECORD_H */
