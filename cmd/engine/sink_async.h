/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A sink that hands records to another sink on a writer thread of its own,
 * so that formatting, writing and serving (JSON, text, the control socket,
 * --record) happen beside the vCPUs instead of inside their exits.  (The
 * dashboard alone counts in the vCPU threads: cmd-run.c's sinks_new.)
 *
 * exit() and console() copy the record into a bounded ring and return; the
 * writer thread passes them on in the same order, the records found
 * together as runs (sink.h: exits).  They must come one at a time (as
 * sink.h has the engine call them), which keeps the ring lock-free.
 * Nothing is dropped: a full ring makes the caller wait.  regs(),
 * memory(), summary() and flush() first wait until the ring is empty, then
 * call the inner sink directly, so every line still comes out in the order
 * it was reported.  The writer wakes when the ring is half full, on flush,
 * or every millisecond, so output lags the guest by at most about a
 * millisecond.
 */
#ifndef GCTL_SINK_ASYNC_H
#define GCTL_SINK_ASYNC_H

#include "engine/sink.h"

/*
 * Pass on to inner, which stays the caller's: destroy it after the new
 * sink (destroying that passes on what is still queued).  0 or -errno.
 */
int gctl_sink_async_new(const struct gctl_sink *inner, struct gctl_sink *out);

#endif /* GCTL_SINK_ASYNC_H */
