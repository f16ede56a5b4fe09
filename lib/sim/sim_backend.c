// SPDX-License-Identifier: GPL-2.0-only
/* placeholder: the simulator backend lands next */
#include <errno.h>
#include "gunyah.h"

int gh_sim_backend_new(struct gh_backend **out)
{
	(void)out;
	return -ENOSYS;
}
