/* SPDX-License-Identifier: GPL-2.0-only */
/* run --detach: the VM's own process, and how its start is told (detach.c). */
#ifndef GCTL_RUN_DETACH_H
#define GCTL_RUN_DETACH_H

struct gctl_rundir;
struct gctl_rundir_claim;
struct gctl_runlog;

/*
 * Fork the detached VM process, which takes the listening socket.  In the
 * parent, wait for its word and return what run returns (the child goes
 * on: *ready_fd is where it says how the start went).  Returns -1 in the
 * child.
 */
int gctl_run_detach(const struct gctl_rundir *rd, const char *name,
		    struct gctl_rundir_claim *claim, int *ready_fd);

/* Tell the starter how the start went (0: the VM runs), once. */
void gctl_run_report_ready(int *ready_fd, int code);

/* The detached VM runs: its stdio leaves the starter's terminal for
 * /dev/null and the log (runlog.h: bounded, whoever writes).  0 or
 * -errno. */
int gctl_run_daemon_stdio(struct gctl_runlog *runlog);

/* A detached start failed after stdio went to the log: standard error
 * goes back to the starter's, and what the log got is written there. */
void gctl_run_replay_log(int starter_err, struct gctl_runlog *runlog);

#endif /* GCTL_RUN_DETACH_H */
