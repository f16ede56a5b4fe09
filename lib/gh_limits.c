// SPDX-License-Identifier: GPL-2.0-only
/*
 * What each backend can hold, for callers that check a request up front
 * (gunyahctl info, --vcpus) instead of learning it from an errno halfway
 * through building a VM.  The simulator's figures live in its private
 * header; this file is the one place outside lib/sim/ that reads them.
 */
#include <string.h>

#include "gunyah.h"
#include "sim/sim.h"

void gh_backend_limits(const struct gh_backend *be, struct gh_limits *out)
{
	memset(out, 0, sizeof(*out));
	out->max_mem_regions = GH_VM_MAX_REGIONS;
	out->ram_base = GH_SIM_RAM_BASE;
	out->ram_size = GH_SIM_RAM_SIZE;
	if (gh_backend_is_sim(be)) {
		out->max_vcpus = SIM_MAX_VCPUS;
		out->max_pf_regions = SIM_MAX_PF_REGIONS;
		out->slice_us = SIM_DEFAULT_SLICE_US;
		out->ipa_bits = SIM_IPA_BITS;
	}
}
