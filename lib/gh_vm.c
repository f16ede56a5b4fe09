// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMM-side convenience layer: VM and vCPU set-up and the run call, all
 * through the backend seam so the simulator and /dev/gunyah share one path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "gunyah.h"

static long vm_op(struct gh_vm *vm, int fd, enum gh_op op, void *arg)
{
	unsigned long req = gh_request(vm->be, op);

	if (!req)
		return -EOPNOTSUPP;
	return gh_ioctl(vm->be, fd, req, arg);
}

int gh_vm_create(struct gh_backend *be, struct gh_vm **out)
{
	struct gh_vm *vm;
	long fd;
	int ret;

	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->be = be;
	vm->vm_fd = -1;

	ret = gh_open(be, GH_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (ret < 0)
		goto err_free;
	vm->dev_fd = ret;

	fd = vm_op(vm, vm->dev_fd, GH_OP_CREATE_VM, NULL);
	if (fd < 0) {
		ret = (int)fd;
		goto err_close;
	}
	vm->vm_fd = (int)fd;
	*out = vm;
	return 0;

err_close:
	gh_close(be, vm->dev_fd);
err_free:
	free(vm);
	return ret;
}

void gh_vm_destroy(struct gh_vm *vm)
{
	if (!vm)
		return;
	if (vm->vm_fd >= 0)
		gh_close(vm->be, vm->vm_fd);
	for (unsigned int i = 0; i < vm->nr_regions; i++) {
		struct gh_mem_region *r = &vm->regions[i];

		/* A user memory region is this process's own memory. */
		if (r->mem_fd < 0) {
			munmap(r->host, r->size);
			continue;
		}
		gh_munmap(vm->be, r->host, r->size);
		gh_close(vm->be, r->mem_fd);
	}
	gh_close(vm->be, vm->dev_fd);
	free(vm);
}

static void region_record(struct gh_vm *vm, uint64_t guest_addr,
			  uint64_t size, int mem_fd, void *addr, void **host)
{
	struct gh_mem_region *r = &vm->regions[vm->nr_regions++];

	r->guest_addr = guest_addr;
	r->size = size;
	r->mem_fd = mem_fd;
	r->host = addr;
	if (host)
		*host = addr;
}

/*
 * GH_* flavour: the memory is ours, anonymous and shared with the guest
 * (GH_VM_SET_USER_MEM_REGION, not the Android LEND variant: the host keeps
 * access, which the loader and read-back need).  The label is the region's
 * index: unique per VM, as the driver requires.
 */
static int add_user_memory(struct gh_vm *vm, uint64_t guest_addr,
			   uint64_t size, void **host)
{
	struct gh_userspace_memory_region region = {
		.label = vm->nr_regions,
		.flags = GH_MEM_ALLOW_RWX,
		.guest_phys_addr = guest_addr,
		.memory_size = size,
	};
	void *addr;
	int ret;

	if (size > SIZE_MAX)
		return -ENOMEM;
	addr = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (addr == MAP_FAILED)
		return -errno;
	region.userspace_addr = (uintptr_t)addr;
	ret = (int)vm_op(vm, vm->vm_fd, GH_OP_VM_SET_USER_MEM_REGION, &region);
	if (ret) {
		munmap(addr, (size_t)size);
		return ret;
	}
	region_record(vm, guest_addr, size, -1, addr, host);
	return 0;
}

int gh_vm_add_memory(struct gh_vm *vm, uint64_t guest_addr, uint64_t size,
		     void **host)
{
	struct gunyah_create_mem_args create = { .flags = GHMF_CLOEXEC,
						 .size = size };
	struct gunyah_map_mem_args map = { 0 };
	void *addr;
	long fd;
	int ret;

	if (vm->nr_regions >= GH_VM_MAX_REGIONS)
		return -ENOSPC;
	if (!gh_request(vm->be, GH_OP_CREATE_GUEST_MEM))
		return add_user_memory(vm, guest_addr, size, host);

	fd = vm_op(vm, vm->dev_fd, GH_OP_CREATE_GUEST_MEM, &create);
	if (fd < 0)
		return (int)fd;

	ret = gh_mmap(vm->be, (int)fd, size, 0, &addr);
	if (ret)
		goto err_close;

	map.guest_addr = guest_addr;
	map.flags = GUNYAH_MEM_ALLOW_RWX | GUNYAH_MEM_DEFAULT_ACCESS;
	map.guest_mem_fd = (__u32)fd;
	map.offset = 0;
	map.size = size;
	ret = (int)vm_op(vm, vm->vm_fd, GH_OP_VM_MAP_MEM, &map);
	if (ret)
		goto err_unmap;

	region_record(vm, guest_addr, size, (int)fd, addr, host);
	return 0;

err_unmap:
	gh_munmap(vm->be, addr, size);
err_close:
	gh_close(vm->be, (int)fd);
	return ret;
}

void *gh_vm_host_ptr(const struct gh_vm *vm, uint64_t guest_addr, uint64_t len)
{
	for (unsigned int i = 0; i < vm->nr_regions; i++) {
		const struct gh_mem_region *r = &vm->regions[i];

		if (guest_addr >= r->guest_addr &&
		    guest_addr - r->guest_addr <= r->size &&
		    len <= r->size - (guest_addr - r->guest_addr))
			return (char *)r->host + (guest_addr - r->guest_addr);
	}
	return NULL;
}

/* GH_* flavour: keep the register for the boot stub. */
static int keep_boot_reg(struct gh_boot_state *b,
			 enum gunyah_vm_boot_context_reg set,
			 unsigned int index, uint64_t value)
{
	if (set == REG_SET_X && index < 31) {
		b->x[index] = value;
		b->x_set |= 1u << index;
	} else if (set == REG_SET_PC && index == 0) {
		b->pc = value;
		b->pc_set = true;
	} else if (set == REG_SET_SP && index == 1) {
		b->sp_el1 = value;
		b->sp_set = true;
	} else {
		return -EINVAL;
	}
	return 0;
}

int gh_vm_set_boot_reg(struct gh_vm *vm, enum gunyah_vm_boot_context_reg set,
		       unsigned int index, uint64_t value)
{
	struct gunyah_vm_boot_context ctx = {
		.reg = GUNYAH_VM_BOOT_CONTEXT_REG(set, index),
		.value = value,
	};

	if (!gh_abi_has(vm->be->abi, GH_ABI_BOOT_CONTEXT))
		return keep_boot_reg(&vm->boot, set, index, value);
	return (int)vm_op(vm, vm->vm_fd, GH_OP_VM_SET_BOOT_CONTEXT, &ctx);
}

static int set_dtb_config(struct gh_vm *vm, uint64_t guest_addr,
			  uint64_t size)
{
	struct gunyah_vm_dtb_config cfg = { .guest_phys_addr = guest_addr,
					    .size = size };

	return (int)vm_op(vm, vm->vm_fd, GH_OP_VM_SET_DTB_CONFIG, &cfg);
}

int gh_vm_set_dtb(struct gh_vm *vm, uint64_t guest_addr, uint64_t size)
{
	int ret = set_dtb_config(vm, guest_addr, size);

	/* Kept for the boot stub, which may point the driver at a copy. */
	if (!ret) {
		vm->boot.dtb_addr = guest_addr;
		vm->boot.dtb_size = size;
		vm->boot.dtb_set = true;
	}
	return ret;
}

/* The GH_* flavour's stand-in for a boot context (gh_boot_stub.c). */
static int write_boot_stub(struct gh_vm *vm)
{
	const struct gh_boot_state *b = &vm->boot;
	uint64_t base = gh_boot_stub_base(vm);
	int scratch = gh_boot_stub_scratch(b), ret;
	const void *dtb = NULL;
	void *host;

	if (scratch < 0)
		return scratch;
	if (b->dtb_size) {
		dtb = gh_vm_host_ptr(vm, b->dtb_addr, b->dtb_size);
		if (!dtb)
			return -EINVAL;
	}
	ret = gh_vm_add_memory(vm, base, gh_boot_stub_size(b->dtb_size), &host);
	if (ret)
		return ret;
	gh_boot_stub_build(vm, (unsigned int)scratch, dtb, host);
	vm->stub_addr = base;
	return 0;
}

int gh_vm_start(struct gh_vm *vm)
{
	const struct gh_boot_state *b = &vm->boot;
	int ret;

	if (!gh_abi_has(vm->be->abi, GH_ABI_BOOT_CONTEXT) &&
	    (b->x_set || b->pc_set || b->sp_set) && !vm->stub_addr) {
		ret = write_boot_stub(vm);
		if (ret)
			return ret;
		ret = set_dtb_config(vm, vm->stub_addr + GH_BOOT_STUB_CODE,
				     b->dtb_size);
		if (ret)
			return ret;
	}
	return (int)vm_op(vm, vm->vm_fd, GH_OP_VM_START, NULL);
}

int gh_vm_force_stop(struct gh_vm *vm)
{
	return (int)gh_ioctl(vm->be, vm->vm_fd, GH_SIM_VM_FORCE_STOP, NULL);
}

int gh_vm_exit(struct gh_vm *vm, uint16_t type, uint64_t reason,
	       uint32_t reason_size)
{
	struct gunyah_vm_exit_info ei = { .type = type,
					  .reason_size = reason_size };

	if (reason_size > GUNYAH_VM_MAX_EXIT_REASON_SIZE)
		return -EINVAL;
	/* The reason word is little-endian in exit_info, as the RM writes it. */
	for (uint32_t i = 0; i < reason_size; i++)
		ei.reason[i] = (uint8_t)(reason >> (8 * i));
	return (int)gh_ioctl(vm->be, vm->vm_fd, GH_SIM_VM_EXIT, &ei);
}

int gh_vm_add_pf_region(struct gh_vm *vm, uint64_t guest_addr, uint64_t size)
{
	struct gh_sim_region r = { .addr = guest_addr, .size = size };

	if (!gh_abi_has(vm->be->abi, GH_ABI_PAGE_FAULT))
		return -EOPNOTSUPP;
	return (int)gh_ioctl(vm->be, vm->vm_fd, GH_SIM_VM_ADD_PF_REGION, &r);
}

int gh_vm_read_mem(struct gh_vm *vm, uint64_t guest_addr, void *buf,
		   uint64_t size)
{
	struct gh_sim_mem_rw rw = { .guest_addr = guest_addr, .size = size,
				    .buf = (uintptr_t)buf };
	const void *p = gh_vm_host_ptr(vm, guest_addr, size);

	/* RAM this process mapped is readable on any backend. */
	if (p) {
		memcpy(buf, p, size);
		return 0;
	}
	return (int)gh_ioctl(vm->be, vm->vm_fd, GH_SIM_VM_READ_MEM, &rw);
}

int gh_vm_set_lenient(struct gh_vm *vm, bool lenient)
{
	__u64 on = lenient;

	return (int)gh_ioctl(vm->be, vm->vm_fd, GH_SIM_VM_SET_LENIENT, &on);
}

int gh_vm_get_crash(struct gh_vm *vm, struct gh_sim_crash *out)
{
	memset(out, 0, sizeof(*out));
	return (int)gh_ioctl(vm->be, vm->vm_fd, GH_SIM_VM_GET_CRASH, out);
}

static int vcpu_fn(struct gh_vcpu *vcpu, enum gh_op op)
{
	struct gunyah_fn_vcpu_arg arg = { .id = vcpu->id };
	struct gunyah_fn_desc desc = {
		.type = GUNYAH_FN_VCPU,
		.arg_size = sizeof(arg),
		.arg = (uintptr_t)&arg,
	};

	return (int)vm_op(vcpu->vm, vcpu->vm->vm_fd, op, &desc);
}

int gh_vcpu_add(struct gh_vm *vm, unsigned int id, struct gh_vcpu **out)
{
	struct gh_vcpu *vcpu;
	long size;
	int ret;

	vcpu = calloc(1, sizeof(*vcpu));
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;

	ret = vcpu_fn(vcpu, GH_OP_VM_ADD_FUNCTION);
	if (ret < 0)
		goto err_free;
	vcpu->fd = ret;

	size = vm_op(vm, vcpu->fd, GH_OP_VCPU_MMAP_SIZE, NULL);
	if (size < 0) {
		ret = (int)size;
		goto err_close;
	}
	if ((size_t)size < sizeof(struct gunyah_vcpu_run)) {
		ret = -EPROTO;
		goto err_close;
	}
	vcpu->run_size = (size_t)size;

	ret = gh_mmap(vm->be, vcpu->fd, vcpu->run_size, 0, (void **)&vcpu->run);
	if (ret)
		goto err_close;

	*out = vcpu;
	return 0;

err_close:
	gh_close(vm->be, vcpu->fd);
	vcpu_fn(vcpu, GH_OP_VM_REMOVE_FUNCTION);
err_free:
	free(vcpu);
	return ret;
}

int gh_vcpu_remove_function(struct gh_vcpu *vcpu)
{
	return vcpu_fn(vcpu, GH_OP_VM_REMOVE_FUNCTION);
}

void gh_vcpu_destroy(struct gh_vcpu *vcpu)
{
	if (!vcpu)
		return;
	gh_munmap(vcpu->vm->be, vcpu->run, vcpu->run_size);
	gh_close(vcpu->vm->be, vcpu->fd);
	free(vcpu);
}

int __gh_vcpu_run(struct gh_vcpu *vcpu)
{
	return (int)vm_op(vcpu->vm, vcpu->fd, GH_OP_VCPU_RUN, NULL);
}

int _gh_vcpu_run(struct gh_vcpu *vcpu, const volatile bool *stop)
{
	int ret;

	do {
		ret = __gh_vcpu_run(vcpu);
	} while (ret == -EINTR && !gh_vcpu_immediate_exit(vcpu) &&
		 !(stop && *stop));
	return ret;
}

int gh_vcpu_wake(struct gh_vcpu *vcpu)
{
	return (int)gh_ioctl(vcpu->vm->be, vcpu->fd, GH_SIM_VCPU_WAKE, NULL);
}

int gh_vcpu_set_kick_signals(struct gh_vcpu *vcpu, uint64_t mask)
{
	__u64 m = mask;

	return (int)gh_ioctl(vcpu->vm->be, vcpu->fd, GH_SIM_VCPU_SET_KICK_SIGNALS,
			     &m);
}

int gh_vcpu_get_regs(struct gh_vcpu *vcpu, struct gh_sim_regs *regs)
{
	return (int)gh_ioctl(vcpu->vm->be, vcpu->fd, GH_SIM_VCPU_GET_REGS, regs);
}

int gh_vcpu_get_stats(struct gh_vcpu *vcpu, struct gh_sim_vcpu_stats *st)
{
	return (int)gh_ioctl(vcpu->vm->be, vcpu->fd, GH_SIM_VCPU_GET_STATS, st);
}

/* ---- the irqfd and ioeventfd functions ------------------------------------ */

static int vm_fn(struct gh_vm *vm, enum gh_op op, uint32_t type, void *arg,
		 uint32_t size)
{
	struct gunyah_fn_desc desc = {
		.type = type,
		.arg_size = size,
		.arg = (uintptr_t)arg,
	};

	return (int)vm_op(vm, vm->vm_fd, op, &desc);
}

int gh_vm_irqfd(struct gh_vm *vm, bool add, int fd, uint32_t label,
		uint32_t flags)
{
	struct gunyah_fn_irqfd_arg a = {
		.fd = (uint32_t)fd, .label = label, .flags = flags,
	};

	return vm_fn(vm, add ? GH_OP_VM_ADD_FUNCTION : GH_OP_VM_REMOVE_FUNCTION,
		     GUNYAH_FN_IRQFD, &a, sizeof(a));
}

int gh_vm_ioeventfd(struct gh_vm *vm, bool add, int fd, uint64_t addr,
		    uint32_t len, uint32_t flags, uint64_t datamatch)
{
	struct gunyah_fn_ioeventfd_arg a = {
		.datamatch = datamatch, .addr = addr, .len = len, .fd = fd,
		.flags = flags,
	};

	return vm_fn(vm, add ? GH_OP_VM_ADD_FUNCTION : GH_OP_VM_REMOVE_FUNCTION,
		     GUNYAH_FN_IOEVENTFD, &a, sizeof(a));
}
