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

	answer_mmio_read(v, MMIO_BASE + 0x30, 4, 1);	/* pre-index */
	expect_mmio_write(v, MMIO_REPORT, 8, MMIO_BASE + 0x30);
	answer_mmio_read(v, MMIO_BASE + 0x30, 4, 2);	/* post-index */
	expect_mmio_write(v, MMIO_REPORT, 8, MMIO_BASE + 0x40);
	expect_mmio_write(v, MMIO_BASE + 0x3c, 4, 2);	/* str pre-index */
	expect_mmio_write(v, MMIO_REPORT, 8, MMIO_BASE + 0x3c);
	answer_mmio_read(v, MMIO_BASE + 0x48, 8, 0x5a5a);	/* register offset */
	expect_mmio_write(v, MMIO_REPORT, 8, 0x5a5a);

	expect_status(v, GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	tvm_destroy(&t);
}
