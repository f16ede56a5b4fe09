/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device tree a Linux guest boots with, built with libfdt from the
 * VM's configuration: memory, CPUs with PSCI over HVC, the hypervisor's
 * GICv3 and arch timer (where the sim puts them, gunyah_sim.h), the PL011
 * console the VMM emulates, and /chosen (bootargs, initrd).
 *
 * One function per node group (fdt_build.c), the resource manager's
 * /gunyah-vm-config among them.
 */
#ifndef GCTL_FDT_BUILD_H
#define GCTL_FDT_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GCTL_FDT_MAX_SIZE (64u << 10)

struct gctl_fdt_config {
	uint64_t ram_base, ram_size;
	unsigned int nr_cpus;
	bool uart;
	uint64_t uart_addr;
	unsigned int uart_spi; /* SPI number (INTID 32 + spi) */
	const char *bootargs;  /* NULL: no bootargs */
	bool initrd;
	uint64_t initrd_start, initrd_end;
};

/* Build into buf (size bytes); 0, or -errno with a reason in err. */
int gctl_fdt_build(const struct gctl_fdt_config *c, void *buf, size_t size,
		   char *err, size_t errlen);

/*
 * A given DTB (--dtb FILE) with /chosen's bootargs and initrd set from c
 * (only those), copied into buf.  0, or -errno with a reason.
 */
int gctl_fdt_patch_chosen(const void *dtb, size_t dtb_size,
			  const struct gctl_fdt_config *c, void *buf,
			  size_t size, char *err, size_t errlen);

#endif /* GCTL_FDT_BUILD_H */
