/* SPDX-License-Identifier: GPL-2.0-only */
/* run's event loop and the fds it waits on (loop.c). */
#ifndef GCTL_RUN_LOOP_H
#define GCTL_RUN_LOOP_H

struct gctl_ctl_server;
struct gctl_dash;
struct gctl_sink;
struct gctl_step;
struct gctl_vmm;

/*
 * An eventfd that becomes readable when the writer on standard output
 * fails (a closed pipe, a full disk), or -1 (no writer of that kind).
 */
int gctl_run_watch_output(const struct gctl_sink *sink);

/* What the loop answers; NULL or -1 for what the run does not have. */
struct gctl_run_loop {
	struct gctl_vmm *vmm;
	struct gctl_step *step;
	struct gctl_dash *dash;
	struct gctl_ctl_server *srv;
	int sig_fd, timer_fd, out_err_fd;
};

/*
 * Wait for the vCPUs, answering signals, the timeout, a failed output
 * (the VM is stopped: nobody sees what it does any more), step commands
 * and the dashboard and the control server's clients.  Returns the
 * number of signals taken.
 */
unsigned int gctl_run_event_loop(const struct gctl_run_loop *l);

#endif /* GCTL_RUN_LOOP_H */
