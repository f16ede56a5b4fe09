// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hypervisor's GICv3 and the irqfd and ioeventfd functions, through
 * the ioctl seam: a guest (tests/guests/gic.S) programs the distributor,
 * its redistributor and CPU interface and reports what it reads and which
 * interrupts it takes; the host raises interrupts with irqfds and gets a
 * doorbell through an ioeventfd.
 */
#include <sys/eventfd.h>

#include "guest_vm.h"

static void signal_fd(int fd)
{
	uint64_t one = 1;

	ASSERT_EQ(write(fd, &one, sizeof(one)), (ssize_t)sizeof(one));
}

static uint64_t eventfd_count(int fd)
{
	uint64_t n = 0;

	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

TEST(gic_registers_priorities_sgi_and_irqfds)
{
	int edge = eventfd(0, EFD_CLOEXEC), level = eventfd(0, EFD_CLOEXEC);
	int bell = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct gh_vcpu *v;
	struct tvm t;

	tvm_create(&t, "gic", 1);
	/* Labels 1 and 2 are SPIs 1 and 2: INTIDs 33 and 34. */
	ASSERT_OK(gh_vm_irqfd(t.vm, true, edge, 2, 0));
	ASSERT_OK(gh_vm_irqfd(t.vm, true, level, 3, GUNYAH_IRQFD_FLAGS_LEVEL));
	ASSERT_OK(gh_vm_ioeventfd(t.vm, true, bell, 0x0a000000, 4,
				  GUNYAH_IOEVENTFD_FLAGS_DATAMATCH, 7));
	tvm_start(&t);
	v = t.vcpu[0];

	expect_mmio_write(v, MMIO_REPORT, 8, 0);	/* WAKER: awake */
	expect_mmio_write(v, MMIO_REPORT, 8, 1u << 4);	/* TYPER: Last */
	expect_mmio_write(v, MMIO_REPORT, 8, 33);	/* HPPIR1 */
	expect_mmio_write(v, MMIO_REPORT, 8, 1023);	/* masked by PMR */
	expect_mmio_write(v, MMIO_REPORT, 8, 33);	/* taken */
	expect_mmio_write(v, MMIO_REPORT, 8, 0x80);	/* running priority */
	expect_mmio_write(v, MMIO_REPORT, 8, 0xff);	/* idle after EOI */
	expect_mmio_write(v, MMIO_REPORT, 8, 5);	/* SGI to itself */

	/* Edge irqfd: the guest sleeps in WFI until it fires. */
	expect_mmio_write(v, MMIO_REPORT, 8, 0x1f);
	signal_fd(edge);
	expect_mmio_write(v, MMIO_REPORT, 8, 34);

	/* Level irqfd: raised twice before the guest runs, taken once. */
	expect_mmio_write(v, MMIO_REPORT, 8, 0x2f);
	signal_fd(level);
	expect_mmio_write(v, MMIO_REPORT, 8, 35);

	/* The doorbell went to the eventfd, not to us. */
	expect_mmio_write(v, MMIO_REPORT, 8, 0xd0e);
	ASSERT_EQ(eventfd_count(bell), 1);
	expect_status(v, GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	tvm_destroy(&t);
	close(edge);
	close(level);
	close(bell);
}

TEST(doorbell_without_a_match_is_an_mmio_exit)
{
	int bell = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int edge = eventfd(0, EFD_CLOEXEC), level = eventfd(0, EFD_CLOEXEC);
	struct gh_vcpu *v;
	struct tvm t;

	tvm_create(&t, "gic", 1);
	ASSERT_OK(gh_vm_irqfd(t.vm, true, edge, 2, 0));
	ASSERT_OK(gh_vm_irqfd(t.vm, true, level, 3, 0));
	/* Data 7 is written; this one wants 8. */
	ASSERT_OK(gh_vm_ioeventfd(t.vm, true, bell, 0x0a000000, 4,
				  GUNYAH_IOEVENTFD_FLAGS_DATAMATCH, 8));
	tvm_start(&t);
	v = t.vcpu[0];
	for (unsigned int i = 0; i < 8; i++)
		ASSERT_OK(__gh_vcpu_run(v)); /* the register checks */
	expect_mmio_write(v, MMIO_REPORT, 8, 0x1f);
	signal_fd(edge);
	expect_mmio_write(v, MMIO_REPORT, 8, 34);
	expect_mmio_write(v, MMIO_REPORT, 8, 0x2f);
	signal_fd(level);
	expect_mmio_write(v, MMIO_REPORT, 8, 35);
	expect_mmio_write(v, 0x0a000000, 4, 7);
	ASSERT_EQ(eventfd_count(bell), 0);
	tvm_destroy(&t);
	close(edge);
	close(level);
	close(bell);
}

/*
 * A GIC register store leaves QEMU's mem_io_pc behind (the sim emulates
 * it in place, no exit); a later store to no memory must not be put back
 * on that older instruction, which would run what lies between again.
 */
TEST(unmapped_store_after_a_gic_store_exits_on_itself)
{
	struct gh_vcpu *v;
	struct tvm t;

	tvm_create(&t, "gic_unmapped", 1);
	tvm_start(&t);
	v = t.vcpu[0];
	expect_mmio_write(v, 0x90000000, 8, 1);
	expect_mmio_write(v, 0x90000000, 8, 2);
	expect_mmio_write(v, MMIO_REPORT, 8, 2);
	expect_status(v, GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	tvm_destroy(&t);
}

TEST(irqfd_arguments_and_removal)
{
	int efd = eventfd(0, EFD_CLOEXEC), pipefd[2];
	struct tvm t;

	ASSERT_OK(pipe(pipefd) ? -errno : 0);
	tvm_create(&t, NULL, 0);
	ASSERT_EQ(gh_vm_irqfd(t.vm, true, 9999, 1, 0), -EBADF);
	ASSERT_EQ(gh_vm_irqfd(t.vm, true, pipefd[0], 1, 0), -EINVAL);
	ASSERT_EQ(gh_vm_irqfd(t.vm, true, efd, 1, 0x2), -EINVAL);
	ASSERT_OK(gh_vm_irqfd(t.vm, true, efd, 1, 0));
	ASSERT_EQ(gh_vm_irqfd(t.vm, true, efd, 1, GUNYAH_IRQFD_FLAGS_LEVEL),
		  -EEXIST);
	ASSERT_EQ(gh_vm_irqfd(t.vm, false, efd, 4, 0), -ENOENT);
	ASSERT_OK(gh_vm_irqfd(t.vm, false, efd, 1, 0));
	ASSERT_EQ(gh_vm_irqfd(t.vm, false, efd, 1, 0), -ENOENT);
	/* The label is free again; the irqfd holds its own reference. */
	ASSERT_OK(gh_vm_irqfd(t.vm, true, efd, 1, 0));
	close(efd);
	tvm_destroy(&t);
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST(ioeventfd_arguments_lengths_and_overlaps)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	const uint32_t dm = GUNYAH_IOEVENTFD_FLAGS_DATAMATCH;
	struct tvm t;

	tvm_create(&t, NULL, 0);
	ASSERT_EQ(gh_vm_ioeventfd(t.vm, true, 9999, 0x1000, 4, 0, 0), -EBADF);
	ASSERT_EQ(gh_vm_ioeventfd(t.vm, true, efd, 0x1000, 3, 0, 0), -EINVAL);
	ASSERT_EQ(gh_vm_ioeventfd(t.vm, true, efd, 0x1000, 16, 0, 0), -EINVAL);
	ASSERT_EQ(gh_vm_ioeventfd(t.vm, true, efd, 0x1000, 4, 0x4, 0), -EINVAL);
	ASSERT_EQ(gh_vm_ioeventfd(t.vm, true, efd, 0x1000, 0, dm, 1), -EINVAL);
	ASSERT_EQ(gh_vm_ioeventfd(t.vm, true, efd, UINT64_MAX - 1, 4, 0, 0),
		  -EINVAL);
	ASSERT_OK(gh_vm_ioeventfd(t.vm, true, efd, 0x1000, 4, dm, 1));
	/* One doorbell, another value: fine; the same value: taken. */
	ASSERT_OK(gh_vm_ioeventfd(t.vm, true, efd, 0x1000, 4, dm, 2));
	ASSERT_EQ(gh_vm_ioeventfd(t.vm, true, efd, 0x1000, 4, dm, 2), -EEXIST);
	/* Overlapping bytes without a match on both: taken. */
	ASSERT_EQ(gh_vm_ioeventfd(t.vm, true, efd, 0x1002, 2, 0, 0), -EEXIST);
	ASSERT_EQ(gh_vm_ioeventfd(t.vm, true, efd, 0x0ffc, 8, 0, 0), -EEXIST);
	ASSERT_OK(gh_vm_ioeventfd(t.vm, true, efd, 0x1004, 4, 0, 0));
	ASSERT_OK(gh_vm_ioeventfd(t.vm, true, efd, 0x2000, 0, 0, 0));
	/* Removal matches address, length and value. */
	ASSERT_EQ(gh_vm_ioeventfd(t.vm, false, efd, 0x1000, 4, dm, 3), -ENOENT);
	ASSERT_EQ(gh_vm_ioeventfd(t.vm, false, efd, 0x1000, 2, dm, 1), -ENOENT);
	ASSERT_OK(gh_vm_ioeventfd(t.vm, false, efd, 0x1000, 4, dm, 1));
	ASSERT_OK(gh_vm_ioeventfd(t.vm, false, efd, 0x2000, 0, 0, 0));
	ASSERT_EQ(gh_vm_ioeventfd(t.vm, false, efd, 0x2000, 0, 0, 0), -ENOENT);
	tvm_destroy(&t);
	close(efd);
}
