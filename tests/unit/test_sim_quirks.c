// SPDX-License-Identifier: GPL-2.0-only
/*
 * lib/sim/sim_quirks.c, each workaround on a bare engine of its own: the
 * build check (and that it refuses an engine whose layout differs), and
 * for every quirk the guest-visible effect it exists for.  Some tests also
 * run the guest without the quirk, to show the test sees the problem.
 * Instruction words: aarch64-linux-gnu-as output, the text beside them.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/mman.h>

#include "sim/sim_quirks.h"
#include "test.h"

#define RAM 0x80000000ull
#define RAM_SIZE 0x10000ull
#define MMIO 0x09000000ull
#define VBAR (RAM + 0x800)
#define PSTATE_EL1H_MASKED 0x3c5u
#define PSTATE_EL1H_IRQ_ON 0x345u /* D, A, F masked; I clear */
#define PSTATE_IL (1u << 20)

#define I_ADD_X1 0x91000421u	/* add x1, x1, #1 */
#define I_ADD_X3 0x91000463u	/* add x3, x3, #1 */
#define I_STR_W0_X2 0xb9000040u /* str w0, [x2] */
#define I_B_SELF 0x14000000u	/* b . */
#define I_B_BACK2 0x17fffffeu	/* b .-8 */
#define I_STR_W0_X2_8 0xb9000840u /* str w0, [x2, #8] */
#define I_LDR_W4_X2 0xb9400044u	/* ldr w4, [x2] */
#define I_MSR_ELR_X2 0xd5184022u  /* msr elr_el1, x2 */
#define I_MSR_SPSR_X3 0xd5184003u /* msr spsr_el1, x3 */
#define I_ERET 0xd69f03e0u
#define I_MRS_X8_CURRENTEL 0xd5384248u
#define I_SVC_5 0xd40000a1u	/* svc #5 */
#define I_MRS_X5_ESR 0xd5385205u
#define I_MRS_X6_ELR 0xd5384026u
#define I_MRS_X7_SPSR 0xd5384007u
#define I_MOV_X9_1 0xd2800029u
#define I_NOP 0xd503201fu

struct eng {
	uc_engine *uc;
	uint32_t *ram;
	unsigned int mmio_writes;
	uint64_t mmio_value;
	bool stop_in_mmio;	/* the MMIO write callback calls uc_emu_stop */
	unsigned int irq_at_write; /* write n to offset 0 raises the IRQ line */
	bool kick_in_mmio;	/* ... and kicks the core; offset 8 lowers
				 * the line and stops */
	unsigned int intr;	/* interrupt hook calls */
	bool exit_in_mmio;	/* callbacks call sim_quirk_mmio_exit */
	unsigned int reads;
	bool exit_refused;	/* sim_quirk_mmio_exit returned */
};

static uint64_t mmio_read(uc_engine *uc, uint64_t off, unsigned size, void *d)
{
	struct eng *e = d;

	(void)off;
	(void)size;
	e->reads++;
	if (e->exit_in_mmio)
		e->exit_refused = !sim_quirk_mmio_exit(uc);
	return 0x5a5a5a5a;
}

static void mmio_write(uc_engine *uc, uint64_t off, unsigned size,
		       uint64_t value, void *d)
{
	struct eng *e = d;

	(void)size;
	if (off == 8) {
		sim_quirk_irq_line(uc, false);
		uc_emu_stop(uc);
		return;
	}
	e->mmio_writes++;
	e->mmio_value = value;
	if (e->exit_in_mmio)
		e->exit_refused = !sim_quirk_mmio_exit(uc);
	if (e->irq_at_write && e->mmio_writes == e->irq_at_write) {
		sim_quirk_irq_line(uc, true);
		if (e->kick_in_mmio)
			sim_quirk_cpu_kick(uc);
	}
	if (e->stop_in_mmio)
		uc_emu_stop(uc);
}

static void eng_open(struct eng *e)
{
	char why[256];

	memset(e, 0, sizeof(*e));
	ASSERT_EQ(sim_quirks_check(why, sizeof(why)), 0);
	e->ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(e->ram != MAP_FAILED);
	ASSERT_EQ(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &e->uc), UC_ERR_OK);
	ASSERT_EQ(uc_mem_map_ptr(e->uc, RAM, RAM_SIZE, UC_PROT_ALL, e->ram),
		  UC_ERR_OK);
	ASSERT_EQ(uc_mmio_map(e->uc, MMIO, 0x1000, mmio_read, e, mmio_write, e),
		  UC_ERR_OK);
}

static void put(struct eng *e, uint64_t addr, const uint32_t *insns, size_t n)
{
	memcpy((char *)e->ram + (addr - RAM), insns, n * sizeof(*insns));
}

static uint64_t rd(struct eng *e, int reg)
{
	uint64_t v = 0;

	ASSERT_EQ(uc_reg_read(e->uc, reg, &v), UC_ERR_OK);
	return v;
}

static void wr(struct eng *e, int reg, uint64_t v)
{
	ASSERT_EQ(uc_reg_write(e->uc, reg, &v), UC_ERR_OK);
}

TEST(quirks_check_accepts_this_library)
{
	char why[256] = "";

	if (sim_quirks_check(why, sizeof(why)))
		TEST_FAIL("%s", why);
	/* Asked again, the same answer without a new probe. */
	ASSERT_EQ(sim_quirks_check(why, sizeof(why)), 0);
}

/* A layout that differs in any probed field is refused by name. */
TEST(quirks_probe_refuses_a_different_layout)
{
	char why[256];
	uc_engine *uc;

	ASSERT_EQ(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc), UC_ERR_OK);
	ASSERT_EQ(sim_quirks_probe(uc, why, sizeof(why)), 0);
	uc_close(uc);

	ASSERT_EQ(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc), UC_ERR_OK);
	sim_quirk_redirect_install(uc);
	ASSERT_EQ(sim_quirks_probe(uc, why, sizeof(why)), -ELIBBAD);
	ASSERT_TRUE(strstr(why, "mem_redirect"));
	ASSERT_TRUE(strstr(why, SIM_QUIRKS_BUILD));
	ASSERT_TRUE(!strchr(why, '\n'));
	uc_close(uc);

	ASSERT_EQ(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc), UC_ERR_OK);
	sim_quirk_block_stops(uc);
	ASSERT_EQ(sim_quirks_probe(uc, why, sizeof(why)), -ELIBBAD);
	ASSERT_TRUE(strstr(why, "no_exit_request"));
	uc_close(uc);

	/* An engine of another architecture has other callbacks. */
	ASSERT_EQ(uc_open(UC_ARCH_ARM, UC_MODE_ARM, &uc), UC_ERR_OK);
	ASSERT_EQ(sim_quirks_probe(uc, why, sizeof(why)), -ELIBBAD);
	uc_close(uc);
}

/* Problem 1: an ERET to EL1h is legal and lands in AArch64 EL1. */
static uint64_t eret_pstate(bool quirk, uint64_t *pc, uint64_t *el)
{
	static const uint32_t code[] = { I_MSR_ELR_X2, I_MSR_SPSR_X3, I_ERET };
	static const uint32_t target[] = { I_MRS_X8_CURRENTEL, I_NOP };
	struct eng e;
	uint64_t pstate;

	eng_open(&e);
	put(&e, RAM, code, 3);
	put(&e, RAM + 0x100, target, 2);
	if (quirk)
		ASSERT_EQ(sim_quirk_el1_aarch64(e.uc), 0);
	wr(&e, UC_ARM64_REG_PSTATE, PSTATE_EL1H_MASKED);
	wr(&e, UC_ARM64_REG_X2, RAM + 0x100);
	wr(&e, UC_ARM64_REG_X3, PSTATE_EL1H_MASKED);
	uc_emu_start(e.uc, RAM, RAM + 0x104, 0, 4);
	pstate = rd(&e, UC_ARM64_REG_PSTATE);
	*pc = rd(&e, UC_ARM64_REG_PC);
	*el = rd(&e, UC_ARM64_REG_X8);
	uc_close(e.uc);
	return pstate;
}

TEST(quirk_el1_aarch64_makes_eret_legal)
{
	uint64_t pc, el;

	ASSERT_EQ(eret_pstate(true, &pc, &el) & PSTATE_IL, 0);
	ASSERT_EQ(pc, RAM + 0x104);
	ASSERT_EQ(el, 1 << 2);
	/* Without it: an illegal return (what Linux met first). */
	ASSERT_NE(eret_pstate(false, &pc, &el) & PSTATE_IL, 0);
}

/*
 * Problem 3: add, add, store to MMIO whose callback stops the engine.  The
 * stop lands after the block; nothing before the store runs again.
 */
static void block_stop_run(bool quirk, uint64_t *x1, uint64_t *x3,
			   uint64_t *pc, unsigned int *writes)
{
	static const uint32_t code[] = { I_ADD_X1, I_ADD_X1, I_STR_W0_X2,
					 I_ADD_X3, I_B_SELF };
	struct eng e;

	eng_open(&e);
	put(&e, RAM, code, 5);
	if (quirk)
		sim_quirk_block_stops(e.uc);
	e.stop_in_mmio = true;
	wr(&e, UC_ARM64_REG_PSTATE, PSTATE_EL1H_MASKED);
	wr(&e, UC_ARM64_REG_X0, 0x77);
	wr(&e, UC_ARM64_REG_X2, MMIO);
	ASSERT_EQ(uc_emu_start(e.uc, RAM, 0, 0, 0), UC_ERR_OK);
	*x1 = rd(&e, UC_ARM64_REG_X1);
	*x3 = rd(&e, UC_ARM64_REG_X3);
	*pc = rd(&e, UC_ARM64_REG_PC);
	*writes = e.mmio_writes;
	ASSERT_EQ(e.mmio_value, 0x77);
	uc_close(e.uc);
}

TEST(quirk_block_stops_run_nothing_twice)
{
	uint64_t x1, x3, pc;
	unsigned int writes;

	block_stop_run(true, &x1, &x3, &pc, &writes);
	ASSERT_EQ(writes, 1);
	ASSERT_EQ(x1, 2);
	ASSERT_EQ(x3, 1);
	ASSERT_EQ(pc, RAM + 16); /* the next block: the b . */

	/* Without it: PC back on the first add, with x1 already 2. */
	block_stop_run(false, &x1, &x3, &pc, &writes);
	ASSERT_EQ(pc, RAM);
	ASSERT_EQ(x1, 2);
	ASSERT_EQ(x3, 0);
}

/*
 * The exact MMIO exit: from the callback of a load or store that is not
 * the first of its block, the run ends on it, nothing of it or after it
 * done, nothing before it run twice; no UC_HOOK_MEM_* hook anywhere.
 */
TEST(quirk_mmio_exit_is_exact)
{
	static const uint32_t code[] = { I_ADD_X1, I_ADD_X1, I_STR_W0_X2,
					 I_ADD_X3, I_LDR_W4_X2, I_ADD_X3,
					 I_B_SELF };
	struct eng e;
	uint32_t word = 0;

	eng_open(&e);
	put(&e, RAM, code, 7);
	sim_quirk_block_stops(e.uc);
	e.exit_in_mmio = true;
	wr(&e, UC_ARM64_REG_PSTATE, PSTATE_EL1H_MASKED);
	wr(&e, UC_ARM64_REG_X0, 0x77);
	wr(&e, UC_ARM64_REG_X2, MMIO);
	wr(&e, UC_ARM64_REG_X4, 0x44);
	ASSERT_EQ(uc_emu_start(e.uc, RAM, 0, 0, 0), UC_ERR_OK);
	ASSERT_TRUE(!e.exit_refused);
	ASSERT_EQ(e.mmio_writes, 1);
	ASSERT_EQ(rd(&e, UC_ARM64_REG_PC), RAM + 8);
	ASSERT_EQ(rd(&e, UC_ARM64_REG_X1), 2);
	ASSERT_EQ(rd(&e, UC_ARM64_REG_X3), 0);

	/* The host steps over the store; the load stops the same way. */
	ASSERT_EQ(uc_emu_start(e.uc, RAM + 12, 0, 0, 0), UC_ERR_OK);
	ASSERT_EQ(e.reads, 1);
	ASSERT_EQ(rd(&e, UC_ARM64_REG_PC), RAM + 16);
	ASSERT_EQ(rd(&e, UC_ARM64_REG_X3), 1);
	ASSERT_EQ(rd(&e, UC_ARM64_REG_X4), 0x44);
	ASSERT_EQ(rd(&e, UC_ARM64_REG_X1), 2);

	/* Not from guest code: refused, and the callback goes on. */
	ASSERT_EQ(uc_mem_read(e.uc, MMIO, &word, 4), UC_ERR_OK);
	ASSERT_TRUE(e.exit_refused);
	ASSERT_EQ(word, 0x5a5a5a5a);
	uc_close(e.uc);
}

TEST(quirk_block_stops_flag_is_sticky)
{
	struct eng e;

	eng_open(&e);
	ASSERT_TRUE(!sim_quirk_block_stops_on(e.uc));
	sim_quirk_block_stops(e.uc);
	ASSERT_TRUE(sim_quirk_block_stops_on(e.uc));
	uc_close(e.uc);
}

/* Problem 2: outside the physical map, addresses go to the fallback. */
TEST(quirk_redirect_maps_non_physical_addresses)
{
	struct sim_quirk_redirect r = {
		.enabled = true, .fallback = RAM, .nr = 1,
		.phys = { { RAM, RAM_SIZE } },
	};
	uint32_t word = 0;
	struct eng e;

	eng_open(&e);
	e.ram[0] = 0x12345678;
	sim_quirk_redirect_install(e.uc);
	/* Unbound: every address is itself. */
	ASSERT_EQ(sim_quirk_redirect_apply(e.uc, 0xffff000012345000ull),
		  0xffff000012345000ull);
	ASSERT_EQ(uc_mem_read(e.uc, 0xffff000012345000ull, &word, 4),
		  UC_ERR_READ_UNMAPPED);

	ASSERT_TRUE(sim_quirk_redirect_bind(&r) == NULL);
	ASSERT_EQ(sim_quirk_redirect_apply(e.uc, RAM + 0x40), RAM + 0x40);
	ASSERT_EQ(sim_quirk_redirect_apply(e.uc, RAM + RAM_SIZE), RAM);
	ASSERT_EQ(sim_quirk_redirect_apply(e.uc, 0xffff000012345000ull), RAM);
	/* The engine's own lookups take it. */
	ASSERT_EQ(uc_mem_read(e.uc, 0xffff000012345000ull, &word, 4),
		  UC_ERR_OK);
	ASSERT_EQ(word, 0x12345678);

	r.enabled = false; /* MMU off: addresses are physical */
	ASSERT_EQ(sim_quirk_redirect_apply(e.uc, 0xffff000012345000ull),
		  0xffff000012345000ull);
	ASSERT_TRUE(sim_quirk_redirect_bind(NULL) == &r);
	uc_close(e.uc);
}

/* Problem 4: the CPU exists only after the engine's lazy init. */
TEST(quirk_cpu_after_lazy_init)
{
	uc_engine *uc;
	uint64_t x0 = 1;

	ASSERT_EQ(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc), UC_ERR_OK);
	ASSERT_TRUE(sim_quirk_cpu(uc) == NULL);
	ASSERT_TRUE(!sim_quirk_take_exception(uc));
	sim_quirk_irq_line(uc, true); /* no CPU: nothing happens */
	sim_quirk_cpu_kick(uc);
	ASSERT_EQ(uc_reg_write(uc, UC_ARM64_REG_X0, &x0), UC_ERR_OK);
	ASSERT_TRUE(sim_quirk_cpu(uc) != NULL);
	uc_close(uc);
}

/* Problem 4: SVC taken to VBAR_EL1 + 0x200 with QEMU's ESR, ELR, SPSR. */
static void take_svc(uc_engine *uc, uint32_t intno, void *d)
{
	struct eng *e = d;

	e->intr++;
	ASSERT_EQ(intno, 2); /* EXCP_SWI */
	ASSERT_TRUE(sim_quirk_take_exception(uc));
}

TEST(quirk_take_exception_enters_the_vector)
{
	static const uint32_t code[] = { I_SVC_5, I_B_SELF };
	static const uint32_t vec[] = { I_MRS_X5_ESR, I_MRS_X6_ELR,
					I_MRS_X7_SPSR, I_MOV_X9_1, I_B_SELF };
	struct eng e;
	uc_hook h;

	eng_open(&e);
	put(&e, RAM, code, 2);
	put(&e, VBAR + 0x200, vec, 5);
	ASSERT_EQ(sim_quirk_el1_aarch64(e.uc), 0);
	ASSERT_EQ(uc_hook_add(e.uc, &h, UC_HOOK_INTR, take_svc, &e, 1, 0),
		  UC_ERR_OK);
	wr(&e, UC_ARM64_REG_PSTATE, PSTATE_EL1H_MASKED);
	wr(&e, UC_ARM64_REG_VBAR_EL1, VBAR);
	ASSERT_EQ(uc_emu_start(e.uc, RAM, VBAR + 0x210, 0, 100), UC_ERR_OK);
	ASSERT_EQ(e.intr, 1);
	ASSERT_EQ(rd(&e, UC_ARM64_REG_PC), VBAR + 0x210);
	ASSERT_EQ(rd(&e, UC_ARM64_REG_X9), 1);
	ASSERT_EQ(rd(&e, UC_ARM64_REG_X5), (0x15u << 26) | (1u << 25) | 5);
	ASSERT_EQ(rd(&e, UC_ARM64_REG_X6), RAM + 4);
	ASSERT_EQ(rd(&e, UC_ARM64_REG_X7), PSTATE_EL1H_MASKED);
	ASSERT_EQ(rd(&e, UC_ARM64_REG_PSTATE), PSTATE_EL1H_MASKED);
	uc_close(e.uc);
}

/*
 * Problem 5: the IRQ line, raised by the MMIO callback (on the engine's
 * thread) at the third store of a loop that runs with IRQs unmasked, by
 * then chained to itself.  With the kick the core takes the IRQ right
 * after that store's block, to VBAR_EL1 + 0x280, whose store at +8 lowers
 * the line and stops; without, the loop spins on until the count ends it.
 * (No "until" address here: uc_emu_start's until is a WFI in disguise,
 * which never halts while the line is raised, even masked.)
 */
static void irq_run(bool kick, unsigned int *writes, uint64_t *x9)
{
	static const uint32_t code[] = { I_STR_W0_X2, I_ADD_X1, I_B_BACK2 };
	static const uint32_t vec[] = { I_MOV_X9_1, I_STR_W0_X2_8, I_B_SELF };
	struct eng e;

	eng_open(&e);
	put(&e, RAM, code, 3);
	put(&e, VBAR + 0x280, vec, 3);
	ASSERT_EQ(sim_quirk_el1_aarch64(e.uc), 0);
	sim_quirk_block_stops(e.uc);
	e.irq_at_write = 3;
	e.kick_in_mmio = kick;
	wr(&e, UC_ARM64_REG_PSTATE, PSTATE_EL1H_IRQ_ON);
	wr(&e, UC_ARM64_REG_VBAR_EL1, VBAR);
	wr(&e, UC_ARM64_REG_X2, MMIO);
	ASSERT_EQ(uc_emu_start(e.uc, RAM, 0, 0, 30000), UC_ERR_OK);
	*writes = e.mmio_writes;
	*x9 = rd(&e, UC_ARM64_REG_X9);
	if (kick) {
		ASSERT_EQ(rd(&e, UC_ARM64_REG_PC), VBAR + 0x288);
		/* In the loop (the count's code hook splits its blocks). */
		ASSERT_TRUE(rd(&e, UC_ARM64_REG_ELR_EL1) - RAM <= 8);
		ASSERT_EQ(rd(&e, UC_ARM64_REG_PSTATE) & 0x3cf,
			  PSTATE_EL1H_MASKED);
		/* Lowered, the same loop runs on untouched. */
		e.irq_at_write = 0;
		wr(&e, UC_ARM64_REG_X9, 0);
		wr(&e, UC_ARM64_REG_PSTATE, PSTATE_EL1H_IRQ_ON);
		sim_quirk_cpu_kick(e.uc);
		ASSERT_EQ(uc_emu_start(e.uc, RAM, 0, 0, 300), UC_ERR_OK);
		ASSERT_EQ(rd(&e, UC_ARM64_REG_X9), 0);
		ASSERT_TRUE(e.mmio_writes >= 3 + 99);
	}
	uc_close(e.uc);
}

TEST(quirk_irq_line_and_kick)
{
	unsigned int writes;
	uint64_t x9;

	irq_run(true, &writes, &x9);
	ASSERT_EQ(writes, 3);
	ASSERT_EQ(x9, 1);
	/* Without the kick the line goes unseen while the loop spins. */
	irq_run(false, &writes, &x9);
	ASSERT_EQ(x9, 0);
	ASSERT_TRUE(writes > 1000);
}

/* ---- accesses to unmapped memory, exact with no memory hook ---------------- */

#define NOWHERE 0x40000000ull /* nothing mapped */

static bool unmapped_exit(uc_engine *uc, uc_mem_type type, uint64_t addr,
			  int size, int64_t value, void *d)
{
	struct eng *e = d;

	(void)type;
	(void)addr;
	(void)size;
	(void)value;
	e->exit_refused = !sim_quirk_access_exit(uc);
	return false;
}

/*
 * Every load width (each with its own helper in the engine), a signed
 * one, a pair and a store: the run ends on the access, its register
 * untouched, the add before it run once; no UC_HOOK_MEM_READ/WRITE hook
 * (which would keep PC exact by itself).
 */
TEST(quirk_access_exit_is_exact_at_unmapped_addresses)
{
	static const uint32_t access[] = {
		0x39400044, /* ldrb w4, [x2] */
		0x79400044, /* ldrh w4, [x2] */
		0xb9400044, /* ldr w4, [x2] */
		0xf9400044, /* ldr x4, [x2] */
		0xb9800044, /* ldrsw x4, [x2] */
		0xa9401444, /* ldp x4, x5, [x2] */
		0xf9000040, /* str x0, [x2] */
		0x39000040, /* strb w0, [x2] */
	};
	struct eng e;
	uc_hook h;

	eng_open(&e);
	sim_quirk_block_stops(e.uc);
	ASSERT_EQ(uc_hook_add(e.uc, &h, UC_HOOK_MEM_READ_UNMAPPED |
			      UC_HOOK_MEM_WRITE_UNMAPPED, unmapped_exit, &e, 1, 0),
		  UC_ERR_OK);
	wr(&e, UC_ARM64_REG_PSTATE, PSTATE_EL1H_MASKED);
	for (size_t i = 0; i < sizeof(access) / sizeof(access[0]); i++) {
		uint64_t at = RAM + 0x100 * (i + 1);
		const uint32_t code[] = { I_ADD_X1, I_ADD_X1, access[i],
					  I_ADD_X3, I_B_SELF };

		put(&e, at, code, 5);
		wr(&e, UC_ARM64_REG_X1, 0);
		wr(&e, UC_ARM64_REG_X3, 0);
		wr(&e, UC_ARM64_REG_X2, NOWHERE);
		wr(&e, UC_ARM64_REG_X4, 0x44);
		wr(&e, UC_ARM64_REG_X5, 0x55);
		e.exit_refused = false;
		ASSERT_EQ(uc_emu_start(e.uc, at, 0, 0, 0), UC_ERR_OK);
		ASSERT_TRUE(!e.exit_refused);
		ASSERT_EQ(rd(&e, UC_ARM64_REG_PC), at + 8);
		ASSERT_EQ(rd(&e, UC_ARM64_REG_X1), 2);
		ASSERT_EQ(rd(&e, UC_ARM64_REG_X3), 0);
		ASSERT_EQ(rd(&e, UC_ARM64_REG_X4), 0x44);
		ASSERT_EQ(rd(&e, UC_ARM64_REG_X5), 0x55);
	}
	uc_close(e.uc);
}

/* ---- the loop callback: stops from another thread with no block hook ------ */

struct loop_stop {
	atomic_bool req;
	unsigned int calls;
	bool stopped;
};

static void loop_stop_fn(uc_engine *uc, void *ctx)
{
	struct loop_stop *s = ctx;

	s->calls++;
	if (atomic_exchange(&s->req, false)) {
		s->stopped = true;
		uc_emu_stop(uc);
	}
}

struct kicker {
	struct eng *e;
	struct loop_stop *s;
};

static void *kick_later(void *arg)
{
	struct kicker *k = arg;
	uint64_t t0 = test_now_ns();

	/* Whenever the guest is under way: the loop never ends by itself. */
	while (test_now_ns() - t0 < 20000000ull)
		;
	atomic_store(&k->s->req, true);
	sim_quirk_cpu_kick(k->e->uc);
	return NULL;
}

/*
 * A request made before the run stops it before any instruction; one
 * made while the guest spins in a loop of two blocks is honoured at a
 * block start after a kick, with x1 and x3 counting the same number of
 * whole loop turns (nothing ran twice, nothing half).
 */
TEST(quirk_loop_callback_stops_at_block_starts)
{
	static const uint32_t code[] = {
		I_ADD_X1, 0x14000001, /* b .+4: a block of its own */
		I_ADD_X3, 0x17fffffd, /* b .-12 */
	};
	struct loop_stop s = { .calls = 0 };
	struct sim_quirk_loop l = { loop_stop_fn, &s };
	struct kicker k;
	struct eng e;
	pthread_t t;
	uint64_t x1, x3, pc;

	eng_open(&e);
	put(&e, RAM, code, 4);
	sim_quirk_block_stops(e.uc);
	sim_quirk_loop_install(e.uc);
	wr(&e, UC_ARM64_REG_PSTATE, PSTATE_EL1H_MASKED);

	atomic_store(&s.req, true);
	ASSERT_TRUE(sim_quirk_loop_bind(&l) == NULL);
	ASSERT_EQ(uc_emu_start(e.uc, RAM, 0, 0, 0), UC_ERR_OK);
	ASSERT_TRUE(s.stopped);
	ASSERT_EQ(rd(&e, UC_ARM64_REG_PC), RAM);
	ASSERT_EQ(rd(&e, UC_ARM64_REG_X1), 0);

	s.stopped = false;
	s.calls = 0;
	k = (struct kicker){ &e, &s };
	ASSERT_EQ(pthread_create(&t, NULL, kick_later, &k), 0);
	ASSERT_EQ(uc_emu_start(e.uc, RAM, 0, 0, 0), UC_ERR_OK);
	ASSERT_EQ(pthread_join(t, NULL), 0);
	ASSERT_TRUE(sim_quirk_loop_bind(NULL) == &l);
	ASSERT_TRUE(s.stopped);
	x1 = rd(&e, UC_ARM64_REG_X1);
	x3 = rd(&e, UC_ARM64_REG_X3);
	pc = rd(&e, UC_ARM64_REG_PC);
	ASSERT_TRUE(x1 > 0);
	ASSERT_TRUE(pc == RAM ? x1 == x3 : pc == RAM + 8 && x1 == x3 + 1);
	uc_close(e.uc);
}

/* ---- stores at full speed on pages with no code ---------------------------- */

struct code_set {
	struct eng *e;
	uint64_t page[16];
	unsigned int nr;
	bool ignore; /* answer "no code" always: the protocol broken */
};

static bool code_set_has(void *ctx, uint64_t pa)
{
	struct code_set *c = ctx;

	for (unsigned int i = 0; i < c->nr && !c->ignore; i++)
		if (c->page[i] == pa >> 10)
			return true;
	return false;
}

static void code_set_add(struct code_set *c, uint64_t pa)
{
	if (code_set_has(c, pa) || c->nr == 16)
		return;
	c->page[c->nr++] = pa >> 10;
	sim_quirk_tlb_code_added(c->e->uc);
}

static void code_made_hook(uc_engine *uc, uc_tb *cur, uc_tb *prev, void *d)
{
	(void)uc;
	(void)prev;
	code_set_add(d, cur->pc); /* the MMU is off: VA = PA */
}

/*
 * The guest calls a function on another 1 KiB page, rewrites its first
 * instruction with a store and calls it again: the new instruction runs
 * (the store dropped the old code) while the code pages are reported as
 * sim_quirks.h asks.  With a broken report the old code runs on, which
 * shows the TLB fill is the sim's.
 */
static uint64_t self_modifying_run(bool broken)
{
	static const uint32_t main_code[] = {
		0x94000100, /* bl .+0x400 */
		0xaa0003e9, /* mov x9, x0 */
		0xb90000c5, /* str w5, [x6] */
		0x940000fd, /* bl .+0x3f4 */
		0xd4200000, /* brk #0 */
	};
	static const uint32_t fn[] = { 0xd2800020 /* mov x0, #1 */,
				       0xd65f03c0 /* ret */ };
	struct code_set c = { .ignore = broken };
	struct sim_quirk_tlb t = { .is_code = code_set_has, .ctx = &c };
	struct eng e;
	uc_hook h;
	uint64_t x0;

	eng_open(&e);
	c.e = &e;
	t.uc = e.uc;
	put(&e, RAM, main_code, 5);
	put(&e, RAM + 0x400, fn, 2);
	sim_quirk_block_stops(e.uc);
	ASSERT_EQ(uc_hook_add(e.uc, &h, UC_HOOK_EDGE_GENERATED, code_made_hook,
			      &c, 1, 0), UC_ERR_OK);
	wr(&e, UC_ARM64_REG_PSTATE, PSTATE_EL1H_MASKED);
	wr(&e, UC_ARM64_REG_X5, 0xd2800040); /* mov x0, #2 */
	wr(&e, UC_ARM64_REG_X6, RAM + 0x400);
	code_set_add(&c, RAM); /* the first block comes with no hook call */
	ASSERT_TRUE(sim_quirk_tlb_bind(&t) == NULL);
	ASSERT_EQ(uc_emu_start(e.uc, RAM, 0, 0, 0), UC_ERR_EXCEPTION);
	ASSERT_TRUE(sim_quirk_tlb_bind(NULL) == &t);
	ASSERT_EQ(rd(&e, UC_ARM64_REG_X9), 1);
	ASSERT_EQ(rd(&e, UC_ARM64_REG_PC), RAM + 16);
	x0 = rd(&e, UC_ARM64_REG_X0);
	uc_close(e.uc);
	return x0;
}

TEST(quirk_tlb_keeps_code_pages_protected)
{
	/* The test binary links the sim in as gunyahctl does. */
	ASSERT_TRUE(sim_quirk_tlb_active());
	ASSERT_EQ(self_modifying_run(false), 2);
	ASSERT_EQ(self_modifying_run(true), 1);
}
