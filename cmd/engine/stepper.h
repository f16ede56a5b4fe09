/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Step mode (--step[=N]): the engine pauses after every N exits and a
 * command decides what next.  Commands come a line at a time from a file
 * descriptor, from a person at a terminal (with a prompt on stderr) or
 * from a script through a pipe; both read the same commands:
 *
 *   (empty), s [N]   run to the next exit (or the next N, or --step's N)
 *   c                continue: free-run (s or p pauses again)
 *   p                pause
 *   r [VCPU]         registers of a vCPU (sim), default the last exit's
 *   m ADDR [LEN]     dump LEN (default 64, at most 4096) bytes of guest memory
 *   q                force-stop the VM and quit
 *   h, ?             list the commands
 *
 * A command is taken only when the engine is paused (or free-running
 * after c), so a script's lines apply one per stop.  At a terminal q and
 * p also act while a step is still under way (a guest that never exits
 * again).  End of input while paused is q; while free-running it is
 * ignored.
 *
 * Single-threaded: the caller's event loop feeds it (run.c).
 */
#ifndef GCTL_STEP_H
#define GCTL_STEP_H

#include <stdint.h>

#include "engine/sink.h"
#include "engine/vmm.h"

struct gctl_step;

int gctl_step_new(struct gctl_vmm *vmm, const struct gctl_sink *sink,
		  int fd, uint64_t every, struct gctl_step **out);
void gctl_step_free(struct gctl_step *st);

/* The fd to poll for input in this state, or -1 to leave it alone. */
int gctl_step_poll_fd(const struct gctl_step *st, enum gctl_vmm_state state);
/* The engine's state may have changed: run commands already read. */
void gctl_step_update(struct gctl_step *st, enum gctl_vmm_state state);
/* The fd is readable. */
void gctl_step_read(struct gctl_step *st, enum gctl_vmm_state state);

#endif /* GCTL_STEP_H */
