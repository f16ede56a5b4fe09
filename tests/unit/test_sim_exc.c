// SPDX-License-Identifier: GPL-2.0-only
/*
 * Synchronous exceptions the core raises, delivered as the architecture
 * says (tests/guests/exc.S): ESR, FAR, ELR, SPSR and SP as the handler
 * sees them, from EL1 and from EL0; and MMIO accesses in the middle of a
 * translation block, whose preceding instructions run exactly once
 * (tests/guests/midblock.S).
 */
#include "guest_vm.h"

#define ESR_IL (1u << 25)
#define EXC_BASE 0x80000000ull

/* The handler's five REPORTs. */
static void expect_exception(struct gh_vcpu *v, uint64_t esr, uint64_t far,
			     uint64_t elr, uint64_t spsr, uint64_t sp)
{
	expect_mmio_write(v, MMIO_REPORT, 8, esr);
	expect_mmio(v, true, MMIO_REPORT + 8, 8);
	if (far != UINT64_MAX)
		ASSERT_EQ(mmio_data(v->run), far);
	expect_mmio_write(v, MMIO_REPORT + 0x10, 8, elr);
	expect_mmio_write(v, MMIO_REPORT + 0x18, 8, spsr);
	expect_mmio_write(v, MMIO_REPORT + 0x20, 8, sp);
}

TEST(svc_undef_alignment_fault_and_el0_svc)
{
	struct gh_sim_regs regs;
	struct gh_vcpu *v;
	struct tvm t;
	uint64_t svc_pc;

	tvm_create(&t, "exc", 1);
	tvm_start(&t);
	v = t.vcpu[0];

	/* SVC #0x42 at EL1h, DAIF masked: ELR is the next instruction. */
	ASSERT_OK(__gh_vcpu_run(v));
	ASSERT_EXIT(v, GUNYAH_VCPU_EXIT_MMIO);
	ASSERT_EQ(mmio_data(v->run), (0x15ull << 26) | ESR_IL | 0x42);
	v->run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
	expect_mmio(v, true, MMIO_REPORT + 8, 8); /* FAR: not set by SVC */
	expect_mmio(v, true, MMIO_REPORT + 0x10, 8);
	svc_pc = mmio_data(v->run) - 4;
	ASSERT_TRUE(svc_pc >= EXC_BASE && svc_pc < EXC_BASE + 0x100);
	expect_mmio_write(v, MMIO_REPORT + 0x18, 8, 0x3c5);
	expect_mmio_write(v, MMIO_REPORT + 0x20, 8, 0x80100000);

	/* UDF: EC 0, ELR on it (the handler's +4 made it return past). */
	expect_exception(v, ESR_IL, UINT64_MAX, svc_pc + 8, 0x3c5, 0x80100000);

	/* An unaligned LDXR: a data abort from EL1, FSC alignment, FAR. */
	ASSERT_OK(__gh_vcpu_run(v));
	ASSERT_EXIT(v, GUNYAH_VCPU_EXIT_MMIO);
	ASSERT_EQ(mmio_data(v->run) >> 26, 0x25);
	ASSERT_EQ(mmio_data(v->run) & 0x3f, 0x21);
	v->run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
	expect_mmio_write(v, MMIO_REPORT + 8, 8, 0x80080003);
	expect_mmio(v, true, MMIO_REPORT + 0x10, 8);
	expect_mmio_write(v, MMIO_REPORT + 0x18, 8, 0x3c5);
	expect_mmio_write(v, MMIO_REPORT + 0x20, 8, 0x80100000);

	/* SVC #1 from EL0t: to VBAR + 0x400, SPSR says EL0, SP is SP_EL1. */
	expect_mmio_write(v, MMIO_REPORT, 8, (0x15ull << 26) | ESR_IL | 1);
	expect_mmio(v, true, MMIO_REPORT + 0x10, 8);
	expect_mmio_write(v, MMIO_REPORT + 0x18, 8, 0);
	expect_mmio_write(v, MMIO_REPORT + 0x20, 8, 0x80100000);
	expect_mmio_write(v, MMIO_REPORT + 0x28, 8, 0x80200000);
	expect_mmio_write(v, MMIO_REPORT, 8, 0xe0);
	ASSERT_OK(gh_vcpu_get_regs(v, &regs));
	expect_status(v, GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	tvm_destroy(&t);
}

TEST(mmio_mid_block_runs_what_came_before_once)
{
	struct gh_vcpu *v;
	struct tvm t;

	tvm_create(&t, "midblock", 1);
	tvm_start(&t);
	v = t.vcpu[0];
	answer_mmio_read(v, MMIO_BASE, 4, 0x5a5a);
	expect_mmio_write(v, MMIO_REPORT, 8, 3);
	expect_mmio_write(v, MMIO_REPORT + 8, 8, 0x5a5a);
	expect_mmio_write(v, MMIO_BASE + 4, 4, 7);
	expect_mmio_write(v, MMIO_REPORT, 8, 7);
	expect_status(v, GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	tvm_destroy(&t);
}
