/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * attach --dashboard: run's dashboard (dashboard.h) on a named VM that
 * runs in another process.  The view's source is the VM's control
 * socket: snapshots of its stats model (the "snapshot" request), pause,
 * resume and step; q detaches and the VM runs on.
 */
#ifndef GCTL_ATTACH_DASH_H
#define GCTL_ATTACH_DASH_H

struct gctl_attach_dash_opts {
	const char *name;
	unsigned int interval_ms; /* 0: the dashboard's default */
};

/*
 * Show the view until the user leaves or the VM ends (then its final
 * state, until a key).  Returns what attach exits with: 0 when the user
 * left, the VM's exit status when it ended, an error status otherwise
 * (its message printed).
 */
int gctl_attach_dash(const struct gctl_attach_dash_opts *opts);

#endif /* GCTL_ATTACH_DASH_H */
