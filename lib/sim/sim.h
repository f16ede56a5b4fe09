/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulator's internals.  It is built in the same layers as the real
 * stack, so the vCPU driver can follow the kernel's logic line for line:
 *
 *   sim_backend.c  the "syscall" layer: an fd table, open/ioctl/mmap/close
 *   sim_vm.c       the VM manager + resource manager (functions, memory,
 *                  boot context, start, VM status and exit notifications)
 *   sim_vcpu.c     the vCPU function: the driver's run loop (the seed)
 *   sim_hyp.c      the hypervisor: the vcpu_run hypercall on Unicorn,
 *                  PSCI, exception injection
 *   sim_wait.c     what the kernel gives a driver for free: interruptible
 *                  waits, signal_pending(), completions
 */
#ifndef SIM_H
#define SIM_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unicorn/unicorn.h>

#include "gunyah.h"
#include "sim_gic.h"
#include "sim_insn.h"
#include "sim_quirks.h"

#define SIM_MAX_VCPUS 64
#define SIM_MAX_BINDINGS 64
#define SIM_MAX_PF_REGIONS 16
#define SIM_DEFAULT_SLICE_US 5000
/*
 * The guest physical address space a VM gets: 40 bits (1 TiB).  Memory
 * cannot be bound above it, and a guest access beyond it faults in the
 * guest (an address size fault) instead of reaching the VMM.
 */
#define SIM_IPA_BITS 40
#define SIM_IPA_SIZE (1ull << SIM_IPA_BITS)

struct sim_backend;
struct sim_vm;
struct sim_vcpu;
struct sim_hvcpu;

/* ---- sim_wait.c -------------------------------------------------------- */

/*
 * A driver call made by a thread and the signals that may interrupt it.
 * By default, while inside, every signal the caller had unblocked is
 * blocked, so none can be delivered behind our back; signal_pending()
 * becomes sigpending() and an interruptible sleep is a ppoll() on a
 * signalfd.  That costs two sigprocmask calls a call.  A caller that
 * declared kick signals (GH_SIM_VCPU_SET_KICK_SIGNALS) keeps them blocked
 * itself, as a VMM using KVM_SET_SIGNAL_MASK does: then nothing changes
 * the mask on the way in or out.
 */
struct sim_task {
	sigset_t saved;	  /* the caller's mask (default mode) */
	sigset_t watched; /* signals that may interrupt us */
	bool changed;	  /* something is watched */
	bool kick;	  /* kick signals: the caller blocks them */
	int sfd;	  /* signalfd on watched, opened on first sleep */
};

void sim_task_enter(struct sim_task *t, uint64_t kick_mask);
void sim_task_leave(struct sim_task *t);
/* 0 if nothing interrupts, -EINTR for a handler without SA_RESTART.
 * Pending signals are delivered (their handlers run) before it returns. */
int sim_task_signal_pending(struct sim_task *t);

/* A completion: complete() wakes one wait, complete_all() every wait. */
struct sim_completion {
	int efd;
	atomic_bool all;
};

int sim_completion_init(struct sim_completion *c);
void sim_completion_destroy(struct sim_completion *c);
void sim_completion_complete(struct sim_completion *c);
void sim_completion_complete_all(struct sim_completion *c);
void sim_completion_reinit(struct sim_completion *c);
/*
 * 0 when completed, -EINTR if a signal interrupted (see above), 1 if a
 * signal with an SA_RESTART handler did: the kernel would restart the
 * syscall, so the caller starts its loop over (and looks at
 * immediate_exit again) instead of sleeping on.
 */
int sim_completion_wait(struct sim_completion *c, struct sim_task *t);

/* A mutex whose lock can be interrupted by a signal. */
struct sim_ilock {
	pthread_mutex_t lock;
	bool held;
	unsigned int waiters;
	int efd; /* readable when the lock was released with waiters */
};

int sim_ilock_init(struct sim_ilock *l);
void sim_ilock_destroy(struct sim_ilock *l);
int sim_ilock_lock_interruptible(struct sim_ilock *l, struct sim_task *t);
void sim_ilock_lock(struct sim_ilock *l);
bool sim_ilock_trylock(struct sim_ilock *l);
void sim_ilock_unlock(struct sim_ilock *l);

/* ---- sim_hyp.c: the hypervisor ------------------------------------------ */

/* vcpu_run hypercall results (the hypervisor's ABI, not userspace's). */
enum sim_hyp_error {
	SIM_HYP_OK = 0,
	SIM_HYP_RETRY = 3,
	SIM_HYP_ERROR = -1,
};

enum sim_hyp_vcpu_state {
	SIM_VCPU_STATE_READY = 0,
	SIM_VCPU_STATE_EXPECTS_WAKEUP = 1,
	SIM_VCPU_STATE_POWERED_OFF = 2,
	SIM_VCPU_STATE_BLOCKED = 3,
	SIM_VCPU_ADDRSPACE_VMMIO_READ = 4,
	SIM_VCPU_ADDRSPACE_VMMIO_WRITE = 5,
	SIM_VCPU_ADDRSPACE_PAGE_FAULT = 7,
};

/* resume_data[1] after an MMIO state */
enum sim_vmmio_action {
	SIM_VMMIO_ACTION_EMULATE = 0,
	SIM_VMMIO_ACTION_RETRY = 1,
	SIM_VMMIO_ACTION_FAULT = 2,
};

struct sim_run_resp {
	uint64_t state;
	uint64_t state_data[3];
};

/* Why the last uc_emu_start returned, as the hooks recorded it. */
enum sim_event {
	SIM_EV_NONE = 0,
	SIM_EV_MMIO,
	SIM_EV_PAGE_FAULT,
	SIM_EV_POWER_OFF, /* this vCPU turned itself off (CPU_OFF) */
	SIM_EV_VM_DOWN,	  /* the VM went down (SYSTEM_OFF, crash, ...) */
	SIM_EV_STATE,	  /* a test state was requested by the guest */
	SIM_EV_RETRY,	  /* test RETRY errors were requested */
	SIM_EV_FETCH_ABORT, /* a fetch the core itself refused (beyond its PA range) */
	SIM_EV_PC_ALIGN,    /* a block would start at a PC not 4-byte aligned */
	SIM_EV_LOST_PC,	    /* an access the engine cannot place exactly */
};

enum sim_power {
	SIM_POWER_OFF,
	SIM_POWER_ON,
	SIM_POWER_IDLE, /* in WFI */
};

/*
 * sim_code.c: the guest physical pages an engine has made code from, at
 * the engine's page size (Unicorn's AArch64 target page: 1 KiB).
 */
#define SIM_CODE_PAGE_SHIFT 10

struct sim_code_pages {
	uint64_t *slot; /* page number + 1; 0: empty */
	size_t cap, nr;
	bool all;	/* every page counts as code */
};

bool sim_code_pages_has(const struct sim_code_pages *c, uint64_t pa);
/* Adds pa's page; true if the answer for it changed. */
bool sim_code_pages_add(struct sim_code_pages *c, uint64_t pa);
void sim_code_pages_all(struct sim_code_pages *c);
void sim_code_pages_free(struct sim_code_pages *c);

struct sim_hvcpu {
	struct sim_vm *vm;
	unsigned int id;
	uc_engine *uc;
	uc_hook hooks[5];

	/*
	 * A stop request, honoured at the next block boundary by the
	 * engine's loop callback (sim_quirk_loop; see sim_hyp.c on why
	 * never uc_emu_stop from outside).  Any thread may set it, then
	 * kicks the core; the engine's thread clears it.
	 */
	atomic_bool stop_req;
	bool block_stopped; /* the last run ended at a stop request */
	struct sim_quirk_loop loop;
	bool host_access; /* the sim itself reads guest memory (sim_walk.c) */
	/* Pages with code of this engine's; the rest take stores at full
	 * speed (sim_quirk_tlb).  The engine's thread only. */
	struct sim_code_pages code;
	struct sim_quirk_tlb tlb;
	bool code_entered; /* the first run's first page is in code */

	/* Power state; lock: vm->hyp_lock. */
	enum sim_power power;
	bool on_pending; /* CPU_ON arrived while off */
	uint64_t on_entry, on_context;
	atomic_bool wake_pending;

	/* The access that stopped the guest (SIM_EV_MMIO, _PAGE_FAULT). */
	enum sim_event event;
	uint64_t ev_addr;
	unsigned int ev_len;
	bool ev_write;
	bool ev_fetch;	/* the page fault was an instruction fetch */
	bool ev_split;	/* seen by an MMIO callback: maybe half the access */
	uint64_t ev_data;
	struct sim_ldst ev_insn;
	bool mmio_pending;	/* waiting for resume_data */
	unsigned int pair_step;	/* lenient pair: 1 first exit, 2/3 second */
	uint64_t pair_val;	/* the first register's loaded value */
	bool pf_pending;

	/* Why the next injected exception happens, for a crash report. */
	const char *inject_why;

	/* Guest-requested test states. */
	uint64_t test_state;
	unsigned int test_retries;

	/* Memory layout this engine has mapped (vm->mem_gen). */
	unsigned int mem_gen;

	/* The RAM binding the last instruction read came from (sim_walk.c):
	 * read through the host's mapping, as a trapped instruction on
	 * every MMIO exit is, instead of the engine's address space (the
	 * engine's lookup was a tenth of an MMIO exit).  Bindings are only
	 * ever added, so a window once found stays good. */
	struct {
		uint64_t guest_addr, size;
		const char *host;
	} insn_ram;

	/* The arch timers; their deadline for the ticker (CLOCK_MONOTONIC ns,
	 * UINT64_MAX: none), written by this vCPU's thread only. */
	struct sim_timers timers;
	atomic_uint_fast64_t deadline_ns;
	bool irq_line; /* what the core's IRQ input was last set to */
	atomic_bool irq_dirty; /* another thread changed its interrupts */

	/* Every guest physical address with nothing behind it is an MMIO
	 * region of the engine (sim_plat.c), so that accesses through the
	 * guest's MMU reach us with their physical address. */
	struct sim_gap {
		struct sim_hvcpu *hv;
		uint64_t base, size;
	} gaps[SIM_MAX_BINDINGS + SIM_MAX_PF_REGIONS + 4];
	unsigned int nr_gaps;
	/* What the engine's address check may take for mapped (sim_quirks). */
	struct sim_quirk_redirect redirect;

	/* Driver's wake-up interrupt. */
	void (*irq)(void *ctx);
	void *irq_ctx;

	struct gh_sim_vcpu_stats stats; /* relaxed atomics: read any time */
};

int sim_hyp_vcpu_create(struct sim_vm *vm, unsigned int id,
			struct sim_hvcpu **out);
void sim_hyp_vcpu_destroy(struct sim_hvcpu *hv);
/* Boot state for the boot vCPU (0): PC, x0.., SP from the boot context.
 * Caller holds vm->lock. */
int sim_hyp_vcpu_boot(struct sim_hvcpu *hv);
enum sim_hyp_error sim_hyp_vcpu_run(struct sim_hvcpu *hv,
				    const uint64_t resume_data[3],
				    struct sim_run_resp *resp);
/* Stop the engine if it is executing guest code (any thread). */
void sim_hyp_kick(struct sim_hvcpu *hv);
/* Raise the vCPU's wake-up: ends a WFI. */
void sim_hyp_wake(struct sim_hvcpu *hv);
/* Its interrupts changed: end a WFI, or leave the guest at the next block. */
void sim_hyp_notify(struct sim_hvcpu *hv);
void sim_hyp_get_regs(struct sim_hvcpu *hv, struct gh_sim_regs *regs);
#define STAT(hv, field) \
	__atomic_fetch_add(&(hv)->stats.field, 1, __ATOMIC_RELAXED)
void sim_hyp_set_state(struct sim_hvcpu *hv, uint32_t state);
void sim_hyp_get_stats(struct sim_hvcpu *hv, struct gh_sim_vcpu_stats *st);

/* ---- sim_walk.c: guest virtual addresses ------------------------------- */

/* The guest's stage-1 translation of va (va itself with its MMU off). */
int sim_walk_va(uc_engine *uc, uint64_t va, uint64_t *pa);
/* The instruction word at guest virtual address va; 0 and -EFAULT if none. */
int sim_hyp_read_insn(struct sim_hvcpu *hv, uint64_t va, uint32_t *insn);

/* ---- sim_plat.c: the GIC and timers on a vCPU ---------------------------- */

int sim_plat_vcpu_init(struct sim_hvcpu *hv, uc_hook *msr_hook);
/* The MRS hook's part: true if it answered the register. */
bool sim_plat_mrs(struct sim_hvcpu *hv, uc_arm64_reg reg,
		  const uc_arm64_cp_reg *cp);
/* The engine's MMIO gaps and redirect after a memory change (vm->lock). */
int sim_plat_map_gaps(struct sim_hvcpu *hv);
/* On the vCPU's thread before it enters the guest. */
void sim_plat_before_run(struct sim_hvcpu *hv);
/* After a WFI: would an interrupt end it now? */
bool sim_plat_wfi_wakes(struct sim_hvcpu *hv);
/* sim_gic's kick: ctx is the VM. */
void sim_plat_kick(void *ctx, unsigned int cpu);

/* ---- sim_vm.c: VM manager and resource manager --------------------------- */

enum sim_rm_status {
	SIM_RM_NO_STATE = 0,
	SIM_RM_INIT,
	SIM_RM_READY,
	SIM_RM_RUNNING,
	SIM_RM_PAUSED,
	SIM_RM_LOAD,
	SIM_RM_AUTH,
	SIM_RM_INIT_FAILED = 8,
	SIM_RM_EXITED,
	SIM_RM_RESETTING,
	SIM_RM_RESET,
	SIM_RM_CRASHED, /* not an RM status: the sim's crash report */
};

struct sim_gmem {
	atomic_int refs;
	uint64_t size;
	void *host;
	bool borrowed; /* a user memory region: the caller's, not freed here */
};

struct sim_binding {
	uint64_t guest_addr;
	uint64_t size;
	struct sim_gmem *gmem;
	uint64_t offset;
	uint32_t prot; /* UC_PROT_* */
};

struct sim_vm {
	struct sim_backend *sb;
	const struct gh_abi_flavour *abi; /* the flavour it was created in */
	atomic_int refs;

	/* Serialises function add/remove, memory and start. */
	pthread_mutex_t lock;
	struct sim_vcpu *vcpus[SIM_MAX_VCPUS]; /* by id */

	struct sim_binding bindings[SIM_MAX_BINDINGS];
	uint32_t labels[SIM_MAX_BINDINGS]; /* GH_*: each binding's label */
	unsigned int nr_bindings;
	atomic_uint mem_gen;
	struct gh_sim_region pf_regions[SIM_MAX_PF_REGIONS];
	unsigned int nr_pf_regions;

	/* boot context */
	uint64_t boot_x[32];
	uint64_t boot_pc, boot_sp_el1;
	bool boot_pc_set;
	uint64_t dtb_addr, dtb_size;
	bool dtb_set;

	/* status (the seed's status_lock) */
	pthread_rwlock_t status_lock;
	enum sim_rm_status status;
	struct gunyah_vm_exit_info exit_info;
	atomic_bool running; /* status == RUNNING, for the hypercall's fast path */
	atomic_bool lenient; /* GH_SIM_VM_SET_LENIENT */
	/* The first crash's details; lock: hyp_lock. */
	struct gh_sim_crash crash;
	bool crash_set;

	/* the hypervisor side: vCPUs of the running VM */
	pthread_mutex_t hyp_lock;
	struct sim_hvcpu *hvcpus[SIM_MAX_VCPUS];
	unsigned int nr_hvcpus;

	/* time slices */
	pthread_t ticker;
	bool ticker_started;
	pthread_mutex_t ticker_lock;
	pthread_cond_t ticker_cond;
	bool ticker_stop;
	atomic_uint_fast64_t slice_us;
	atomic_uint_fast64_t ticker_wake_ns; /* when the ticker wakes next */
	bool ticker_poke; /* lock: ticker_lock; a deadline came in: recompute */

	/* The interrupt controller and the counter, from VM_START. */
	struct sim_gic gic;
	atomic_bool gic_ready;
	uint64_t time_base_ns;

	/* irqfd and ioeventfd functions (sim_irqfd.c, sim_ioeventfd.c) */
	pthread_mutex_t fn_lock;
	struct sim_irqfd *irqfds;
	uint64_t irqfd_ids;
	int irqfd_epoll, irqfd_stop_efd;
	pthread_t irqfd_thread;
	bool irqfd_thread_started, irqfd_stop;
	struct sim_ioeventfd *ioeventfds;
	atomic_uint nr_ioeventfds;

	/* sim_vm_log_ratelimited() */
	pthread_mutex_t log_lock;
	uint64_t log_window_ns;
	unsigned int log_count;
	uint64_t log_suppressed;
};

int sim_vm_create(struct sim_backend *sb, const struct gh_abi_flavour *abi,
		  struct sim_vm **out);
void sim_vm_get(struct sim_vm *vm);
void sim_vm_put(struct sim_vm *vm);
long sim_vm_ioctl(struct sim_vm *vm, unsigned long req, void *arg);
/*
 * The VM went down: record why, then wake every vCPU waiting for it
 * (the resource manager's VM_EXITED notification).  First report wins.
 */
void sim_vm_exited(struct sim_vm *vm, enum sim_rm_status status,
		   uint16_t type, const void *reason, uint32_t reason_size);
bool sim_vm_in_pf_region(struct sim_vm *vm, uint64_t addr);
/* Keep the first crash's details for GH_SIM_VM_GET_CRASH. */
void sim_vm_record_crash(struct sim_vm *vm, const struct gh_sim_crash *c);
struct sim_hvcpu *sim_vm_hvcpu(struct sim_vm *vm, unsigned int id);
/* A vCPU's timer deadline moved to deadline_ns: the ticker wakes for it. */
void sim_vm_deadline_changed(struct sim_vm *vm, uint64_t deadline_ns);
void sim_vm_log(struct sim_vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* For what a guest can cause at will: SIM_LOG_BURST in an interval. */
#define SIM_LOG_BURST 10
#define SIM_LOG_INTERVAL_NS (5ull * 1000 * 1000 * 1000)
void sim_vm_log_ratelimited(struct sim_vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct sim_gmem *sim_gmem_create(uint64_t size, int *err);
void sim_gmem_get(struct sim_gmem *g);
void sim_gmem_put(struct sim_gmem *g);

/* ---- sim_irqfd.c, sim_ioeventfd.c: the eventfd functions ---------------- */

int sim_eventfd_dup(int fd);
long sim_irqfd_add(struct sim_vm *vm, const struct gunyah_fn_irqfd_arg *a);
long sim_irqfd_remove(struct sim_vm *vm, const struct gunyah_fn_irqfd_arg *a);
void sim_irqfd_release(struct sim_vm *vm);
long sim_ioeventfd_add(struct sim_vm *vm,
		       const struct gunyah_fn_ioeventfd_arg *a);
long sim_ioeventfd_remove(struct sim_vm *vm,
			  const struct gunyah_fn_ioeventfd_arg *a);
/* A guest write the kernel's io handlers take: true if an eventfd got it. */
bool sim_ioeventfd_write(struct sim_vm *vm, uint64_t addr, uint32_t len,
			 uint64_t data);
void sim_ioeventfd_release(struct sim_vm *vm);

/* ---- sim_vcpu.c: the vCPU function ------------------------------------- */

struct sim_vcpu {
	atomic_int refs;
	struct sim_vm *vm;
	unsigned int id;
	bool bound;	/* the seed's vcpu->f: the function still exists */
	struct sim_hvcpu *rsc; /* the hypervisor vCPU, once the VM starts */
	struct sim_ilock run_lock;
	struct gunyah_vcpu_run *run;
	size_t run_size;

	enum {
		SIM_RUN_STATE_UNKNOWN = 0,
		SIM_RUN_STATE_READY,
		SIM_RUN_STATE_MMIO_READ,
		SIM_RUN_STATE_MMIO_WRITE,
		SIM_RUN_STATE_PAGE_FAULT,
		SIM_RUN_STATE_SYSTEM_DOWN,
	} state;
	uint8_t mmio_read_len;
	uint64_t mmio_addr;

	struct sim_completion ready;
	atomic_uint_fast64_t kick_mask; /* GH_SIM_VCPU_SET_KICK_SIGNALS */
};

int sim_vcpu_bind(struct sim_vm *vm, const struct gunyah_fn_vcpu_arg *arg,
		  struct sim_vcpu **out);
void sim_vcpu_unbind(struct sim_vcpu *vcpu);
void sim_vcpu_get(struct sim_vcpu *vcpu);
void sim_vcpu_put(struct sim_vcpu *vcpu);
/* The VM started: give the vCPU its hypervisor resource. */
void sim_vcpu_populate(struct sim_vcpu *vcpu, struct sim_hvcpu *hv);
void sim_vcpu_unpopulate(struct sim_vcpu *vcpu);
/* Resource manager notification: the VM exited. */
void sim_vcpu_vm_exited(struct sim_vcpu *vcpu);
long sim_vcpu_ioctl(struct sim_vcpu *vcpu, unsigned long req, void *arg);

/* ---- sim_backend.c ----------------------------------------------------- */

void sim_backend_log(struct sim_backend *sb, const char *msg);
/* A new fd for a bound vCPU: holds a vCPU and a VM reference. */
int sim_backend_install_vcpu(struct sim_backend *sb, struct sim_vcpu *vcpu);
/* The guest memory behind fd, with a reference, or NULL. */
struct sim_gmem *sim_backend_gmem(struct sim_backend *sb, int fd);
size_t sim_page_size(void);

#endif /* SIM_H */
