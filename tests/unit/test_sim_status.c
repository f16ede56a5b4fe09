// SPDX-License-Identifier: GPL-2.0-only
/*
 * How a VM ends and what every vCPU's RUN says afterwards: PSCI system
 * calls over HVC and SMC, forced stop, load failure, crash, the clamped
 * exit_info, and a STATUS exit that stays.
 */
#include "guest_vm.h"

/* A VM of nr vCPUs whose vCPU 0 makes the SMCCC call fn(a1, a2, a3). */
static void smccc_vm(struct tvm *t, unsigned int nr, uint64_t fn, uint64_t a1,
		     uint64_t a2, uint64_t a3, bool smc)
{
	tvm_create(t, "psci_exit", nr);
	ASSERT_OK(gh_vm_set_boot_reg(t->vm, REG_SET_X, 19, fn));
	ASSERT_OK(gh_vm_set_boot_reg(t->vm, REG_SET_X, 20, a1));
	ASSERT_OK(gh_vm_set_boot_reg(t->vm, REG_SET_X, 21, a2));
	ASSERT_OK(gh_vm_set_boot_reg(t->vm, REG_SET_X, 22, a3));
	ASSERT_OK(gh_vm_set_boot_reg(t->vm, REG_SET_X, 23, smc));
	tvm_start(t);
}

static void psci_vm(struct tvm *t, unsigned int nr, uint64_t fn, uint64_t a1,
		    bool smc)
{
	smccc_vm(t, nr, fn, a1, 0, 0, smc);
}

/* Every vCPU sees the same STATUS exit, and sees it again and again. */
static void expect_status_everywhere(struct tvm *t, uint32_t status,
				     uint16_t type, uint64_t reason)
{
	for (int round = 0; round < 3; round++)
		for (unsigned int i = 0; i < t->nr_vcpus; i++)
			expect_status(t->vcpu[i], status, type, reason);
}

static void check_psci_exit(uint64_t fn, uint64_t a1, bool smc, uint16_t type,
			    uint64_t reason)
{
	struct tvm t;

	psci_vm(&t, 3, fn, a1, smc);
	expect_status_everywhere(&t, GUNYAH_VM_STATUS_EXITED, type, reason);
	ASSERT_EQ(t.vcpu[0]->run->status.exit_info.reason_size, 4);
	tvm_destroy(&t);
}

TEST(system_off_over_hvc_and_smc)
{
	check_psci_exit(PSCI_0_2_FN_SYSTEM_OFF, 0, false,
			GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	check_psci_exit(PSCI_0_2_FN_SYSTEM_OFF, 0, true,
			GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
}

TEST(system_reset_asks_for_restart)
{
	check_psci_exit(PSCI_0_2_FN_SYSTEM_RESET, 0, false,
			GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET,
			GUNYAH_VM_EXIT_REASON_RESTART);
	check_psci_exit(PSCI_0_2_FN_SYSTEM_RESET, 0, true,
			GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET,
			GUNYAH_VM_EXIT_REASON_RESTART);
}

TEST(system_reset2_carries_the_reset_type)
{
	check_psci_exit(PSCI_1_1_FN64_SYSTEM_RESET2, 0x80000001, false,
			GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET2, 0x80000001);
	check_psci_exit(PSCI_1_1_FN_SYSTEM_RESET2, 0, true,
			GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET2, 0);
}

/* A guest-reported exit (as the RM reports a watchdog bite, etc.). */
TEST(vendor_vm_exit_types_and_reason_clamp)
{
	struct tvm t;

	psci_vm(&t, 2, GH_SIM_HVC_VM_EXIT, GUNYAH_VM_EXIT_TYPE_WDT_BITE, false);
	expect_status_everywhere(&t, GUNYAH_VM_STATUS_EXITED,
				 GUNYAH_VM_EXIT_TYPE_WDT_BITE, 0);
	tvm_destroy(&t);

	smccc_vm(&t, 1, GH_SIM_HVC_VM_EXIT, GUNYAH_VM_EXIT_TYPE_HYP_ERROR,
		 0x0102030405060708, 0, false);
	expect_status(t.vcpu[0], GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_HYP_ERROR, 0x0102030405060708);
	ASSERT_EQ(t.vcpu[0]->run->status.exit_info.reason_size, 8);
	tvm_destroy(&t);

	/* A 16-byte reason from the RM is cut to the 8 bytes the ABI has
	 * (the seed copies reason_size through unclamped). */
	smccc_vm(&t, 1, GH_SIM_HVC_VM_EXIT, GUNYAH_VM_EXIT_TYPE_ASYNC_EXT_ABORT,
		 0x1111222233334444, 16, false);
	expect_status(t.vcpu[0], GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_ASYNC_EXT_ABORT, 0x1111222233334444);
	ASSERT_EQ(t.vcpu[0]->run->status.exit_info.reason_size, 8);
	tvm_destroy(&t);
}

TEST(psci_queries_return_to_the_guest)
{
	struct tvm t;

	psci_vm(&t, 1, PSCI_0_2_FN_PSCI_VERSION, 0, false);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 0x10001);
	tvm_destroy(&t);

	psci_vm(&t, 1, PSCI_1_0_FN_PSCI_FEATURES, PSCI_0_2_FN64_CPU_ON, true);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 0);
	tvm_destroy(&t);

	psci_vm(&t, 1, PSCI_1_0_FN_PSCI_FEATURES, 0x84000077, false);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, (uint64_t)-1);
	tvm_destroy(&t);

	psci_vm(&t, 1, 0x82000000, 0, false); /* SiP call: not supported */
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, (uint64_t)-1);
	tvm_destroy(&t);
}

TEST(forced_stop_is_type_7_on_every_vcpu)
{
	struct tvm t;

	tvm_create(&t, "spin", 2);
	tvm_start(&t);
	ASSERT_OK(gh_vm_force_stop(t.vm));
	expect_status_everywhere(&t, GUNYAH_VM_STATUS_EXITED,
				 GUNYAH_VM_EXIT_TYPE_VM_STOP_FORCED, 0);
	ASSERT_EQ(t.vcpu[0]->run->status.exit_info.reason_size, 0);
	/* Stopping a stopped VM is refused; the first exit stays. */
	ASSERT_EQ(gh_vm_force_stop(t.vm), -EINVAL);
	expect_status(t.vcpu[1], GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_VM_STOP_FORCED, 0);
	tvm_destroy(&t);
}

/* The status in the run page is rewritten on every RUN, whatever
 * userspace scribbled there in between. */
TEST(status_exit_is_sticky)
{
	struct tvm t;
	struct gunyah_vcpu_run *run;

	psci_vm(&t, 1, PSCI_0_2_FN_SYSTEM_OFF, 0, false);
	run = t.vcpu[0]->run;
	expect_status(t.vcpu[0], GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	memset(&run->status, 0xa5, sizeof(run->status));
	run->exit_reason = GUNYAH_VCPU_EXIT_MMIO;
	expect_status(t.vcpu[0], GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	tvm_destroy(&t);
}

/* As in the kernel: the vCPU has no hypervisor resource before start. */
TEST(run_before_start_is_enodev)
{
	struct tvm t;

	tvm_create(&t, "spin", 1);
	ASSERT_EQ(__gh_vcpu_run(t.vcpu[0]), -ENODEV);
	tvm_start(&t);
	ASSERT_OK(gh_vm_force_stop(t.vm));
	expect_status(t.vcpu[0], GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_VM_STOP_FORCED, 0);
	tvm_destroy(&t);
}

TEST(load_failure_is_load_failed)
{
	struct tvm t;

	tvm_create(&t, "spin", 2);
	/* Boot PC outside guest memory: the RM cannot start the VM. */
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_PC, 0, 0x1000));
	ASSERT_TRUE(gh_vm_start(t.vm) < 0);
	for (unsigned int i = 0; i < 2; i++) {
		ASSERT_OK(__gh_vcpu_run(t.vcpu[i]));
		ASSERT_EXIT(t.vcpu[i], GUNYAH_VCPU_EXIT_STATUS);
		ASSERT_STREQ(gh_vm_status_str(t.vcpu[i]->run->status.status),
			     "load_failed");
	}
	tvm_destroy(&t);
}

TEST(undefined_instruction_without_vectors_crashes)
{
	struct tvm t;

	tvm_create(&t, "undef", 2);
	tvm_start(&t);
	for (int round = 0; round < 2; round++)
		for (unsigned int i = 0; i < 2; i++) {
			ASSERT_OK(__gh_vcpu_run(t.vcpu[i]));
			ASSERT_EXIT(t.vcpu[i], GUNYAH_VCPU_EXIT_STATUS);
			ASSERT_STREQ(gh_vm_status_str(
					     t.vcpu[i]->run->status.status),
				     "crashed");
		}
	tvm_destroy(&t);
}

/* BLOCKED, an unknown state and RETRY errors never reach userspace. */
TEST(hypervisor_states_are_handled_inside_run)
{
	struct gh_sim_vcpu_stats st;
	struct tvm t;

	tvm_create(&t, "hyp_states", 1);
	tvm_start(&t);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 0x100);
	ASSERT_OK(gh_vcpu_get_stats(t.vcpu[0], &st));
	ASSERT_EQ(st.blocked, 1);
	ASSERT_EQ(st.unknown, 1);
	ASSERT_EQ(st.retry, 5);
	ASSERT_EQ(st.mmio, 1);
	expect_status(t.vcpu[0], GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	tvm_destroy(&t);
}

/* A slice ends (READY) many times in a long computation: userspace sees
 * none of it, only the guest's own exit. */
TEST(time_slices_are_transparent)
{
	struct gh_sim_vcpu_stats st;
	struct tvm t;

	tvm_create(&t, "compute", 1);
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 19, 30000000));
	tvm_start(&t);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 30000000);
	ASSERT_OK(gh_vcpu_get_stats(t.vcpu[0], &st));
	ASSERT_TRUE(st.ready >= 2);
	ASSERT_EQ(st.mmio, 1);
	tvm_destroy(&t);
}

TEST(boot_context_and_dtb)
{
	struct tvm t;
	uint64_t dtb = GH_SIM_RAM_BASE + 0x100000;

	tvm_create(&t, "boot_regs", 2);
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 1, 0x1111));
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 2, 0x2222));
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_SP, 1, GH_SIM_RAM_BASE + 0x8000));
	ASSERT_OK(gh_vm_set_dtb(t.vm, dtb, 0x1000));
	tvm_start(&t);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, dtb);	/* x0 = DTB */
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 0x1111);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 0x2222);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, GH_SIM_RAM_BASE + 0x8000);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 1 << 2);	/* EL1 */
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 0x80000000);
	/* Too late once started. */
	ASSERT_EQ(gh_vm_set_boot_reg(t.vm, REG_SET_X, 1, 0), -EINVAL);
	ASSERT_EQ(gh_vm_set_boot_reg(t.vm, 7, 0, 0), -EINVAL);
	tvm_destroy(&t);

	/* x0 = 0 without a DTB; a DTB outside RAM fails the load. */
	tvm_create(&t, "boot_regs", 1);
	tvm_start(&t);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 0);
	tvm_destroy(&t);
	tvm_create(&t, "boot_regs", 1);
	ASSERT_OK(gh_vm_set_dtb(t.vm, 0x1000, 0x1000));
	ASSERT_TRUE(gh_vm_start(t.vm) < 0);
	ASSERT_OK(__gh_vcpu_run(t.vcpu[0]));
	ASSERT_STREQ(gh_vm_status_str(t.vcpu[0]->run->status.status),
		     "load_failed");
	tvm_destroy(&t);
}

/* The hypervisor's view of every vCPU once the VM is down: stopped,
 * whether it was running, idle or never started. */
TEST(vcpus_are_stopped_after_the_vm_exits)
{
	struct gh_sim_vcpu_stats st;
	struct tvm t;

	tvm_create(&t, "hyp_states", 2);
	tvm_start(&t);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 0x100);
	expect_status(t.vcpu[0], GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	for (unsigned int i = 0; i < 2; i++) {
		ASSERT_OK(gh_vcpu_get_stats(t.vcpu[i], &st));
		ASSERT_STREQ(gh_vcpu_state_str(st.state), "stopped");
	}
	tvm_destroy(&t);
}
