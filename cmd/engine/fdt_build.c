// SPDX-License-Identifier: GPL-2.0-only
/*
 * The generated device tree (fdt_build.h): libfdt's sequential writer,
 * one function per node group.  The layout is what an unmodified arm64
 * Linux needs on the sim (LINUX-GUEST-NOTES.md): a "linux,dummy-virt"
 * machine, 2-cell addresses, PSCI 1.0 over HVC, a GICv3 with one
 * redistributor frame pair per vCPU, the arch timer's four PPIs, a fixed
 * 24 MHz clock for the PL011.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "gunyah_sim.h"
#include "engine/fdt_build.h"
#include "engine/pl011.h"

#define PHANDLE_GIC 1
#define PHANDLE_CLK 2
#define GIC_SPI 0
#define GIC_PPI 1
#define IRQ_LEVEL_HIGH 4

/* Each helper returns 0 or a libfdt error (negative). */
#define TRY(x)                      \
	do {                        \
		int __r = (x);      \
		if (__r < 0)        \
			return __r; \
	} while (0)

static int prop_u32s(void *fdt, const char *name, const uint32_t *v,
		     unsigned int n)
{
	fdt32_t cells[16];

	for (unsigned int i = 0; i < n && i < 16; i++)
		cells[i] = cpu_to_fdt32(v[i]);
	return fdt_property(fdt, name, cells, (int)(n * sizeof(cells[0])));
}

/* A 64-bit value is two cells, the high one first. */
static int prop_u64s(void *fdt, const char *name, const uint64_t *v,
		     unsigned int n)
{
	uint32_t cells[16];

	for (unsigned int i = 0; i < n && i < 8; i++) {
		cells[2 * i] = (uint32_t)(v[i] >> 32);
		cells[2 * i + 1] = (uint32_t)v[i];
	}
	return prop_u32s(fdt, name, cells, 2 * n);
}

/* A "a\0b\0" string list. */
static int prop_strs(void *fdt, const char *name, const char *list, int len)
{
	return fdt_property(fdt, name, list, len);
}

static int fdt_root_props(void *fdt)
{
	TRY(fdt_property_string(fdt, "compatible", "linux,dummy-virt"));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	return fdt_property_u32(fdt, "interrupt-parent", PHANDLE_GIC);
}

static int fdt_memory(void *fdt, const struct gctl_fdt_config *c)
{
	char name[40];
	uint64_t reg[2] = { c->ram_base, c->ram_size };

	snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)c->ram_base);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "device_type", "memory"));
	TRY(prop_u64s(fdt, "reg", reg, 2));
	return fdt_end_node(fdt);
}

static int fdt_cpus(void *fdt, const struct gctl_fdt_config *c)
{
	static const char psci[] = "arm,psci-1.0\0arm,psci-0.2";

	TRY(fdt_begin_node(fdt, "psci"));
	TRY(prop_strs(fdt, "compatible", psci, sizeof(psci)));
	TRY(fdt_property_string(fdt, "method", "hvc"));
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	for (unsigned int i = 0; i < c->nr_cpus; i++) {
		char name[16];

		snprintf(name, sizeof(name), "cpu@%x", i);
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_string(fdt, "device_type", "cpu"));
		TRY(fdt_property_string(fdt, "compatible", "arm,cortex-a72"));
		TRY(fdt_property_u32(fdt, "reg", i));
		TRY(fdt_property_string(fdt, "enable-method", "psci"));
		TRY(fdt_end_node(fdt));
	}
	return fdt_end_node(fdt);
}

static int fdt_gic(void *fdt, const struct gctl_fdt_config *c)
{
	char name[40];
	uint64_t reg[4] = { GH_SIM_GICD_BASE, GH_SIM_GICD_SIZE,
			    GH_SIM_GICR_BASE, GH_SIM_GICR_STRIDE * c->nr_cpus };

	snprintf(name, sizeof(name), "intc@%llx",
		 (unsigned long long)GH_SIM_GICD_BASE);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 3));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property(fdt, "ranges", NULL, 0));
	TRY(fdt_property_u32(fdt, "#redistributor-regions", 1));
	TRY(prop_u64s(fdt, "reg", reg, 4));
	TRY(fdt_property_u32(fdt, "phandle", PHANDLE_GIC));
	return fdt_end_node(fdt);
}

static int fdt_timer(void *fdt, const struct gctl_fdt_config *c)
{
	/* Secure, non-secure physical, virtual, hypervisor: PPIs 13 14 11 10. */
	uint32_t cpus = c->nr_cpus >= 8 ? 0xff : (1u << c->nr_cpus) - 1;
	uint32_t flags = cpus << 8 | IRQ_LEVEL_HIGH;
	uint32_t irqs[12] = {
		GIC_PPI, 13, flags, GIC_PPI, 14, flags,
		GIC_PPI, GH_SIM_INTID_VTIMER - 16, flags, GIC_PPI, 10, flags,
	};

	TRY(fdt_begin_node(fdt, "timer"));
	TRY(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
	TRY(prop_u32s(fdt, "interrupts", irqs, 12));
	TRY(fdt_property(fdt, "always-on", NULL, 0));
	return fdt_end_node(fdt);
}

static int fdt_uart(void *fdt, const struct gctl_fdt_config *c)
{
	static const char compat[] = "arm,pl011\0arm,primecell";
	static const char clocks[] = "uartclk\0apb_pclk";
	uint64_t reg[2] = { c->uart_addr, 0x1000 };
	uint32_t irq[3] = { GIC_SPI, c->uart_spi, IRQ_LEVEL_HIGH };
	uint32_t clk[2] = { PHANDLE_CLK, PHANDLE_CLK };
	char name[40];

	TRY(fdt_begin_node(fdt, "apb-pclk"));
	TRY(fdt_property_string(fdt, "compatible", "fixed-clock"));
	TRY(fdt_property_u32(fdt, "#clock-cells", 0));
	TRY(fdt_property_u32(fdt, "clock-frequency", GCTL_PL011_CLOCK_HZ));
	TRY(fdt_property_string(fdt, "clock-output-names", "clk24mhz"));
	TRY(fdt_property_u32(fdt, "phandle", PHANDLE_CLK));
	TRY(fdt_end_node(fdt));

	snprintf(name, sizeof(name), "pl011@%llx", (unsigned long long)c->uart_addr);
	TRY(fdt_begin_node(fdt, name));
	TRY(prop_strs(fdt, "compatible", compat, sizeof(compat)));
	TRY(prop_u64s(fdt, "reg", reg, 2));
	TRY(prop_u32s(fdt, "interrupts", irq, 3));
	TRY(prop_u32s(fdt, "clocks", clk, 2));
	TRY(prop_strs(fdt, "clock-names", clocks, sizeof(clocks)));
	return fdt_end_node(fdt);
}

static int fdt_chosen(void *fdt, const struct gctl_fdt_config *c)
{
	char path[48];

	TRY(fdt_begin_node(fdt, "chosen"));
	if (c->bootargs)
		TRY(fdt_property_string(fdt, "bootargs", c->bootargs));
	if (c->uart) {
		snprintf(path, sizeof(path), "/pl011@%llx",
			 (unsigned long long)c->uart_addr);
		TRY(fdt_property_string(fdt, "stdout-path", path));
	}
	if (c->initrd) {
		TRY(fdt_property_u64(fdt, "linux,initrd-start", c->initrd_start));
		TRY(fdt_property_u64(fdt, "linux,initrd-end", c->initrd_end));
	}
	return fdt_end_node(fdt);
}

/*
 * What a Gunyah resource manager reads to configure the VM at VM_START, as
 * crosvm's Gunyah backend writes it: the VM's IPA layout (memory:
 * base-address, size-max; Gunyah maps and gives MMIO exits only inside
 * it), its interrupt controller, every vCPU proxy-scheduled (scheduled by
 * its host thread's GUNYAH_VCPU_RUN), and where the RM puts the nodes of
 * what it creates (vdevices).
 */
static int fdt_vm_config(void *fdt, const struct gctl_fdt_config *c)
{
	TRY(fdt_begin_node(fdt, "gunyah-vm-config"));
	TRY(fdt_property_string(fdt, "image-name", "gunyahctl"));
	TRY(fdt_property_string(fdt, "os-type", "linux"));
	TRY(fdt_begin_node(fdt, "memory"));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_u64(fdt, "base-address", c->ram_base));
	TRY(fdt_property_u64(fdt, "size-max", c->ram_size));
	TRY(fdt_end_node(fdt));
	TRY(fdt_begin_node(fdt, "interrupts"));
	TRY(fdt_property_u32(fdt, "config", PHANDLE_GIC));
	TRY(fdt_end_node(fdt));
	TRY(fdt_begin_node(fdt, "vcpus"));
	TRY(fdt_property_string(fdt, "affinity", "proxy"));
	TRY(fdt_end_node(fdt));
	TRY(fdt_begin_node(fdt, "vdevices"));
	TRY(fdt_property_string(fdt, "generate", "/hypervisor"));
	TRY(fdt_end_node(fdt));
	return fdt_end_node(fdt);
}

static int build(const struct gctl_fdt_config *c, void *fdt, size_t size)
{
	TRY(fdt_create(fdt, (int)size));
	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_root_props(fdt));
	TRY(fdt_chosen(fdt, c));
	TRY(fdt_memory(fdt, c));
	TRY(fdt_cpus(fdt, c));
	TRY(fdt_gic(fdt, c));
	TRY(fdt_timer(fdt, c));
	if (c->uart)
		TRY(fdt_uart(fdt, c));
	TRY(fdt_vm_config(fdt, c));
	TRY(fdt_end_node(fdt));
	return fdt_finish(fdt);
}

int gctl_fdt_build(const struct gctl_fdt_config *c, void *buf, size_t size,
		   char *err, size_t errlen)
{
	int ret = build(c, buf, size);

	if (ret < 0) {
		snprintf(err, errlen, "building the device tree: %s",
			 fdt_strerror(ret));
		return ret == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
	}
	return 0;
}

int gctl_fdt_patch_chosen(const void *dtb, size_t dtb_size,
			  const struct gctl_fdt_config *c, void *buf,
			  size_t size, char *err, size_t errlen)
{
	int ret, node;

	if (dtb_size < sizeof(struct fdt_header) || fdt_check_header(dtb) ||
	    fdt_totalsize(dtb) > dtb_size) {
		snprintf(err, errlen, "not a device tree blob");
		return -ENOEXEC;
	}
	ret = fdt_open_into(dtb, buf, (int)size);
	if (ret < 0)
		goto fail;
	node = fdt_path_offset(buf, "/chosen");
	if (node < 0 && (c->bootargs || c->initrd))
		node = ret = fdt_add_subnode(buf, 0, "chosen");
	if (ret < 0)
		goto fail;
	if (c->bootargs)
		ret = fdt_setprop_string(buf, node, "bootargs", c->bootargs);
	if (ret >= 0 && c->initrd)
		ret = fdt_setprop_u64(buf, node, "linux,initrd-start",
				      c->initrd_start);
	if (ret >= 0 && c->initrd)
		ret = fdt_setprop_u64(buf, node, "linux,initrd-end",
				      c->initrd_end);
	if (ret >= 0)
		ret = fdt_pack(buf);
	if (ret >= 0)
		return 0;
fail:
	snprintf(err, errlen, "%s", fdt_strerror(ret));
	return ret == -FDT_ERR_NOSPACE ? -EFBIG : -ENOEXEC;
}
