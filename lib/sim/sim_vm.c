// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VM manager and the resource manager: what the kernel's vm_mgr.c and
 * Gunyah's RM do for a VM.  Functions (vCPUs) are bound here, guest memory
 * is bound to guest addresses, the boot context is collected, and VM_START
 * creates the hypervisor's vCPUs and hands each vCPU function its resource.
 * The VM's status (RUNNING, EXITED, ...) and exit_info live here, and a VM
 * exit is announced to every vCPU as the RM's VM_EXITED notification is.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "sim.h"
#include "sim_quirks.h"

static void vm_vlog(struct sim_vm *vm, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	sim_backend_log(vm->sb, msg);
}

void sim_vm_log(struct sim_vm *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vm_vlog(vm, fmt, ap);
	va_end(ap);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * What a guest can make the sim say as often as it likes, said at most
 * SIM_LOG_BURST times in SIM_LOG_INTERVAL_NS, as the kernel's
 * pr_warn_ratelimited does (the seed logs unknown vCPU states so).
 */
void sim_vm_log_ratelimited(struct sim_vm *vm, const char *fmt, ...)
{
	uint64_t now = mono_ns(), suppressed = 0;
	bool say;
	va_list ap;

	pthread_mutex_lock(&vm->log_lock);
	if (!vm->log_window_ns || now - vm->log_window_ns >= SIM_LOG_INTERVAL_NS) {
		suppressed = vm->log_suppressed;
		vm->log_window_ns = now;
		vm->log_count = 0;
		vm->log_suppressed = 0;
	}
	say = vm->log_count < SIM_LOG_BURST;
	if (say)
		vm->log_count++;
	else
		vm->log_suppressed++;
	pthread_mutex_unlock(&vm->log_lock);

	if (suppressed)
		sim_vm_log(vm, "%" PRIu64 " messages suppressed", suppressed);
	if (!say)
		return;
	va_start(ap, fmt);
	vm_vlog(vm, fmt, ap);
	va_end(ap);
}

/* ---- guest memory ----------------------------------------------------------- */

struct sim_gmem *sim_gmem_create(uint64_t size, int *err)
{
	struct sim_gmem *g;

	if (!size || size % sim_page_size()) {
		*err = -EINVAL;
		return NULL;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		*err = -ENOMEM;
		return NULL;
	}
	/* Untouched pages cost nothing: 128 MiB of RAM is free until used. */
	g->host = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (g->host == MAP_FAILED) {
		free(g);
		*err = -ENOMEM;
		return NULL;
	}
	g->size = size;
	atomic_init(&g->refs, 1);
	return g;
}

void sim_gmem_get(struct sim_gmem *g)
{
	atomic_fetch_add(&g->refs, 1);
}

void sim_gmem_put(struct sim_gmem *g)
{
	if (atomic_fetch_sub(&g->refs, 1) != 1)
		return;
	if (!g->borrowed)
		munmap(g->host, g->size);
	free(g);
}

/* The caller's memory, as the GH_* driver pins it (it stays the caller's). */
static struct sim_gmem *gmem_borrow(void *host, uint64_t size)
{
	struct sim_gmem *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->host = host;
	g->size = size;
	g->borrowed = true;
	atomic_init(&g->refs, 1);
	return g;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b,
			   uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static long bind(struct sim_vm *vm, uint64_t guest_addr, uint64_t size,
		 struct sim_gmem *g, uint64_t offset, uint32_t prot,
		 uint32_t label, bool labelled);

static long vm_map_mem(struct sim_vm *vm, const struct gunyah_map_mem_args *a,
		       struct sim_gmem *g)
{
	uint64_t page = sim_page_size();
	uint32_t prot = 0;

	if (a->flags & GUNYAH_MEM_UNMAP) {
		/* Unmapping live memory under running vCPUs is not modelled. */
		return -EOPNOTSUPP;
	}
	if (a->flags & ~(GUNYAH_MEM_ALLOW_RWX | GUNYAH_MEM_ACCESS_MASK))
		return -EINVAL;
	if (!a->size || a->size % page || a->guest_addr % page ||
	    a->offset % page || a->guest_addr + a->size < a->guest_addr ||
	    a->offset > g->size || a->size > g->size - a->offset)
		return -EINVAL;
	if (a->guest_addr + a->size > SIM_IPA_SIZE)
		return -EINVAL;

	prot |= (a->flags & GUNYAH_MEM_ALLOW_READ) ? UC_PROT_READ : 0;
	prot |= (a->flags & GUNYAH_MEM_ALLOW_WRITE) ? UC_PROT_WRITE : 0;
	prot |= (a->flags & GUNYAH_MEM_ALLOW_EXEC) ? UC_PROT_EXEC : 0;
	return bind(vm, a->guest_addr, a->size, g, a->offset, prot, 0, false);
}

/*
 * Bind [guest_addr, +size) to g at offset.  A GH_* region also has a
 * label, unique in the VM: EEXIST for a label or a range already taken,
 * as the v14 / Android driver answers.
 */
static long bind(struct sim_vm *vm, uint64_t guest_addr, uint64_t size,
		 struct sim_gmem *g, uint64_t offset, uint32_t prot,
		 uint32_t label, bool labelled)
{
	struct sim_binding *b;

	pthread_mutex_lock(&vm->lock);
	for (unsigned int i = 0; i < vm->nr_bindings; i++) {
		if (ranges_overlap(vm->bindings[i].guest_addr,
				   vm->bindings[i].size, guest_addr, size) ||
		    (labelled && vm->labels[i] == label)) {
			pthread_mutex_unlock(&vm->lock);
			return -EEXIST;
		}
	}
	if (vm->nr_bindings >= SIM_MAX_BINDINGS) {
		pthread_mutex_unlock(&vm->lock);
		return -ENOSPC;
	}
	vm->labels[vm->nr_bindings] = label;
	b = &vm->bindings[vm->nr_bindings++];
	b->guest_addr = guest_addr;
	b->size = size;
	b->offset = offset;
	b->prot = prot;
	b->gmem = g;
	sim_gmem_get(g);
	atomic_fetch_add(&vm->mem_gen, 1);
	pthread_mutex_unlock(&vm->lock);
	return 0;
}

/*
 * GH_VM_SET_USER_MEM_REGION / GH_VM_ANDROID_LEND_USER_MEM, checked as the
 * android14-6.1 driver checks them (flags beyond RWX, sizes and addresses
 * not page-aligned, a wrap-around).  Lending would take the pages away
 * from the host; the sim cannot, and shares them either way.
 */
static long vm_user_mem(struct sim_vm *vm,
			const struct gh_userspace_memory_region *r)
{
	uint64_t page = sim_page_size();
	uint32_t prot = 0;
	struct sim_gmem *g;
	long ret;

	if (r->flags & ~(uint32_t)GH_MEM_ALLOW_RWX)
		return -EINVAL;
	if (!r->memory_size || r->memory_size % page ||
	    r->userspace_addr % page || r->guest_phys_addr % page)
		return -EINVAL;
	if (r->guest_phys_addr + r->memory_size < r->guest_phys_addr)
		return -EOVERFLOW;
	if (!r->userspace_addr)
		return -EFAULT; /* pin_user_pages() finds nothing there */
	if (r->guest_phys_addr + r->memory_size > SIM_IPA_SIZE)
		return -EINVAL;
	prot |= (r->flags & GH_MEM_ALLOW_READ) ? UC_PROT_READ : 0;
	prot |= (r->flags & GH_MEM_ALLOW_WRITE) ? UC_PROT_WRITE : 0;
	prot |= (r->flags & GH_MEM_ALLOW_EXEC) ? UC_PROT_EXEC : 0;
	g = gmem_borrow((void *)(uintptr_t)r->userspace_addr, r->memory_size);
	if (!g)
		return -ENOMEM;
	ret = bind(vm, r->guest_phys_addr, r->memory_size, g, 0, prot,
		   r->label, true);
	sim_gmem_put(g);
	return ret;
}

bool sim_vm_in_pf_region(struct sim_vm *vm, uint64_t addr)
{
	bool in = false;

	pthread_mutex_lock(&vm->lock);
	for (unsigned int i = 0; i < vm->nr_pf_regions; i++) {
		const struct gh_sim_region *r = &vm->pf_regions[i];

		if (addr >= r->addr && addr - r->addr < r->size)
			in = true;
	}
	pthread_mutex_unlock(&vm->lock);
	return in;
}

static long vm_add_pf_region(struct sim_vm *vm, const struct gh_sim_region *r)
{
	long ret = 0;

	if (!r->size || r->addr + r->size < r->addr)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	if (vm->nr_pf_regions >= SIM_MAX_PF_REGIONS)
		ret = -ENOSPC;
	else
		vm->pf_regions[vm->nr_pf_regions++] = *r;
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

/* A guest physical range read through the VM's RAM bindings. */
static long vm_read_mem(struct sim_vm *vm, const struct gh_sim_mem_rw *rw)
{
	long ret = -EFAULT;

	if (!rw->size || rw->size > (64u << 20) || !rw->buf)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	for (unsigned int i = 0; i < vm->nr_bindings; i++) {
		const struct sim_binding *b = &vm->bindings[i];

		if (rw->guest_addr >= b->guest_addr &&
		    rw->guest_addr - b->guest_addr < b->size &&
		    rw->size <= b->size - (rw->guest_addr - b->guest_addr)) {
			memcpy((void *)(uintptr_t)rw->buf,
			       (char *)b->gmem->host + b->offset +
				       (rw->guest_addr - b->guest_addr),
			       rw->size);
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

/* ---- status ----------------------------------------------------------------- */

void sim_vm_exited(struct sim_vm *vm, enum sim_rm_status status,
		   uint16_t type, const void *reason, uint32_t reason_size)
{
	bool first = false;

	pthread_rwlock_wrlock(&vm->status_lock);
	if (vm->status == SIM_RM_RUNNING) {
		first = true;
		vm->status = status;
		atomic_store(&vm->running, false);
		memset(&vm->exit_info, 0, sizeof(vm->exit_info));
		vm->exit_info.type = type;
		/* The seed copies an unclamped size out; we never do. */
		if (reason_size > GUNYAH_VM_MAX_EXIT_REASON_SIZE)
			reason_size = GUNYAH_VM_MAX_EXIT_REASON_SIZE;
		vm->exit_info.reason_size = reason ? reason_size : 0;
		if (reason)
			memcpy(vm->exit_info.reason, reason, reason_size);
	}
	pthread_rwlock_unlock(&vm->status_lock);
	if (!first)
		return;

	/* The notification: every vCPU stops running and is woken. */
	pthread_mutex_lock(&vm->hyp_lock);
	for (unsigned int i = 0; i < vm->nr_hvcpus; i++) {
		sim_hyp_set_state(vm->hvcpus[i], GH_SIM_VCPU_STOPPED);
		sim_hyp_kick(vm->hvcpus[i]);
	}
	pthread_mutex_unlock(&vm->hyp_lock);
	pthread_mutex_lock(&vm->lock);
	for (unsigned int i = 0; i < SIM_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			sim_vcpu_vm_exited(vm->vcpus[i]);
	pthread_mutex_unlock(&vm->lock);
}

void sim_vm_record_crash(struct sim_vm *vm, const struct gh_sim_crash *c)
{
	pthread_mutex_lock(&vm->hyp_lock);
	if (!vm->crash_set) {
		vm->crash = *c;
		vm->crash_set = true;
	}
	pthread_mutex_unlock(&vm->hyp_lock);
}

static long vm_get_crash(struct sim_vm *vm, struct gh_sim_crash *out)
{
	long ret = -ENOENT;

	pthread_mutex_lock(&vm->hyp_lock);
	if (vm->crash_set) {
		*out = vm->crash;
		ret = 0;
	}
	pthread_mutex_unlock(&vm->hyp_lock);
	return ret;
}

struct sim_hvcpu *sim_vm_hvcpu(struct sim_vm *vm, unsigned int id)
{
	struct sim_hvcpu *hv = NULL;

	pthread_mutex_lock(&vm->hyp_lock);
	for (unsigned int i = 0; i < vm->nr_hvcpus; i++)
		if (vm->hvcpus[i]->id == id)
			hv = vm->hvcpus[i];
	pthread_mutex_unlock(&vm->hyp_lock);
	return hv;
}

/* ---- time slices ------------------------------------------------------------- */

/*
 * The host timer: every slice, a vCPU still running guest code is stopped
 * and its run loop gets READY, the moment the kernel's loop checks for
 * signals, immediate_exit and a VM that went down.
 */
static void *ticker_main(void *data)
{
	struct sim_vm *vm = data;
	struct timespec ts;

	pthread_mutex_lock(&vm->ticker_lock);
	while (!vm->ticker_stop) {
		uint64_t us = atomic_load(&vm->slice_us);

		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += (long)(us % 1000000) * 1000;
		ts.tv_sec += (time_t)(us / 1000000) + ts.tv_nsec / 1000000000;
		ts.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&vm->ticker_cond, &vm->ticker_lock, &ts);
		if (vm->ticker_stop)
			break;
		pthread_mutex_lock(&vm->hyp_lock);
		for (unsigned int i = 0; i < vm->nr_hvcpus; i++)
			sim_hyp_kick(vm->hvcpus[i]);
		pthread_mutex_unlock(&vm->hyp_lock);
	}
	pthread_mutex_unlock(&vm->ticker_lock);
	return NULL;
}

static int ticker_start(struct sim_vm *vm)
{
	pthread_condattr_t attr;
	sigset_t all, old;
	int ret;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->ticker_cond, &attr);
	pthread_condattr_destroy(&attr);

	/* The ticker must never take the application's signals. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	ret = pthread_create(&vm->ticker, NULL, ticker_main, vm);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		pthread_cond_destroy(&vm->ticker_cond);
		return -ret;
	}
	vm->ticker_started = true;
	return 0;
}

static void ticker_stop(struct sim_vm *vm)
{
	if (!vm->ticker_started)
		return;
	pthread_mutex_lock(&vm->ticker_lock);
	vm->ticker_stop = true;
	pthread_cond_signal(&vm->ticker_cond);
	pthread_mutex_unlock(&vm->ticker_lock);
	pthread_join(vm->ticker, NULL);
	pthread_cond_destroy(&vm->ticker_cond);
	vm->ticker_started = false;
}

/* ---- start ------------------------------------------------------------------ */

/* Caller holds status_lock for writing. */
static void start_failed(struct sim_vm *vm, const char *why)
{
	sim_vm_log(vm, "VM failed to start: %s", why);
	vm->status = SIM_RM_INIT_FAILED;
}

/* The RAM binding [addr, addr + len) lies in, or NULL.  Caller holds
 * vm->lock. */
static const struct sim_binding *binding_of_locked(struct sim_vm *vm,
						   uint64_t addr, uint64_t len)
{
	for (unsigned int i = 0; i < vm->nr_bindings; i++) {
		const struct sim_binding *b = &vm->bindings[i];

		if (addr >= b->guest_addr && addr - b->guest_addr < b->size &&
		    len <= b->size - (addr - b->guest_addr))
			return b;
	}
	return NULL;
}

static bool addr_is_ram_locked(struct sim_vm *vm, uint64_t addr, uint64_t len)
{
	return binding_of_locked(vm, addr, len) != NULL;
}

/*
 * The whole start holds status_lock for writing, as the kernel's does: a
 * RUN that comes in meanwhile waits in check_system() and then sees the
 * outcome, never a half-started VM.
 */
static long vm_start(struct sim_vm *vm)
{
	struct sim_hvcpu *hv;
	long ret = 0;

	pthread_mutex_lock(&vm->lock);
	pthread_rwlock_wrlock(&vm->status_lock);
	if (vm->status != SIM_RM_NO_STATE) {
		/* As the kernel: starting twice is fine, after a failure not. */
		ret = vm->status == SIM_RM_RUNNING ? 0 : -ENODEV;
		goto out;
	}

	/* Create the hypervisor's vCPUs, one per vCPU function. */
	for (unsigned int id = 0; id < SIM_MAX_VCPUS; id++) {
		if (!vm->vcpus[id])
			continue;
		ret = sim_hyp_vcpu_create(vm, id, &hv);
		if (ret) {
			start_failed(vm, "cannot create a vCPU");
			goto out;
		}
		pthread_mutex_lock(&vm->hyp_lock);
		vm->hvcpus[vm->nr_hvcpus++] = hv;
		pthread_mutex_unlock(&vm->hyp_lock);
	}

	/* Resources are handed out before the RM starts the VM, as in Linux. */
	for (unsigned int i = 0; i < vm->nr_hvcpus; i++)
		sim_vcpu_populate(vm->vcpus[vm->hvcpus[i]->id], vm->hvcpus[i]);

	if (!vm->nr_bindings) {
		start_failed(vm, "no guest memory");
		ret = -EINVAL;
		goto out;
	}
	if (!gh_abi_has(vm->abi, GH_ABI_BOOT_CONTEXT)) {
		/* GH_*: the RM is told the DTB's parcel and offset; it starts
		 * the VM at that parcel's base (image offset 0). */
		const struct sim_binding *b = vm->dtb_set ?
			binding_of_locked(vm, vm->dtb_addr, vm->dtb_size) : NULL;

		if (!b) {
			start_failed(vm, "no DTB in guest memory (the GH_* "
				     "flavour needs GH_VM_SET_DTB_CONFIG)");
			ret = -EINVAL;
			goto out;
		}
		vm->boot_pc = b->guest_addr;
	} else if (!vm->boot_pc_set) {
		vm->boot_pc = vm->bindings[0].guest_addr;
	}
	if (!addr_is_ram_locked(vm, vm->boot_pc, 4)) {
		start_failed(vm, "boot PC is not in guest memory");
		ret = -EINVAL;
		goto out;
	}
	if (vm->dtb_set && !addr_is_ram_locked(vm, vm->dtb_addr, vm->dtb_size)) {
		start_failed(vm, "DTB is not in guest memory");
		ret = -EINVAL;
		goto out;
	}

	/* The boot vCPU is the lowest id; the others wait for CPU_ON. */
	if (vm->nr_hvcpus) {
		ret = sim_hyp_vcpu_boot(vm->hvcpus[0]);
		if (ret) {
			start_failed(vm, "cannot map guest memory");
			goto out;
		}
	}
	ret = ticker_start(vm);
	if (ret) {
		start_failed(vm, "cannot start the slice timer");
		goto out;
	}
	vm->status = SIM_RM_RUNNING;
	atomic_store(&vm->running, true);
out:
	pthread_rwlock_unlock(&vm->status_lock);
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

/* ---- functions ---------------------------------------------------------------- */

static long vm_add_function(struct sim_vm *vm, const struct gunyah_fn_desc *f)
{
	struct gunyah_fn_vcpu_arg arg;
	struct sim_vcpu *vcpu;
	int ret;

	if (f->arg_size > GUNYAH_FN_MAX_ARG_SIZE)
		return -EINVAL;
	if (f->type != GUNYAH_FN_VCPU)
		return -ENOENT; /* no such function driver */
	if (f->arg_size != sizeof(arg))
		return -EINVAL;
	if (!f->arg)
		return -EFAULT;
	memcpy(&arg, (const void *)(uintptr_t)f->arg, sizeof(arg));
	if (arg.id >= SIM_MAX_VCPUS)
		return -EINVAL;

	pthread_mutex_lock(&vm->lock);
	if (vm->vcpus[arg.id]) {
		/* the resource ticket for this label is taken */
		pthread_mutex_unlock(&vm->lock);
		return -EEXIST;
	}
	ret = sim_vcpu_bind(vm, &arg, &vcpu);
	if (ret) {
		pthread_mutex_unlock(&vm->lock);
		return ret;
	}
	vm->vcpus[arg.id] = vcpu;
	pthread_mutex_unlock(&vm->lock);

	/* The fd is made by the caller (the backend) from the vcpu. */
	return sim_backend_install_vcpu(vm->sb, vcpu);
}

static long vm_remove_function(struct sim_vm *vm, const struct gunyah_fn_desc *f)
{
	struct gunyah_fn_vcpu_arg arg;
	struct sim_vcpu *vcpu;

	if (f->arg_size > GUNYAH_FN_MAX_ARG_SIZE)
		return -EINVAL;
	/* Nothing matches an argument of the wrong type or size. */
	if (f->type != GUNYAH_FN_VCPU || f->arg_size != sizeof(arg))
		return -ENOENT;
	if (!f->arg)
		return -EFAULT;
	memcpy(&arg, (const void *)(uintptr_t)f->arg, sizeof(arg));
	if (arg.id >= SIM_MAX_VCPUS)
		return -ENOENT;

	pthread_mutex_lock(&vm->lock);
	vcpu = vm->vcpus[arg.id];
	vm->vcpus[arg.id] = NULL;
	pthread_mutex_unlock(&vm->lock);
	if (!vcpu)
		return -ENOENT;
	sim_vcpu_unbind(vcpu);
	return 0;
}

/* ---- boot context ---------------------------------------------------------------- */

static long vm_set_boot_context(struct sim_vm *vm,
				const struct gunyah_vm_boot_context *ctx)
{
	unsigned int set = (ctx->reg >> GUNYAH_VM_BOOT_CONTEXT_REG_SHIFT) & 0xff;
	unsigned int idx = ctx->reg & 0xff;
	long ret = 0;

	if (ctx->reg & ~0xffffu)
		return -EINVAL;
	switch (set) {
	case REG_SET_X:
		if (idx > 31)
			return -EINVAL;
		break;
	case REG_SET_PC:
		if (idx)
			return -EINVAL;
		break;
	case REG_SET_SP:
		if (idx > 2)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	pthread_mutex_lock(&vm->lock);
	pthread_rwlock_rdlock(&vm->status_lock);
	if (vm->status != SIM_RM_NO_STATE)
		ret = -EINVAL; /* too late: the VM has started */
	pthread_rwlock_unlock(&vm->status_lock);
	if (!ret) {
		if (set == REG_SET_X && idx < 31)
			vm->boot_x[idx] = ctx->value;
		else if (set == REG_SET_PC) {
			vm->boot_pc = ctx->value;
			vm->boot_pc_set = true;
		} else if (set == REG_SET_SP && idx == 1)
			vm->boot_sp_el1 = ctx->value;
	}
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

static long vm_set_dtb(struct sim_vm *vm, const struct gunyah_vm_dtb_config *c)
{
	if (c->guest_phys_addr + c->size < c->guest_phys_addr)
		return -EOVERFLOW;
	pthread_mutex_lock(&vm->lock);
	vm->dtb_addr = c->guest_phys_addr;
	vm->dtb_size = c->size;
	vm->dtb_set = true;
	pthread_mutex_unlock(&vm->lock);
	return 0;
}

static long vm_force_stop(struct sim_vm *vm)
{
	pthread_rwlock_rdlock(&vm->status_lock);
	if (vm->status != SIM_RM_RUNNING) {
		pthread_rwlock_unlock(&vm->status_lock);
		return -EINVAL;
	}
	pthread_rwlock_unlock(&vm->status_lock);
	sim_vm_exited(vm, SIM_RM_EXITED, GUNYAH_VM_EXIT_TYPE_VM_STOP_FORCED,
		      NULL, 0);
	return 0;
}

static long vm_exit_req(struct sim_vm *vm,
			const struct gunyah_vm_exit_info *ei)
{
	if (ei->padding || ei->reason_size > GUNYAH_VM_MAX_EXIT_REASON_SIZE)
		return -EINVAL;
	pthread_rwlock_rdlock(&vm->status_lock);
	if (vm->status != SIM_RM_RUNNING) {
		pthread_rwlock_unlock(&vm->status_lock);
		return -EINVAL;
	}
	pthread_rwlock_unlock(&vm->status_lock);
	sim_vm_exited(vm, SIM_RM_EXITED, ei->type,
		      ei->reason_size ? ei->reason : NULL, ei->reason_size);
	return 0;
}

long sim_vm_ioctl(struct sim_vm *vm, unsigned long req, void *arg)
{
	if (_IOC_SIZE(req) && !arg)
		return -EFAULT;

	/* Each flavour's own requests; the other's are unknown, as on a
	 * kernel of that flavour. */
	switch (req) {
	case GUNYAH_VM_MAP_MEM:
	case GUNYAH_VM_SET_BOOT_CONTEXT:
		if (!gh_abi_has(vm->abi, GH_ABI_BOOT_CONTEXT))
			return -ENOTTY;
		break;
	case GH_VM_SET_USER_MEM_REGION:
	case GH_VM_ANDROID_LEND_USER_MEM:
		if (gh_abi_has(vm->abi, GH_ABI_BOOT_CONTEXT))
			return -ENOTTY;
		return vm_user_mem(vm, arg);
	case GH_SIM_VM_ADD_PF_REGION:
		if (!gh_abi_has(vm->abi, GH_ABI_PAGE_FAULT))
			return -EOPNOTSUPP;
		break;
	default:
		break;
	}

	switch (req) {
	case GUNYAH_VM_SET_DTB_CONFIG:
		return vm_set_dtb(vm, arg);
	case GUNYAH_VM_START:
		return vm_start(vm);
	case GUNYAH_VM_ADD_FUNCTION:
		return vm_add_function(vm, arg);
	case GUNYAH_VM_REMOVE_FUNCTION:
		return vm_remove_function(vm, arg);
	case GUNYAH_VM_MAP_MEM: {
		const struct gunyah_map_mem_args *a = arg;
		struct sim_gmem *g = sim_backend_gmem(vm->sb, (int)a->guest_mem_fd);
		long ret;

		if (!g)
			return -EBADF;
		ret = vm_map_mem(vm, a, g);
		sim_gmem_put(g);
		return ret;
	}
	case GUNYAH_VM_SET_BOOT_CONTEXT:
		return vm_set_boot_context(vm, arg);
	case GH_SIM_VM_FORCE_STOP:
		return vm_force_stop(vm);
	case GH_SIM_VM_EXIT:
		return vm_exit_req(vm, arg);
	case GH_SIM_VM_ADD_PF_REGION:
		return vm_add_pf_region(vm, arg);
	case GH_SIM_VM_READ_MEM:
		return vm_read_mem(vm, arg);
	case GH_SIM_VM_SET_LENIENT: {
		uint64_t on = *(const uint64_t *)arg;

		if (on > 1)
			return -EINVAL;
		atomic_store(&vm->lenient, on);
		return 0;
	}
	case GH_SIM_VM_GET_CRASH:
		return vm_get_crash(vm, arg);
	case GH_SIM_VM_SET_SLICE_US: {
		uint64_t us = *(const uint64_t *)arg;

		if (us < 100 || us > 10000000)
			return -EINVAL;
		atomic_store(&vm->slice_us, us);
		return 0;
	}
	default:
		return -ENOTTY;
	}
}

/* ---- life ---------------------------------------------------------------------- */

int sim_vm_create(struct sim_backend *sb, const struct gh_abi_flavour *abi,
		  struct sim_vm **out)
{
	struct sim_vm *vm;
	char why[256];
	int ret;

	/* The engine workarounds need this exact library: refuse, clearly. */
	ret = sim_quirks_check(why, sizeof(why));
	if (ret) {
		sim_backend_log(sb, why);
		return ret;
	}

	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->sb = sb;
	vm->abi = abi;
	atomic_init(&vm->refs, 1);
	atomic_init(&vm->mem_gen, 1);
	atomic_init(&vm->slice_us, SIM_DEFAULT_SLICE_US);
	pthread_mutex_init(&vm->lock, NULL);
	pthread_mutex_init(&vm->hyp_lock, NULL);
	pthread_mutex_init(&vm->ticker_lock, NULL);
	pthread_mutex_init(&vm->log_lock, NULL);
	pthread_rwlock_init(&vm->status_lock, NULL);
	vm->status = SIM_RM_NO_STATE;
	*out = vm;
	return 0;
}

void sim_vm_get(struct sim_vm *vm)
{
	atomic_fetch_add(&vm->refs, 1);
}

void sim_vm_put(struct sim_vm *vm)
{
	if (atomic_fetch_sub(&vm->refs, 1) != 1)
		return;

	/* Last reference: stop a running VM, unbind functions, free. */
	pthread_rwlock_rdlock(&vm->status_lock);
	if (vm->status == SIM_RM_RUNNING) {
		pthread_rwlock_unlock(&vm->status_lock);
		sim_vm_exited(vm, SIM_RM_EXITED,
			      GUNYAH_VM_EXIT_TYPE_VM_STOP_FORCED, NULL, 0);
	} else {
		pthread_rwlock_unlock(&vm->status_lock);
	}
	ticker_stop(vm);
	for (unsigned int i = 0; i < SIM_MAX_VCPUS; i++) {
		struct sim_vcpu *vcpu = vm->vcpus[i];

		vm->vcpus[i] = NULL;
		if (vcpu)
			sim_vcpu_unbind(vcpu);
	}
	for (unsigned int i = 0; i < vm->nr_hvcpus; i++)
		sim_hyp_vcpu_destroy(vm->hvcpus[i]);
	for (unsigned int i = 0; i < vm->nr_bindings; i++)
		sim_gmem_put(vm->bindings[i].gmem);
	pthread_rwlock_destroy(&vm->status_lock);
	pthread_mutex_destroy(&vm->ticker_lock);
	pthread_mutex_destroy(&vm->log_lock);
	pthread_mutex_destroy(&vm->hyp_lock);
	pthread_mutex_destroy(&vm->lock);
	free(vm);
}
