/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control server of a named VM, inside its run process (ctl.h says
 * what it speaks).  Single-threaded: it lives in run.c's event loop and
 * never blocks it.  The vCPU threads only append records to the queues
 * of the clients that asked for them (attach, step), through the tee
 * sink, and wake the loop; the loop does every read and write, non-
 * blocking, with bounded queues.
 *
 *   gctl_ctl_server_new(claim, info)    takes over the listening socket
 *   gctl_ctl_server_tee(srv, ...)       the sink to give the engine
 *   gctl_ctl_server_start(srv, vmm)     the VM runs: accept clients
 *   loop: gctl_ctl_server_pollfds, poll, gctl_ctl_server_events,
 *         gctl_ctl_server_update
 *   gctl_ctl_server_finish(srv, summary)  status file, socket removed,
 *                                       replies owed, output drained
 *   gctl_ctl_server_free(srv)
 */
#ifndef GCTL_CTL_SERVER_H
#define GCTL_CTL_SERVER_H

#include <poll.h>

#include "ctl/rundir.h"
#include "ctl/runlog.h"
#include "engine/sink.h"
#include "engine/vmm.h"

struct gctl_ctl_info {
	const struct gctl_rundir *rd; /* the runtime directory (dup'ed) */
	const char *name;
	const char *backend; /* "sim", "dev" */
	const char *image;
	const char *log;     /* the detached VM's log, or NULL */
	struct gctl_runlog *runlog; /* and its writer (borrowed), or NULL */
	unsigned int nr_vcpus;
	uint64_t idle_ns;    /* a client that asks nothing for this long is
			      * let go (0: never) */
};

struct gctl_ctl_server;

/* The claim's socket now belongs to the server (released at finish or
 * free).  Strings in info are copied.  0 or -errno. */
int gctl_ctl_server_new(struct gctl_rundir_claim *claim,
			const struct gctl_ctl_info *info,
			struct gctl_ctl_server **out);
void gctl_ctl_server_free(struct gctl_ctl_server *srv);

/*
 * A sink that passes everything to local and streams exits, console
 * lines and the summary to the clients that want them.  Valid until
 * gctl_ctl_server_free; destroying it leaves local alone.
 */
void gctl_ctl_server_tee(struct gctl_ctl_server *srv,
			 const struct gctl_sink *local, struct gctl_sink *out);

/*
 * The VM's CONFIG record payload (gunyahctl-record(5), made by
 * gctl_rec_config_encode), copied: the "config" request's answer, which
 * attach --record writes.  Out of memory: the request is refused.
 */
void gctl_ctl_server_set_config(struct gctl_ctl_server *srv,
				const uint8_t *p, size_t len);

/* The VM is running: requests are served from now on. */
void gctl_ctl_server_start(struct gctl_ctl_server *srv, struct gctl_vmm *vmm);

/* The fds to poll (at most max); then hand the same array back. */
int gctl_ctl_server_pollfds(struct gctl_ctl_server *srv, struct pollfd *pfd,
			    int max);
void gctl_ctl_server_events(struct gctl_ctl_server *srv,
			    const struct pollfd *pfd, int n);
/* How long poll may wait before the server has something to do (an
 * idle client to let go): ms, or -1. */
int gctl_ctl_server_timeout_ms(struct gctl_ctl_server *srv);
/* The engine's state may have changed: finish the steps that are over. */
void gctl_ctl_server_update(struct gctl_ctl_server *srv);

/*
 * The VM has ended (after gctl_vmm_finish, which streamed the summary):
 * write NAME.status, remove the socket, answer wait, stop and step, and
 * give every client up to a second or two to take its output.
 */
void gctl_ctl_server_finish(struct gctl_ctl_server *srv,
			    const struct gctl_summary *s);

#endif /* GCTL_CTL_SERVER_H */
