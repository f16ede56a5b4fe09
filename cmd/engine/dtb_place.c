// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every image run's device tree in guest RAM (dtb_place.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "engine/boot.h"
#include "engine/dtb_place.h"

#define PAGE 4096ull

/* The lowest segment of img overlapping [addr, addr + len), or NULL. */
static const struct gctl_image_segment *
overlap(const struct gctl_image_info *img, uint64_t addr, uint64_t len)
{
	const struct gctl_image_segment *low = NULL;

	for (unsigned int i = 0; img && i < img->nr_segments; i++) {
		const struct gctl_image_segment *s = &img->segments[i];

		if (s->paddr < addr + len && addr < s->paddr + s->memsz &&
		    (!low || s->paddr < low->paddr))
			low = s;
	}
	return low;
}

/*
 * From the top of RAM down: the first page-aligned span of len bytes no
 * segment uses and this process mapped; 0 when there is none.
 */
static uint64_t find_room(struct gh_vm *vm, const struct gctl_vmm_config *cfg,
			  const struct gctl_image_info *img, uint64_t len)
{
	uint64_t span = (len + PAGE - 1) & ~(PAGE - 1);
	uint64_t end = cfg->ram_base + cfg->ram_size, addr;

	if (span > cfg->ram_size)
		return 0;
	addr = (end - span) & ~(PAGE - 1);
	while (addr >= cfg->ram_base) {
		const struct gctl_image_segment *s = overlap(img, addr, span);
		uint64_t below;

		if (!s && gh_vm_host_ptr(vm, addr, span))
			return addr;
		below = s ? s->paddr : addr;
		if (below < cfg->ram_base + span)
			return 0;
		/* under the segment in the way, or a page lower */
		addr = s ? (below - span) & ~(PAGE - 1) : addr - PAGE;
	}
	return 0;
}

int gctl_dtb_place(struct gh_vm *vm, const struct gctl_vmm_config *cfg,
		   const struct gctl_image_info *img, uint64_t at,
		   struct gctl_dtb_placed *out, char *err, size_t errlen)
{
	const struct gctl_fdt_config f = {
		.ram_base = cfg->ram_base,
		.ram_size = cfg->ram_size,
		.nr_cpus = cfg->nr_vcpus,
		.uart = cfg->uart_set,
		.uart_addr = cfg->uart_addr,
		.uart_spi = GCTL_BOOT_UART_SPI,
	};
	void *buf = malloc(GCTL_FDT_MAX_SIZE), *dst;
	uint64_t size;
	int ret;

	if (!buf) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	ret = gctl_fdt_build(&f, buf, GCTL_FDT_MAX_SIZE, err, errlen);
	if (ret)
		goto out;
	size = fdt_totalsize(buf);
	if (!at)
		at = find_room(vm, cfg, img, size);
	dst = at ? gh_vm_host_ptr(vm, at, size) : NULL;
	if (!dst) {
		ret = -ENOSPC;
		snprintf(err, errlen, "no page-aligned %" PRIu64 " bytes of RAM "
			 "left free by the image for its device tree (--no-dtb "
			 "runs without one)", size);
		goto out;
	}
	memcpy(dst, buf, size);
	ret = gh_vm_set_dtb(vm, at, size);
	if (!ret)
		ret = gh_vm_set_boot_reg(vm, REG_SET_X, 0, at);
	if (ret) {
		snprintf(err, errlen, "device tree at %#" PRIx64 ": %s", at,
			 strerror(-ret));
		goto out;
	}
	out->addr = at;
	out->size = size;
out:
	free(buf);
	return ret;
}
