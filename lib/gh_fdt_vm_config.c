// SPDX-License-Identifier: GPL-2.0-only
/*
 * The nodes of a VM's device tree that the Gunyah resource manager reads
 * (gunyah.h says which and why), added to a tree someone else built: the
 * DTB builder makes the tree a guest reads, this file only what the RM
 * reads.  Written with libfdt's read-write calls so it fits any tree.
 */
#include <errno.h>
#include <libfdt.h>

#include "gunyah.h"

static int to_errno(int err)
{
	switch (err) {
	case -FDT_ERR_NOSPACE:
		return -ENOSPC;
	case -FDT_ERR_EXISTS:
		return -EEXIST;
	default:
		return -EINVAL;
	}
}

static int subnode(void *fdt, int parent, const char *name)
{
	return fdt_add_subnode(fdt, parent, name);
}

int gh_fdt_add_vm_config(void *fdt, size_t buf_size,
			 const struct gh_fdt_vm_config *cfg)
{
	int ret, top, node;

	if (buf_size > INT32_MAX)
		return -EINVAL;
	ret = fdt_open_into(fdt, fdt, (int)buf_size);
	if (ret)
		return to_errno(ret);
	top = subnode(fdt, 0, "gunyah-vm-config");
	if (top < 0)
		return to_errno(top);
	ret = fdt_setprop_string(fdt, top, "image-name",
				 cfg->image_name ? cfg->image_name : "gunyahctl");
	ret = ret ? ret : fdt_setprop_string(fdt, top, "os-type", "linux");

	node = ret ? ret : subnode(fdt, top, "memory");
	ret = node < 0 ? node : fdt_setprop_u32(fdt, node, "#address-cells", 2);
	ret = ret ? ret : fdt_setprop_u32(fdt, node, "#size-cells", 2);
	ret = ret ? ret : fdt_setprop_u64(fdt, node, "base-address", cfg->base);
	if (!ret && cfg->size_max)
		ret = fdt_setprop_u64(fdt, node, "size-max", cfg->size_max);

	if (!ret && cfg->intc_phandle) {
		node = subnode(fdt, top, "interrupts");
		ret = node < 0 ? node : fdt_setprop_u32(fdt, node, "config",
							cfg->intc_phandle);
	}

	node = ret ? ret : subnode(fdt, top, "vcpus");
	ret = node < 0 ? node : fdt_setprop_string(fdt, node, "affinity", "proxy");

	node = ret ? ret : subnode(fdt, top, "vdevices");
	ret = node < 0 ? node : fdt_setprop_string(fdt, node, "generate",
						   "/hypervisor");
	if (ret)
		return to_errno(ret);
	ret = fdt_pack(fdt);
	return ret ? to_errno(ret) : 0;
}
