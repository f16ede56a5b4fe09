// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ABI layout at run time: the same figures the header's static asserts
 * hold, kept here so a moved field is also a named failing test, and a
 * comparison with the system's <linux/gunyah.h> where it exists.
 */
#include <stddef.h>

#include "gunyah.h"
#include "test.h"

TEST(vcpu_run_layout)
{
	ASSERT_EQ(offsetof(struct gunyah_vcpu_run, immediate_exit), 0);
	ASSERT_EQ(offsetof(struct gunyah_vcpu_run, exit_reason), 8);
	ASSERT_EQ(offsetof(struct gunyah_vcpu_run, mmio), 16);
	ASSERT_EQ(offsetof(struct gunyah_vcpu_run, mmio.data), 24);
	ASSERT_EQ(offsetof(struct gunyah_vcpu_run, mmio.len), 32);
	ASSERT_EQ(offsetof(struct gunyah_vcpu_run, mmio.is_write), 36);
	ASSERT_EQ(offsetof(struct gunyah_vcpu_run, mmio.resume_action), 37);
	ASSERT_EQ(offsetof(struct gunyah_vcpu_run, status.status), 16);
	ASSERT_EQ(offsetof(struct gunyah_vcpu_run, status.exit_info), 20);
	ASSERT_EQ(offsetof(struct gunyah_vcpu_run, page_fault.attempt), 24);
	ASSERT_EQ(offsetof(struct gunyah_vcpu_run, page_fault.resume_action), 28);
	ASSERT_EQ(sizeof(struct gunyah_vcpu_run), 40);
}

TEST(exit_info_layout)
{
	ASSERT_EQ(sizeof(struct gunyah_vm_exit_info), 16);
	ASSERT_EQ(offsetof(struct gunyah_vm_exit_info, reason_size), 4);
	ASSERT_EQ(offsetof(struct gunyah_vm_exit_info, reason), 8);
	ASSERT_EQ(GUNYAH_VM_MAX_EXIT_REASON_SIZE, 8);
}

TEST(function_args_layout)
{
	ASSERT_EQ(sizeof(struct gunyah_fn_desc), 16);
	ASSERT_EQ(offsetof(struct gunyah_fn_desc, arg), 8);
	ASSERT_EQ(sizeof(struct gunyah_fn_vcpu_arg), 4);
	ASSERT_EQ(GUNYAH_FN_MAX_ARG_SIZE, 256);
	ASSERT_EQ(GUNYAH_FN_VCPU, 1);
}

TEST(memory_and_boot_layout)
{
	ASSERT_EQ(sizeof(struct gunyah_create_mem_args), 64);
	ASSERT_EQ(sizeof(struct gunyah_map_mem_args), 32);
	ASSERT_EQ(offsetof(struct gunyah_map_mem_args, guest_mem_fd), 12);
	ASSERT_EQ(sizeof(struct gunyah_vm_boot_context), 16);
	ASSERT_EQ(GUNYAH_VM_BOOT_CONTEXT_REG(REG_SET_PC, 0), 0x100);
	ASSERT_EQ(GUNYAH_VM_BOOT_CONTEXT_REG(REG_SET_X, 31), 31);
}

TEST(ioctl_numbers)
{
	ASSERT_EQ(GUNYAH_CREATE_VM, 0x4700);
	ASSERT_EQ(GUNYAH_VM_SET_DTB_CONFIG, 0x40104702);
	ASSERT_EQ(GUNYAH_VM_START, 0x4703);
	ASSERT_EQ(GUNYAH_VM_ADD_FUNCTION, 0x40104704);
	ASSERT_EQ(GUNYAH_VCPU_RUN, 0x4705);
	ASSERT_EQ(GUNYAH_VCPU_MMAP_SIZE, 0x4706);
	ASSERT_EQ(GUNYAH_VM_REMOVE_FUNCTION, 0x40104707);
	ASSERT_EQ(GUNYAH_CREATE_GUEST_MEM, 0x40404708);
	ASSERT_EQ(GUNYAH_VM_MAP_MEM, 0x40204709);
	ASSERT_EQ(GUNYAH_VM_SET_BOOT_CONTEXT, 0x4010470a);
}

TEST(enum_values)
{
	ASSERT_EQ(GUNYAH_VM_STATUS_LOAD_FAILED, 1);
	ASSERT_EQ(GUNYAH_VM_STATUS_EXITED, 2);
	ASSERT_EQ(GUNYAH_VM_STATUS_CRASHED, 3);
	ASSERT_EQ(GUNYAH_VCPU_EXIT_MMIO, 1);
	ASSERT_EQ(GUNYAH_VCPU_EXIT_STATUS, 2);
	ASSERT_EQ(GUNYAH_VCPU_EXIT_PAGE_FAULT, 3);
	ASSERT_EQ(GUNYAH_VCPU_RESUME_HANDLED, 0);
	ASSERT_EQ(GUNYAH_VCPU_RESUME_FAULT, 1);
	ASSERT_EQ(GUNYAH_VCPU_RESUME_RETRY, 2);
}

TEST(flavour_table_names_requests)
{
	ASSERT_STREQ(gh_request_name(GUNYAH_VCPU_RUN), "GUNYAH_VCPU_RUN");
	ASSERT_STREQ(gh_request_name(GUNYAH_VM_MAP_MEM), "GUNYAH_VM_MAP_MEM");
	ASSERT_TRUE(gh_request_name(0x12345678) == NULL);
	for (int op = 0; op < GH_OP__COUNT; op++)
		ASSERT_TRUE(gh_abi_upstream.request[op] ||
			    gh_abi_android.request[op]);
}

/* The GH_* flavour: android14-6.1's include/uapi/linux/gunyah.h. */
TEST(gh_flavour_numbers_and_layout)
{
	const struct gh_abi_flavour *a = &gh_abi_android;

	ASSERT_EQ(sizeof(struct gh_userspace_memory_region), 32);
	ASSERT_EQ(offsetof(struct gh_userspace_memory_region, userspace_addr), 24);
	ASSERT_EQ(GH_VM_SET_USER_MEM_REGION, 0x40204701);
	ASSERT_EQ(GH_VM_ANDROID_LEND_USER_MEM, 0x40204111);
	ASSERT_EQ(a->request[GH_OP_VM_SET_USER_MEM_REGION], 0x40204701);
	ASSERT_EQ(a->request[GH_OP_CREATE_VM], 0x4700);
	ASSERT_EQ(a->request[GH_OP_VCPU_RUN], 0x4705);
	ASSERT_EQ(a->request[GH_OP_CREATE_GUEST_MEM], 0);
	ASSERT_EQ(a->request[GH_OP_VM_MAP_MEM], 0);
	ASSERT_EQ(a->request[GH_OP_VM_SET_BOOT_CONTEXT], 0);
	ASSERT_EQ(gh_abi_upstream.request[GH_OP_VM_SET_USER_MEM_REGION], 0);
	ASSERT_TRUE(!gh_abi_has(a, GH_ABI_PAGE_FAULT));
	ASSERT_TRUE(!gh_abi_has(a, GH_ABI_RESUME_ACTION));
	ASSERT_TRUE(gh_abi_has(&gh_abi_upstream, GH_ABI_PAGE_FAULT));
	ASSERT_STREQ(gh_request_name(GH_VM_SET_USER_MEM_REGION),
		     "GH_VM_SET_USER_MEM_REGION");
	ASSERT_TRUE(gh_abi_by_name("android") == a);
	ASSERT_TRUE(gh_abi_by_name("upstream") == &gh_abi_upstream);
	ASSERT_TRUE(gh_abi_by_name("v99") == NULL);
}

TEST(names_round_trip)
{
	ASSERT_STREQ(gh_exit_reason_str(GUNYAH_VCPU_EXIT_MMIO), "mmio");
	ASSERT_STREQ(gh_exit_reason_str(99), "unknown");
	ASSERT_STREQ(gh_exit_type_str(GUNYAH_VM_EXIT_TYPE_VM_STOP_FORCED),
		     "forced_stop");
	ASSERT_EQ(gh_exit_type_from_str("poweroff"), 1);
	ASSERT_EQ(gh_resume_action_from_str("retry"), GUNYAH_VCPU_RESUME_RETRY);
	ASSERT_EQ(gh_exit_reason_from_str("bogus"), -1);
}

TEST(exit_info_reason_clamped)
{
	struct gunyah_vm_exit_info info = {
		.reason_size = 1000,
		.reason = { 1, 2, 3, 4, 5, 6, 7, 8 },
	};

	ASSERT_EQ(gh_exit_info_reason(&info), 0x0807060504030201ULL);
	info.reason_size = 2;
	ASSERT_EQ(gh_exit_info_reason(&info), 0x0201);
}
