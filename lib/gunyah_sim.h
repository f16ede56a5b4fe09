/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Requests only the simulator understands.  They travel through the same
 * ioctl seam as the real ABI, in their own ioctl type ('g'), so a real
 * /dev/gunyah answers them with -ENOTTY and callers can fall back.
 *
 * Also the guest-visible platform of the simulator: where RAM is by default
 * and the vendor hypercalls a test guest may use to reach hypervisor states
 * that a real board produces on its own (BLOCKED, RETRY, a watchdog bite).
 */
#ifndef GUNYAH_SIM_H
#define GUNYAH_SIM_H

#ifndef __ASSEMBLER__
#include <linux/ioctl.h>
#include <linux/types.h>
#endif

/* Guest platform defaults. */
#define GH_SIM_RAM_BASE 0x80000000ULL
#define GH_SIM_RAM_SIZE (128ULL << 20)

/*
 * PSCI function IDs (SMCCC, 32- and 64-bit calling conventions).
 */
#define PSCI_0_2_FN_PSCI_VERSION 0x84000000
#define PSCI_0_2_FN_CPU_SUSPEND 0x84000001
#define PSCI_0_2_FN_CPU_OFF 0x84000002
#define PSCI_0_2_FN_CPU_ON 0x84000003
#define PSCI_0_2_FN_AFFINITY_INFO 0x84000004
#define PSCI_0_2_FN_SYSTEM_OFF 0x84000008
#define PSCI_0_2_FN_SYSTEM_RESET 0x84000009
#define PSCI_1_0_FN_PSCI_FEATURES 0x8400000a
#define PSCI_1_1_FN_SYSTEM_RESET2 0x84000012
#define PSCI_0_2_FN64_CPU_SUSPEND 0xc4000001
#define PSCI_0_2_FN64_CPU_ON 0xc4000003
#define PSCI_0_2_FN64_AFFINITY_INFO 0xc4000004
#define PSCI_1_1_FN64_SYSTEM_RESET2 0xc4000012

#define PSCI_RET_SUCCESS 0
#define PSCI_RET_NOT_SUPPORTED (-1)
#define PSCI_RET_INVALID_PARAMS (-2)
#define PSCI_RET_DENIED (-3)
#define PSCI_RET_ALREADY_ON (-4)
#define PSCI_RET_ON_PENDING (-5)
#define PSCI_RET_INTERNAL_FAILURE (-6)
#define PSCI_RET_NOT_PRESENT (-7)
#define PSCI_RET_DISABLED (-8)
#define PSCI_RET_INVALID_ADDRESS (-9)

/*
 * Vendor-specific hypervisor service calls (SMCCC owner 6), HVC #0:
 *   GH_SIM_HVC_STATE       x1 = hypervisor vCPU state to report once on the
 *                          next run (e.g. 3 BLOCKED, or an unknown value)
 *   GH_SIM_HVC_RETRY       x1 = number of RETRY errors the next vcpu_run
 *                          hypercalls return before running the guest
 *   GH_SIM_HVC_VM_EXIT     x1 = exit type, x2 = reason, x3 = reason size
 *                          in bytes (0: 4, or 8 if x2 needs it): the VM
 *                          exits as the resource manager would report it
 *                          (watchdog bite, hypervisor error, ...)
 *   GH_SIM_HVC_VCPU_ID     returns this vCPU's id in x0
 */
#define GH_SIM_HVC_STATE 0xc6000001
#define GH_SIM_HVC_RETRY 0xc6000002
#define GH_SIM_HVC_VM_EXIT 0xc6000003
#define GH_SIM_HVC_VCPU_ID 0xc6000004

#ifndef __ASSEMBLER__

#define GH_SIM_IOCTL_TYPE 'g'

struct gh_sim_region {
	__u64 addr;
	__u64 size;
};

struct gh_sim_mem_rw {
	__u64 guest_addr;
	__u64 size;
	__u64 buf; /* user pointer */
};

struct gh_sim_regs {
	__u64 x[31];
	__u64 sp;
	__u64 pc;
	__u64 pstate;
	__u64 esr_el1;
	__u64 far_el1;
	__u64 elr_el1;
	__u64 vbar_el1;
};

/* What the vCPU is doing, as the hypervisor last saw it. */
enum gh_sim_vcpu_state {
	GH_SIM_VCPU_NOT_STARTED = 0,
	GH_SIM_VCPU_RUNNING,
	GH_SIM_VCPU_IDLE,	/* WFI: waiting for its wake-up interrupt */
	GH_SIM_VCPU_OFF,	/* powered off, waiting for PSCI CPU_ON */
	GH_SIM_VCPU_STOPPED,	/* the VM is down */
};

/* Counts of what the hypervisor answered to vcpu_run, per vCPU. */
struct gh_sim_vcpu_stats {
	__u32 state; /* enum gh_sim_vcpu_state */
	__u32 padding;
	__u64 ready;	      /* time slices ended */
	__u64 expects_wakeup; /* WFI idles */
	__u64 powered_off;
	__u64 blocked;
	__u64 retry;	      /* hypervisor RETRY errors */
	__u64 unknown;	      /* unknown states survived */
	__u64 mmio;
	__u64 page_fault;
	__u64 psci;
	__u64 wakeups;	      /* wake-up interrupts raised */
	__u64 instructions;   /* guest instructions, when counted */
};

/* VM fd */
#define GH_SIM_VM_FORCE_STOP _IO(GH_SIM_IOCTL_TYPE, 0x80)
#define GH_SIM_VM_ADD_PF_REGION \
	_IOW(GH_SIM_IOCTL_TYPE, 0x81, struct gh_sim_region)
#define GH_SIM_VM_READ_MEM _IOW(GH_SIM_IOCTL_TYPE, 0x82, struct gh_sim_mem_rw)
#define GH_SIM_VM_SET_SLICE_US _IOW(GH_SIM_IOCTL_TYPE, 0x83, __u64)
/*
 * The VM exits with this exit_info (padding 0, reason_size at most 8), as
 * the resource manager reports a VM the host powered off or shut down:
 * every vCPU then sees the STATUS exit (EXITED).  -EINVAL when the VM is
 * not running.  A host-side power-off request, where a real host would go
 * through the resource manager.
 */
#define GH_SIM_VM_EXIT \
	_IOW(GH_SIM_IOCTL_TYPE, 0x84, struct gunyah_vm_exit_info)

/*
 * Strict by default, as hardware: an MMIO access hardware gives the
 * hypervisor no syndrome for (ESR.ISV=0: pairs, writeback, exclusives,
 * atomics, SIMD/FP) takes a data abort in the guest.  Lenient (1): the
 * sim still finishes pre/post-index writeback forms, as it used to.
 */
#define GH_SIM_VM_SET_LENIENT _IOW(GH_SIM_IOCTL_TYPE, 0x85, __u64)

/*
 * Why the VM crashed, when a guest exception had nowhere to go (no vector
 * table: VBAR_EL1 = 0) or the core failed: the exception the guest would
 * have taken.  -ENOENT when the VM has not crashed so.
 */
struct gh_sim_crash {
	__u32 vcpu;
	__u32 padding;
	__u64 esr;	/* ESR_EL1: EC in bits 31:26 (0 if not an exception) */
	__u64 far;	/* FAR_EL1, 0 when the exception has none */
	__u64 elr;	/* where it happened */
	__u64 pc;	/* PC when the VM went down */
	__u64 vbar;	/* VBAR_EL1 */
	char why[112];	/* what happened, one phrase */
};
#define GH_SIM_VM_GET_CRASH _IOR(GH_SIM_IOCTL_TYPE, 0x86, struct gh_sim_crash)

/*
 * vCPU fd.  GET_REGS answers -EBUSY while the vCPU is inside RUN (the
 * registers are the running engine's); GET_STATS works at any time.
 */
#define GH_SIM_VCPU_WAKE _IO(GH_SIM_IOCTL_TYPE, 0x90)
#define GH_SIM_VCPU_GET_REGS _IOR(GH_SIM_IOCTL_TYPE, 0x91, struct gh_sim_regs)
#define GH_SIM_VCPU_GET_STATS \
	_IOR(GH_SIM_IOCTL_TYPE, 0x92, struct gh_sim_vcpu_stats)
/*
 * The signals (bit n - 1 for signal n) the caller keeps blocked in the
 * thread that calls RUN, and sends to interrupt it: the sim's answer to
 * KVM_SET_SIGNAL_MASK as QEMU uses it.  RUN then leaves the thread's mask
 * alone (no system call on the way in or out); a kick signal that arrives
 * during RUN ends it with -EINTR within one time slice (its handler runs
 * inside the call); one already pending when RUN starts is seen at the
 * first slice end (set immediate_exit for an immediate return).  0, the
 * default: RUN blocks the caller's unblocked signals for its duration to
 * see them arrive.  SIGKILL, SIGSTOP and the fault signals: -EINVAL.
 */
#define GH_SIM_VCPU_SET_KICK_SIGNALS _IOW(GH_SIM_IOCTL_TYPE, 0x93, __u64)

#endif /* !__ASSEMBLER__ */
#endif /* GUNYAH_SIM_H */
