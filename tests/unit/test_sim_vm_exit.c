// SPDX-License-Identifier: GPL-2.0-only
/*
 * GH_SIM_VM_EXIT (gh_vm_exit): the host makes a running VM exit with the
 * exit_info it gives, as the resource manager reports a host power-off.
 * gunyahctl stop asks for a power-off this way.
 */
#include <pthread.h>

#include "guest_vm.h"

/* Every vCPU sees the same STATUS exit, and sees it again. */
static void expect_status_all(struct tvm *t, uint16_t type, uint64_t reason,
			      uint32_t reason_size)
{
	for (int round = 0; round < 2; round++)
		for (unsigned int i = 0; i < t->nr_vcpus; i++) {
			expect_status(t->vcpu[i], GUNYAH_VM_STATUS_EXITED,
				      type, reason);
			ASSERT_EQ(t->vcpu[i]->run->status.exit_info.reason_size,
				  reason_size);
		}
}

TEST(power_off_from_the_host_is_seen_by_every_vcpu)
{
	struct tvm t;

	tvm_create(&t, "spin", 2);
	tvm_start(&t);
	ASSERT_OK(gh_vm_exit(t.vm, GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0, 4));
	expect_status_all(&t, GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0, 4);
	/* The VM is down: a second exit, or a forced stop, is refused and
	 * the first exit stays. */
	ASSERT_EQ(gh_vm_exit(t.vm, GUNYAH_VM_EXIT_TYPE_WDT_BITE, 0, 0), -EINVAL);
	ASSERT_EQ(gh_vm_force_stop(t.vm), -EINVAL);
	expect_status_all(&t, GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0, 4);
	tvm_destroy(&t);
}

TEST(exit_info_is_passed_as_given)
{
	struct tvm t;

	tvm_create(&t, "spin", 1);
	tvm_start(&t);
	ASSERT_OK(gh_vm_exit(t.vm, GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET2,
			     0x1122334455667788ull, 8));
	expect_status_all(&t, GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET2,
			  0x1122334455667788ull, 8);
	tvm_destroy(&t);

	/* No reason at all. */
	tvm_create(&t, "spin", 1);
	tvm_start(&t);
	ASSERT_OK(gh_vm_exit(t.vm, GUNYAH_VM_EXIT_TYPE_VM_EXIT, 0, 0));
	expect_status_all(&t, GUNYAH_VM_EXIT_TYPE_VM_EXIT, 0, 0);
	tvm_destroy(&t);
}

TEST(exit_needs_a_running_vm_and_a_valid_exit_info)
{
	struct gunyah_vm_exit_info ei = { .type = 1, .reason_size = 4 };
	struct tvm t;

	tvm_create(&t, "spin", 1);
	/* Not started yet. */
	ASSERT_EQ(gh_vm_exit(t.vm, GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0, 4),
		  -EINVAL);
	tvm_start(&t);
	ASSERT_EQ(gh_vm_exit(t.vm, GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0, 9),
		  -EINVAL);
	/* Straight through the seam: padding must be 0, the size at most 8. */
	ei.padding = 1;
	ASSERT_EQ(gh_ioctl(t.be, t.vm->vm_fd, GH_SIM_VM_EXIT, &ei), -EINVAL);
	ei.padding = 0;
	ei.reason_size = 9;
	ASSERT_EQ(gh_ioctl(t.be, t.vm->vm_fd, GH_SIM_VM_EXIT, &ei), -EINVAL);
	ASSERT_EQ(gh_ioctl(t.be, t.vm->vm_fd, GH_SIM_VM_EXIT, NULL), -EFAULT);
	/* None of that stopped it: it still runs (a spin guest: no exit
	 * until it is told to go). */
	ASSERT_OK(gh_vm_exit(t.vm, GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0, 4));
	expect_status_all(&t, GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0, 4);
	tvm_destroy(&t);
}

struct runner {
	struct gh_vcpu *vcpu;
	int ret;
};

static void *run_once(void *data)
{
	struct runner *r = data;

	r->ret = __gh_vcpu_run(r->vcpu);
	return NULL;
}

/* A vCPU inside RUN (a spinning guest) is woken by the exit. */
TEST(exit_ends_a_run_in_progress)
{
	struct runner r = { 0 };
	pthread_t th;
	struct tvm t;

	tvm_create(&t, "spin", 1);
	tvm_start(&t);
	r.vcpu = t.vcpu[0];
	ASSERT_OK(pthread_create(&th, NULL, run_once, &r));
	/* Inside RUN: the guest has run a time slice. */
	for (;;) {
		struct gh_sim_vcpu_stats st;

		ASSERT_OK(gh_vcpu_get_stats(r.vcpu, &st));
		if (st.ready)
			break;
		usleep(1000);
	}
	ASSERT_OK(gh_vm_exit(t.vm, GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0, 4));
	ASSERT_OK(pthread_join(th, NULL));
	ASSERT_OK(r.ret);
	ASSERT_EXIT(t.vcpu[0], GUNYAH_VCPU_EXIT_STATUS);
	ASSERT_EQ(t.vcpu[0]->run->status.exit_info.type,
		  GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF);
	tvm_destroy(&t);
}

/* Where the backend has no such request (a real /dev/gunyah answers
 * every 'g' ioctl with ENOTTY), callers get ENOTTY to fall back on. */
TEST(request_is_sim_only)
{
	ASSERT_EQ(_IOC_TYPE(GH_SIM_VM_EXIT), GH_SIM_IOCTL_TYPE);
	ASSERT_EQ(_IOC_SIZE(GH_SIM_VM_EXIT), sizeof(struct gunyah_vm_exit_info));
	ASSERT_EQ(_IOC_DIR(GH_SIM_VM_EXIT), _IOC_WRITE);
}
