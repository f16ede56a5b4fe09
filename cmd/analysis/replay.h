/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Replay: a recorded run's answers given back to the same guest on the
 * sim, every exit checked against the record.  This is the engine's
 * oracle (vmm.h): for each exit of vCPU n it takes vCPU n's next recorded
 * exit, compares kind, address, length, direction and written data, and
 * answers as the record says (read data, resume action, page fault
 * answer).  Order is checked per vCPU: vCPUs interleave differently from
 * run to run.
 *
 * Where the record ends in a forced stop (--max-exits, --timeout, q), a
 * vCPU that reaches that point is answered RETRY (it stays where it is)
 * until every vCPU has, then the VM is stopped as it was.
 */
#ifndef GCTL_REPLAY_H
#define GCTL_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis/record.h"
#include "engine/vmm.h"

struct gctl_replay;

/* All exits of r, split by vCPU.  0, or -errno with a reason in err. */
int gctl_replay_new(struct gctl_rec_reader *r, struct gctl_replay **out,
		    char *err, size_t errlen);
void gctl_replay_free(struct gctl_replay *rp);

/* When the record's last exit came, in ns since the VM started. */
uint64_t gctl_replay_recorded_ns(const struct gctl_replay *rp);

/* The oracle to put in the engine's config. */
const struct gctl_vmm_oracle *gctl_replay_oracle(struct gctl_replay *rp);

/* After the run: what happened. */
struct gctl_replay_result {
	bool match;
	uint64_t checked;	/* exits compared and found equal */
	uint64_t recorded;	/* exits in the record */
	/* The first divergence (match false): */
	uint64_t seq;		/* the recorded exit's seq (0: none left) */
	unsigned int vcpu;
	uint64_t nth;		/* it was the vCPU's nth exit (from 1) */
	char expected[160];	/* "mmio write 0x9000000 len=8 data=0x5" */
	char got[160];		/* or "nothing (the run ended)" */
};

/*
 * Call after the engine finished: checks that every vCPU used up its
 * exits (timed_out: the run was stopped by the replay's timeout).
 */
void gctl_replay_result(struct gctl_replay *rp, bool timed_out,
			struct gctl_replay_result *res);

#endif /* GCTL_REPLAY_H */
