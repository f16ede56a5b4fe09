// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every ioctl request number libgunyah sends, per ABI flavour, in one table.
 * Shipping devices run the Android common kernel's flavour; its VM setup
 * differs (user memory regions instead of guest_memfd) and it has no
 * page-fault exit.  Callers name an operation; only this file knows numbers.
 */
#include <stddef.h>

#include "gunyah.h"

#define GH_ANDROID_IOCTL_TYPE 'A'

struct gunyah_userspace_memory_region {
	__u32 label;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
};

/* Ties each argument struct to the size encoded in its request number. */
#define REQ_ARG_ASSERT(req, type) \
	_Static_assert(_IOC_SIZE(req) == sizeof(type), #req " vs " #type)
REQ_ARG_ASSERT(GUNYAH_CREATE_GUEST_MEM, struct gunyah_create_mem_args);
REQ_ARG_ASSERT(GUNYAH_VM_SET_DTB_CONFIG, struct gunyah_vm_dtb_config);
REQ_ARG_ASSERT(GUNYAH_VM_ADD_FUNCTION, struct gunyah_fn_desc);
REQ_ARG_ASSERT(GUNYAH_VM_REMOVE_FUNCTION, struct gunyah_fn_desc);
REQ_ARG_ASSERT(GUNYAH_VM_MAP_MEM, struct gunyah_map_mem_args);
REQ_ARG_ASSERT(GUNYAH_VM_SET_BOOT_CONTEXT, struct gunyah_vm_boot_context);

#define OP(op, req) [op] = (req)
#define NAME(op, s) [op] = (s)

const struct gh_abi_flavour gh_abi_upstream = {
	.name = "upstream",
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
 * The Android common kernel keeps the 'G' numbers for the calls both share
 * and has no guest_memfd: memory comes from GH_VM_SET_USER_MEM_REGION /
 * GH_VM_ANDROID_LEND_USER_MEM, which the VM layer does not speak yet.
 */
const struct gh_abi_flavour gh_abi_android = {
	.name = "android",
	.request = {
		OP(GH_OP_CREATE_VM, GUNYAH_CREATE_VM),
		OP(GH_OP_VM_SET_DTB_CONFIG, GUNYAH_VM_SET_DTB_CONFIG),
		OP(GH_OP_VM_START, GUNYAH_VM_START),
		OP(GH_OP_VM_ADD_FUNCTION, GUNYAH_VM_ADD_FUNCTION),
		OP(GH_OP_VM_REMOVE_FUNCTION, GUNYAH_VM_REMOVE_FUNCTION),
		OP(GH_OP_VM_SET_BOOT_CONTEXT, GUNYAH_VM_SET_BOOT_CONTEXT),
		OP(GH_OP_VCPU_RUN, GUNYAH_VCPU_RUN),
		OP(GH_OP_VCPU_MMAP_SIZE, GUNYAH_VCPU_MMAP_SIZE),
	},
	.request_name = {
		NAME(GH_OP_CREATE_VM, "GH_CREATE_VM"),
		NAME(GH_OP_VM_SET_DTB_CONFIG, "GH_VM_SET_DTB_CONFIG"),
		NAME(GH_OP_VM_START, "GH_VM_START"),
		NAME(GH_OP_VM_ADD_FUNCTION, "GH_VM_ADD_FUNCTION"),
		NAME(GH_OP_VM_REMOVE_FUNCTION, "GH_VM_REMOVE_FUNCTION"),
		NAME(GH_OP_VM_SET_BOOT_CONTEXT, "GH_VM_SET_BOOT_CONTEXT"),
		NAME(GH_OP_VCPU_RUN, "GH_VCPU_RUN"),
		NAME(GH_OP_VCPU_MMAP_SIZE, "GH_VCPU_MMAP_SIZE"),
	},
};

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
