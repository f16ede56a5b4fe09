// SPDX-License-Identifier: GPL-2.0-only
/*
 * The engine workarounds, all in one place (sim_quirks.h says what each is
 * for).  Problem numbers are those of ../shared/LINUX-GUEST-NOTES.md.
 *
 * What ties this file to one build of libunicorn:
 *   - byte offsets into its private struct uc_struct (include/uc_priv.h of
 *     unicorn 2.0.1) and QEMU's CPUState, as Debian's x86-64 build lays
 *     them out;
 *   - QEMU functions the library exports by accident (Debian builds it
 *     without a symbol list), looked up with dlsym so that a library
 *     without them is refused instead of failing at the first call.
 * sim_quirks_probe() checks both on a fresh engine: each offset is tested
 * against a value the library itself sets or reports through its public
 * API (the per-architecture callbacks, the engine's own page size and
 * context size, the CPU's back pointer), before and after the engine's
 * lazy initialisation.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unwind.h>

#include "sim_quirks.h"

/* struct uc_struct (include/uc_priv.h, 2.0.1), x86-64 offsets. */
#define UC_OFF_ARCH 0		  /* uc_arch arch */
#define UC_OFF_MODE 4		  /* uc_mode mode */
#define UC_OFF_REG_READ 136	  /* reg_read_t reg_read */
#define UC_OFF_REG_WRITE 144	  /* reg_write_t reg_write */
#define UC_OFF_REG_RESET 152	  /* reg_reset_t reg_reset */
#define UC_OFF_STOP_INTR 200	  /* uc_args_int_t stop_interrupt */
#define UC_OFF_INIT_ARCH 216	  /* uc_args_uc_t init_arch */
#define UC_OFF_MEM_REDIRECT 280	  /* uc_mem_redirect_t mem_redirect */
#define UC_OFF_CPU 384		  /* CPUState *cpu */
#define UC_OFF_PAGE_SIZE 1888	  /* uint32_t target_page_size */
#define UC_OFF_PAGE_ALIGN 1892	  /* uint32_t target_page_align */
#define UC_OFF_CONTEXT_SIZE 1916  /* int cpu_context_size */
#define UC_OFF_NO_EXIT_REQ 1930	  /* bool no_exit_request */
#define UC_OFF_INIT_DONE 1931	  /* bool init_done */
/* struct uc_context's header before the CPU state (uc_priv.h). */
#define UC_CONTEXT_HEADER 16
/* CPUState (qemu/include/hw/core/cpu.h): struct uc_struct *uc and
 * uintptr_t mem_io_pc (the host return address of the last I/O access). */
#define CPU_OFF_UC 33192
#define CPU_OFF_MEM_IO_PC 33144

/* QEMU's CPU_INTERRUPT_HARD (include/exec/cpu-all.h). */
#define CPU_INTERRUPT_HARD 0x0002

/* The CP registers problem 1 needs. */
#define SCR_EL3_NS (1ull << 0)
#define SCR_EL3_RW (1ull << 10)
#define HCR_EL2_RW (1ull << 31)

typedef void (*cpu_fn)(void *cs);
typedef void (*cpu_mask_fn)(void *cs, int mask);
typedef uint64_t (*redirect_fn)(uint64_t addr);
typedef bool (*stop_intr_fn)(uc_engine *uc, int intno);
typedef void __attribute__((noreturn)) (*noreturn_cpu_fn)(void *cs);

/*
 * What the first check resolved.  Written once under pthread_once and only
 * read afterwards: the process's one copy of facts about the library it
 * loaded, not state (the functions below run only once a VM exists, and
 * no VM is made before the check has succeeded).
 */
struct lib_syms {
	cpu_fn do_interrupt;	     /* arm_cpu_do_interrupt_aarch64 */
	cpu_mask_fn *interrupt;	     /* &cpu_interrupt_handler */
	cpu_mask_fn reset_interrupt; /* cpu_reset_interrupt */
	cpu_fn cpu_exit;	     /* cpu_exit */
	bool (*restore_state)(void *cs, uintptr_t host_pc, bool will_exit);
	noreturn_cpu_fn loop_exit;  /* cpu_loop_exit_aarch64 */
	/* The slow-path load helpers translated code calls (the x86-64
	 * backend's qemu_ld_helpers, little-endian guest). */
	const void *ld_helper[4];
	cpu_fn tlb_flush;	     /* tlb_flush_aarch64 */
	bool tlb_active;	     /* the library's TLB fill is ours */
};

static const char *const ld_helper_names[4] = {
	"helper_ret_ldub_mmu_aarch64", "helper_le_lduw_mmu_aarch64",
	"helper_le_ldul_mmu_aarch64", "helper_le_ldq_mmu_aarch64",
};

static struct {
	pthread_once_t once;
	int ret;
	char why[256];
	struct lib_syms fn;
} lib = { .once = PTHREAD_ONCE_INIT };

static int probe_tlb(char *why, size_t len, struct lib_syms *fn);

static unsigned char *priv(uc_engine *uc)
{
	return (unsigned char *)uc;
}

static void *ptr_at(const void *base, size_t off)
{
	void *p;

	memcpy(&p, (const unsigned char *)base + off, sizeof(p));
	return p;
}

static uint32_t u32_at(const void *base, size_t off)
{
	uint32_t v;

	memcpy(&v, (const unsigned char *)base + off, sizeof(v));
	return v;
}

static int refuse(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(char *why, size_t len, const char *fmt, ...)
{
	char what[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(why, len, "libunicorn is not the " SIM_QUIRKS_BUILD
		 " build the sim needs: %s", what);
	return -ELIBBAD;
}

/* A symbol of the same library as uc_open, or NULL. */
static void *lib_symbol(const char *name)
{
	Dl_info self, it;
	void *p = dlsym(RTLD_DEFAULT, name);

	if (!p || !dladdr((void *)uc_open, &self) || !dladdr(p, &it) ||
	    self.dli_fbase != it.dli_fbase)
		return NULL;
	return p;
}

static bool same_fn(const void *slot_value, const char *name)
{
	void *p = lib_symbol(name);

	return p && p == slot_value;
}

/* ---- problems 3 and 5: a call at every entry to the execution loop --------- */

/*
 * The engine calls its stop_interrupt slot (used by ARM32 only, NULL on
 * AArch64) with the pending exception number each time its execution
 * loop starts over: at uc_emu_start, and after every exit from translated
 * code (an exit request, an exception, an interrupt, a fault), never per
 * block.  Answering false keeps its meaning (no "invalid instruction").
 * The slot's function has no context argument: the binding is per
 * thread, as an engine is driven by one thread at a time.
 */
static _Thread_local const struct sim_quirk_loop *bound_loop;

static bool loop_entry(uc_engine *uc, int intno)
{
	const struct sim_quirk_loop *l = bound_loop;

	(void)intno;
	if (l && l->fn)
		l->fn(uc, l->ctx);
	return false;
}

void sim_quirk_loop_install(uc_engine *uc)
{
	stop_intr_fn fn = loop_entry;

	memcpy(priv(uc) + UC_OFF_STOP_INTR, &fn, sizeof(fn));
}

const struct sim_quirk_loop *sim_quirk_loop_bind(const struct sim_quirk_loop *l)
{
	const struct sim_quirk_loop *old = bound_loop;

	bound_loop = l;
	return old;
}

/* ---- problem 3 with no memory hook: where translated code made an access -- */

/* The innermost frame in no loaded object: translated code. */
struct jit_walk {
	uintptr_t ip;
	unsigned int frames;
};

static _Unwind_Reason_Code jit_frame(struct _Unwind_Context *ctx, void *arg)
{
	struct jit_walk *w = arg;
	uintptr_t ip = (uintptr_t)_Unwind_GetIP(ctx);
	struct dl_find_object obj;

	if (++w->frames > 32)
		return _URC_END_OF_STACK;
	/* _dl_find_object, not dladdr: only "in an object?" is asked, and
	 * dladdr also looks for the nearest symbol, a scan of the object's
	 * symbol table (81 % of a fuzzer's time, one VM per input). */
	if (ip && _dl_find_object((void *)ip, &obj) != 0) {
		w->ip = ip;
		return _URC_END_OF_STACK;
	}
	return _URC_NO_REASON;
}

static bool is_ld_helper(const struct lib_syms *fn, uintptr_t target)
{
	for (size_t i = 0; i < 4; i++)
		if (target == (uintptr_t)fn->ld_helper[i])
			return true;
	return false;
}

/*
 * A load's slow path is out of line, after the block's instructions: it
 * loads the address to go back to (the retaddr QEMU's state restore
 * needs) into the helper's 4th argument, RCX, then calls the helper, so
 * the return address the walk finds is in that stub.  Read the retaddr
 * back from the stub's code as the x86-64 backend writes it:
 *   lea rcx,[rip+d32] | movabs rcx,i64 | mov ecx,i32;
 *   then call rel32 | movabs r10,i64; call *r10.
 * A store's slow path pushes the retaddr and jumps to its helper, and
 * other helpers are called from the block's own code: there the return
 * address is the retaddr already (0 returned).
 */
static uintptr_t ld_stub_retaddr(const struct lib_syms *fn, uintptr_t ip)
{
	const unsigned char *p = (const unsigned char *)ip;
	uintptr_t target;
	int32_t d32;
	uint64_t i64;
	uint32_t i32;

	if (p[-5] == 0xe8) {
		memcpy(&d32, p - 4, sizeof(d32));
		target = ip + (uintptr_t)(intptr_t)d32;
		p -= 5;
	} else if (p[-3] == 0x41 && p[-2] == 0xff && p[-1] == 0xd2 &&
		   p[-13] == 0x49 && p[-12] == 0xba) {
		memcpy(&i64, p - 11, sizeof(i64));
		target = (uintptr_t)i64;
		p -= 13;
	} else {
		return 0;
	}
	if (!is_ld_helper(fn, target))
		return 0;
	if (p[-7] == 0x48 && p[-6] == 0x8d && p[-5] == 0x0d) {
		memcpy(&d32, p - 4, sizeof(d32));
		return (uintptr_t)p + (uintptr_t)(intptr_t)d32;
	}
	if (p[-10] == 0x48 && p[-9] == 0xb9) {
		memcpy(&i64, p - 8, sizeof(i64));
		return (uintptr_t)i64;
	}
	if (p[-5] == 0xb9) {
		memcpy(&i32, p - 4, sizeof(i32));
		return i32;
	}
	return 0;
}

/* From a hook inside a load/store helper: end the run on the access. */
static bool jit_access_exit(uc_engine *uc, void *cs, const struct lib_syms *fn)
{
	struct jit_walk w = { 0 };
	uintptr_t ra;

	if (!cs)
		return false;
	_Unwind_Backtrace(jit_frame, &w);
	if (!w.ip)
		return false;
	ra = ld_stub_retaddr(fn, w.ip);
	if (!fn->restore_state(cs, ra ? ra : w.ip, true))
		return false;
	uc_emu_stop(uc);
	fn->loop_exit(cs);
}

/* The probe's one guest store, into a window whose callback looks. */
struct io_probe {
	void *cs;
	const struct lib_syms *fn;
	bool restored;
	uint64_t pc;
};

static uint64_t io_probe_read(uc_engine *uc, uint64_t off, unsigned size,
			      void *data)
{
	(void)uc;
	(void)off;
	(void)size;
	(void)data;
	return 0;
}

static void io_probe_write(uc_engine *uc, uint64_t off, unsigned size,
			   uint64_t value, void *data)
{
	struct io_probe *p = data;

	(void)off;
	(void)size;
	(void)value;
	p->restored = p->fn->restore_state(
		p->cs, (uintptr_t)ptr_at(p->cs, CPU_OFF_MEM_IO_PC), false);
	uc_reg_read(uc, UC_ARM64_REG_PC, &p->pc);
	uc_emu_stop(uc);
}

static void probe_count_entry(uc_engine *uc, void *ctx)
{
	(void)uc;
	(*(unsigned int *)ctx)++;
}

#define PROBE_RAM 0x40000000ull
#define PROBE_IO 0x50000000ull

/*
 * mem_io_pc: a store to a window from the second instruction of a block;
 * QEMU's own state restore, fed the value at that offset, must find the
 * block and put PC on the store.
 */
static int probe_mem_io_pc(uc_engine *uc, void *cs, const struct lib_syms *fn,
			   char *why, size_t len)
{
	static const uint32_t code[] = {
		0x91000421, /* add x1, x1, #1 */
		0xb9000040, /* str w0, [x2] */
		0x14000000, /* b . */
	};
	struct io_probe p = { .cs = cs, .fn = fn };
	unsigned int entries = 0;
	struct sim_quirk_loop count = { probe_count_entry, &entries };
	const struct sim_quirk_loop *old;
	uint64_t x2 = PROBE_IO;
	uc_err err;

	err = uc_mem_map(uc, PROBE_RAM, 0x1000, UC_PROT_ALL);
	if (!err)
		err = uc_mem_write(uc, PROBE_RAM, code, sizeof(code));
	if (!err)
		err = uc_mmio_map(uc, PROBE_IO, 0x1000, io_probe_read, &p,
				  io_probe_write, &p);
	if (!err)
		err = uc_reg_write(uc, UC_ARM64_REG_X2, &x2);
	sim_quirk_loop_install(uc);
	old = sim_quirk_loop_bind(&count);
	if (!err)
		err = uc_emu_start(uc, PROBE_RAM, 0, 0, 0);
	sim_quirk_loop_bind(old);
	memset(priv(uc) + UC_OFF_STOP_INTR, 0, sizeof(stop_intr_fn));
	if (err)
		return refuse(why, len, "the probe guest fails: %s",
			      uc_strerror(err));
	if (!p.restored || p.pc != PROBE_RAM + 4)
		return refuse(why, len, "CPUState.mem_io_pc is not at %u",
			      CPU_OFF_MEM_IO_PC);
	if (!entries)
		return refuse(why, len, "uc_struct.stop_interrupt (%u) is never "
			      "called", UC_OFF_STOP_INTR);
	return 0;
}

/* The probe's unmapped accesses, each the second instruction of a block. */
struct unmapped_probe {
	void *cs;
	const struct lib_syms *fn;
	bool refused;
};

static bool unmapped_probe_hook(uc_engine *uc, uc_mem_type type, uint64_t addr,
				int size, int64_t value, void *data)
{
	struct unmapped_probe *p = data;

	(void)type;
	(void)addr;
	(void)size;
	(void)value;
	p->refused = !jit_access_exit(uc, p->cs, p->fn);
	return false;
}

static int probe_unmapped(uc_engine *uc, void *cs, const struct lib_syms *fn,
			  char *why, size_t len)
{
	static const uint32_t code[2][3] = {
		{ 0x91000421, /* add x1, x1, #1 */
		  0xb9400060, /* ldr w0, [x3] */
		  0x14000000 }, /* b . */
		{ 0x91000421, /* add x1, x1, #1 */
		  0xb9000060, /* str w0, [x3] */
		  0x14000000 }, /* b . */
	};
	struct unmapped_probe p = { .cs = cs, .fn = fn };
	uint64_t x3 = PROBE_IO + 0x100000, x1, pc;
	uc_hook h;
	uc_err err;

	err = uc_hook_add(uc, &h, UC_HOOK_MEM_READ_UNMAPPED |
			  UC_HOOK_MEM_WRITE_UNMAPPED, unmapped_probe_hook, &p, 1, 0);
	for (int i = 0; i < 2 && !err; i++) {
		uint64_t at = PROBE_RAM + 0x100 + 0x40 * (uint64_t)i, zero = 0;

		err = uc_mem_write(uc, at, code[i], sizeof(code[i]));
		if (!err)
			err = uc_reg_write(uc, UC_ARM64_REG_X3, &x3);
		if (!err)
			err = uc_reg_write(uc, UC_ARM64_REG_X1, &zero);
		if (!err)
			err = uc_emu_start(uc, at, 0, 0, 0);
		if (err)
			break;
		uc_reg_read(uc, UC_ARM64_REG_X1, &x1);
		uc_reg_read(uc, UC_ARM64_REG_PC, &pc);
		if (p.refused || pc != at + 4 || x1 != 1)
			return refuse(why, len, "translated code's unmapped %s is "
				      "not found from its helper (pc %+lld)",
				      i ? "store" : "load",
				      (long long)(pc - at));
	}
	if (err)
		return refuse(why, len, "the unmapped-access probe fails: %s",
			      uc_strerror(err));
	return 0;
}

/*
 * uc_ctl_get_page_size() as unsigned arithmetic: the header's macro
 * shifts the int 2 into bit 31 (undefined; UBSan stops on it).
 */
static uc_control_type page_size_read(void)
{
	return (uc_control_type)((unsigned int)UC_CTL_UC_PAGE_SIZE |
				 (1u << 26) | ((unsigned int)UC_CTL_IO_READ << 30));
}

static int probe(uc_engine *uc, char *why, size_t len, struct lib_syms *fn)
{
	static const char *const reg_fns[] = {
		"arm64_reg_read_aarch64", "arm64_reg_write_aarch64",
		"arm64_reg_reset_aarch64",
	};
	unsigned int v = uc_version(NULL, NULL);
	uint32_t page = 0;
	uint64_t x0 = 0x5157524b;
	void *cs;
	int ret;

	if ((v >> 8) != 0x020001)
		return refuse(why, len, "version %u.%u.%u, want 2.0.1",
			      v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff);
	fn->do_interrupt = (cpu_fn)lib_symbol("arm_cpu_do_interrupt_aarch64");
	fn->interrupt = (cpu_mask_fn *)lib_symbol("cpu_interrupt_handler");
	fn->reset_interrupt = (cpu_mask_fn)lib_symbol("cpu_reset_interrupt");
	fn->cpu_exit = (cpu_fn)lib_symbol("cpu_exit");
	fn->restore_state = (bool (*)(void *, uintptr_t, bool))lib_symbol(
		"cpu_restore_state_aarch64");
	fn->loop_exit = (noreturn_cpu_fn)lib_symbol("cpu_loop_exit_aarch64");
	for (size_t i = 0; i < 4; i++) {
		fn->ld_helper[i] = lib_symbol(ld_helper_names[i]);
		if (!fn->ld_helper[i])
			return refuse(why, len, "QEMU's %s is not exported",
				      ld_helper_names[i]);
	}
	if (!fn->do_interrupt || !fn->interrupt || !fn->reset_interrupt ||
	    !fn->cpu_exit || !*fn->interrupt || !fn->restore_state ||
	    !fn->loop_exit)
		return refuse(why, len, "QEMU's arm_cpu_do_interrupt_aarch64, "
			      "cpu_interrupt_handler, cpu_reset_interrupt, "
			      "cpu_exit, cpu_restore_state_aarch64 or "
			      "cpu_loop_exit_aarch64 is not exported");

	/* Before the lazy initialisation. */
	if (u32_at(uc, UC_OFF_ARCH) != UC_ARCH_ARM64 ||
	    u32_at(uc, UC_OFF_MODE) != UC_MODE_ARM)
		return refuse(why, len, "uc_struct.arch/mode not at 0/4");
	if (!same_fn(ptr_at(uc, UC_OFF_INIT_ARCH), "arm64_uc_init"))
		return refuse(why, len, "uc_struct.init_arch (%u) is not "
			      "arm64_uc_init", UC_OFF_INIT_ARCH);
	if (ptr_at(uc, UC_OFF_MEM_REDIRECT))
		return refuse(why, len, "uc_struct.mem_redirect (%u) is in use",
			      UC_OFF_MEM_REDIRECT);
	if (ptr_at(uc, UC_OFF_STOP_INTR))
		return refuse(why, len, "uc_struct.stop_interrupt (%u) is in use",
			      UC_OFF_STOP_INTR);
	if (ptr_at(uc, UC_OFF_CPU) || priv(uc)[UC_OFF_INIT_DONE] ||
	    priv(uc)[UC_OFF_NO_EXIT_REQ])
		return refuse(why, len, "uc_struct.cpu/init_done/no_exit_request "
			      "(%u/%u/%u) not clear in a new engine",
			      UC_OFF_CPU, UC_OFF_INIT_DONE, UC_OFF_NO_EXIT_REQ);

	/* Any register access initialises the engine. */
	if (uc_reg_write(uc, UC_ARM64_REG_X0, &x0) ||
	    uc_ctl(uc, page_size_read(), &page))
		return refuse(why, len, "a new engine refuses a register write");
	cs = ptr_at(uc, UC_OFF_CPU);
	if (!cs || priv(uc)[UC_OFF_INIT_DONE] != 1)
		return refuse(why, len, "uc_struct.cpu/init_done (%u/%u) not set "
			      "by initialisation", UC_OFF_CPU, UC_OFF_INIT_DONE);
	for (size_t i = 0; i < sizeof(reg_fns) / sizeof(reg_fns[0]); i++)
		if (!same_fn(ptr_at(uc, UC_OFF_REG_READ + 8 * i), reg_fns[i]))
			return refuse(why, len, "uc_struct at %u is not %s",
				      (unsigned int)(UC_OFF_REG_READ + 8 * i),
				      reg_fns[i]);
	if (ptr_at(cs, CPU_OFF_UC) != (void *)uc)
		return refuse(why, len, "CPUState.uc is not at %u", CPU_OFF_UC);
	if (ptr_at(uc, UC_OFF_STOP_INTR))
		return refuse(why, len, "uc_struct.stop_interrupt (%u) is set "
			      "by initialisation", UC_OFF_STOP_INTR);
	if (u32_at(uc, UC_OFF_PAGE_SIZE) != page ||
	    u32_at(uc, UC_OFF_PAGE_ALIGN) != page - 1)
		return refuse(why, len, "uc_struct.target_page_size/align not "
			      "at %u/%u", UC_OFF_PAGE_SIZE, UC_OFF_PAGE_ALIGN);
	if ((size_t)(int)u32_at(uc, UC_OFF_CONTEXT_SIZE) + UC_CONTEXT_HEADER !=
	    uc_context_size(uc))
		return refuse(why, len, "uc_struct.cpu_context_size not at %u",
			      UC_OFF_CONTEXT_SIZE);
	ret = probe_tlb(why, len, fn);
	if (!ret)
		ret = probe_mem_io_pc(uc, cs, fn, why, len);
	return ret ? ret : probe_unmapped(uc, cs, fn, why, len);
}

int sim_quirks_probe(uc_engine *uc, char *why, size_t len)
{
	struct lib_syms fn;

	return probe(uc, why, len, &fn);
}

static void check_once(void)
{
	uc_engine *uc;
	uc_err err = uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc);

	if (err) {
		lib.ret = refuse(lib.why, sizeof(lib.why),
				 "cannot open an AArch64 engine: %s",
				 uc_strerror(err));
		return;
	}
	lib.ret = probe(uc, lib.why, sizeof(lib.why), &lib.fn);
	uc_close(uc);
}

int sim_quirks_check(char *why, size_t len)
{
	pthread_once(&lib.once, check_once);
	if (lib.ret && why && len)
		snprintf(why, len, "%s", lib.why);
	return lib.ret;
}

/* ---- the cost of every guest store: RAM pages with no code stay writable -- */

/*
 * QEMU write-protects a RAM page in the TLB (TLB_NOTDIRTY) while it holds
 * translated code, so that a store there drops that code.  Unicorn 2.0.1
 * stubs QEMU's dirty-memory bitmap to "always clean": every RAM page is
 * write-protected for ever, and every guest store takes the slow path
 * (two allocations, a page lookup, a tree) whether or not the page holds
 * code: most of a Linux boot's time.  The TLB fill below (the library's
 * own call, interposed: this definition in the executable comes first)
 * lifts the protection again, with QEMU's tlb_set_dirty, for a page the
 * bound owner says holds no code; the owner reports each page as code is
 * made there (sim_quirk_tlb_code_added), which flushes the TLB so that
 * the page is protected from then on.
 */
static _Thread_local const struct sim_quirk_tlb *bound_tlb;

struct mem_tx_attrs {
	uint32_t bits; /* QEMU's MemTxAttrs: 32 bits of bitfields */
};

typedef void (*set_page_fn)(void *cs, uint64_t vaddr, uint64_t paddr,
			    struct mem_tx_attrs attrs, int prot, int mmu_idx,
			    uint64_t size);

static struct {
	pthread_once_t once;
	set_page_fn set_page;
	void (*set_dirty)(void *cs, uint64_t vaddr);
} tlb_fns = { .once = PTHREAD_ONCE_INIT };

static void tlb_fns_init(void)
{
	tlb_fns.set_page = (set_page_fn)dlsym(RTLD_NEXT,
					      "tlb_set_page_with_attrs_aarch64");
	tlb_fns.set_dirty = (void (*)(void *, uint64_t))dlsym(
		RTLD_NEXT, "tlb_set_dirty_aarch64");
}

void tlb_set_page_with_attrs_aarch64(void *cs, uint64_t vaddr, uint64_t paddr,
				     struct mem_tx_attrs attrs, int prot,
				     int mmu_idx, uint64_t size);

void tlb_set_page_with_attrs_aarch64(void *cs, uint64_t vaddr, uint64_t paddr,
				     struct mem_tx_attrs attrs, int prot,
				     int mmu_idx, uint64_t size)
{
	const struct sim_quirk_tlb *t = bound_tlb;

	pthread_once(&tlb_fns.once, tlb_fns_init);
	tlb_fns.set_page(cs, vaddr, paddr, attrs, prot, mmu_idx, size);
	/* Only for the bound engine's own CPU, and only RAM the owner
	 * vouches for: anything else keeps QEMU's protection. */
	if (t && t->is_code && t->uc && ptr_at(cs, CPU_OFF_UC) == (void *)t->uc &&
	    !t->is_code(t->ctx, paddr) && tlb_fns.set_dirty)
		tlb_fns.set_dirty(cs, vaddr);
}

const struct sim_quirk_tlb *sim_quirk_tlb_bind(const struct sim_quirk_tlb *t)
{
	const struct sim_quirk_tlb *old = bound_tlb;

	bound_tlb = t;
	return old;
}

uint32_t sim_quirk_page_size(uc_engine *uc)
{
	uint32_t page = 0;

	return uc_ctl(uc, page_size_read(), &page) ? 0 : page;
}

void sim_quirk_tlb_code_added(uc_engine *uc)
{
	void *cs = sim_quirk_cpu(uc);

	if (cs && lib.fn.tlb_flush)
		lib.fn.tlb_flush(cs);
}

static int probe_tlb(char *why, size_t len, struct lib_syms *fn)
{
	pthread_once(&tlb_fns.once, tlb_fns_init);
	fn->tlb_flush = (cpu_fn)lib_symbol("tlb_flush_aarch64");
	if (!tlb_fns.set_page || !tlb_fns.set_dirty || !fn->tlb_flush)
		return refuse(why, len, "QEMU's tlb_set_page_with_attrs_aarch64, "
			      "tlb_set_dirty_aarch64 or tlb_flush_aarch64 is "
			      "not exported");
	/*
	 * Whether the library's calls reach this copy: not where the sim is
	 * linked in with its symbols hidden (tests/fakedev), or where another
	 * copy comes first.  Then stores only stay slow: nothing to refuse.
	 */
	fn->tlb_active = dlsym(RTLD_DEFAULT, "tlb_set_page_with_attrs_aarch64") ==
			 (void *)tlb_set_page_with_attrs_aarch64;
	return 0;
}

bool sim_quirk_tlb_active(void)
{
	return sim_quirks_check(NULL, 0) == 0 && lib.fn.tlb_active;
}

/* ---- problem 1: a 64-bit EL1 ----------------------------------------------- */

/*
 * The core keeps EL2 and EL3 with SCR_EL3.RW and HCR_EL2.RW clear, so EL1
 * counts as AArch32: an ERET to EL1 is illegal (PSTATE.IL) and exceptions
 * are taken in AArch32 form.  NS makes EL1 the non-secure EL1 a
 * hypervisor's guest runs in.  SCR_EL3.HCE stays clear, so HVC still
 * arrives as UNDEF with PC on it, as the sim's PSCI path expects.
 */
int sim_quirk_el1_aarch64(uc_engine *uc)
{
	uc_arm64_cp_reg scr = { .crn = 1, .crm = 1, .op0 = 3, .op1 = 6 };
	uc_arm64_cp_reg hcr = { .crn = 1, .crm = 1, .op0 = 3, .op1 = 4 };
	uc_err err;

	err = uc_reg_read(uc, UC_ARM64_REG_CP_REG, &scr);
	if (!err) {
		scr.val |= SCR_EL3_RW | SCR_EL3_NS;
		err = uc_reg_write(uc, UC_ARM64_REG_CP_REG, &scr);
	}
	if (!err)
		err = uc_reg_read(uc, UC_ARM64_REG_CP_REG, &hcr);
	if (!err) {
		hcr.val |= HCR_EL2_RW;
		err = uc_reg_write(uc, UC_ARM64_REG_CP_REG, &hcr);
	}
	return (int)err;
}

/* ---- problem 3: stops on block boundaries only ------------------------------ */

/*
 * The translator emits an exit-request check after every guest load and
 * store; a stop seen there leaves the block with PC reset to the block's
 * start, and the instructions before the access run again.  The flag
 * (meant for ARM32 IT blocks) keeps those checks out of the code; the
 * check at every block's start remains, so stops land there.
 */
void sim_quirk_block_stops(uc_engine *uc)
{
	priv(uc)[UC_OFF_NO_EXIT_REQ] = 1;
}

bool sim_quirk_block_stops_on(uc_engine *uc)
{
	return priv(uc)[UC_OFF_NO_EXIT_REQ] != 0;
}

/* ---- problem 2: virtual addresses checked as physical ------------------------ */

/*
 * The redirect slot's function has no context argument: the binding is
 * per thread, as an engine is driven by one thread at a time.
 */
static _Thread_local const struct sim_quirk_redirect *bound_redirect;

static uint64_t redirect(uint64_t addr)
{
	const struct sim_quirk_redirect *r = bound_redirect;

	if (!r || !r->enabled)
		return addr;
	for (unsigned int i = 0; i < r->nr; i++)
		if (addr - r->phys[i].base < r->phys[i].size)
			return addr;
	return r->fallback;
}

void sim_quirk_redirect_install(uc_engine *uc)
{
	redirect_fn fn = redirect;

	memcpy(priv(uc) + UC_OFF_MEM_REDIRECT, &fn, sizeof(fn));
}

const struct sim_quirk_redirect *
sim_quirk_redirect_bind(const struct sim_quirk_redirect *r)
{
	const struct sim_quirk_redirect *old = bound_redirect;

	bound_redirect = r;
	return old;
}

uint64_t sim_quirk_redirect_apply(uc_engine *uc, uint64_t addr)
{
	redirect_fn fn;

	memcpy(&fn, priv(uc) + UC_OFF_MEM_REDIRECT, sizeof(fn));
	return fn ? fn(addr) : addr;
}

/* ---- problem 3 again: exact MMIO exits with no per-access hook ------------ */

/*
 * Guest PC is written back only at block ends, so an MMIO callback sees a
 * stale one; but QEMU keeps, for every block, where each instruction's
 * code starts, and io_readx/io_writex leave the host return address of
 * the access in mem_io_pc: its own state restore finds the instruction
 * from that.  Leaving the block with cpu_loop_exit (as QEMU's helpers do
 * on a fault) drops the rest of the access, and the stop request makes
 * uc_emu_start return there.
 */
bool sim_quirk_mmio_exit(uc_engine *uc)
{
	void *cs = sim_quirk_cpu(uc);
	uintptr_t host_pc;

	if (!cs || !lib.fn.restore_state)
		return false;
	memcpy(&host_pc, (char *)cs + CPU_OFF_MEM_IO_PC, sizeof(host_pc));
	if (!host_pc)
		return false;
	/* Consumed: a later callback from uc_mem_read must not reuse it. */
	memset((char *)cs + CPU_OFF_MEM_IO_PC, 0, sizeof(host_pc));
	if (!lib.fn.restore_state(cs, host_pc, true))
		return false;
	uc_emu_stop(uc);
	lib.fn.loop_exit(cs);
}

bool sim_quirk_access_exit(uc_engine *uc)
{
	if (sim_quirk_mmio_exit(uc))
		return true; /* not reached */
	return jit_access_exit(uc, sim_quirk_cpu(uc), &lib.fn);
}

/*
 * Not mem_io_pc here: only io_readx/io_writex set it, and an access to
 * no memory never gets there, so it still holds the last window access
 * (one the sim emulated in place, the GIC's, which does not consume
 * it): the state restore would put PC back on that older instruction
 * and the guest would run it and all after it again.
 */
bool sim_quirk_unmapped_exit(uc_engine *uc)
{
	return jit_access_exit(uc, sim_quirk_cpu(uc), &lib.fn);
}

void sim_quirk_unmapped_store_exit(uc_engine *uc)
{
	void *cs = sim_quirk_cpu(uc);

	uc_emu_stop(uc);
	lib.fn.loop_exit(cs);
}

/* ---- problems 4 and 5: the CPU, exceptions, the IRQ line, kicks ------------- */

void *sim_quirk_cpu(uc_engine *uc)
{
	return __atomic_load_n((void **)(priv(uc) + UC_OFF_CPU),
			       __ATOMIC_ACQUIRE);
}

/*
 * The interrupt hook gets only the exception number; the syndrome, the
 * fault address and the target EL stay in the CPU.  QEMU's own entry code
 * uses them all (arm_cpu_do_interrupt on the AArch64 target), and the
 * engine then goes on from the vector once the hook returns.
 */
bool sim_quirk_take_exception(uc_engine *uc)
{
	void *cs = sim_quirk_cpu(uc);

	if (!cs || !lib.fn.do_interrupt)
		return false;
	lib.fn.do_interrupt(cs);
	return true;
}

/*
 * There is no interrupt API: these are what QEMU's board code calls for
 * the CPU's IRQ input.  interrupt_request is written without atomics by
 * the engine: only its own thread may change it.
 */
void sim_quirk_irq_line(uc_engine *uc, bool level)
{
	void *cs = sim_quirk_cpu(uc);

	if (!cs || !lib.fn.interrupt)
		return;
	if (level)
		(*lib.fn.interrupt)(cs, CPU_INTERRUPT_HARD);
	else
		lib.fn.reset_interrupt(cs, CPU_INTERRUPT_HARD);
}

/*
 * Raising the line does not make a running core look at it; QEMU's
 * cpu_exit does, at the next block start (three plain stores, which
 * QEMU itself makes from other threads).  Only with block stops in
 * force does this not re-run instructions.
 */
void sim_quirk_cpu_kick(uc_engine *uc)
{
	void *cs = sim_quirk_cpu(uc);

	if (cs && lib.fn.cpu_exit)
		lib.fn.cpu_exit(cs);
}
