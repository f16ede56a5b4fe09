/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * run --dashboard: the run engine (vmm.h) as the dashboard's source
 * (dashboard.h), its counts kept by a stats model (stats.h) that is the
 * engine's sink.
 */
#ifndef GCTL_RUN_DASH_H
#define GCTL_RUN_DASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dash/dashboard.h"
#include "dash/stats.h"
#include "engine/vmm.h"

struct gctl_run_dash_opts {
	const char *vm;		  /* what the title calls the VM */
	const char *backend;
	unsigned int interval_ms;
	uint64_t step;		  /* exits an "s" lets through */
};

struct gctl_run_dash;

/* Take over the terminal.  0, or -errno with a reason in err. */
int gctl_run_dash_new(struct gctl_vmm *vmm, struct gctl_stats *stats,
		      const struct gctl_run_dash_opts *opts,
		      struct gctl_run_dash **out, char *err, size_t errlen);
struct gctl_dash *gctl_run_dash_view(struct gctl_run_dash *rd);

/*
 * The run is over: show its final state (until a key, with wait; a
 * readable fd ends the wait too), give the terminal back and print the
 * summary on standard output.  0, or -errno if it cannot be written.
 */
int gctl_run_dash_end(struct gctl_run_dash *rd, const struct gctl_summary *s,
		      bool wait, int fd);
/* Give the terminal back if it is still held (error paths). */
void gctl_run_dash_free(struct gctl_run_dash *rd);

/*
 * The source's part of a snapshot of the engine (stats.h): run_state, and
 * each vCPU's state ("running", "idle", "off", "paused", "stopped"...) and
 * the hypervisor's counts where the backend has them (*no_hyp is set once
 * it says it has none, to stop asking).  Also for a VM's control server.
 */
void gctl_vmm_snap_fill(struct gctl_vmm *vmm, struct gctl_stats_snap *s,
			bool *no_hyp);

#endif /* GCTL_RUN_DASH_H */
