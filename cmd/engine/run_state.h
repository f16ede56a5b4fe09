/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A VM's run state, and its one name table (vmm.c): what the control
 * server says, the snapshot JSON carries and the dashboard shows.
 */
#ifndef GCTL_RUN_STATE_H
#define GCTL_RUN_STATE_H

enum gctl_vmm_state {
	GCTL_VMM_RUNNING,
	GCTL_VMM_PAUSED, /* paused with no exits left to let through */
	GCTL_VMM_DONE,	 /* every vCPU thread has ended */
};

/* "running", "paused", "done". */
const char *gctl_vmm_state_str(enum gctl_vmm_state st);
/* The state of a name, or -1 for none. */
int gctl_vmm_state_parse(const char *name);

#endif /* GCTL_RUN_STATE_H */
