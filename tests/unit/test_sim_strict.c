// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sim faults what hardware faults, through the seam: MMIO accesses
 * with no instruction syndrome (pairs, writeback, exclusives) take a data
 * abort unless the VM is lenient; accesses beyond the IPA space take an
 * address size fault; a misaligned PC takes a PC alignment fault; and a
 * crash with nowhere to go leaves its details for GH_SIM_VM_GET_CRASH.
 */
#include "guest_vm.h"

#define ESR_DABT_READ 0x96000010ull  /* EC 0x25, IL, FSC sync external */
#define ESR_DABT_WRITE 0x96000050ull /* ... and WnR */
#define FAR_OFF 0x10
#define ESR_OFF 0x18

static void expect_abort(struct gh_vcpu *v, uint64_t far, uint64_t esr)
{
	expect_mmio_write(v, MMIO_REPORT + FAR_OFF, 8, far);
	expect_mmio_write(v, MMIO_REPORT + ESR_OFF, 8, esr);
}

static void expect_poweroff(struct gh_vcpu *v)
{
	expect_status(v, GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
}

static void start(struct tvm *t, const char *guest, bool lenient)
{
	tvm_create(t, guest, 1);
	if (lenient)
		ASSERT_OK(gh_vm_set_lenient(t->vm, true));
	tvm_start(t);
}

TEST(stp_and_ldp_abort_by_default)
{
	struct tvm t;

	start(&t, "mmio_stp", false);
	expect_abort(t.vcpu[0], MMIO_BASE + 0x20, ESR_DABT_WRITE);
	expect_abort(t.vcpu[0], MMIO_BASE + 0x30, ESR_DABT_READ);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 0);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 0);
	expect_poweroff(t.vcpu[0]);
	tvm_destroy(&t);
}

TEST(stp_and_ldp_are_two_exits_when_lenient)
{
	struct tvm t;

	start(&t, "mmio_stp", true);
	expect_mmio_write(t.vcpu[0], MMIO_BASE + 0x20, 8, 0x1111);
	expect_mmio_write(t.vcpu[0], MMIO_BASE + 0x28, 8, 0x2222);
	answer_mmio_read(t.vcpu[0], MMIO_BASE + 0x30, 8, 0xaaaa);
	answer_mmio_read(t.vcpu[0], MMIO_BASE + 0x38, 8, 0xbbbb);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 0xaaaa);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 0xbbbb);
	expect_poweroff(t.vcpu[0]);
	tvm_destroy(&t);
}

TEST(post_index_store_aborts_by_default)
{
	struct tvm t;

	start(&t, "mmio_post_index", false);
	expect_abort(t.vcpu[0], MMIO_BASE, ESR_DABT_WRITE);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, MMIO_BASE);
	expect_poweroff(t.vcpu[0]);
	tvm_destroy(&t);
}

TEST(post_index_store_writes_back_when_lenient)
{
	struct tvm t;

	start(&t, "mmio_post_index", true);
	expect_mmio_write(t.vcpu[0], MMIO_BASE, 8, 0x42);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, MMIO_BASE + 8);
	expect_poweroff(t.vcpu[0]);
	tvm_destroy(&t);
}

TEST(writeback_forms_abort_by_default_and_finish_when_lenient)
{
	struct tvm t;

	start(&t, "mmio_writeback", false);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, ESR_DABT_READ);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, MMIO_BASE + 0x30);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, MMIO_BASE); /* x4 stays */
	tvm_destroy(&t);

	start(&t, "mmio_writeback", true);
	answer_mmio_read(t.vcpu[0], MMIO_BASE + 0x30, 4, 1);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, MMIO_BASE + 0x30);
	answer_mmio_read(t.vcpu[0], MMIO_BASE + 0x30, 4, 2);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, MMIO_BASE + 0x40);
	expect_mmio_write(t.vcpu[0], MMIO_BASE + 0x3c, 4, 2);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, MMIO_BASE + 0x3c);
	expect_poweroff(t.vcpu[0]);
	tvm_destroy(&t);
}

TEST(exclusives_abort_by_default)
{
	struct tvm t;

	start(&t, "mmio_ldxr", false);
	expect_abort(t.vcpu[0], MMIO_BASE, ESR_DABT_READ);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 0);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 1); /* stxr: no monitor */
	expect_poweroff(t.vcpu[0]);
	tvm_destroy(&t);
}

TEST(exclusives_are_plain_accesses_when_lenient)
{
	struct tvm t;

	start(&t, "mmio_ldxr", true);
	answer_mmio_read(t.vcpu[0], MMIO_BASE, 8, 0x1234);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 0x1234);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 1); /* stxr: no monitor */
	expect_poweroff(t.vcpu[0]);
	tvm_destroy(&t);
}

TEST(lenient_takes_only_zero_or_one)
{
	struct tvm t;
	__u64 two = 2;

	tvm_create(&t, NULL, 1);
	ASSERT_EQ(gh_ioctl(t.be, t.vm->vm_fd, GH_SIM_VM_SET_LENIENT, &two),
		  -EINVAL);
	tvm_destroy(&t);
}

/* str x1, [x0]; b . -- x0 from the boot context. */
static void store_at_x0(uint32_t *code)
{
	code[0] = 0xf9000001;
	code[1] = 0x14000000;
}

TEST(access_beyond_the_ipa_space_faults_in_the_guest)
{
	struct gh_sim_crash c;
	struct tvm t;
	uint64_t addr = 1ull << 40;

	tvm_create(&t, NULL, 1);
	store_at_x0(t.ram);
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 0, addr));
	tvm_start(&t);
	expect_status(t.vcpu[0], GUNYAH_VM_STATUS_CRASHED,
		      GUNYAH_VM_EXIT_TYPE_VM_EXIT, 0);
	ASSERT_OK(gh_vm_get_crash(t.vm, &c));
	ASSERT_EQ(c.esr >> 26, 0x25);	/* data abort */
	ASSERT_EQ(c.esr & 0x3f, 0x00);	/* address size fault, level 0 */
	ASSERT_EQ(c.esr & 0x40, 0x40);	/* a write */
	ASSERT_EQ(c.far, addr);
	ASSERT_EQ(c.elr, GH_SIM_RAM_BASE);
	ASSERT_TRUE(strstr(c.why, "IPA") != NULL);
	tvm_destroy(&t);
}

TEST(access_just_below_the_ipa_size_is_an_mmio_exit)
{
	struct tvm t;
	uint64_t addr = (1ull << 40) - 8;

	tvm_create(&t, NULL, 1);
	store_at_x0(t.ram);
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 0, addr));
	tvm_start(&t);
	expect_mmio(t.vcpu[0], true, addr, 8);
	tvm_destroy(&t);
}

TEST(misaligned_entry_takes_a_pc_alignment_fault)
{
	struct gh_sim_crash c;
	struct tvm t;

	tvm_create(&t, "spin", 1);
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_PC, 0, GH_SIM_RAM_BASE + 2));
	tvm_start(&t);
	expect_status(t.vcpu[0], GUNYAH_VM_STATUS_CRASHED,
		      GUNYAH_VM_EXIT_TYPE_VM_EXIT, 0);
	ASSERT_OK(gh_vm_get_crash(t.vm, &c));
	ASSERT_EQ(c.esr >> 26, 0x22);
	ASSERT_EQ(c.far, GH_SIM_RAM_BASE + 2);
	ASSERT_EQ(c.elr, GH_SIM_RAM_BASE + 2);
	ASSERT_EQ(c.vbar, 0);
	ASSERT_EQ(c.vcpu, 0);
	tvm_destroy(&t);
}

/*
 * A branch to a misaligned PC faults before anything there runs, and so
 * does every later branch to the same PC (the block the engine made for
 * it is dropped each time).
 */
TEST(misaligned_branch_faults_every_time)
{
	struct gunyah_vcpu_run *run;
	uint64_t elr = 0;
	struct tvm t;

	tvm_create(&t, "pc_align", 1);
	tvm_start(&t);
	run = t.vcpu[0]->run;
	for (uint64_t n = 1; n <= 3; n++) {
		expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, n);
		ASSERT_OK(__gh_vcpu_run(t.vcpu[0]));
		ASSERT_EXIT(t.vcpu[0], GUNYAH_VCPU_EXIT_MMIO);
		ASSERT_EQ(run->mmio.phys_addr, MMIO_REPORT + 8);
		memcpy(&elr, run->mmio.data, sizeof(elr));
		ASSERT_EQ(elr & 3, 2);
	}
	expect_poweroff(t.vcpu[0]);
	tvm_destroy(&t);
}

TEST(crash_details_only_after_a_crash)
{
	struct gh_sim_crash c;
	struct tvm t;

	tvm_create(&t, "mmio_stp", 1);
	tvm_start(&t);
	ASSERT_EQ(gh_vm_get_crash(t.vm, &c), -ENOENT);
	tvm_destroy(&t);
}

TEST(an_mmio_abort_with_no_vectors_says_why)
{
	struct gh_sim_crash c;
	struct tvm t;

	tvm_create(&t, NULL, 1);
	((uint32_t *)t.ram)[0] = 0xa9000c02; /* stp x2, x3, [x0] */
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 0, MMIO_BASE));
	tvm_start(&t);
	expect_status(t.vcpu[0], GUNYAH_VM_STATUS_CRASHED,
		      GUNYAH_VM_EXIT_TYPE_VM_EXIT, 0);
	ASSERT_OK(gh_vm_get_crash(t.vm, &c));
	ASSERT_EQ(c.esr, ESR_DABT_WRITE);
	ASSERT_EQ(c.far, MMIO_BASE);
	ASSERT_EQ(c.pc, GH_SIM_RAM_BASE);
	ASSERT_TRUE(strstr(c.why, "no instruction syndrome") != NULL);
	tvm_destroy(&t);
}

