/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A sink that hands records to another sink on a writer thread of its own,
 * so that formatting and writing output (JSON, text) happen beside the
 * vCPUs instead of inside their exits.
 *
 * exit() and console() copy the record into a bounded ring and return; the
 * writer thread passes them on in the same order.  Nothing is dropped: a
 * full ring makes the caller wait.  regs(), memory(), summary() and flush()
 * first wait until the ring is empty, then call the inner sink directly,
 * so every line still comes out in the order it was reported.  The writer
 * wakes when the ring is a quarter full, on flush, or every millisecond,
 * so output lags the guest by at most about a millisecond.
 */
#ifndef GCTL_SINK_ASYNC_H
#define GCTL_SINK_ASYNC_H

#include "sink.h"

/*
 * Wrap inner (which then belongs to the new sink: destroying it destroys
 * inner).  0, or -errno with inner untouched.
 */
int gctl_sink_async_new(const struct gctl_sink *inner, struct gctl_sink *out);

#endif /* GCTL_SINK_ASYNC_H */
