// SPDX-License-Identifier: GPL-2.0-only
/* MMIO exits through the seam: widths, sign extension, writeback, resume. */
#include "guest_vm.h"

TEST(mmio_write_and_read_every_width)
{
	struct tvm t;
	struct gh_vcpu *v;

	tvm_create(&t, "mmio_widths", 1);
	tvm_start(&t);
	v = t.vcpu[0];

	expect_mmio_write(v, MMIO_BASE + 0, 1, 0x88);
	expect_mmio_write(v, MMIO_BASE + 2, 2, 0x7788);
	expect_mmio_write(v, MMIO_BASE + 4, 4, 0x55667788);
	expect_mmio_write(v, MMIO_BASE + 8, 8, 0x1122334455667788);

	answer_mmio_read(v, MMIO_BASE + 0x10, 1, 0xfffffffffffff0f0); /* ldrb w */
	expect_mmio_write(v, MMIO_REPORT, 8, 0xf0);
	answer_mmio_read(v, MMIO_BASE + 0x11, 1, 0x80);		/* ldrsb w */
	expect_mmio_write(v, MMIO_REPORT, 8, 0xffffff80);
	answer_mmio_read(v, MMIO_BASE + 0x12, 1, 0x80);		/* ldrsb x */
	expect_mmio_write(v, MMIO_REPORT, 8, 0xffffffffffffff80);
	answer_mmio_read(v, MMIO_BASE + 0x14, 2, 0x1ffff);	/* ldrh w */
	expect_mmio_write(v, MMIO_REPORT, 8, 0xffff);
	answer_mmio_read(v, MMIO_BASE + 0x16, 2, 0x8001);	/* ldrsh w */
	expect_mmio_write(v, MMIO_REPORT, 8, 0xffff8001);
	answer_mmio_read(v, MMIO_BASE + 0x18, 2, 0x8001);	/* ldrsh x */
	expect_mmio_write(v, MMIO_REPORT, 8, 0xffffffffffff8001);
	answer_mmio_read(v, MMIO_BASE + 0x20, 4, 0xaabbccdd80000000); /* ldr w */
	expect_mmio_write(v, MMIO_REPORT, 8, 0x80000000);
	answer_mmio_read(v, MMIO_BASE + 0x24, 4, 0x80000000);	/* ldrsw */
	expect_mmio_write(v, MMIO_REPORT, 8, 0xffffffff80000000);
	answer_mmio_read(v, MMIO_BASE + 0x28, 8, 0x0123456789abcdef); /* ldr x */
	expect_mmio_write(v, MMIO_REPORT, 8, 0x0123456789abcdef);

	answer_mmio_read(v, MMIO_BASE + 0x48, 8, 0x5a5a);	/* register offset */
	expect_mmio_write(v, MMIO_REPORT, 8, 0x5a5a);

	expect_status(v, GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	tvm_destroy(&t);
}

#define ESR_DABT_CUR_EXT_ABORT 0x96000010ull /* EC 0x25, IL, FSC 0x10 */
#define ESR_WNR 0x40ull
#define FAULT_READ_PC (GH_SIM_RAM_BASE + 0x14) /* mmio_resume.S fault_read */

TEST(mmio_resume_fault_retry_and_invalid)
{
	struct tvm t;
	struct gh_vcpu *v;
	struct gunyah_vcpu_run *run;

	tvm_create(&t, "mmio_resume", 1);
	tvm_start(&t);
	v = t.vcpu[0];
	run = v->run;

	/* FAULT: a synchronous external data abort at the access. */
	expect_mmio(v, false, MMIO_BASE, 4);
	run->mmio.resume_action = GUNYAH_VCPU_RESUME_FAULT;
	expect_mmio_write(v, MMIO_REPORT, 8, ESR_DABT_CUR_EXT_ABORT);
	expect_mmio_write(v, MMIO_REPORT, 8, MMIO_BASE);	/* FAR */
	expect_mmio_write(v, MMIO_REPORT, 8, FAULT_READ_PC);	/* ELR */
	expect_mmio_write(v, MMIO_REPORT, 8, 0x3c5);		/* SPSR */
	expect_mmio_write(v, MMIO_REPORT + 8, 8, 0x77);	/* x3 untouched */

	/* RETRY: the access runs again and exits again. */
	expect_mmio(v, false, MMIO_BASE + 8, 8);
	run->mmio.resume_action = GUNYAH_VCPU_RESUME_RETRY;
	answer_mmio_read(v, MMIO_BASE + 8, 8, 0x1122334455667788);
	expect_mmio_write(v, MMIO_REPORT + 8, 8, 0x1122334455667788);

	/* FAULT on a write sets WnR. */
	expect_mmio_write(v, MMIO_BASE + 0x10, 4, 0xabcd);
	run->mmio.resume_action = GUNYAH_VCPU_RESUME_FAULT;
	expect_mmio_write(v, MMIO_REPORT, 8, ESR_DABT_CUR_EXT_ABORT | ESR_WNR);
	expect_mmio_write(v, MMIO_REPORT, 8, MMIO_BASE + 0x10);
	expect_mmio_write(v, MMIO_REPORT, 8, FAULT_READ_PC + 0x1c); /* the str */
	expect_mmio_write(v, MMIO_REPORT, 8, 0x3c5);

	/* Anything else: EINVAL, and the vCPU stays at the same exit. */
	expect_mmio(v, false, MMIO_BASE + 0x18, 1);
	run->mmio.resume_action = 3;
	ASSERT_EQ(__gh_vcpu_run(v), -EINVAL);
	run->mmio.resume_action = 0xff;
	ASSERT_EQ(__gh_vcpu_run(v), -EINVAL);
	ASSERT_EXIT(v, GUNYAH_VCPU_EXIT_MMIO);
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	run->mmio.data[0] = 0x5a;
	run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
	expect_mmio_write(v, MMIO_REPORT + 8, 8, 0x5a);

	expect_status(v, GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	tvm_destroy(&t);
}

/* The seed leaves the previous write's bytes in mmio.data for a read. */
TEST(mmio_read_data_starts_zeroed)
{
	struct tvm t;
	struct gh_vcpu *v;

	tvm_create(&t, "mmio_widths", 1);
	tvm_start(&t);
	v = t.vcpu[0];
	for (int i = 0; i < 4; i++)
		ASSERT_OK(__gh_vcpu_run(v)); /* the four writes */
	ASSERT_EQ(mmio_data(v->run), 0x1122334455667788);
	answer_mmio_read(v, MMIO_BASE + 0x10, 1, 0); /* asserts zeroed */
	tvm_destroy(&t);
}

#define PF_BASE 0xc0000000ull

TEST(page_fault_retry_after_mapping_and_fault)
{
	struct tvm t;
	struct gh_vcpu *v;
	struct gunyah_vcpu_run *run;
	uint64_t *page;

	tvm_create(&t, "page_fault", 1);
	ASSERT_OK(gh_vm_add_pf_region(t.vm, PF_BASE, 0x10000));
	tvm_start(&t);
	v = t.vcpu[0];
	run = v->run;

	ASSERT_OK(__gh_vcpu_run(v));
	ASSERT_EXIT(v, GUNYAH_VCPU_EXIT_PAGE_FAULT);
	ASSERT_EQ(run->page_fault.phys_addr, PF_BASE);
	ASSERT_EQ(run->page_fault.attempt, 0);
	/* The driver's default is FAULT, as in the seed. */
	ASSERT_EQ(run->page_fault.resume_action, GUNYAH_VCPU_RESUME_FAULT);

	/* Back the first page, RETRY: the load re-executes and succeeds. */
	ASSERT_OK(gh_vm_add_memory(t.vm, PF_BASE, 0x1000, (void **)&page));
	page[0] = 0xfeedface;
	run->page_fault.resume_action = GUNYAH_VCPU_RESUME_RETRY;
	expect_mmio_write(v, MMIO_REPORT, 8, 0xfeedface);

	/* The second page is still unbacked: FAULT injects an abort. */
	ASSERT_OK(__gh_vcpu_run(v));
	ASSERT_EXIT(v, GUNYAH_VCPU_EXIT_PAGE_FAULT);
	ASSERT_EQ(run->page_fault.phys_addr, PF_BASE + 0x1000);
	run->page_fault.resume_action = GUNYAH_VCPU_RESUME_FAULT;
	expect_mmio_write(v, MMIO_REPORT, 8,
			  ESR_DABT_CUR_EXT_ABORT | ESR_WNR);
	expect_mmio_write(v, MMIO_REPORT, 8, PF_BASE + 0x1000);
	expect_mmio_write(v, MMIO_REPORT + 8, 8, 0xfeedface);

	expect_status(v, GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	tvm_destroy(&t);
}

TEST(page_fault_invalid_resume_is_einval)
{
	struct tvm t;
	struct gh_vcpu *v;

	tvm_create(&t, "page_fault", 1);
	ASSERT_OK(gh_vm_add_pf_region(t.vm, PF_BASE, 0x10000));
	tvm_start(&t);
	v = t.vcpu[0];
	ASSERT_OK(__gh_vcpu_run(v));
	ASSERT_EXIT(v, GUNYAH_VCPU_EXIT_PAGE_FAULT);
	v->run->page_fault.resume_action = 9;
	ASSERT_EQ(__gh_vcpu_run(v), -EINVAL);
	/* Still at the fault: HANDLED without memory faults again. */
	v->run->page_fault.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
	ASSERT_OK(__gh_vcpu_run(v));
	ASSERT_EXIT(v, GUNYAH_VCPU_EXIT_PAGE_FAULT);
	ASSERT_EQ(v->run->page_fault.phys_addr, PF_BASE);
	tvm_destroy(&t);
}

/* LDP has no syndrome (ISV = 0): not emulable, the guest takes an abort. */
TEST(mmio_load_pair_takes_a_data_abort)
{
	struct tvm t;

	tvm_create(&t, "mmio_pair", 1);
	tvm_start(&t);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, ESR_DABT_CUR_EXT_ABORT);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, MMIO_BASE);
	expect_status(t.vcpu[0], GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	tvm_destroy(&t);
}

#define ESR_IABT_CUR_EXT_ABORT 0x86000010ull /* EC 0x21, IL, FSC 0x10 */

TEST(fetch_from_a_fault_region_is_a_page_fault)
{
	struct tvm t;
	struct gh_vcpu *v;

	tvm_create(&t, "wild_jump", 1);
	ASSERT_OK(gh_vm_add_pf_region(t.vm, PF_BASE, 0x10000));
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 19, PF_BASE + 0x2000));
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 20, 1));
	tvm_start(&t);
	v = t.vcpu[0];
	ASSERT_OK(__gh_vcpu_run(v));
	ASSERT_EXIT(v, GUNYAH_VCPU_EXIT_PAGE_FAULT);
	ASSERT_EQ(v->run->page_fault.phys_addr, PF_BASE + 0x2000);
	v->run->page_fault.resume_action = GUNYAH_VCPU_RESUME_FAULT;
	expect_mmio_write(v, MMIO_REPORT, 8, ESR_IABT_CUR_EXT_ABORT);
	expect_mmio_write(v, MMIO_REPORT, 8, PF_BASE + 0x2000);
	tvm_destroy(&t);
}

TEST(fetch_from_nowhere_is_an_instruction_abort_or_a_crash)
{
	struct tvm t;

	tvm_create(&t, "wild_jump", 1);
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 19, 0x10000000));
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 20, 1));
	tvm_start(&t);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, ESR_IABT_CUR_EXT_ABORT);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 0x10000000);
	tvm_destroy(&t);

	tvm_create(&t, "wild_jump", 1);
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 19, 0x10000000));
	tvm_start(&t);
	ASSERT_OK(__gh_vcpu_run(t.vcpu[0]));
	ASSERT_EXIT(t.vcpu[0], GUNYAH_VCPU_EXIT_STATUS);
	ASSERT_STREQ(gh_vm_status_str(t.vcpu[0]->run->status.status),
		     "crashed");
	tvm_destroy(&t);
}

/*
 * The hypervisor decodes the trapped instruction from guest RAM on every
 * MMIO exit (sim_walk.c reads it through the host's mapping of the RAM
 * binding it was last in): code in two bindings, taking turns, must be
 * decoded from the right one each time.  Each access loads a different
 * register and reports it, so an instruction read from the wrong place
 * shows as a wrong transfer register or address.
 */
#define SECOND_RAM 0x88000000ull

TEST(mmio_decode_follows_the_code_between_ram_bindings)
{
	static const uint32_t first[] = {
		0xf9400025, /* ldr x5, [x1]      */
		0xf9000045, /* str x5, [x2]      */
		0xd61f0060, /* br  x3 (second)   */
		0xd503201f, /* nop               */
		0xf9400826, /* ldr x6, [x1, #16] (back from the second) */
		0xf9000046, /* str x6, [x2]      */
		0xd4000002, /* hvc #0: x0 = SYSTEM_OFF */
	};
	static const uint32_t second[] = {
		0xf9400427, /* ldr x7, [x1, #8]  */
		0xf9000047, /* str x7, [x2]      */
		0xd61f0080, /* br  x4 (first + 0x10) */
	};
	struct tvm t;
	void *ram2;
	struct gh_vcpu *v;

	tvm_create(&t, NULL, 1);
	ASSERT_OK(gh_vm_add_memory(t.vm, SECOND_RAM, 0x10000, &ram2));
	memcpy(t.ram, first, sizeof(first));
	memcpy(ram2, second, sizeof(second));
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 0, 0x84000008));
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 1, MMIO_BASE));
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 2, MMIO_REPORT));
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 3, SECOND_RAM));
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 4, GH_SIM_RAM_BASE + 0x10));
	tvm_start(&t);
	v = t.vcpu[0];

	answer_mmio_read(v, MMIO_BASE, 8, 0x1111);
	expect_mmio_write(v, MMIO_REPORT, 8, 0x1111);
	answer_mmio_read(v, MMIO_BASE + 8, 8, 0x2222);
	expect_mmio_write(v, MMIO_REPORT, 8, 0x2222);
	answer_mmio_read(v, MMIO_BASE + 16, 8, 0x3333);
	expect_mmio_write(v, MMIO_REPORT, 8, 0x3333);
	expect_status(v, GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	tvm_destroy(&t);
}

/* The guest turns its MMU on (running from an alias of RAM with no PA
 * behind it) and off again; each state's MMIO exits are decoded right
 * (mmu_onoff.S). */
TEST(mmio_exits_with_the_guest_mmu_on_and_off_again)
{
	struct tvm t;
	struct gh_vcpu *v;

	tvm_create(&t, "mmu_onoff", 1);
	tvm_start(&t);
	v = t.vcpu[0];

	expect_mmio_write(v, MMIO_BASE, 8, 0x11);
	expect_mmio_write(v, MMIO_BASE + 8, 8, 0x22);
	answer_mmio_read(v, MMIO_BASE + 0x18, 8, 0x5a5a);
	expect_mmio_write(v, MMIO_REPORT, 8, 0x5a5a);
	expect_mmio_write(v, MMIO_BASE + 0x10, 8, 0x33);
	expect_status(v, GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	tvm_destroy(&t);
}
