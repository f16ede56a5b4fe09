/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control protocol of a named VM's socket (gunyahctl-json(7), THE
 * CONTROL PROTOCOL): JSON Lines both ways.
 *
 *   request   {"v":1,"id":7,"cmd":"pause"}
 *   reply     {"v":1,"id":7,"ok":true,"state":"paused"}
 *             {"v":1,"id":7,"ok":false,"error":"not paused"}
 *
 * Every request gets exactly one reply, in order; "id" (any JSON value)
 * is echoed.  Lines of a stream (exit records and events, exactly as run
 * --json prints them) never have "ok": attach's follow its reply until
 * the VM ends; step's come before its reply.  wait and stop reply when
 * the VM has ended.
 */
#ifndef GCTL_CTL_H
#define GCTL_CTL_H

#define GCTL_CTL_VERSION 1
/* The longest request, its newline included: longer ones get an error
 * reply and the connection is closed. */
#define GCTL_CTL_REQ_MAX 4096
/* Connections one VM serves at once; more get an error reply. */
#define GCTL_CTL_MAX_CLIENTS 32
/* Output queued for one client: a stream beyond this is dropped (and
 * the loss reported in a "lost" event once there is room again); with
 * this much queued, the client's further requests wait unread (back-
 * pressure), so replies pile up to this and one reply more. */
#define GCTL_CTL_OUT_MAX (256 * 1024)
/* The longest line a client accepts from a VM (a snapshot of 64 busy
 * vCPUs is some 500 KiB). */
#define GCTL_CTL_LINE_MAX (4 * 1024 * 1024)

/* The most bytes one console-input request carries: under PIPE_BUF, so
 * the VM takes all of them or none. */
#define GCTL_CTL_CONSOLE_MAX 1024

#endif /* GCTL_CTL_H */
