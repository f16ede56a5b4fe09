/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every workaround the sim needs for the emulator it runs on, Debian 12's
 * libunicorn2 2.0.1.post1-1+b1 (see ../shared/LINUX-GUEST-NOTES.md,
 * "Engine problems", whose numbers the comments here cite).  Some reach
 * into the library's private layout or call QEMU functions it happens to
 * export: sim_quirks_check() proves, before any VM is made, that the
 * loaded library is that build, and says in one line what differs if not.
 *
 * Threads: every function taking an engine is for the thread driving it,
 * except sim_quirk_cpu_kick(), which any thread may call.
 */
#ifndef SIM_QUIRKS_H
#define SIM_QUIRKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unicorn/unicorn.h>

#define SIM_QUIRKS_BUILD "libunicorn2 2.0.1.post1-1+b1"

/*
 * 0 if the loaded libunicorn has the private layout and the exported
 * symbols the quirks below rely on; else -ELIBBAD with one line in why
 * (no trailing newline) naming what does not match.  The first call
 * probes a throw-away engine; later calls return the same answer.
 */
int sim_quirks_check(char *why, size_t len);

/*
 * The probe itself, on an engine the caller has just opened for AArch64
 * (uc_open only, nothing else done to it): tests feed it engines they
 * have tampered with.  Initialises the engine as a side effect.
 */
int sim_quirks_probe(uc_engine *uc, char *why, size_t len);

/* Problem 1: EL1 runs AArch64 (SCR_EL3.RW|NS, HCR_EL2.RW).  Before the
 * first run of every engine.  0 or a uc_err. */
int sim_quirk_el1_aarch64(uc_engine *uc);

/*
 * Problem 3: stops (uc_emu_stop, sim_quirk_cpu_kick, an MMIO callback's
 * stop) land only on translation block boundaries, never just after a
 * load or store in mid-block, so nothing ever runs twice.  Call before
 * the engine translates its first block and again before every
 * uc_emu_start (cheap: one store; AArch32 translation would clear it).
 * A stop from inside a block then takes effect after the block's last
 * instruction, with PC at the next block.
 * Beware: a store to an address with nothing mapped (UC_HOOK_MEM_UNMAPPED
 * hook returning false) ends the run through that same check, so with
 * this on, such a store is dropped and the block runs on (loads are not
 * affected: they leave at once).  Cover every address a guest may store
 * to with RAM or uc_mmio_map windows first.
 */
void sim_quirk_block_stops(uc_engine *uc);
/* Whether it is in force (tests). */
bool sim_quirk_block_stops_on(uc_engine *uc);

/*
 * Problems 3 and 5 with no block hook: .fn(uc, .ctx) runs on the thread
 * bound to it each time the engine's execution loop starts over: at
 * uc_emu_start before the first block, and after every exit from
 * translated code (sim_quirk_cpu_kick or uc_emu_stop from any thread, an
 * exception, an interrupt, a fault), at a block boundary, never per block.
 * There .fn may call uc_emu_stop: the run then ends with no instruction
 * of the next block run.  A cross-thread stop is thus: set a flag .fn
 * reads, then sim_quirk_cpu_kick (race-free: a flag set before the loop
 * starts is seen at its start, one set later is followed by the kick).
 * Install once per engine; bind only around uc_emu_start.
 */
struct sim_quirk_loop {
	void (*fn)(uc_engine *uc, void *ctx);
	void *ctx;
};

void sim_quirk_loop_install(uc_engine *uc);
/* The loop callback this thread's engine uses; returns the previous one. */
const struct sim_quirk_loop *sim_quirk_loop_bind(const struct sim_quirk_loop *l);

/*
 * Guest stores at full speed: Unicorn 2.0.1 write-protects every RAM page
 * in the TLB as if it held translated code, so every store is a slow
 * helper call.  While bound on the engine's thread, a TLB fill of .uc's
 * CPU for a page at guest physical address pa with .is_code(.ctx, pa)
 * false leaves the page writable at full speed; stores to it then no
 * longer drop translated code there.  So .is_code must answer true for
 * every page holding code of .uc's, and the owner must call
 * sim_quirk_tlb_code_added() (a TLB flush) before any code made on a
 * page it answered false for runs.  Unbound, nothing changes.
 */
struct sim_quirk_tlb {
	uc_engine *uc;
	bool (*is_code)(void *ctx, uint64_t pa);
	void *ctx;
};

const struct sim_quirk_tlb *sim_quirk_tlb_bind(const struct sim_quirk_tlb *t);
/* Whether the library's TLB fill reaches this copy of the sim (not where
 * it is linked in with hidden symbols); if not, binding changes nothing. */
bool sim_quirk_tlb_active(void);
void sim_quirk_tlb_code_added(uc_engine *uc);
/* The engine's target page size (uc_ctl_get_page_size without the
 * header macro's signed shift), or 0. */
uint32_t sim_quirk_page_size(uc_engine *uc);

/*
 * Problem 2: with the guest MMU on, the engine checks virtual addresses
 * against its physical map before translating them.  The engine's
 * redirect slot gets a function that, on the thread bound to a redirect
 * (sim_quirk_redirect_bind) with .enabled set, answers .fallback (any
 * address mapped in the engine) for an address outside .phys, so the
 * check passes and the real translation decides.  Addresses inside .phys
 * and every address on a thread with no enabled binding pass unchanged.
 * The slot is also consulted by uc_mem_read/write/map/protect: bind only
 * around uc_emu_start, and read guest memory by physical address.
 */
#define SIM_QUIRK_REDIRECT_RANGES 16

struct sim_quirk_range {
	uint64_t base, size;
};

struct sim_quirk_redirect {
	bool enabled;	   /* the guest's MMU is on: addresses are VAs */
	uint64_t fallback; /* mapped in the engine */
	unsigned int nr;
	struct sim_quirk_range phys[SIM_QUIRK_REDIRECT_RANGES];
};

void sim_quirk_redirect_install(uc_engine *uc);
/* The redirect this thread's engine uses; returns the previous one. */
const struct sim_quirk_redirect *
sim_quirk_redirect_bind(const struct sim_quirk_redirect *r);
/* What the installed function answers on this thread (tests). */
uint64_t sim_quirk_redirect_apply(uc_engine *uc, uint64_t addr);

/*
 * Problem 3 without hooks: from inside a uc_mmio_map callback, end the run
 * at the access: PC on the load/store, nothing of it done, the rest of the
 * block not run; uc_emu_start then returns UC_ERR_OK.  Does not return,
 * unless the access did not come from guest code (an instruction fetch
 * during translation, or uc_mem_read/write): then false, nothing done.
 * Needs no UC_HOOK_MEM_* hook (which costs every load and store).
 */
bool sim_quirk_mmio_exit(uc_engine *uc);

/*
 * Problem 3 with no memory hook, for any access translated code makes:
 * from a uc_mmio_map callback, end the run at the access: PC on the
 * load/store, nothing of it done, the rest of the block not run;
 * uc_emu_start then returns UC_ERR_OK.
 * Does not return, unless the access did not come from translated code
 * (then false, nothing done).  Windows use QEMU's mem_io_pc
 * (sim_quirk_mmio_exit); elsewhere the access's return address into the
 * translated code is found by unwinding the helper's frames, as QEMU's
 * own fault path would have been given it.
 */
bool sim_quirk_access_exit(uc_engine *uc);

/*
 * The same from a UC_HOOK_MEM_READ/WRITE_UNMAPPED hook: by unwinding
 * only, as mem_io_pc there is stale (left by an earlier window access).
 */
bool sim_quirk_unmapped_exit(uc_engine *uc);

/*
 * Problem 3 and unmapped stores: with sim_quirk_block_stops() in force, a
 * store to unmapped memory is dropped and the block runs on (the engine
 * ends such a store only through the exit check that quirk removes).
 * From the UC_HOOK_MEM_WRITE_UNMAPPED hook, end the run at the store
 * instead: PC on it (exact while a UC_HOOK_MEM_WRITE hook is installed,
 * which makes the engine write PC back before every store), nothing of it
 * done; uc_emu_start returns UC_ERR_OK.  Does not return.
 */
void sim_quirk_unmapped_store_exit(uc_engine *uc) __attribute__((noreturn));

/*
 * Problem 4: the engine's CPUState (QEMU's), or NULL before the engine's
 * lazy initialisation (any uc_reg_*, uc_mem_*, uc_emu_start does it).
 */
void *sim_quirk_cpu(uc_engine *uc);

/*
 * Problem 4: from a UC_HOOK_INTR hook, take the exception the core has
 * prepared (ESR, FAR, target EL) to the guest's vector exactly as the
 * architecture says: SPSR, ELR, PSTATE, PC.  False if there is no CPU.
 */
bool sim_quirk_take_exception(uc_engine *uc);

/*
 * Problem 5: the core's IRQ line.  Raised, the core takes the IRQ at the
 * next block boundary at which PSTATE.I allows it (vector +0x280/+0x480).
 * Only the engine's thread may call it, between runs or from a hook.
 */
void sim_quirk_irq_line(uc_engine *uc, bool level);

/*
 * Problem 5: make a running core look at its IRQ line and stop requests
 * at its next block boundary (QEMU's cpu_exit; any thread).  Safe only
 * with sim_quirk_block_stops() in force.  Does not end uc_emu_start by
 * itself; uc_emu_stop does, and calls it.
 */
void sim_quirk_cpu_kick(uc_engine *uc);

#endif /* SIM_QUIRKS_H */
