// SPDX-License-Identifier: GPL-2.0-only
/*
 * run's event loop (loop.h), in the main thread, while the vCPU threads
 * run: signals, --timeout, a failed output, step commands, the dashboard
 * and the control server's clients.
 */
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "common.h"
#include "ctl/proto.h"
#include "ctl/server.h"
#include "dash/dashboard.h"
#include "engine/sink.h"
#include "engine/stepper.h"
#include "engine/vmm.h"
#include "run/loop.h"

/* The writer's first failed write (sink.h): wake the event loop. */
static void output_failed(void *arg)
{
	uint64_t one = 1;

	if (write((int)(intptr_t)arg, &one, sizeof(one)) < 0) {
		/* the counter is full: the loop is woken already */
	}
}

/*
 * An eventfd that becomes readable when the writer on standard output
 * fails (a closed pipe, a full disk), or -1 (no writer of that kind).
 */
int gctl_run_watch_output(const struct gctl_sink *sink)
{
	int fd;

	if (!sink->ops->on_write_error)
		return -1;
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fd >= 0)
		sink->ops->on_write_error(sink->ctx, output_failed,
					  (void *)(intptr_t)fd);
	return fd;
}

/* The sooner of the server's and the console's deadlines (-1: none). */
static int loop_timeout_ms(struct gctl_vmm *vmm, struct gctl_ctl_server *srv)
{
	int a = srv ? gctl_ctl_server_timeout_ms(srv) : -1;
	int b = gctl_vmm_console_due_ms(vmm);

	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/*
 * Wait for the vCPUs, answering signals, the timeout, a failed output
 * (the VM is stopped: nobody sees what it does any more), step commands
 * and the dashboard and the control server's clients.  Returns the
 * number of signals taken.
 */
unsigned int gctl_run_event_loop(const struct gctl_run_loop *l)
{
	struct gctl_vmm *vmm = l->vmm;
	struct gctl_step *step = l->step;
	struct gctl_dash *dash = l->dash;
	struct gctl_ctl_server *srv = l->srv;
	int sig_fd = l->sig_fd, timer_fd = l->timer_fd;
	int out_err_fd = l->out_err_fd;
	unsigned int signals = 0;

	for (;;) {
		/* One drain of the event fd per turn, here (vmm.h). */
		enum gctl_vmm_state state = gctl_vmm_state(vmm);
		struct pollfd pfd[5 + GCTL_DASH_MAX_FDS + GCTL_CTL_MAX_CLIENTS + 2];
		nfds_t n = 0, fixed;
		int in_fd, srv_n = 0, timeout_ms;

		if (step)
			gctl_step_update(step, state);
		if (srv)
			gctl_ctl_server_update(srv);
		if (state == GCTL_VMM_DONE)
			return signals;
		/* Step commands may have changed it. */
		pfd[n++] = (struct pollfd){ .fd = gctl_vmm_event_fd(vmm),
					    .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
		if (timer_fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = timer_fd,
						    .events = POLLIN };
		if (out_err_fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = out_err_fd,
						    .events = POLLIN };
		in_fd = step ? gctl_step_poll_fd(step, state) : -1;
		if (in_fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = in_fd,
						    .events = POLLIN };
		if (dash)
			n += gctl_dash_fds(dash, pfd + n);
		fixed = n;
		/* An idle client of the control socket may be due to go, a
		 * partial console line to be shown.  Before the server's fds:
		 * a partial line shown now queues records for its clients,
		 * and only fds asked now for POLLOUT would send them (else a
		 * guest's echo waited for its next event: 1 in 7 attaches). */
		timeout_ms = loop_timeout_ms(vmm, srv);
		if (srv)
			srv_n = gctl_ctl_server_pollfds(srv, pfd + n,
							(int)(ARRAY_SIZE(pfd) - n));
		n += (nfds_t)srv_n;

		if (poll(pfd, n, timeout_ms) < 0)
			continue;
		if (dash)
			gctl_dash_dispatch(dash, pfd, (unsigned int)fixed);
		for (nfds_t i = 1; i < fixed; i++) {
			struct signalfd_siginfo si;
			uint64_t ticks;

			if (!pfd[i].revents)
				continue;
			if (pfd[i].fd == sig_fd &&
			    read(sig_fd, &si, sizeof(si)) == sizeof(si)) {
				/* A second signal: stop waiting for the VM. */
				if (signals++)
					gctl_vmm_kill(vmm, GCTL_STOP_USER);
				else
					gctl_vmm_stop(vmm, GCTL_STOP_USER);
			} else if (pfd[i].fd == timer_fd &&
				   read(timer_fd, &ticks, sizeof(ticks)) > 0) {
				gctl_vmm_stop(vmm, GCTL_STOP_TIMEOUT);
			} else if (pfd[i].fd == out_err_fd &&
				   read(out_err_fd, &ticks, sizeof(ticks)) > 0) {
				gctl_vmm_stop(vmm, GCTL_STOP_USER);
			} else if (pfd[i].fd == in_fd) {
				gctl_step_read(step, gctl_vmm_state(vmm));
			}
		}
		if (srv)
			gctl_ctl_server_events(srv, pfd + fixed, srv_n);
	}
}
