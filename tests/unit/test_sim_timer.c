// SPDX-License-Identifier: GPL-2.0-only
/*
 * The EL1 virtual timer the hypervisor keeps (tests/guests/timer.S):
 * CNTFRQ, CTL with ISTATUS and IMASK, TVAL against CVAL, and its PPI
 * taken through the GIC after a WFI that sleeps until the deadline.
 */
#include "guest_vm.h"

TEST(virtual_timer_registers_and_interrupt)
{
	struct gh_vcpu *v;
	struct tvm t;
	uint64_t tval;

	tvm_create(&t, "timer", 1);
	tvm_start(&t);
	v = t.vcpu[0];

	expect_mmio_write(v, MMIO_REPORT, 8, GH_SIM_CNTFRQ);
	expect_mmio_write(v, MMIO_REPORT, 8, 1);	/* enabled, not fired */
	expect_mmio_write(v, MMIO_REPORT, 8, 7);	/* fired, masked */
	expect_mmio(v, true, MMIO_REPORT, 8);
	tval = mmio_data(v->run);
	ASSERT_TRUE(tval > 0 && tval <= (1u << 30));
	expect_mmio_write(v, MMIO_REPORT, 8, GH_SIM_INTID_VTIMER);
	expect_mmio_write(v, MMIO_REPORT, 8, 5);	/* ENABLE | ISTATUS */
	expect_mmio_write(v, MMIO_REPORT, 8, 1);	/* once */
	expect_status(v, GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	tvm_destroy(&t);
}
