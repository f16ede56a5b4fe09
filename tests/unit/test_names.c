// SPDX-License-Identifier: GPL-2.0-only
/*
 * The name tables, the exit reason decoder and the backend limits: what
 * gunyahctl explain, info, run and the dashboard print comes from here.
 */
#include <unistd.h>

#include "gunyah.h"
#include "test.h"

TEST(exit_type_names_round_trip)
{
	static const char *const want[] = {
		"vm_exit", "poweroff", "restart", "system_reset2",
		"watchdog_bite", "hyp_error", "async_ext_abort", "forced_stop",
	};

	ASSERT_EQ(gh_exit_type_count(), 8);
	for (unsigned int t = 0; t < gh_exit_type_count(); t++) {
		ASSERT_STREQ(gh_exit_type_str(t), want[t]);
		ASSERT_EQ(gh_exit_type_from_str(want[t]), t);
		ASSERT_TRUE(gh_exit_type_desc(t) != NULL);
	}
	ASSERT_STREQ(gh_exit_type_str(GUNYAH_VM_EXIT_TYPE_WDT_BITE),
		     "watchdog_bite");
	ASSERT_STREQ(gh_exit_type_str(8), "unknown");
	ASSERT_STREQ(gh_exit_type_str(0xffff), "unknown");
	ASSERT_TRUE(gh_exit_type_desc(8) == NULL);
	ASSERT_EQ(gh_exit_type_from_str("unknown"), -1);
	ASSERT_EQ(gh_exit_type_from_str("POWEROFF"), -1);
	ASSERT_EQ(gh_exit_type_from_str(""), -1);
	ASSERT_EQ(gh_exit_type_from_str(NULL), -1);
}

TEST(exit_code_names)
{
	ASSERT_EQ(gh_exit_code_count(), 5);
	ASSERT_STREQ(gh_exit_code_str(0), "normal");
	ASSERT_STREQ(gh_exit_code_str(1), "software_error");
	ASSERT_STREQ(gh_exit_code_str(2), "unknown_error");
	ASSERT_STREQ(gh_exit_code_str(3), "bus_error");
	ASSERT_STREQ(gh_exit_code_str(4), "device_error");
	ASSERT_STREQ(gh_exit_code_str(5), "unknown");
	for (unsigned int c = 0; c < gh_exit_code_count(); c++)
		ASSERT_TRUE(gh_exit_code_desc(c) != NULL);
	ASSERT_TRUE(gh_exit_code_desc(5) == NULL);
}

TEST(reason_zero_is_a_plain_normal_exit)
{
	struct gh_exit_reason r;

	gh_exit_reason_decode(0, &r);
	ASSERT_EQ(r.word, 0);
	ASSERT_EQ(r.restart, false);
	ASSERT_EQ(r.reason_64bit, false);
	ASSERT_EQ(r.code, GUNYAH_VM_EXIT_CODE_NORMAL);
	ASSERT_TRUE(r.code_known);
	ASSERT_STREQ(r.code_name, "normal");
	ASSERT_EQ(r.unknown_bits, 0);
}

TEST(reason_fields_each_on_their_own)
{
	struct gh_exit_reason r;

	gh_exit_reason_decode(GUNYAH_VM_EXIT_REASON_RESTART, &r);
	ASSERT_EQ(r.restart, true);
	ASSERT_EQ(r.reason_64bit, false);
	ASSERT_EQ(r.code, 0);
	ASSERT_EQ(r.unknown_bits, 0);

	gh_exit_reason_decode(1u << 15, &r);
	ASSERT_EQ(r.restart, false);
	ASSERT_EQ(r.reason_64bit, true);
	ASSERT_EQ(r.unknown_bits, 0);

	gh_exit_reason_decode(3u << 16, &r);
	ASSERT_EQ(r.restart, false);
	ASSERT_EQ(r.code, GUNYAH_VM_EXIT_CODE_BUS_ERROR);
	ASSERT_STREQ(r.code_name, "bus_error");
	ASSERT_EQ(r.unknown_bits, 0);
}

TEST(reason_all_fields_together)
{
	struct gh_exit_reason r;

	gh_exit_reason_decode(0x00048001, &r);
	ASSERT_EQ(r.word, 0x00048001);
	ASSERT_EQ(r.restart, true);
	ASSERT_EQ(r.reason_64bit, true);
	ASSERT_EQ(r.code, 4);
	ASSERT_STREQ(r.code_name, "device_error");
	ASSERT_TRUE(r.code_known);
	ASSERT_EQ(r.unknown_bits, 0);
}

TEST(reason_unknown_code_and_bits_are_kept)
{
	struct gh_exit_reason r;

	/* code 0xff, bits 1, 14, 24 and 31 set: none of them defined */
	gh_exit_reason_decode(0x81ff4002 | (1u << 14), &r);
	ASSERT_EQ(r.code, 0xff);
	ASSERT_TRUE(!r.code_known);
	ASSERT_STREQ(r.code_name, "unknown");
	ASSERT_EQ(r.unknown_bits, 0x81004002);
	ASSERT_EQ(r.restart, false);
	ASSERT_EQ(r.reason_64bit, false);

	gh_exit_reason_decode(5u << 16, &r);
	ASSERT_EQ(r.code, 5);
	ASSERT_TRUE(!r.code_known);
	ASSERT_EQ(r.unknown_bits, 0);

	gh_exit_reason_decode(0xffffffffu, &r);
	ASSERT_EQ(r.restart, true);
	ASSERT_EQ(r.reason_64bit, true);
	ASSERT_EQ(r.code, 0xff);
	ASSERT_EQ(r.unknown_bits, 0xff007ffeu);
}

TEST(reason_word_from_exit_info)
{
	struct gunyah_vm_exit_info info = {
		.type = GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET,
		.reason_size = 4,
		.reason = { 0x01, 0x80, 0x02, 0x00, 0xaa },
	};
	struct gh_exit_reason r;

	/* byte 4 lies beyond reason_size and must not show */
	ASSERT_EQ(gh_exit_info_reason(&info), 0x00028001);
	gh_exit_reason_decode((uint32_t)gh_exit_info_reason(&info), &r);
	ASSERT_EQ(r.restart, true);
	ASSERT_EQ(r.reason_64bit, true);
	ASSERT_STREQ(r.code_name, "unknown_error");

	info.reason_size = 200; /* clamped to 8 */
	ASSERT_EQ(gh_exit_info_reason(&info), 0xaa00028001ull);
}

TEST(sim_limits_are_what_the_sim_enforces)
{
	struct gh_backend *be;
	struct gh_vcpu *vcpu;
	struct gh_limits lim;
	struct gh_vm *vm;

	ASSERT_OK(gh_backend_open("sim", NULL, &be));
	gh_backend_limits(be, &lim);
	ASSERT_EQ(lim.max_vcpus, 64);
	ASSERT_EQ(lim.max_mem_regions, GH_VM_MAX_REGIONS);
	ASSERT_TRUE(lim.max_pf_regions > 0);
	ASSERT_TRUE(lim.slice_us > 0);
	ASSERT_EQ(lim.ram_base, GH_SIM_RAM_BASE);
	ASSERT_EQ(lim.ram_size, GH_SIM_RAM_SIZE);

	ASSERT_OK(gh_vm_create(be, &vm));
	/* the highest id the limit allows works, the next one does not */
	ASSERT_OK(gh_vcpu_add(vm, lim.max_vcpus - 1, &vcpu));
	ASSERT_EQ(vcpu->run_size, (size_t)sysconf(_SC_PAGESIZE));
	gh_vcpu_destroy(vcpu);
	ASSERT_EQ(gh_vcpu_add(vm, lim.max_vcpus, &vcpu), -EINVAL);
	for (unsigned int i = 0; i < lim.max_pf_regions; i++)
		ASSERT_OK(gh_vm_add_pf_region(vm, 0x40000000ull + i * 0x1000,
					      0x1000));
	ASSERT_EQ(gh_vm_add_pf_region(vm, 0x50000000ull, 0x1000), -ENOSPC);
	gh_vm_destroy(vm);
	gh_backend_close(be);
}

TEST(dev_limits_leave_the_hypervisor_to_decide)
{
	struct gh_backend *be;
	struct gh_limits lim;

	ASSERT_OK(gh_backend_open("dev", "/nonexistent/gunyah", &be));
	gh_backend_limits(be, &lim);
	ASSERT_EQ(lim.max_vcpus, 0);
	ASSERT_EQ(lim.max_pf_regions, 0);
	ASSERT_EQ(lim.slice_us, 0);
	ASSERT_EQ(lim.max_mem_regions, GH_VM_MAX_REGIONS);
	ASSERT_EQ(lim.ram_base, GH_SIM_RAM_BASE);
	gh_backend_close(be);
}

TEST(esr_exception_classes)
{
	ASSERT_STREQ(gh_esr_ec_str(0x22), "PC alignment fault");
	ASSERT_STREQ(gh_esr_ec_str(0x25), "data abort");
	ASSERT_STREQ(gh_esr_ec_str(0x3c), "BRK");
	ASSERT_TRUE(gh_esr_ec_str(0x3f) == NULL);
}
