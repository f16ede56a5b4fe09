// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vCPU function: the driver side of a proxy-scheduled vCPU, following
 * the kernel's gunyah_vcpu.c step by step so the sim answers GUNYAH_VCPU_RUN
 * exactly as Linux does.  Where the seed is wrong the sim does the right
 * thing, and says so here:
 *   - mmap at a non-zero offset fails (the seed would map a NULL page);
 *   - mmio.data for a read starts zeroed (the seed leaves the last write);
 *   - page_fault.resume_action is honoured (the seed ignores it);
 *   - exit_info.reason_size is clamped to 8 (sim_vm_exited);
 *   - a STATUS exit is written again on every later RUN, so it stays
 *     whatever userspace wrote into the page in between;
 *   - an MMIO or page-fault answer survives a RUN that returns EINTR for
 *     immediate_exit before delivering it (the seed drops it).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sim.h"

/*
 * The resource outside run_lock (wake-ups, counters).  The hypervisor
 * vCPU itself lives as long as the VM, which this vCPU's file holds.
 */
static struct sim_hvcpu *vcpu_rsc(struct sim_vcpu *vcpu)
{
	return __atomic_load_n(&vcpu->rsc, __ATOMIC_ACQUIRE);
}

/* Signals that cannot be blocked, or must not be (faults). */
#define SIG_BIT(s) (1ull << ((s) - 1))
#define SIM_UNKICKABLE                                                       \
	(SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP) | SIG_BIT(SIGSEGV) |            \
	 SIG_BIT(SIGBUS) | SIG_BIT(SIGFPE) | SIG_BIT(SIGILL) |               \
	 SIG_BIT(SIGTRAP) | SIG_BIT(SIGABRT) | SIG_BIT(SIGSYS))

static void vcpu_irq(void *ctx)
{
	struct sim_vcpu *vcpu = ctx;

	sim_completion_complete(&vcpu->ready);
}

int sim_vcpu_bind(struct sim_vm *vm, const struct gunyah_fn_vcpu_arg *arg,
		  struct sim_vcpu **out)
{
	struct sim_vcpu *vcpu;
	int ret;

	vcpu = calloc(1, sizeof(*vcpu));
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = arg->id;
	vcpu->bound = true;
	atomic_init(&vcpu->refs, 1); /* the binding's */

	vcpu->run_size = sim_page_size();
	vcpu->run = mmap(NULL, vcpu->run_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vcpu->run == MAP_FAILED) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = sim_ilock_init(&vcpu->run_lock);
	if (ret)
		goto err_unmap;
	ret = sim_completion_init(&vcpu->ready);
	if (ret)
		goto err_lock;
	*out = vcpu;
	return 0;

err_lock:
	sim_ilock_destroy(&vcpu->run_lock);
err_unmap:
	munmap(vcpu->run, vcpu->run_size);
err_free:
	free(vcpu);
	return ret;
}

void sim_vcpu_get(struct sim_vcpu *vcpu)
{
	atomic_fetch_add(&vcpu->refs, 1);
}

void sim_vcpu_put(struct sim_vcpu *vcpu)
{
	if (atomic_fetch_sub(&vcpu->refs, 1) != 1)
		return;
	sim_completion_destroy(&vcpu->ready);
	sim_ilock_destroy(&vcpu->run_lock);
	munmap(vcpu->run, vcpu->run_size);
	free(vcpu);
}

void sim_vcpu_populate(struct sim_vcpu *vcpu, struct sim_hvcpu *hv)
{
	sim_ilock_lock(&vcpu->run_lock);
	pthread_mutex_lock(&hv->vm->hyp_lock);
	hv->irq = vcpu_irq;
	hv->irq_ctx = vcpu;
	pthread_mutex_unlock(&hv->vm->hyp_lock);
	__atomic_store_n(&vcpu->rsc, hv, __ATOMIC_RELEASE);
	sim_ilock_unlock(&vcpu->run_lock);
}

void sim_vcpu_unpopulate(struct sim_vcpu *vcpu)
{
	struct sim_hvcpu *hv;

	/* Get a running loop out, then take the resource away. */
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_RELAXED);
	sim_completion_complete_all(&vcpu->ready);
	hv = vcpu->rsc;
	if (hv)
		sim_hyp_kick(hv);
	sim_ilock_lock(&vcpu->run_lock);
	if (hv) {
		pthread_mutex_lock(&hv->vm->hyp_lock);
		hv->irq = NULL;
		hv->irq_ctx = NULL;
		pthread_mutex_unlock(&hv->vm->hyp_lock);
	}
	__atomic_store_n(&vcpu->rsc, NULL, __ATOMIC_RELEASE);
	sim_ilock_unlock(&vcpu->run_lock);
}

void sim_vcpu_unbind(struct sim_vcpu *vcpu)
{
	sim_vcpu_unpopulate(vcpu);
	vcpu->bound = false;
	sim_vcpu_put(vcpu);
}

void sim_vcpu_vm_exited(struct sim_vcpu *vcpu)
{
	sim_completion_complete(&vcpu->ready);
}

static uint32_t remap_vm_status(enum sim_rm_status s)
{
	switch (s) {
	case SIM_RM_INIT_FAILED:
		return GUNYAH_VM_STATUS_LOAD_FAILED;
	case SIM_RM_EXITED:
		return GUNYAH_VM_STATUS_EXITED;
	default:
		return GUNYAH_VM_STATUS_CRASHED;
	}
}

/* Is the VM alive?  If not, fill in the STATUS exit. */
static bool check_system(struct sim_vcpu *vcpu)
{
	struct sim_vm *vm = vcpu->vm;
	bool alive = true;

	pthread_rwlock_rdlock(&vm->status_lock);
	if (vm->status != SIM_RM_RUNNING) {
		vcpu->run->status.status = remap_vm_status(vm->status);
		vcpu->run->status.exit_info = vm->exit_info;
		vcpu->run->exit_reason = GUNYAH_VCPU_EXIT_STATUS;
		vcpu->state = SIM_RUN_STATE_SYSTEM_DOWN;
		alive = false;
	}
	pthread_rwlock_unlock(&vm->status_lock);
	return alive;
}

static void handle_mmio(struct sim_vcpu *vcpu, const struct sim_run_resp *r)
{
	struct gunyah_vcpu_run *run = vcpu->run;
	uint64_t addr = r->state_data[0], len = r->state_data[1],
		 data = r->state_data[2];

	if (len > sizeof(uint64_t))
		len = sizeof(uint64_t);

	/* A read's data starts zeroed, not with the previous exit's bytes. */
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (r->state == SIM_VCPU_ADDRSPACE_VMMIO_READ) {
		run->mmio.is_write = 0;
		vcpu->state = SIM_RUN_STATE_MMIO_READ;
		vcpu->mmio_read_len = (uint8_t)len;
	} else {
		run->mmio.is_write = 1;
		memcpy(run->mmio.data, &data, len);
		vcpu->state = SIM_RUN_STATE_MMIO_WRITE;
	}
	/* Offset 37 is padding in the GH_* run page: leave it alone. */
	if (gh_abi_has(vcpu->vm->abi, GH_ABI_RESUME_ACTION))
		run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
	vcpu->mmio_addr = run->mmio.phys_addr = addr;
	run->mmio.len = (uint32_t)len;
	run->exit_reason = GUNYAH_VCPU_EXIT_MMIO;
}

static void handle_page_fault(struct sim_vcpu *vcpu,
			      const struct sim_run_resp *r)
{
	struct gunyah_vcpu_run *run = vcpu->run;

	run->page_fault.resume_action = GUNYAH_VCPU_RESUME_FAULT;
	run->page_fault.attempt = 0;
	run->page_fault.phys_addr = r->state_data[0];
	run->exit_reason = GUNYAH_VCPU_EXIT_PAGE_FAULT;
	vcpu->state = SIM_RUN_STATE_PAGE_FAULT;
}

static int mmio_resume(struct sim_vcpu *vcpu, uint64_t resume[3])
{
	/* The GH_* driver has no resume_action: every MMIO is handled. */
	uint8_t action = gh_abi_has(vcpu->vm->abi, GH_ABI_RESUME_ACTION) ?
				 vcpu->run->mmio.resume_action :
				 GUNYAH_VCPU_RESUME_HANDLED;

	switch (action) {
	case GUNYAH_VCPU_RESUME_HANDLED:
		if (vcpu->state == SIM_RUN_STATE_MMIO_READ) {
			if (vcpu->mmio_read_len > sizeof(resume[0]))
				vcpu->mmio_read_len = sizeof(resume[0]);
			memcpy(&resume[0], vcpu->run->mmio.data,
			       vcpu->mmio_read_len);
		}
		resume[1] = SIM_VMMIO_ACTION_EMULATE;
		return 0;
	case GUNYAH_VCPU_RESUME_FAULT:
		resume[1] = SIM_VMMIO_ACTION_FAULT;
		return 0;
	case GUNYAH_VCPU_RESUME_RETRY:
		resume[1] = SIM_VMMIO_ACTION_RETRY;
		return 0;
	default:
		return -EINVAL;
	}
}

/* The seed ignores this; the ABI documents it, so the sim honours it. */
static int page_fault_resume(struct sim_vcpu *vcpu, uint64_t resume[3])
{
	switch (vcpu->run->page_fault.resume_action) {
	case GUNYAH_VCPU_RESUME_HANDLED:
	case GUNYAH_VCPU_RESUME_RETRY:
		resume[1] = SIM_VMMIO_ACTION_RETRY;
		return 0;
	case GUNYAH_VCPU_RESUME_FAULT:
		resume[1] = SIM_VMMIO_ACTION_FAULT;
		return 0;
	default:
		return -EINVAL;
	}
}

static int vcpu_run(struct sim_vcpu *vcpu)
{
	uint64_t resume[3] = { 0 };
	struct sim_run_resp resp;
	struct sim_task task;
	enum sim_hyp_error herr;
	struct sim_hvcpu *hv;
	int entry_state, ret = 0;

	if (!vcpu->bound)
		return -ENODEV;

	sim_task_enter(&task, atomic_load_explicit(&vcpu->kick_mask,
						  memory_order_relaxed));
	if (sim_ilock_lock_interruptible(&vcpu->run_lock, &task)) {
		sim_task_leave(&task);
		return -EINTR;
	}
	hv = vcpu->rsc;
	if (!hv) {
		ret = -ENODEV;
		goto out;
	}

	entry_state = vcpu->state;
	switch (vcpu->state) {
	case SIM_RUN_STATE_UNKNOWN:
		if (!check_system(vcpu))
			goto out;
		vcpu->state = SIM_RUN_STATE_READY;
		break;
	case SIM_RUN_STATE_MMIO_READ:
	case SIM_RUN_STATE_MMIO_WRITE:
		ret = mmio_resume(vcpu, resume);
		if (ret)
			goto out;
		vcpu->state = SIM_RUN_STATE_READY;
		break;
	case SIM_RUN_STATE_PAGE_FAULT:
		ret = page_fault_resume(vcpu, resume);
		if (ret)
			goto out;
		vcpu->state = SIM_RUN_STATE_READY;
		break;
	case SIM_RUN_STATE_SYSTEM_DOWN:
		/* The seed returns whatever the page holds now; refill it. */
		check_system(vcpu);
		goto out;
	default:
		break;
	}

	for (bool first = true; !ret; first = false) {
		/*
		 * A signal the caller has unblocked cannot be pending when it
		 * comes in (it would have been delivered), so the first check
		 * is skipped: an MMIO round trip makes no signal system call.
		 * (A kick signal, blocked by the caller, may be: it is seen
		 * at the first slice end; immediate_exit is the fast way.)
		 */
		if (!first) {
			ret = sim_task_signal_pending(&task);
			if (ret)
				break;
		}
		if (__atomic_load_n(&vcpu->run->immediate_exit,
				    __ATOMIC_RELAXED)) {
			/*
			 * The seed forgets an answer taken from the page but
			 * not yet handed to the hypervisor; KVM keeps a
			 * pending completion.  Keep it: the next RUN reads it
			 * again.
			 */
			if (first)
				vcpu->state = entry_state;
			ret = -EINTR;
			break;
		}

		herr = sim_hyp_vcpu_run(hv, resume, &resp);
		if (herr == SIM_HYP_RETRY)
			continue;
		if (herr != SIM_HYP_OK) {
			ret = -EIO;
			break;
		}
		memset(resume, 0, sizeof(resume));

		switch (resp.state) {
		case SIM_VCPU_STATE_READY:
			break;
		case SIM_VCPU_STATE_POWERED_OFF:
			/* Off because the VM is down: it never runs again. */
			if (!check_system(vcpu))
				goto out;
			/* Else another vCPU's CPU_ON will wake it. */
			/* fall through */
		case SIM_VCPU_STATE_EXPECTS_WAKEUP:
			ret = sim_completion_wait(&vcpu->ready, &task);
			/* Re-arm before the next hypercall, so a wake-up
			 * that comes during it is not lost. */
			sim_completion_reinit(&vcpu->ready);
			if (ret == 1) {
				/* The syscall restart: round the loop again. */
				ret = 0;
				break;
			}
			if (!ret && !check_system(vcpu))
				goto out;
			break;
		case SIM_VCPU_STATE_BLOCKED:
			STAT(hv, blocked);
			break;
		case SIM_VCPU_ADDRSPACE_VMMIO_READ:
		case SIM_VCPU_ADDRSPACE_VMMIO_WRITE:
			handle_mmio(vcpu, &resp);
			goto out;
		case SIM_VCPU_ADDRSPACE_PAGE_FAULT:
			handle_page_fault(vcpu, &resp);
			goto out;
		default:
			STAT(hv, unknown);
			sim_vm_log_ratelimited(vcpu->vm, "vcpu%u: unknown vCPU state %#" PRIx64,
				   vcpu->id, resp.state);
			break;
		}
	}
out:
	sim_ilock_unlock(&vcpu->run_lock);
	/*
	 * The seed returns -ERESTARTSYS here whenever a signal is pending,
	 * even with an exit filled in: the caller never sees that exit and
	 * the next RUN resumes it as HANDLED.  An exit is never dropped here;
	 * the signal's handler runs as the caller's mask comes back.
	 */
	sim_task_leave(&task);
	return ret;
}

long sim_vcpu_ioctl(struct sim_vcpu *vcpu, unsigned long req, void *arg)
{
	struct sim_hvcpu *hv;

	switch (req) {
	case GUNYAH_VCPU_RUN:
		return vcpu_run(vcpu);
	case GUNYAH_VCPU_MMAP_SIZE:
		return (long)sim_page_size();
	case GH_SIM_VCPU_WAKE:
		hv = vcpu_rsc(vcpu);
		if (!hv)
			return -ENODEV;
		sim_hyp_wake(hv);
		return 0;
	case GH_SIM_VCPU_SET_KICK_SIGNALS:
		if (!arg)
			return -EFAULT;
		if (*(const __u64 *)arg & SIM_UNKICKABLE)
			return -EINVAL;
		atomic_store(&vcpu->kick_mask, *(const __u64 *)arg);
		return 0;
	case GH_SIM_VCPU_GET_STATS:
		if (!arg)
			return -EFAULT;
		hv = vcpu_rsc(vcpu);
		if (!hv)
			return -ENODEV;
		sim_hyp_get_stats(hv, arg);
		return 0;
	case GH_SIM_VCPU_GET_REGS:
		if (!arg)
			return -EFAULT;
		/* Registers are the engine's: only between runs. */
		if (!sim_ilock_trylock(&vcpu->run_lock))
			return -EBUSY;
		hv = vcpu->rsc;
		if (hv)
			sim_hyp_get_regs(hv, arg);
		sim_ilock_unlock(&vcpu->run_lock);
		return hv ? 0 : -ENODEV;
	default:
		return -ENOTTY;
	}
}
