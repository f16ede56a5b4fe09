/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A detached VM's log, NAME.log in the runtime directory: bounded, and
 * every write that fails counted, never silently cut.
 *
 * The process's standard output and error become a pipe; a thread of the
 * log's moves what comes through it into NAME.log (so nothing written to
 * either, whoever writes it, escapes the bound).  When NAME.log would
 * grow past its limit it becomes NAME.log.1 (an older NAME.log.1 goes)
 * and a new NAME.log starts: at most twice the limit on disk.  A write
 * that fails (a full file system: ENOSPC; RLIMIT_FSIZE: EFBIG) first
 * makes room by removing NAME.log.1 and tries again; what still cannot
 * be written is counted, with the reason, for status and NAME.status,
 * and the log says so where the gap is once it can be written again.
 */
#ifndef GCTL_RUNLOG_H
#define GCTL_RUNLOG_H

#include <stdint.h>
#include <stddef.h>

#include "ctl/rundir.h"

#define GCTL_RUNLOG_MAX_DEFAULT (4ull << 20) /* --log-size's default */
#define GCTL_RUNLOG_MAX_MIN (64ull << 10)
#define GCTL_RUNLOG_MAX_MAX (1ull << 40)

struct gctl_runlog;

/* How the log fares. */
struct gctl_runlog_state {
	uint64_t written; /* bytes written since the start, over rotations */
	uint64_t lost;	  /* bytes that could not be written */
	int error;	  /* errno of the last write that failed, or 0 */
	unsigned int rotations;
};

/*
 * NAME.log made empty (0600, not through a symlink), an old NAME.log.1
 * removed; max bytes per file.  0 or -errno.  The rundir must stay open
 * as long as the log.
 */
int gctl_runlog_open(const struct gctl_rundir *rd, const char *name,
		     uint64_t max, struct gctl_runlog **out);
/* The current file, to read back what it holds (pread: it is open for
 * reading too). */
int gctl_runlog_fd(const struct gctl_runlog *l);
/* Write into the log, rotating as need be (any thread). */
void gctl_runlog_write(struct gctl_runlog *l, const void *buf, size_t len);
/* Standard output and error into the log from now on.  0 or -errno. */
int gctl_runlog_start(struct gctl_runlog *l);
/* Wait until all that went to standard output and error is handled. */
void gctl_runlog_sync(struct gctl_runlog *l);
void gctl_runlog_state(struct gctl_runlog *l, struct gctl_runlog_state *st);
/* Standard output and error to /dev/null, the rest written, all closed. */
void gctl_runlog_close(struct gctl_runlog *l);

#endif /* GCTL_RUNLOG_H */
