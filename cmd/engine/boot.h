/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Booting a Linux kernel (run --kernel): an arm64 Image placed in guest
 * RAM as the kernel's booting rules say (Documentation/arch/arm64/
 * booting.rst: the header's magic, text_offset, image_size; a 2 MiB
 * aligned base), an initrd, and a device tree, generated (fdt_build.h) or
 * given, handed to the VM with GUNYAH_VM_SET_DTB_CONFIG (x0 at entry).
 *
 * RAM layout: the Image at the RAM base + text_offset; the DTB in the
 * last 2 MiB of RAM; the initrd just below it, page aligned.
 */
#ifndef GCTL_BOOT_H
#define GCTL_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "gunyah.h"
#include "engine/fdt_build.h"

#define GCTL_BOOT_UART_SPI 1 /* the PL011's SPI (INTID 33), irqfd label 1 */

struct gctl_boot {
	const char *kernel;  /* an arm64 Image */
	const char *initrd;  /* NULL: none */
	const char *dtb;     /* NULL: generate one */
	struct gctl_fdt_config fdt; /* ram, cpus, uart, bootargs */
};

struct gctl_boot_info {
	uint64_t entry;
	uint64_t kernel_lo, kernel_hi;
	uint64_t initrd_lo, initrd_hi;
	uint64_t dtb_addr, dtb_size;
};

/*
 * Where the initrd goes (from its size; nothing read): sets b->fdt's
 * initrd fields.  0, or -errno with a reason.
 */
int gctl_boot_plan(struct gctl_boot *b, char *err, size_t errlen);

/*
 * The DTB the VM would get (gctl_fdt_build, or the given one patched),
 * into buf: its size, or -errno with a reason.
 */
long gctl_boot_dtb(const struct gctl_boot *b, void *buf, size_t size,
		   char *err, size_t errlen);

/*
 * Load everything into vm's RAM and set the DTB.  0, or -errno with a
 * reason: -ENOEXEC not an arm64 Image / not a DTB, -EFBIG does not fit,
 * -ENOENT etc. from the files.
 */
int gctl_boot_load(struct gh_vm *vm, struct gctl_boot *b,
		   struct gctl_boot_info *info, char *err, size_t errlen);

#endif /* GCTL_BOOT_H */
