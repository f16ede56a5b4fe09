// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hypervisor: Gunyah's vcpu_run hypercall, on an emulated AArch64 core.
 *
 * sim_hyp_vcpu_run() runs the guest until something the hypervisor cannot
 * finish alone happens, and answers with a vCPU state and state data as
 * Gunyah does: READY when the time slice ended, EXPECTS_WAKEUP for WFI,
 * POWERED_OFF, VMMIO_READ/WRITE with (address, length, data) for an access
 * to an address with nothing behind it, PAGE_FAULT for a declared region
 * that has no memory yet.  PSCI calls and exceptions are handled here, as
 * the hypervisor handles them, without the host seeing them.
 *
 * Unicorn facts this relies on (see UNICORN-NOTES.md and test_sim_*):
 * HVC arrives as UNDEF with PC on the HVC, SMC and SVC with PC past them;
 * WFI returns from uc_emu_start with PC past it; no exception is ever
 * delivered to the guest's vectors unless we do it.
 *
 * Two facts of Unicorn 2.0.1 shape how the guest is stopped (read in its
 * cputlb.c, cpu-exec.c, translator.c; test_sim_stop checks them):
 *   - Guest PC is only written back at translation block (TB) ends, and a
 *     memory fault or a stop leaves PC at a stale value, unless a
 *     UC_HOOK_MEM_READ/WRITE hook covers the instruction: then PC is synced
 *     before every load/store, but every load and store of the guest
 *     becomes a helper call (the engine's fast path is off while any such
 *     hook exists, whatever its range).  So there is none: an access to
 *     unmapped memory or to an MMIO window ends the run through
 *     sim_quirk_unmapped_exit() or sim_quirk_access_exit(), which find
 *     the instruction as QEMU's own fault path does, PC exactly on the
 *     access and nothing of it done.
 *   - uc_emu_stop() from another thread may land just after a load/store
 *     in the middle of a TB; Unicorn then resets PC to the TB start and the
 *     instructions before it run twice (unicorn issue #1355).  A write to
 *     PC from a hook also cancels a stop.  So nothing here stops a running
 *     engine directly: stop requests set hv->stop_req and kick the core
 *     (sim_quirk_cpu_kick: the core leaves at its next TB start, as block
 *     stops are in force); the loop callback (sim_quirk_loop), which the
 *     engine calls each time its execution loop starts over, honours the
 *     request there on the engine's own thread.  No hook runs per block.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "sim_quirks.h"

#define INSN_WFI 0xd503207fu
#define PSTATE_EL1H_MASKED 0x3c5u

/* ESR_EL1 exception classes */
#define EC_UNKNOWN 0x00
#define EC_SVC64 0x15
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define EC_PC_ALIGN 0x22
#define EC_BRK64 0x3c
#define ESR_IL (1u << 25)
#define ESR_WNR (1u << 6)
#define FSC_SYNC_EXT_ABORT 0x10
#define FSC_ADDR_SIZE_L0 0x00

/* Unicorn's exception numbers (QEMU's EXCP_*) seen in UC_HOOK_INTR. */
#define EXCP_UDEF 1
#define EXCP_SWI 2
#define EXCP_PREFETCH_ABORT 3
#define EXCP_DATA_ABORT 4
#define EXCP_BKPT 7
#define EXCP_HVC 11
#define EXCP_SMC 13

static int xreg(unsigned int r)
{
	if (r < 29)
		return UC_ARM64_REG_X0 + (int)r;
	return r == 29 ? UC_ARM64_REG_X29 : UC_ARM64_REG_X30;
}

static uint64_t reg_read(uc_engine *uc, int reg)
{
	uint64_t v = 0;

	uc_reg_read(uc, reg, &v);
	return v;
}

static void reg_write(uc_engine *uc, int reg, uint64_t v)
{
	uc_reg_write(uc, reg, &v);
}

/* Xn as a load/store base or transfer register: 31 is SP or XZR. */
static uint64_t gpr_read(uc_engine *uc, unsigned int r, bool sp)
{
	if (r == 31)
		return sp ? reg_read(uc, UC_ARM64_REG_SP) : 0;
	return reg_read(uc, xreg(r));
}

static void gpr_write(uc_engine *uc, unsigned int r, bool sp, uint64_t v)
{
	if (r == 31) {
		if (sp)
			reg_write(uc, UC_ARM64_REG_SP, v);
		return;
	}
	reg_write(uc, xreg(r), v);
}

static uint64_t spsr_el1_rw(uc_engine *uc, const uint64_t *write)
{
	uc_arm64_cp_reg cp = { .crn = 4, .crm = 0, .op0 = 3, .op1 = 0,
			       .op2 = 0 };

	if (write) {
		cp.val = *write;
		uc_reg_write(uc, UC_ARM64_REG_CP_REG, &cp);
		return *write;
	}
	uc_reg_read(uc, UC_ARM64_REG_CP_REG, &cp);
	return cp.val;
}

void sim_hyp_set_state(struct sim_hvcpu *hv, uint32_t state)
{
	if (__atomic_load_n(&hv->stats.state, __ATOMIC_RELAXED) != state)
		__atomic_store_n(&hv->stats.state, state, __ATOMIC_RELAXED);
}

void sim_hyp_get_stats(struct sim_hvcpu *hv, struct gh_sim_vcpu_stats *st)
{
	const __u64 *from = &hv->stats.ready;
	__u64 *to = &st->ready;
	size_t n = (sizeof(*st) - offsetof(struct gh_sim_vcpu_stats, ready)) /
		   sizeof(__u64);

	memset(st, 0, sizeof(*st));
	st->state = __atomic_load_n(&hv->stats.state, __ATOMIC_RELAXED);
	for (size_t i = 0; i < n; i++)
		to[i] = __atomic_load_n(&from[i], __ATOMIC_RELAXED);
}

/* Leave the guest at the next TB start (from a hook, or any thread). */
static void stop_soon(struct sim_hvcpu *hv)
{
	atomic_store(&hv->stop_req, true);
	sim_quirk_cpu_kick(hv->uc);
}

/* The VM is going down because of this vCPU: report and stop the guest. */
static void vm_down(struct sim_hvcpu *hv, enum sim_rm_status status,
		    uint16_t type, uint64_t reason, uint32_t reason_size)
{
	sim_vm_exited(hv->vm, status, type, &reason, reason_size);
	hv->event = SIM_EV_VM_DOWN;
	stop_soon(hv);
}

/*
 * Take a synchronous exception to the guest's EL1 vector, as the hardware
 * would.  A guest with no vector table (VBAR_EL1 == 0) would only fault
 * again there: the VM is reported crashed instead.
 */
static bool inject_sync(struct sim_hvcpu *hv, uint32_t ec, uint32_t iss,
			uint64_t far, bool far_valid, uint64_t elr)
{
	uc_engine *uc = hv->uc;
	uint64_t pstate = reg_read(uc, UC_ARM64_REG_PSTATE);
	uint64_t vbar = reg_read(uc, UC_ARM64_REG_VBAR_EL1);
	unsigned int el = (pstate >> 2) & 3;
	uint64_t vector, esr;

	const char *why = hv->inject_why;

	hv->inject_why = NULL;
	if (!vbar) {
		struct gh_sim_crash c = {
			.vcpu = hv->id,
			.esr = ((uint64_t)ec << 26) | ESR_IL | iss,
			.far = far_valid ? far : 0,
			.elr = elr,
			.pc = reg_read(uc, UC_ARM64_REG_PC),
		};

		snprintf(c.why, sizeof(c.why), "%s with no vector table "
			 "(VBAR_EL1=0)", why ? why : "an exception");
		sim_vm_record_crash(hv->vm, &c);
		sim_vm_log_ratelimited(hv->vm,
			   "vcpu%u: unhandled exception EC=%#x ISS=%#x at pc=%#" PRIx64
			   " with no vector table (VBAR_EL1=0): VM crashed",
			   hv->id, ec, iss, elr);
		vm_down(hv, SIM_RM_CRASHED, GUNYAH_VM_EXIT_TYPE_VM_EXIT, 0, 0);
		return false;
	}
	if (el == 0) {
		vector = vbar + 0x400;
		if (ec == EC_DABT_CUR)
			ec = EC_DABT_LOW;
		else if (ec == EC_IABT_CUR)
			ec = EC_IABT_LOW;
	} else {
		vector = vbar + ((pstate & 1) ? 0x200 : 0x000);
	}
	esr = ((uint64_t)ec << 26) | ESR_IL | iss;

	reg_write(uc, UC_ARM64_REG_ESR_EL1, esr);
	if (far_valid)
		reg_write(uc, UC_ARM64_REG_FAR_EL1, far);
	reg_write(uc, UC_ARM64_REG_ELR_EL1, elr);
	spsr_el1_rw(uc, &pstate);
	reg_write(uc, UC_ARM64_REG_PSTATE, PSTATE_EL1H_MASKED);
	reg_write(uc, UC_ARM64_REG_PC, vector);
	return true;
}

/* A crash that is not a guest exception: no syndrome to report. */
__attribute__((format(printf, 3, 4)))
static void crash_plain(struct sim_hvcpu *hv, uint64_t pc, const char *fmt, ...)
{
	struct gh_sim_crash c = { .vcpu = hv->id, .elr = pc, .pc = pc };
	va_list ap;

	c.vbar = reg_read(hv->uc, UC_ARM64_REG_VBAR_EL1);
	va_start(ap, fmt);
	vsnprintf(c.why, sizeof(c.why), fmt, ap);
	va_end(ap);
	sim_vm_record_crash(hv->vm, &c);
}

static bool inject_data_abort(struct sim_hvcpu *hv, uint64_t addr, bool write)
{
	uint64_t pc = reg_read(hv->uc, UC_ARM64_REG_PC);

	return inject_sync(hv, EC_DABT_CUR,
			   FSC_SYNC_EXT_ABORT | (write ? ESR_WNR : 0), addr,
			   true, pc);
}

static bool mmu_on(uc_engine *uc)
{
	uc_arm64_cp_reg sctlr = { .crn = 1, .crm = 0, .op0 = 3, .op1 = 0,
				  .op2 = 0 };

	uc_reg_read(uc, UC_ARM64_REG_CP_REG, &sctlr);
	return sctlr.val & 1;
}

/*
 * An exception the core has prepared (syndrome, fault address, target EL:
 * an SVC, a BRK, an undefined instruction, an MMU fault): take it to the
 * guest's vector exactly as the architecture does, from EL0 or EL1 (SP
 * banking included).  With no vector table, report the crash as before.
 */
static void take_prepared(struct sim_hvcpu *hv, uint32_t ec, uint32_t iss,
			  uint64_t pc)
{
	if (reg_read(hv->uc, UC_ARM64_REG_VBAR_EL1) &&
	    sim_quirk_take_exception(hv->uc)) {
		hv->inject_why = NULL; /* taken: nothing to report */
		return;
	}
	inject_sync(hv, ec, iss, 0, false, pc);
}

/* ---- PSCI and the sim's vendor calls ------------------------------------ */

static bool addr_in_ram(struct sim_vm *vm, uint64_t addr)
{
	bool found = false;

	pthread_mutex_lock(&vm->lock);
	for (unsigned int i = 0; i < vm->nr_bindings; i++) {
		const struct sim_binding *b = &vm->bindings[i];

		if (addr >= b->guest_addr && addr - b->guest_addr < b->size)
			found = true;
	}
	pthread_mutex_unlock(&vm->lock);
	return found;
}

/*
 * The vCPU's wake-up interrupt to the host.  Under hyp_lock, which the
 * driver also holds to take the handler away, so a handler is never
 * called after its vCPU function is gone.
 */
static void raise_irq_locked(struct sim_hvcpu *hv)
{
	if (hv->irq)
		hv->irq(hv->irq_ctx);
}

static int64_t psci_cpu_on(struct sim_hvcpu *hv, uint64_t mpidr,
			   uint64_t entry, uint64_t context)
{
	struct sim_vm *vm = hv->vm;
	struct sim_hvcpu *target;
	int64_t ret = PSCI_RET_SUCCESS;

	if (mpidr & ~0xffull & 0xff00ffffffull)
		return PSCI_RET_INVALID_PARAMS;
	target = sim_vm_hvcpu(vm, mpidr & 0xff);
	if (!target)
		return PSCI_RET_INVALID_PARAMS;
	if (!addr_in_ram(vm, entry))
		return PSCI_RET_INVALID_ADDRESS;

	pthread_mutex_lock(&vm->hyp_lock);
	if (target->on_pending)
		ret = PSCI_RET_ON_PENDING;
	else if (target->power != SIM_POWER_OFF)
		ret = PSCI_RET_ALREADY_ON;
	else {
		target->on_pending = true;
		target->on_entry = entry;
		target->on_context = context;
		/* The hypervisor tells the host the vCPU is runnable. */
		raise_irq_locked(target);
	}
	pthread_mutex_unlock(&vm->hyp_lock);
	return ret;
}

static int64_t psci_affinity_info(struct sim_hvcpu *hv, uint64_t mpidr,
				  uint64_t level)
{
	struct sim_hvcpu *target;
	int64_t ret;

	if (level != 0)
		return PSCI_RET_INVALID_PARAMS;
	target = sim_vm_hvcpu(hv->vm, mpidr & 0xff);
	if (!target || (mpidr & ~0xffull & 0xff00ffffffull))
		return PSCI_RET_INVALID_PARAMS;
	pthread_mutex_lock(&hv->vm->hyp_lock);
	if (target->on_pending)
		ret = 2; /* ON_PENDING */
	else
		ret = target->power == SIM_POWER_OFF ? 1 : 0;
	pthread_mutex_unlock(&hv->vm->hyp_lock);
	return ret;
}

static bool psci_supported(uint64_t fn)
{
	switch ((uint32_t)fn) {
	case PSCI_0_2_FN_PSCI_VERSION:
	case PSCI_0_2_FN_CPU_OFF:
	case PSCI_0_2_FN_CPU_ON:
	case PSCI_0_2_FN64_CPU_ON:
	case PSCI_0_2_FN_AFFINITY_INFO:
	case PSCI_0_2_FN64_AFFINITY_INFO:
	case PSCI_0_2_FN_SYSTEM_OFF:
	case PSCI_0_2_FN_SYSTEM_RESET:
	case PSCI_1_0_FN_PSCI_FEATURES:
	case PSCI_1_1_FN_SYSTEM_RESET2:
	case PSCI_1_1_FN64_SYSTEM_RESET2:
		return true;
	default:
		return false;
	}
}

/*
 * One SMCCC call (HVC #0 or SMC #0).  Returns true if the guest goes on
 * with x0 = *ret, false if the call ended this run (the hook stopped it).
 */
static bool smccc_call(struct sim_hvcpu *hv, int64_t *ret)
{
	uc_engine *uc = hv->uc;
	uint64_t fn = reg_read(uc, UC_ARM64_REG_X0) & 0xffffffffu;
	uint64_t a1 = reg_read(uc, UC_ARM64_REG_X1);
	uint64_t a2 = reg_read(uc, UC_ARM64_REG_X2);
	uint64_t a3 = reg_read(uc, UC_ARM64_REG_X3);

	if ((fn & 0xff000000) == 0x84000000 || (fn & 0xff000000) == 0xc4000000)
		STAT(hv, psci);

	switch (fn) {
	case PSCI_0_2_FN_PSCI_VERSION:
		*ret = 0x10001; /* PSCI 1.1 */
		return true;
	case PSCI_1_0_FN_PSCI_FEATURES:
		*ret = psci_supported(a1) ? 0 : PSCI_RET_NOT_SUPPORTED;
		return true;
	case PSCI_0_2_FN_CPU_ON:
		a1 &= 0xffffffffu;
		a2 &= 0xffffffffu;
		a3 &= 0xffffffffu;
		/* fall through */
	case PSCI_0_2_FN64_CPU_ON:
		*ret = psci_cpu_on(hv, a1, a2, a3);
		return true;
	case PSCI_0_2_FN_AFFINITY_INFO:
	case PSCI_0_2_FN64_AFFINITY_INFO:
		*ret = psci_affinity_info(hv, a1, a2);
		return true;
	case PSCI_0_2_FN_CPU_OFF:
		pthread_mutex_lock(&hv->vm->hyp_lock);
		hv->power = SIM_POWER_OFF;
		pthread_mutex_unlock(&hv->vm->hyp_lock);
		hv->event = SIM_EV_POWER_OFF;
		stop_soon(hv);
		return false;
	case PSCI_0_2_FN_SYSTEM_OFF:
		vm_down(hv, SIM_RM_EXITED, GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF,
			0, 4);
		return false;
	case PSCI_0_2_FN_SYSTEM_RESET:
		vm_down(hv, SIM_RM_EXITED,
			GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET,
			GUNYAH_VM_EXIT_REASON_RESTART, 4);
		return false;
	case PSCI_1_1_FN_SYSTEM_RESET2:
	case PSCI_1_1_FN64_SYSTEM_RESET2:
		vm_down(hv, SIM_RM_EXITED,
			GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET2,
			a1 & 0xffffffffu, 4);
		return false;
	case GH_SIM_HVC_STATE:
		hv->test_state = a1;
		hv->event = SIM_EV_STATE;
		stop_soon(hv);
		*ret = 0;
		return true;
	case GH_SIM_HVC_RETRY:
		hv->test_retries = (unsigned int)(a1 > 1000 ? 1000 : a1);
		hv->event = SIM_EV_RETRY;
		stop_soon(hv);
		*ret = 0;
		return true;
	case GH_SIM_HVC_VM_EXIT:
		/* An RM may report a longer reason than the ABI carries. */
		vm_down(hv, SIM_RM_EXITED, (uint16_t)a1, a2,
			a3 ? (uint32_t)a3 : a2 >> 32 ? 8 : 4);
		return false;
	case GH_SIM_HVC_VCPU_ID:
		*ret = hv->id;
		return true;
	default:
		*ret = PSCI_RET_NOT_SUPPORTED;
		return true;
	}
}

/* ---- hooks --------------------------------------------------------------- */

static void hook_intr(uc_engine *uc, uint32_t intno, void *data)
{
	struct sim_hvcpu *hv = data;
	uint64_t pc = reg_read(uc, UC_ARM64_REG_PC);
	uint32_t insn = 0;
	int64_t ret = 0;

	switch (intno) {
	case EXCP_UDEF:
	case EXCP_HVC:
		sim_hyp_read_insn(hv, pc, &insn);
		if ((insn & 0xffe0001fu) != 0xd4000002u) {
			hv->inject_why = "an undefined instruction";
			take_prepared(hv, EC_UNKNOWN, 0, pc);
			break;
		}
		/* HVC: PC is on it; the call returns past it. */
		reg_write(uc, UC_ARM64_REG_PC, pc + 4);
		if (smccc_call(hv, &ret))
			reg_write(uc, UC_ARM64_REG_X0, (uint64_t)ret);
		break;
	case EXCP_SMC:
		/* PC is already past the SMC. */
		if (smccc_call(hv, &ret))
			reg_write(uc, UC_ARM64_REG_X0, (uint64_t)ret);
		break;
	case EXCP_SWI:
		sim_hyp_read_insn(hv, pc - 4, &insn);
		hv->inject_why = "an SVC";
		take_prepared(hv, EC_SVC64, (insn >> 5) & 0xffff, pc);
		break;
	case EXCP_BKPT:
		sim_hyp_read_insn(hv, pc, &insn);
		hv->inject_why = "a BRK";
		take_prepared(hv, EC_BRK64, (insn >> 5) & 0xffff, pc);
		break;
	case EXCP_DATA_ABORT:
		/* A translation or permission fault of the guest's own MMU. */
		hv->inject_why = "a data abort of the guest's own MMU";
		take_prepared(hv, EC_DABT_CUR, FSC_SYNC_EXT_ABORT, pc);
		break;
	case EXCP_PREFETCH_ABORT:
		if (mmu_on(uc)) {
			take_prepared(hv, EC_IABT_CUR, FSC_SYNC_EXT_ABORT, pc);
			break;
		}
		/*
		 * A fetch beyond the core's physical address range (with
		 * SCR_EL3.RW set, the core checks it).  No block starts, so
		 * a stop request at the next block never comes, and the core
		 * takes the abort again for ever.  Stop here, PC untouched (a
		 * PC write cancels the stop), and take it as a fetch fault.
		 */
		hv->event = SIM_EV_FETCH_ABORT;
		uc_emu_stop(uc);
		break;
	default:
		crash_plain(hv, pc, "the core raised exception %u", intno);
		sim_vm_log_ratelimited(hv->vm, "vcpu%u: exception %u at pc=%#" PRIx64
			   ": VM crashed", hv->id, intno, pc);
		vm_down(hv, SIM_RM_CRASHED, GUNYAH_VM_EXIT_TYPE_VM_EXIT, 0, 0);
		/* Now: the same exception may come back before any block. */
		uc_emu_stop(uc);
		break;
	}
}

static bool hook_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr,
			  int size, int64_t value, void *data)
{
	struct sim_hvcpu *hv = data;

	if (type == UC_MEM_FETCH_UNMAPPED)
		return false; /* on_fetch_fault() reads PC */
	hv->ev_addr = addr;
	hv->ev_fetch = false;
	hv->ev_split = false;
	hv->ev_len = (unsigned int)size;
	hv->ev_write = type == UC_MEM_WRITE_UNMAPPED;
	hv->ev_data = (uint64_t)value;
	if (sim_vm_in_pf_region(hv->vm, addr))
		hv->event = SIM_EV_PAGE_FAULT;
	else
		hv->event = SIM_EV_MMIO;
	/*
	 * End the run on the access, PC on it, nothing of it done (a store
	 * would otherwise be dropped under sim_quirk_block_stops(), a load
	 * would leave with PC at a stale value: no memory hook keeps it).
	 */
	sim_quirk_unmapped_exit(uc);
	/* Translated code makes every data access: never here. */
	hv->event = SIM_EV_LOST_PC;
	uc_emu_stop(uc);
	return false;
}

/*
 * Code was made from guest virtual [va, va + len): its physical pages
 * must stay write-protected in the TLB (sim_quirk_tlb), before it runs.
 * Called as the engine makes each TB (and for the first run's entry,
 * which makes none of the calls), so the translation regime is the one
 * the code was fetched with.  A page the walk cannot find: every page
 * is code from then on.
 */
static void code_made(struct sim_hvcpu *hv, uint64_t va, uint64_t len)
{
	uint64_t page = 1ull << SIM_CODE_PAGE_SHIFT, end = va + len - 1;
	bool added = false;

	for (uint64_t at = va & ~(page - 1); at <= end; at += page) {
		uint64_t pa = at;

		if (hv->redirect.enabled) {
			int ret;

			hv->host_access = true;
			ret = sim_walk_va(hv->uc, at, &pa);
			hv->host_access = false;
			if (ret) {
				sim_code_pages_all(&hv->code);
				added = true;
				break;
			}
		}
		added |= sim_code_pages_add(&hv->code, pa);
		if (at + page < at)
			break;
	}
	if (added)
		sim_quirk_tlb_code_added(hv->uc);
}

static bool page_has_code(void *ctx, uint64_t pa)
{
	struct sim_hvcpu *hv = ctx;

	return sim_code_pages_has(&hv->code, pa);
}

/*
 * The engine's execution loop starts over (sim_quirk_loop): honour a stop
 * request here, before the next TB.  Once stopped, stay stopped: a hook
 * that writes PC (an HVC's return) cancels the engine's own stop flag.
 */
static void loop_entry(uc_engine *uc, void *ctx)
{
	struct sim_hvcpu *hv = ctx;

	if (hv->block_stopped ||
	    (atomic_load_explicit(&hv->stop_req, memory_order_relaxed) &&
	     atomic_exchange(&hv->stop_req, false))) {
		hv->block_stopped = true;
		uc_emu_stop(uc);
	}
}

/*
 * Unicorn fetches from any PC; the architecture faults first.  A TB is
 * made at the first entry to its PC (or again after a flush), before it
 * runs: stop there, nothing of it run.  Only indirect branches and
 * exception returns reach a misaligned PC, and the run loop flushes such
 * a TB, so a later branch there is caught again.
 */
static void hook_tb_new(uc_engine *uc, uc_tb *cur, uc_tb *prev, void *data)
{
	struct sim_hvcpu *hv = data;

	(void)prev;
	if (cur->pc & 3) {
		hv->event = SIM_EV_PC_ALIGN;
		uc_emu_stop(uc);
		return;
	}
	code_made(hv, cur->pc, cur->size ? cur->size : 4);
}

/* MPIDR_EL1: each vCPU its own Aff0 (the core reports 0x80000000 to all);
 * the GIC's and the timers' registers. */
static uint32_t hook_mrs(uc_engine *uc, uc_arm64_reg reg,
			 const uc_arm64_cp_reg *cp, void *data)
{
	struct sim_hvcpu *hv = data;

	if (sim_plat_mrs(hv, reg, cp))
		return 1;
	if (cp->op0 == 3 && cp->op1 == 0 && cp->crn == 0 && cp->crm == 0 &&
	    cp->op2 == 5) {
		reg_write(uc, reg, 0x80000000ull | hv->id);
		return 1;
	}
	return 0;
}

/* ---- vCPU life ------------------------------------------------------------ */

int sim_hyp_vcpu_create(struct sim_vm *vm, unsigned int id,
			struct sim_hvcpu **out)
{
	struct sim_hvcpu *hv;
	uc_err err;

	hv = calloc(1, sizeof(*hv));
	if (!hv)
		return -ENOMEM;
	hv->vm = vm;
	hv->id = id;
	hv->power = SIM_POWER_OFF;
	hv->stats.state = GH_SIM_VCPU_OFF;

	err = uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &hv->uc);
	if (err)
		goto err_free;
	err = uc_hook_add(hv->uc, &hv->hooks[0], UC_HOOK_INTR, hook_intr, hv,
			  1, 0);
	if (!err)
		err = uc_hook_add(hv->uc, &hv->hooks[1], UC_HOOK_MEM_UNMAPPED,
				  hook_unmapped, hv, 1, 0);
	if (!err)
		err = uc_hook_add(hv->uc, &hv->hooks[2], UC_HOOK_INSN, hook_mrs,
				  hv, 1, 0, UC_ARM64_INS_MRS);
	if (!err)
		err = uc_hook_add(hv->uc, &hv->hooks[3], UC_HOOK_EDGE_GENERATED,
				  hook_tb_new, hv, 1, 0);
	if (!err)
		err = (uc_err)sim_quirk_el1_aarch64(hv->uc);
	if (!err)
		err = sim_plat_vcpu_init(hv, &hv->hooks[4]) ? UC_ERR_NOMEM : UC_ERR_OK;
	if (err)
		goto err_close;
	sim_quirk_redirect_install(hv->uc);
	sim_quirk_block_stops(hv->uc);
	hv->loop = (struct sim_quirk_loop){ loop_entry, hv };
	sim_quirk_loop_install(hv->uc);
	hv->tlb = (struct sim_quirk_tlb){ hv->uc, page_has_code, hv };
	/* The code pages are kept at the engine's page size. */
	if (sim_quirk_page_size(hv->uc) != 1u << SIM_CODE_PAGE_SHIFT)
		sim_code_pages_all(&hv->code);
	/* Runs end only when the sim ends them: no "until" address. */
	if (uc_ctl_exits_enable(hv->uc)) {
		sim_vm_log(vm, "vcpu%u: cannot turn the engine's exits off", id);
		uc_close(hv->uc);
		free(hv);
		return -ENOMEM;
	}
	*out = hv;
	return 0;

err_close:
	uc_close(hv->uc);
err_free:
	sim_vm_log(vm, "vcpu%u: cannot create the CPU: %s", id,
		   uc_strerror(err));
	free(hv);
	return -ENOMEM;
}

void sim_hyp_vcpu_destroy(struct sim_hvcpu *hv)
{
	if (!hv)
		return;
	uc_close(hv->uc);
	sim_code_pages_free(&hv->code);
	free(hv);
}

/* Map into this engine every RAM binding it does not have yet.  Caller
 * holds vm->lock. */
static int sync_memory_locked(struct sim_hvcpu *hv, unsigned int gen)
{
	struct sim_vm *vm = hv->vm;
	int ret = 0;

	for (unsigned int i = 0; i < vm->nr_bindings; i++) {
		const struct sim_binding *b = &vm->bindings[i];
		uc_err err;

		/* UC_ERR_MAP: mapped by an earlier sync (bindings never overlap). */
		err = uc_mem_map_ptr(hv->uc, b->guest_addr, b->size, b->prot,
				     (char *)b->gmem->host + b->offset);
		if (err && err != UC_ERR_MAP) {
			sim_vm_log(vm, "vcpu%u: cannot map guest memory at %#" PRIx64
				   ": %s", hv->id, b->guest_addr, uc_strerror(err));
			ret = -ENOMEM;
		}
	}
	if (!ret)
		ret = sim_plat_map_gaps(hv);
	hv->mem_gen = gen;
	return ret;
}

static int sync_memory(struct sim_hvcpu *hv)
{
	struct sim_vm *vm = hv->vm;
	unsigned int gen = atomic_load(&vm->mem_gen);
	int ret;

	if (gen == hv->mem_gen)
		return 0;
	pthread_mutex_lock(&vm->lock);
	ret = sync_memory_locked(hv, gen);
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

int sim_hyp_vcpu_boot(struct sim_hvcpu *hv)
{
	struct sim_vm *vm = hv->vm;
	uc_engine *uc = hv->uc;
	int ret;

	ret = sync_memory_locked(hv, atomic_load(&vm->mem_gen));
	if (ret)
		return ret;
	for (unsigned int r = 0; r < 31; r++)
		reg_write(uc, xreg(r), vm->boot_x[r]);
	if (vm->dtb_set)
		reg_write(uc, UC_ARM64_REG_X0, vm->dtb_addr);
	reg_write(uc, UC_ARM64_REG_PSTATE, PSTATE_EL1H_MASKED);
	reg_write(uc, UC_ARM64_REG_SP, vm->boot_sp_el1);
	reg_write(uc, UC_ARM64_REG_PC, vm->boot_pc);
	hv->power = SIM_POWER_ON;
	sim_hyp_set_state(hv, GH_SIM_VCPU_RUNNING);
	return 0;
}

void sim_hyp_kick(struct sim_hvcpu *hv)
{
	/* A vCPU not in the guest now takes it at its next TB: one READY. */
	stop_soon(hv);
}

void sim_hyp_wake(struct sim_hvcpu *hv)
{
	atomic_store(&hv->wake_pending, true);
	STAT(hv, wakeups);
	pthread_mutex_lock(&hv->vm->hyp_lock);
	raise_irq_locked(hv);
	pthread_mutex_unlock(&hv->vm->hyp_lock);
}

/*
 * Like sim_hyp_wake, and also for a vCPU not idle yet: one about to idle
 * finds wake_pending set and runs on (a spurious WFI wake-up at worst).
 */
void sim_hyp_notify(struct sim_hvcpu *hv)
{
	stop_soon(hv);
	atomic_store(&hv->wake_pending, true);
	pthread_mutex_lock(&hv->vm->hyp_lock);
	raise_irq_locked(hv);
	pthread_mutex_unlock(&hv->vm->hyp_lock);
}

void sim_hyp_get_regs(struct sim_hvcpu *hv, struct gh_sim_regs *r)
{
	uc_engine *uc = hv->uc;

	for (unsigned int i = 0; i < 31; i++)
		r->x[i] = reg_read(uc, xreg(i));
	r->sp = reg_read(uc, UC_ARM64_REG_SP);
	r->pc = reg_read(uc, UC_ARM64_REG_PC);
	r->pstate = reg_read(uc, UC_ARM64_REG_PSTATE);
	r->esr_el1 = reg_read(uc, UC_ARM64_REG_ESR_EL1);
	r->far_el1 = reg_read(uc, UC_ARM64_REG_FAR_EL1);
	r->elr_el1 = reg_read(uc, UC_ARM64_REG_ELR_EL1);
	r->vbar_el1 = reg_read(uc, UC_ARM64_REG_VBAR_EL1);
}

/* ---- the vcpu_run hypercall ------------------------------------------------ */

/* Finish the load/store that stopped at an MMIO address (PC is on it). */
static void mmio_complete(struct sim_hvcpu *hv, uint64_t read_value)
{
	const struct sim_ldst *ld = &hv->ev_insn;
	uc_engine *uc = hv->uc;
	uint64_t pc = reg_read(uc, UC_ARM64_REG_PC);

	if (ld->is_load && ld->pair) {
		gpr_write(uc, ld->rt, false, sim_ldst_extend(ld, hv->pair_val));
		gpr_write(uc, ld->rt2, false, sim_ldst_extend(ld, read_value));
	} else if (ld->is_load) {
		gpr_write(uc, ld->rt, false, sim_ldst_extend(ld, read_value));
	}
	if (ld->exclusive && !ld->is_load)
		gpr_write(uc, ld->rs, false, 0); /* the store "succeeded" */
	if (ld->writeback)
		gpr_write(uc, ld->rn, true,
			  gpr_read(uc, ld->rn, true) + (uint64_t)ld->offset);
	reg_write(uc, UC_ARM64_REG_PC, pc + 4);
}

static void apply_resume(struct sim_hvcpu *hv, const uint64_t resume[3])
{
	if (hv->mmio_pending) {
		hv->mmio_pending = false;
		switch (resume[1]) {
		case SIM_VMMIO_ACTION_EMULATE:
			if (hv->pair_step == 1) {
				/* The second register's exit comes next. */
				hv->pair_val = resume[0];
				hv->pair_step = 2;
				break;
			}
			hv->pair_step = 0;
			mmio_complete(hv, resume[0]);
			break;
		case SIM_VMMIO_ACTION_FAULT:
			hv->pair_step = 0;
			inject_data_abort(hv, hv->ev_addr, hv->ev_write);
			break;
		default: /* RETRY: run the access again */
			hv->pair_step = 0;
			break;
		}
	} else if (hv->pf_pending) {
		hv->pf_pending = false;
		if (resume[1] != SIM_VMMIO_ACTION_FAULT)
			return;
		if (hv->ev_fetch)
			inject_sync(hv, EC_IABT_CUR, FSC_SYNC_EXT_ABORT,
				    hv->ev_addr, true, hv->ev_addr);
		else
			inject_data_abort(hv, hv->ev_addr, hv->ev_write);
	}
}

/* Power state gate: may the guest run now?  Fills resp if not. */
static bool may_run(struct sim_hvcpu *hv, struct sim_run_resp *resp)
{
	struct sim_vm *vm = hv->vm;
	bool run = true;
	bool vm_running = atomic_load(&vm->running);

	/* Only this vCPU's thread writes its power state: no lock to read. */
	if (vm_running && hv->power == SIM_POWER_ON) {
		sim_hyp_set_state(hv, GH_SIM_VCPU_RUNNING);
		return true;
	}

	pthread_mutex_lock(&vm->hyp_lock);
	if (!vm_running) {
		hv->power = SIM_POWER_OFF;
		hv->on_pending = false;
	}
	if (hv->power == SIM_POWER_OFF && hv->on_pending) {
		hv->on_pending = false;
		hv->power = SIM_POWER_ON;
		reg_write(hv->uc, UC_ARM64_REG_PSTATE, PSTATE_EL1H_MASKED);
		reg_write(hv->uc, UC_ARM64_REG_X0, hv->on_context);
		reg_write(hv->uc, UC_ARM64_REG_PC, hv->on_entry);
	}
	if (hv->power == SIM_POWER_IDLE &&
	    atomic_exchange(&hv->wake_pending, false))
		hv->power = SIM_POWER_ON;

	if (hv->power == SIM_POWER_OFF) {
		resp->state = SIM_VCPU_STATE_POWERED_OFF;
		run = false;
	} else if (hv->power == SIM_POWER_IDLE) {
		resp->state = SIM_VCPU_STATE_EXPECTS_WAKEUP;
		run = false;
	}
	pthread_mutex_unlock(&vm->hyp_lock);

	if (!run) {
		sim_hyp_set_state(hv, !vm_running ? GH_SIM_VCPU_STOPPED :
				  hv->power == SIM_POWER_OFF ? GH_SIM_VCPU_OFF :
				  GH_SIM_VCPU_IDLE);
		if (resp->state == SIM_VCPU_STATE_POWERED_OFF)
			STAT(hv, powered_off);
		else
			STAT(hv, expects_wakeup);
	} else {
		sim_hyp_set_state(hv, GH_SIM_VCPU_RUNNING);
	}
	return run;
}

/* Hand the access to the host: a VMMIO state for [addr, +ev_len). */
static enum sim_hyp_error mmio_exit(struct sim_hvcpu *hv, uint64_t addr,
				    uint64_t data, struct sim_run_resp *resp)
{
	hv->mmio_pending = true;
	resp->state = hv->ev_write ? SIM_VCPU_ADDRSPACE_VMMIO_WRITE :
				     SIM_VCPU_ADDRSPACE_VMMIO_READ;
	resp->state_data[0] = addr;
	resp->state_data[1] = hv->ev_len;
	resp->state_data[2] = hv->ev_write ? data : 0;
	STAT(hv, mmio);
	return SIM_HYP_OK;
}

/* The guest stopped at an access with nothing behind it. */
static enum sim_hyp_error on_access(struct sim_hvcpu *hv,
				    struct sim_run_resp *resp)
{
	uc_engine *uc = hv->uc;
	uint64_t pc = reg_read(uc, UC_ARM64_REG_PC);
	uint32_t insn = 0;
	const char *why;

	if (hv->event == SIM_EV_PAGE_FAULT) {
		hv->pf_pending = true;
		resp->state = SIM_VCPU_ADDRSPACE_PAGE_FAULT;
		resp->state_data[0] = hv->ev_addr;
		resp->state_data[1] = hv->ev_write;
		STAT(hv, page_fault);
		return SIM_HYP_OK;
	}

	/* Beyond the IPA space: the guest's own address size fault. */
	if (hv->ev_addr >= SIM_IPA_SIZE) {
		sim_vm_log_ratelimited(hv->vm, "vcpu%u: access at %#" PRIx64
			   " beyond the %u-bit IPA space (pc=%#" PRIx64
			   "): address size fault", hv->id, hv->ev_addr,
			   SIM_IPA_BITS, pc);
		hv->inject_why = "an access beyond the IPA space";
		inject_sync(hv, EC_DABT_CUR, FSC_ADDR_SIZE_L0 |
			    (hv->ev_write ? ESR_WNR : 0), hv->ev_addr, true, pc);
		resp->state = SIM_VCPU_STATE_READY;
		return SIM_HYP_OK;
	}

	/*
	 * Only accesses the hypervisor can emulate (one general-purpose
	 * register, as an ISV=1 abort describes) go to the host; anything
	 * else takes a data abort, as on hardware.
	 */
	if (sim_hyp_read_insn(hv, pc, &insn))
		why = "an instruction the hypervisor cannot read";
	else
		why = sim_mmio_decode(insn, atomic_load(&hv->vm->lenient),
				      &hv->ev_insn);
	if (why) {
		sim_vm_log_ratelimited(hv->vm, "vcpu%u: MMIO access at %#" PRIx64
			   " by %s (%#010x at pc=%#" PRIx64 "): no instruction "
			   "syndrome (ISV=0), data abort", hv->id, hv->ev_addr,
			   why, insn, pc);
		hv->inject_why = "an MMIO access with no instruction syndrome";
		inject_data_abort(hv, hv->ev_addr, hv->ev_write);
		resp->state = SIM_VCPU_STATE_READY;
		return SIM_HYP_OK;
	}

	/*
	 * The access as the instruction makes it: the engine splits an 8-byte
	 * access to an MMIO region (sim_plat.c's gaps) into two callbacks, and
	 * the one that stopped the guest saw only the first half.
	 */
	if (hv->ev_split && hv->ev_write && !hv->ev_insn.pair) {
		hv->ev_data = gpr_read(uc, hv->ev_insn.rt, false);
		if (hv->ev_insn.size < 8)
			hv->ev_data &= (1ull << (8 * hv->ev_insn.size)) - 1;
	}
	if (hv->ev_split)
		hv->ev_len = hv->ev_insn.size;
	hv->ev_split = false;
	if (hv->ev_insn.pair) {
		/* Lenient: one exit per register, Rt's first. */
		hv->pair_step = 1;
		hv->ev_len = hv->ev_insn.size;
		hv->ev_data = gpr_read(uc, hv->ev_insn.rt, false);
	}
	return mmio_exit(hv, hv->ev_addr, hv->ev_data, resp);
}

static enum sim_hyp_error on_fetch_fault(struct sim_hvcpu *hv,
					 struct sim_run_resp *resp)
{
	uint64_t pc = reg_read(hv->uc, UC_ARM64_REG_PC);

	if (sim_vm_in_pf_region(hv->vm, pc)) {
		hv->ev_addr = pc;
		hv->ev_write = false;
		hv->ev_fetch = true;
		hv->event = SIM_EV_PAGE_FAULT;
		return on_access(hv, resp);
	}
	/* The core cannot say where the branch came from: ELR is the target. */
	hv->inject_why = "an instruction fetch from no memory";
	inject_sync(hv, EC_IABT_CUR, FSC_SYNC_EXT_ABORT, pc, true, pc);
	resp->state = hv->event == SIM_EV_VM_DOWN ?
			      SIM_VCPU_STATE_POWERED_OFF : SIM_VCPU_STATE_READY;
	return SIM_HYP_OK;
}

/* One uc_emu_start from pc, with the sim's per-thread bindings. */
static uc_err engine_run(struct sim_hvcpu *hv, uint64_t pc)
{
	uc_engine *uc = hv->uc;
	uc_err err;

	/*
	 * hv->redirect.enabled (with the guest's MMU on, the engine's address
	 * check sees virtual addresses: let the translation decide,
	 * sim_quirks.h) is SCTLR_EL1.M: off in a new engine, and only the
	 * guest's MSR writes SCTLR_EL1 (the MSR hook follows it, sim_plat.c;
	 * the sim never does).  Reading it here, a hash lookup in the
	 * engine, was a twentieth of an MMIO exit.
	 */
	if (pc & 3) {
		/* No TB is made for the first PC of an engine's life. */
		hv->event = SIM_EV_PC_ALIGN;
		return UC_ERR_OK;
	}
	sim_quirk_redirect_bind(&hv->redirect);
	sim_quirk_loop_bind(&hv->loop);
	sim_quirk_tlb_bind(&hv->tlb);
	if (!hv->code_entered) {
		/* The engine's first TB comes with no hook call. */
		hv->code_entered = true;
		code_made(hv, pc, 4);
	}
	/* No until address: with exits on and none set, the engine does
	 * not drop the TB at until (a TLB fill every run). */
	err = uc_emu_start(uc, pc, 0, 0, 0);
	sim_quirk_tlb_bind(NULL);
	sim_quirk_loop_bind(NULL);
	sim_quirk_redirect_bind(NULL);
	return err;
}

/* Not a silent wrong PC: sim_quirks' probe makes this never happen. */
static enum sim_hyp_error lost_pc(struct sim_hvcpu *hv, struct sim_run_resp *resp)
{
	uint64_t pc = reg_read(hv->uc, UC_ARM64_REG_PC);

	crash_plain(hv, pc, "the engine lost the PC of an access to %#" PRIx64,
		    hv->ev_addr);
	sim_vm_log_ratelimited(hv->vm, "vcpu%u: the engine lost the PC of an "
			       "access to %#" PRIx64 ": VM crashed", hv->id,
			       hv->ev_addr);
	sim_vm_exited(hv->vm, SIM_RM_CRASHED, GUNYAH_VM_EXIT_TYPE_VM_EXIT, NULL, 0);
	resp->state = SIM_VCPU_STATE_POWERED_OFF;
	return SIM_HYP_OK;
}

enum sim_hyp_error sim_hyp_vcpu_run(struct sim_hvcpu *hv,
				    const uint64_t resume_data[3],
				    struct sim_run_resp *resp)
{
	uc_engine *uc = hv->uc;
	uint64_t pc;
	uint32_t insn = 0;
	uc_err err;

	memset(resp, 0, sizeof(*resp));
	apply_resume(hv, resume_data);
	if (hv->pair_step == 2) {
		hv->pair_step = 3;
		return mmio_exit(hv, hv->ev_addr + hv->ev_insn.size,
				 gpr_read(uc, hv->ev_insn.rt2, false), resp);
	}

	if (hv->test_retries) {
		hv->test_retries--;
		STAT(hv, retry);
		return SIM_HYP_RETRY;
	}
	if (hv->test_state) {
		resp->state = hv->test_state;
		hv->test_state = 0;
		return SIM_HYP_OK;
	}
	if (!may_run(hv, resp))
		return SIM_HYP_OK;
	if (sync_memory(hv))
		return SIM_HYP_ERROR;

	hv->event = SIM_EV_NONE;
	hv->block_stopped = false;
	sim_plat_before_run(hv);
	pc = reg_read(uc, UC_ARM64_REG_PC);
	sim_quirk_block_stops(uc);
	err = engine_run(hv, pc);
	if (hv->event == SIM_EV_LOST_PC)
		return lost_pc(hv, resp);
	switch (err) {
	case UC_ERR_OK:
		break;
	case UC_ERR_READ_UNMAPPED:
	case UC_ERR_WRITE_UNMAPPED:
		return on_access(hv, resp);
	case UC_ERR_FETCH_UNMAPPED:
	case UC_ERR_FETCH_PROT: /* from an MMIO gap (sim_plat.c) */
		return on_fetch_fault(hv, resp);
	default:
		pc = reg_read(uc, UC_ARM64_REG_PC);
		crash_plain(hv, pc, "CPU error: %s", uc_strerror(err));
		sim_vm_log_ratelimited(hv->vm, "vcpu%u: CPU error at pc=%#" PRIx64 ": %s",
			   hv->id, pc, uc_strerror(err));
		sim_vm_exited(hv->vm, SIM_RM_CRASHED,
			      GUNYAH_VM_EXIT_TYPE_VM_EXIT, NULL, 0);
		resp->state = SIM_VCPU_STATE_POWERED_OFF;
		return SIM_HYP_OK;
	}

	switch (hv->event) {
	case SIM_EV_MMIO:
	case SIM_EV_PAGE_FAULT:
		return on_access(hv, resp);
	case SIM_EV_FETCH_ABORT:
		return on_fetch_fault(hv, resp);
	case SIM_EV_PC_ALIGN:
		/*
		 * Its TB is made: drop it (with the translation it was made
		 * with), so a later entry is caught too.  Not a whole flush:
		 * that costs the engine seconds.
		 */
		pc = reg_read(uc, UC_ARM64_REG_PC);
		uc_ctl_remove_cache(uc, pc & ~3ull, (pc & ~3ull) + 8);
		hv->inject_why = "a misaligned PC";
		inject_sync(hv, EC_PC_ALIGN, 0, pc, true, pc);
		resp->state = hv->event == SIM_EV_VM_DOWN ?
				      SIM_VCPU_STATE_POWERED_OFF :
				      SIM_VCPU_STATE_READY;
		return SIM_HYP_OK;
	case SIM_EV_VM_DOWN:
	case SIM_EV_POWER_OFF:
		resp->state = SIM_VCPU_STATE_POWERED_OFF;
		STAT(hv, powered_off);
		return SIM_HYP_OK;
	case SIM_EV_STATE:
	case SIM_EV_RETRY:
		/* Reported by the next call, as if the hypervisor said so. */
		return sim_hyp_vcpu_run(hv, (const uint64_t[3]){ 0 }, resp);
	default:
		break;
	}

	if (!hv->block_stopped) {
		pc = reg_read(uc, UC_ARM64_REG_PC);
		sim_hyp_read_insn(hv, pc - 4, &insn);
		if (insn == INSN_WFI && !sim_plat_wfi_wakes(hv)) {
			pthread_mutex_lock(&hv->vm->hyp_lock);
			if (!atomic_exchange(&hv->wake_pending, false))
				hv->power = SIM_POWER_IDLE;
			pthread_mutex_unlock(&hv->vm->hyp_lock);
			if (hv->power == SIM_POWER_IDLE) {
				resp->state = SIM_VCPU_STATE_EXPECTS_WAKEUP;
				sim_hyp_set_state(hv, GH_SIM_VCPU_IDLE);
				STAT(hv, expects_wakeup);
				return SIM_HYP_OK;
			}
		}
	}
	resp->state = SIM_VCPU_STATE_READY;
	STAT(hv, ready);
	return SIM_HYP_OK;
}
