// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ABI tables at run time: the flavours' request numbers, names and
 * features, and the constants the header does not assert.  Struct layouts
 * and ioctl numbers are not here: lib/gunyah_abi.h holds them with
 * _Static_assert, so a moved field fails the build, and a copy of them
 * here could never fail.
 */
#include <stddef.h>

#include "gunyah.h"
#include "test.h"

/* Constants the header's static asserts do not hold. */
TEST(abi_constants)
{
	ASSERT_EQ(GUNYAH_VM_MAX_EXIT_REASON_SIZE, 8);
	ASSERT_EQ(GUNYAH_FN_MAX_ARG_SIZE, 256);
	ASSERT_EQ(GUNYAH_FN_VCPU, 1);
	ASSERT_EQ(GUNYAH_VM_BOOT_CONTEXT_REG(REG_SET_PC, 0), 0x100);
	ASSERT_EQ(GUNYAH_VM_BOOT_CONTEXT_REG(REG_SET_X, 31), 31);
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

/* The GH_* flavour's request table: android14-6.1's
 * include/uapi/linux/gunyah.h. */
TEST(gh_flavour_requests)
{
	const struct gh_abi_flavour *a = &gh_abi_android;

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
