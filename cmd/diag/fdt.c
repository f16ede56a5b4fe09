// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device tree a diag VM is given.  The sim does not read it, but the
 * resource manager of a real Gunyah configures the VM from it at
 * GUNYAH_VM_START: how many vCPUs (/cpus), that they are proxy-scheduled
 * (gunyah-vm-config/vcpus affinity), and the VM's address layout
 * (gunyah-vm-config/memory: base-address, size-max), inside which an
 * access with no memory behind it is an MMIO exit rather than an abort.
 *
 * A flattened device tree (devicetree specification v0.4, chapter 5),
 * written by hand so the tool needs no libfdt:
 *
 *   / { #address-cells = <2>; #size-cells = <2>;
 *       cpus { cpu@N { device_type = "cpu"; reg = <0 N>; ... } };
 *       psci { compatible = "arm,psci-1.0"; method = "hvc"; };
 *       gunyah-vm-config { image-name; os-type;
 *           memory { base-address; size-max; }; vcpus { affinity = "proxy"; }; }; };
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "diag/diag.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_END 9u
#define FDT_HEADER_SIZE 40u
#define FDT_RSVMAP_SIZE 16u /* just the terminating entry */

struct fdt {
	unsigned char *buf;
	size_t size;
	size_t off;		/* end of the structure block so far */
	char strings[256];
	size_t strings_len;
	bool overflow;
};

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void emit(struct fdt *f, const void *data, size_t len)
{
	size_t padded = (len + 3) & ~(size_t)3;

	if (f->overflow || padded > f->size - f->off) {
		f->overflow = true;
		return;
	}
	memcpy(f->buf + f->off, data, len);
	memset(f->buf + f->off + len, 0, padded - len);
	f->off += padded;
}

static void emit_u32(struct fdt *f, uint32_t v)
{
	unsigned char b[4];

	put_be32(b, v);
	emit(f, b, sizeof(b));
}

/* Offset of name in the strings block, added once. */
static uint32_t string_off(struct fdt *f, const char *name)
{
	size_t len = strlen(name) + 1;

	for (size_t i = 0; i < f->strings_len; i += strlen(f->strings + i) + 1)
		if (!strcmp(f->strings + i, name))
			return (uint32_t)i;
	if (len > sizeof(f->strings) - f->strings_len) {
		f->overflow = true;
		return 0;
	}
	memcpy(f->strings + f->strings_len, name, len);
	f->strings_len += len;
	return (uint32_t)(f->strings_len - len);
}

static void begin_node(struct fdt *f, const char *name)
{
	emit_u32(f, FDT_BEGIN_NODE);
	emit(f, name, strlen(name) + 1);
}

static void end_node(struct fdt *f)
{
	emit_u32(f, FDT_END_NODE);
}

static void prop(struct fdt *f, const char *name, const void *val, size_t len)
{
	emit_u32(f, FDT_PROP);
	emit_u32(f, (uint32_t)len);
	emit_u32(f, string_off(f, name));
	if (len)
		emit(f, val, len);
}

static void prop_str(struct fdt *f, const char *name, const char *s)
{
	prop(f, name, s, strlen(s) + 1);
}

static void prop_cells(struct fdt *f, const char *name, const uint32_t *cells,
		       size_t n)
{
	unsigned char b[4 * 4];

	for (size_t i = 0; i < n && i < 4; i++)
		put_be32(b + 4 * i, cells[i]);
	prop(f, name, b, 4 * (n < 4 ? n : 4));
}

static void prop_u32(struct fdt *f, const char *name, uint32_t v)
{
	prop_cells(f, name, &v, 1);
}

static void prop_u64(struct fdt *f, const char *name, uint64_t v)
{
	const uint32_t cells[2] = { (uint32_t)(v >> 32), (uint32_t)v };

	prop_cells(f, name, cells, 2);
}

long diag_fdt_build(void *buf, size_t size, unsigned int nr_vcpus,
		    uint64_t ram_base, uint64_t layout_size)
{
	static const char psci_compat[] = "arm,psci-1.0\0arm,psci-0.2";
	struct fdt f = { .buf = buf, .size = size };
	size_t struct_off = FDT_HEADER_SIZE + FDT_RSVMAP_SIZE, total;
	char name[32];

	if (size < struct_off)
		return -ENOSPC;
	memset(buf, 0, struct_off);
	f.off = struct_off;

	begin_node(&f, "");
	prop_str(&f, "compatible", "gunyahctl,diag-vm");
	prop_u32(&f, "#address-cells", 2);
	prop_u32(&f, "#size-cells", 2);

	begin_node(&f, "cpus");
	prop_u32(&f, "#address-cells", 2);
	prop_u32(&f, "#size-cells", 0);
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		const uint32_t reg[2] = { 0, i };

		snprintf(name, sizeof(name), "cpu@%x", i);
		begin_node(&f, name);
		prop_str(&f, "device_type", "cpu");
		prop_str(&f, "compatible", "arm,armv8");
		prop_cells(&f, "reg", reg, 2);
		prop_str(&f, "enable-method", "psci");
		end_node(&f);
	}
	end_node(&f);

	begin_node(&f, "psci");
	prop(&f, "compatible", psci_compat, sizeof(psci_compat));
	prop_str(&f, "method", "hvc");
	end_node(&f);

	begin_node(&f, "gunyah-vm-config");
	prop_str(&f, "image-name", "gunyahctl-diag");
	prop_str(&f, "os-type", "linux");
	begin_node(&f, "memory");
	prop_u32(&f, "#address-cells", 2);
	prop_u32(&f, "#size-cells", 2);
	prop_u64(&f, "base-address", ram_base);
	prop_u64(&f, "size-max", layout_size);
	end_node(&f);
	begin_node(&f, "vcpus");
	prop_str(&f, "affinity", "proxy");
	end_node(&f);
	end_node(&f);

	end_node(&f);
	emit_u32(&f, FDT_END);

	total = f.off + f.strings_len;
	if (f.overflow || total > size)
		return -ENOSPC;
	memcpy(f.buf + f.off, f.strings, f.strings_len);

	put_be32(f.buf + 0, FDT_MAGIC);
	put_be32(f.buf + 4, (uint32_t)total);
	put_be32(f.buf + 8, (uint32_t)struct_off);		/* off_dt_struct */
	put_be32(f.buf + 12, (uint32_t)f.off);			/* off_dt_strings */
	put_be32(f.buf + 16, FDT_HEADER_SIZE);			/* off_mem_rsvmap */
	put_be32(f.buf + 20, 17);				/* version */
	put_be32(f.buf + 24, 16);				/* last_comp_version */
	put_be32(f.buf + 28, 0);				/* boot_cpuid_phys */
	put_be32(f.buf + 32, (uint32_t)f.strings_len);		/* size_dt_strings */
	put_be32(f.buf + 36, (uint32_t)(f.off - struct_off));	/* size_dt_struct */
	return (long)total;
}
