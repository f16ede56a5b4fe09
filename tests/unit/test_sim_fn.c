// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vCPU function and its file: GUNYAH_VM_ADD_FUNCTION argument checks,
 * REMOVE_FUNCTION, reference counting, MMAP_SIZE and mmap of the run page.
 */
#include <sys/mman.h>

#include "guest_vm.h"

static long add_fn(struct tvm *t, uint32_t type, const void *arg,
		   uint32_t arg_size)
{
	struct gunyah_fn_desc desc = {
		.type = type,
		.arg_size = arg_size,
		.arg = (uintptr_t)arg,
	};

	return gh_ioctl(t->be, t->vm->vm_fd, GUNYAH_VM_ADD_FUNCTION, &desc);
}

static long remove_fn(struct tvm *t, uint32_t type, const void *arg,
		      uint32_t arg_size)
{
	struct gunyah_fn_desc desc = {
		.type = type,
		.arg_size = arg_size,
		.arg = (uintptr_t)arg,
	};

	return gh_ioctl(t->be, t->vm->vm_fd, GUNYAH_VM_REMOVE_FUNCTION, &desc);
}

TEST(add_function_rejects_bad_arguments)
{
	struct gunyah_fn_vcpu_arg arg = { .id = 0 };
	uint8_t big[GUNYAH_FN_MAX_ARG_SIZE + 8] = { 0 };
	struct tvm t;

	tvm_create(&t, NULL, 0);
	ASSERT_EQ(add_fn(&t, GUNYAH_FN_VCPU, &arg, sizeof(arg) - 1), -EINVAL);
	ASSERT_EQ(add_fn(&t, GUNYAH_FN_VCPU, &arg, sizeof(arg) + 4), -EINVAL);
	ASSERT_EQ(add_fn(&t, GUNYAH_FN_VCPU, &arg, 0), -EINVAL);
	ASSERT_EQ(add_fn(&t, GUNYAH_FN_VCPU, big, sizeof(big)), -EINVAL);
	/* No driver for the type: an error, not a crash. */
	ASSERT_TRUE(add_fn(&t, 0, &arg, sizeof(arg)) < 0);
	ASSERT_TRUE(add_fn(&t, 0x7777, &arg, sizeof(arg)) < 0);
	ASSERT_TRUE(add_fn(&t, GUNYAH_FN_IRQFD, big, 16) < 0);
	ASSERT_EQ(add_fn(&t, GUNYAH_FN_VCPU, NULL, sizeof(arg)), -EFAULT);
	tvm_destroy(&t);
}

TEST(add_function_duplicate_id_is_eexist)
{
	struct gunyah_fn_vcpu_arg arg = { .id = 3 };
	struct tvm t;
	long fd;

	tvm_create(&t, NULL, 0);
	fd = add_fn(&t, GUNYAH_FN_VCPU, &arg, sizeof(arg));
	ASSERT_OK(fd);
	ASSERT_EQ(add_fn(&t, GUNYAH_FN_VCPU, &arg, sizeof(arg)), -EEXIST);
	arg.id = 4;
	ASSERT_OK(add_fn(&t, GUNYAH_FN_VCPU, &arg, sizeof(arg)));
	tvm_destroy(&t);
}

TEST(remove_function_matches_type_and_arg)
{
	struct gunyah_fn_vcpu_arg arg = { .id = 1 }, other = { .id = 2 };
	struct gunyah_vcpu_run *run;
	struct tvm t;
	long fd;

	tvm_create(&t, NULL, 0);
	fd = add_fn(&t, GUNYAH_FN_VCPU, &arg, sizeof(arg));
	ASSERT_OK(fd);
	ASSERT_OK(gh_mmap(t.be, (int)fd, 4096, 0, (void **)&run));

	ASSERT_EQ(remove_fn(&t, GUNYAH_FN_VCPU, &other, sizeof(other)), -ENOENT);
	ASSERT_EQ(remove_fn(&t, GUNYAH_FN_VCPU, &arg, 2), -ENOENT);
	ASSERT_EQ(remove_fn(&t, 9, &arg, sizeof(arg)), -ENOENT);
	ASSERT_OK(remove_fn(&t, GUNYAH_FN_VCPU, &arg, sizeof(arg)));
	ASSERT_EQ(remove_fn(&t, GUNYAH_FN_VCPU, &arg, sizeof(arg)), -ENOENT);

	/* The fd outlives the function: ioctls answer, RUN says ENODEV. */
	ASSERT_EQ(gh_ioctl(t.be, (int)fd, GUNYAH_VCPU_MMAP_SIZE, NULL),
		  (long)sysconf(_SC_PAGESIZE));
	ASSERT_EQ(gh_ioctl(t.be, (int)fd, GUNYAH_VCPU_RUN, NULL), -ENODEV);
	/* The id is free again. */
	ASSERT_OK(add_fn(&t, GUNYAH_FN_VCPU, &arg, sizeof(arg)));

	/* The mapping outlives the fd, as a kernel mapping does. */
	ASSERT_OK(gh_close(t.be, (int)fd));
	run->immediate_exit = 1;
	ASSERT_EQ(gh_ioctl(t.be, (int)fd, GUNYAH_VCPU_RUN, NULL), -EBADF);
	ASSERT_OK(gh_munmap(t.be, run, 4096));
	tvm_destroy(&t);
}

TEST(run_page_size_and_mmap)
{
	long page = sysconf(_SC_PAGESIZE);
	struct gunyah_fn_vcpu_arg arg = { .id = 0 };
	struct tvm t;
	void *p;
	long fd;

	tvm_create(&t, NULL, 0);
	fd = add_fn(&t, GUNYAH_FN_VCPU, &arg, sizeof(arg));
	ASSERT_OK(fd);
	ASSERT_EQ(gh_ioctl(t.be, (int)fd, GUNYAH_VCPU_MMAP_SIZE, NULL), page);
	ASSERT_TRUE(sizeof(struct gunyah_vcpu_run) <= (size_t)page);

	/* Offset 0 is the run page, zeroed at creation. */
	ASSERT_OK(gh_mmap(t.be, (int)fd, (size_t)page, 0, &p));
	for (long i = 0; i < page; i++)
		ASSERT_EQ(((uint8_t *)p)[i], 0);
	/* Writes are seen by the driver through the same page. */
	((struct gunyah_vcpu_run *)p)->immediate_exit = 1;
	ASSERT_OK(gh_munmap(t.be, p, (size_t)page));

	/* Any other offset fails (the seed would hand out a NULL page). */
	ASSERT_EQ(gh_mmap(t.be, (int)fd, (size_t)page, page, &p), -EINVAL);
	ASSERT_EQ(gh_mmap(t.be, (int)fd, (size_t)page, 8 * page, &p), -EINVAL);
	ASSERT_EQ(gh_mmap(t.be, (int)fd, 2 * (size_t)page, 0, &p), -EINVAL);
	ASSERT_EQ(gh_mmap(t.be, (int)fd, 0, 0, &p), -EINVAL);
	/* Not a vCPU fd: nothing to map. */
	ASSERT_TRUE(gh_mmap(t.be, t.vm->vm_fd, (size_t)page, 0, &p) < 0);
	tvm_destroy(&t);
}

TEST(vcpu_fd_holds_the_vm)
{
	struct gunyah_fn_vcpu_arg arg = { .id = 0 };
	struct tvm t;
	long fd;

	tvm_create(&t, "spin", 0);
	fd = add_fn(&t, GUNYAH_FN_VCPU, &arg, sizeof(arg));
	ASSERT_OK(fd);
	/* Closing the VM fd leaves a VM the vCPU fd still runs in. */
	ASSERT_OK(gh_vm_start(t.vm));
	ASSERT_OK(gh_close(t.be, t.vm->vm_fd));
	t.vm->vm_fd = -1;
	ASSERT_EQ(gh_ioctl(t.be, (int)fd, GUNYAH_VCPU_MMAP_SIZE, NULL),
		  (long)sysconf(_SC_PAGESIZE));
	ASSERT_OK(gh_close(t.be, (int)fd));
	tvm_destroy(&t);
}

TEST(unknown_ioctls_are_enotty)
{
	struct tvm t;

	tvm_create(&t, NULL, 1);
	ASSERT_EQ(gh_ioctl(t.be, t.vm->vm_fd, _IO('G', 0x55), NULL), -ENOTTY);
	ASSERT_EQ(gh_ioctl(t.be, t.vcpu[0]->fd, GUNYAH_VM_START, NULL), -ENOTTY);
	ASSERT_EQ(gh_ioctl(t.be, t.vm->dev_fd, GUNYAH_VCPU_RUN, NULL), -ENOTTY);
	ASSERT_EQ(gh_ioctl(t.be, 12345, GUNYAH_VCPU_RUN, NULL), -EBADF);
	tvm_destroy(&t);
}
