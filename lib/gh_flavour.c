// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every ioctl request number libgunyah sends, per ABI flavour, in one table.
 * Shipping devices run the Android common kernel's flavour; its VM setup
 * differs (user memory regions instead of guest_memfd) and it has no
 * page-fault exit.  Callers name an operation; only this file knows numbers.
 */
#include <stddef.h>
#include <string.h>

#include "gunyah.h"

/* Ties each argument struct to the size encoded in its request number. */
#define REQ_ARG_ASSERT(req, type) \
	_Static_assert(_IOC_SIZE(req) == sizeof(type), #req " vs " #type)
REQ_ARG_ASSERT(GUNYAH_CREATE_GUEST_MEM, struct gunyah_create_mem_args);
REQ_ARG_ASSERT(GUNYAH_VM_SET_DTB_CONFIG, struct gunyah_vm_dtb_config);
REQ_ARG_ASSERT(GUNYAH_VM_ADD_FUNCTION, struct gunyah_fn_desc);
REQ_ARG_ASSERT(GUNYAH_VM_REMOVE_FUNCTION, struct gunyah_fn_desc);
REQ_ARG_ASSERT(GUNYAH_VM_MAP_MEM, struct gunyah_map_mem_args);
REQ_ARG_ASSERT(GUNYAH_VM_SET_BOOT_CONTEXT, struct gunyah_vm_boot_context);
REQ_ARG_ASSERT(GH_VM_SET_USER_MEM_REGION, struct gh_userspace_memory_region);
REQ_ARG_ASSERT(GH_VM_ANDROID_LEND_USER_MEM, struct gh_userspace_memory_region);

#define OP(op, req) [op] = (req)
#define NAME(op, s) [op] = (s)

const struct gh_abi_flavour gh_abi_upstream = {
	.name = "upstream",
	.features = GH_ABI_PAGE_FAULT | GH_ABI_RESUME_ACTION |
		    GH_ABI_BOOT_CONTEXT,
	.request = {
		OP(GH_OP_CREATE_VM, GUNYAH_CREATE_VM),
		OP(GH_OP_CREATE_GUEST_MEM, GUNYAH_CREATE_GUEST_MEM),
		OP(GH_OP_VM_SET_DTB_CONFIG, GUNYAH_VM_SET_DTB_CONFIG),
		OP(GH_OP_VM_START, GUNYAH_VM_START),
		OP(GH_OP_VM_ADD_FUNCTION, GUNYAH_VM_ADD_FUNCTION),
		OP(GH_OP_VM_REMOVE_FUNCTION, GUNYAH_VM_REMOVE_FUNCTION),
		OP(GH_OP_VM_MAP_MEM, GUNYAH_VM_MAP_MEM),
		OP(GH_OP_VM_SET_BOOT_CONTEXT, GUNYAH_VM_SET_BOOT_CONTEXT),
		OP(GH_OP_VCPU_RUN, GUNYAH_VCPU_RUN),
		OP(GH_OP_VCPU_MMAP_SIZE, GUNYAH_VCPU_MMAP_SIZE),
	},
	.request_name = {
		NAME(GH_OP_CREATE_VM, "GUNYAH_CREATE_VM"),
		NAME(GH_OP_CREATE_GUEST_MEM, "GUNYAH_CREATE_GUEST_MEM"),
		NAME(GH_OP_VM_SET_DTB_CONFIG, "GUNYAH_VM_SET_DTB_CONFIG"),
		NAME(GH_OP_VM_START, "GUNYAH_VM_START"),
		NAME(GH_OP_VM_ADD_FUNCTION, "GUNYAH_VM_ADD_FUNCTION"),
		NAME(GH_OP_VM_REMOVE_FUNCTION, "GUNYAH_VM_REMOVE_FUNCTION"),
		NAME(GH_OP_VM_MAP_MEM, "GUNYAH_VM_MAP_MEM"),
		NAME(GH_OP_VM_SET_BOOT_CONTEXT, "GUNYAH_VM_SET_BOOT_CONTEXT"),
		NAME(GH_OP_VCPU_RUN, "GUNYAH_VCPU_RUN"),
		NAME(GH_OP_VCPU_MMAP_SIZE, "GUNYAH_VCPU_MMAP_SIZE"),
	},
};

/*
 * The GH_* flavour (Android common kernel android14-6.1; v14 has the same
 * 'G' requests, without the 'A' one).  It keeps the 'G' numbers for the
 * calls both share and has no guest_memfd and no boot context: memory
 * comes from GH_VM_SET_USER_MEM_REGION (or GH_VM_ANDROID_LEND_USER_MEM).
 * Both lists follow include/uapi/linux/gunyah.h of android14-6.1, where
 * 'G' 0x8/0x9/0xa do not exist (upstream's CREATE_GUEST_MEM, MAP_MEM,
 * SET_BOOT_CONTEXT came with v15+).
 */
const struct gh_abi_flavour gh_abi_android = {
	.name = "android",
	.features = 0,
	.request = {
		OP(GH_OP_CREATE_VM, GUNYAH_CREATE_VM),
		OP(GH_OP_VM_SET_DTB_CONFIG, GUNYAH_VM_SET_DTB_CONFIG),
		OP(GH_OP_VM_START, GUNYAH_VM_START),
		OP(GH_OP_VM_ADD_FUNCTION, GUNYAH_VM_ADD_FUNCTION),
		OP(GH_OP_VM_REMOVE_FUNCTION, GUNYAH_VM_REMOVE_FUNCTION),
		OP(GH_OP_VCPU_RUN, GUNYAH_VCPU_RUN),
		OP(GH_OP_VCPU_MMAP_SIZE, GUNYAH_VCPU_MMAP_SIZE),
		OP(GH_OP_VM_SET_USER_MEM_REGION, GH_VM_SET_USER_MEM_REGION),
		OP(GH_OP_VM_LEND_USER_MEM, GH_VM_ANDROID_LEND_USER_MEM),
	},
	.request_name = {
		NAME(GH_OP_CREATE_VM, "GH_CREATE_VM"),
		NAME(GH_OP_VM_SET_DTB_CONFIG, "GH_VM_SET_DTB_CONFIG"),
		NAME(GH_OP_VM_START, "GH_VM_START"),
		NAME(GH_OP_VM_ADD_FUNCTION, "GH_VM_ADD_FUNCTION"),
		NAME(GH_OP_VM_REMOVE_FUNCTION, "GH_VM_REMOVE_FUNCTION"),
		NAME(GH_OP_VCPU_RUN, "GH_VCPU_RUN"),
		NAME(GH_OP_VCPU_MMAP_SIZE, "GH_VCPU_MMAP_SIZE"),
		NAME(GH_OP_VM_SET_USER_MEM_REGION, "GH_VM_SET_USER_MEM_REGION"),
		NAME(GH_OP_VM_LEND_USER_MEM, "GH_VM_ANDROID_LEND_USER_MEM"),
	},
};

const struct gh_abi_flavour *gh_abi_by_name(const char *name)
{
	if (!name)
		return NULL;
	if (!strcmp(name, "upstream"))
		return &gh_abi_upstream;
	if (!strcmp(name, "android") || !strcmp(name, "gh"))
		return &gh_abi_android;
	return NULL;
}

void gh_backend_set_abi(struct gh_backend *be, const struct gh_abi_flavour *abi)
{
	be->abi = abi;
}

const struct gh_abi_flavour *gh_backend_abi(const struct gh_backend *be)
{
	return be->abi;
}

unsigned long gh_request(const struct gh_backend *be, enum gh_op op)
{
	if ((unsigned int)op >= GH_OP__COUNT)
		return 0;
	return be->abi->request[op];
}

const char *gh_request_name(unsigned long request)
{
	static const struct gh_abi_flavour *const flavours[] = {
		&gh_abi_upstream, &gh_abi_android,
	};

	for (size_t f = 0; f < sizeof(flavours) / sizeof(flavours[0]); f++)
		for (int op = 0; op < GH_OP__COUNT; op++)
			if (flavours[f]->request[op] == request)
				return flavours[f]->request_name[op];
	return NULL;
}
