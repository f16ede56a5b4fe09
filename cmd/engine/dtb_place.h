/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every image run's device tree (issue 15): the generated one
 * (fdt_build.h, with the resource manager's /gunyah-vm-config) copied
 * into guest RAM and named with GUNYAH_VM_SET_DTB_CONFIG, on every
 * backend and flavour, x0 pointing at it at entry as the RM starts a VM.
 *
 * Where: the highest page-aligned span of RAM that none of the image's
 * segments uses, the top of RAM for every guest that leaves it alone; an
 * image that fills RAM gets no DTB only if the caller says so (--no-dtb).
 * run and replay share it, so a replayed VM gets the same bytes at the
 * same address (the recording keeps the address).
 */
#ifndef GCTL_DTB_PLACE_H
#define GCTL_DTB_PLACE_H

#include <stddef.h>
#include <stdint.h>

#include "gunyah.h"
#include "engine/image.h"
#include "engine/vmm.h"

struct gctl_dtb_placed {
	uint64_t addr; /* guest physical, page aligned */
	uint64_t size; /* the blob's fdt_totalsize */
};

/*
 * Build the DTB for cfg and place it: at `at` when non-zero (a replay),
 * else where the comment above says, clear of img's segments (img may be
 * NULL).  Sets x0 through the boot context where the flavour has one (the
 * GH_* flavour's boot stub loads it).  0, or -errno with a reason in err:
 * -ENOSPC no page-aligned room left in RAM, -EINVAL a backend refusal.
 */
int gctl_dtb_place(struct gh_vm *vm, const struct gctl_vmm_config *cfg,
		   const struct gctl_image_info *img, uint64_t at,
		   struct gctl_dtb_placed *out, char *err, size_t errlen);

#endif /* GCTL_DTB_PLACE_H */
