// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the MMIO instruction decoder (lib/sim/sim_insn.c).
 *
 * Input: a 32-bit instruction word, then up to 8 bytes of loaded data.
 * Checked for every input:
 *   - a refused word leaves the output zeroed, an accepted one is in the
 *     A64 load/store group, not SIMD&FP, with fields that agree with each
 *     other (sizes, registers, writeback) and with the encoding;
 *   - sim_ldst_extend() gives what zero/sign extension into Wt/Xt gives;
 * and for an accepted word, differentially, against the CPU the simulator
 * runs on: the word is executed once on a bare Unicorn AArch64 core with
 * every register pointing into mapped memory, and the core must make the
 * access the decoder described (a load or a store, of that size), load Rt
 * with what sim_ldst_extend() makes of the bytes it read, and write back
 * Rn by exactly the decoded offset.  A word the core refuses (UNDEF, an
 * alignment fault) has no verdict; the counts are printed at exit.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <unicorn/unicorn.h>

#include "sim/sim_insn.h"

#define MEM_SIZE (16u << 20)
#define CODE 0xf00000ull	   /* literals reach +-1 MiB from here */
#define BASE 0x100000ull	   /* every register: a base in the middle */
#define PSTATE_EL1H_MASKED 0x3c5u

#define FAIL(...)                                                          \
	do {                                                               \
		fprintf(stderr, "fuzz_insn: %#010x: ", insn);              \
		fprintf(stderr, __VA_ARGS__);                              \
		fputc('\n', stderr);                                       \
		abort();                                                   \
	} while (0)

struct access {
	unsigned int n;
	bool write;
	uint64_t addr;
	int size;
	uint64_t raw; /* the bytes a load read */
};

struct engine {
	uc_engine *uc;
	uint8_t *mem;
	uc_hook hooks[2];
	struct access acc;
	bool exception;
	unsigned long runs, verdicts, refused_by_cpu;
};

static struct engine *eng;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
		   int64_t value, void *data)
{
	struct engine *e = data;

	(void)uc;
	(void)value;
	if (e->acc.n++)
		return;
	e->acc.write = type == UC_MEM_WRITE;
	e->acc.addr = addr;
	e->acc.size = size;
	e->acc.raw = 0;
	if (type == UC_MEM_READ && addr + (uint64_t)size <= MEM_SIZE && size <= 8)
		memcpy(&e->acc.raw, e->mem + addr, (size_t)size); /* little-endian host */
}

static void on_intr(uc_engine *uc, uint32_t intno, void *data)
{
	struct engine *e = data;

	(void)intno;
	e->exception = true;
	uc_emu_stop(uc);
}

static void print_counts(void)
{
	if (eng && eng->runs)
		fprintf(stderr,
			"fuzz_insn: %lu accepted words run on the core: %lu checked, %lu refused by the core\n",
			eng->runs, eng->verdicts, eng->refused_by_cpu);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static struct engine e;

	(void)argc;
	(void)argv;
	e.mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (e.mem == MAP_FAILED || uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &e.uc) ||
	    uc_mem_map_ptr(e.uc, 0, MEM_SIZE, UC_PROT_ALL, e.mem) ||
	    uc_hook_add(e.uc, &e.hooks[0], UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
			on_mem, &e, 1, 0) ||
	    uc_hook_add(e.uc, &e.hooks[1], UC_HOOK_INTR, on_intr, &e, 1, 0)) {
		fprintf(stderr, "fuzz_insn: cannot set up the Unicorn core\n");
		exit(1);
	}
	/* Loads read something that is neither zero nor all ones. */
	for (size_t i = 0; i < MEM_SIZE; i++)
		e.mem[i] = (uint8_t)((i * 0x9e3779b1u) >> 13);
	eng = &e;
	atexit(print_counts);
	return 0;
}

/* Fields that only make sense together. */
static void check_fields(uint32_t insn, const struct sim_ldst *o)
{
	if ((insn & 0x0a000000) != 0x08000000)
		FAIL("accepted, but not in the load/store group");
	if (insn & (1u << 26))
		FAIL("accepted a SIMD&FP load/store");
	if (o->size != 1 && o->size != 2 && o->size != 4 && o->size != 8)
		FAIL("size %u", o->size);
	if (o->rt != (insn & 31))
		FAIL("rt %u", o->rt);
	if (!o->literal && o->rn != ((insn >> 5) & 31))
		FAIL("rn %u", o->rn);
	if (o->pair ? o->rt2 != ((insn >> 10) & 31) : o->rt2 != 0)
		FAIL("rt2 %u (pair %d)", o->rt2, o->pair);
	if (!o->writeback && (o->offset || o->post_index))
		FAIL("offset %lld without writeback", (long long)o->offset);
	if (o->writeback && o->literal)
		FAIL("literal with writeback");
	if (o->literal && (!o->is_load || o->pair))
		FAIL("literal that is not a single load");
	if (o->sign_extend && !o->is_load)
		FAIL("sign-extending store");
	if (o->size == 8 && !o->dest_64)
		FAIL("8-byte access to Wt");
	if (o->sign_extend && o->size == 8)
		FAIL("sign-extending an 8-byte load");
	if (o->writeback && o->offset % (o->pair ? (int64_t)o->size : 1))
		FAIL("pair offset %lld not scaled", (long long)o->offset);
}

static bool same_ldst(const struct sim_ldst *a, const struct sim_ldst *b)
{
	return a->is_load == b->is_load && a->size == b->size &&
	       a->sign_extend == b->sign_extend && a->dest_64 == b->dest_64 &&
	       a->rt == b->rt && a->rt2 == b->rt2 && a->pair == b->pair &&
	       a->literal == b->literal && a->rn == b->rn &&
	       a->writeback == b->writeback && a->post_index == b->post_index &&
	       a->offset == b->offset;
}

static void check_refused(uint32_t insn, const struct sim_ldst *o)
{
	static const struct sim_ldst zero;

	if (!same_ldst(o, &zero))
		FAIL("refused, but the output is not zeroed");
}

/* What zero- or sign-extending raw into Wt/Xt must give. */
static void check_extend(uint32_t insn, const struct sim_ldst *o, uint64_t raw)
{
	unsigned int bits = 8 * o->size;
	uint64_t v = sim_ldst_extend(o, raw), low, want;

	low = bits == 64 ? raw : raw & ((1ull << bits) - 1);
	if (o->sign_extend && bits < 64 && (low >> (bits - 1)) & 1)
		want = low | ~((1ull << bits) - 1);
	else
		want = low;
	if (!o->dest_64)
		want &= 0xffffffffu;
	if (v != want)
		FAIL("extend(%#llx) = %#llx, want %#llx", (unsigned long long)raw,
		     (unsigned long long)v, (unsigned long long)want);
}

static uint64_t reg(unsigned int r)
{
	uint64_t v = 0;

	if (r == 31)
		uc_reg_read(eng->uc, UC_ARM64_REG_SP, &v);
	else
		uc_reg_read(eng->uc, r < 29 ? UC_ARM64_REG_X0 + (int)r :
				     r == 29 ? UC_ARM64_REG_X29 : UC_ARM64_REG_X30,
			    &v);
	return v;
}

static void reset_cpu(uint32_t insn)
{
	uint64_t base = BASE, pstate = PSTATE_EL1H_MASKED;
	uint32_t code[2] = { insn, 0x14000000 /* b . */ };

	for (int r = 0; r < 29; r++)
		uc_reg_write(eng->uc, UC_ARM64_REG_X0 + r, &base);
	uc_reg_write(eng->uc, UC_ARM64_REG_X29, &base);
	uc_reg_write(eng->uc, UC_ARM64_REG_X30, &base);
	uc_reg_write(eng->uc, UC_ARM64_REG_SP, &base);
	uc_reg_write(eng->uc, UC_ARM64_REG_PSTATE, &pstate);
	memcpy(eng->mem + CODE, code, sizeof(code));
	/* The word changed under a translated block: drop it. */
	uc_ctl_remove_cache(eng->uc, CODE, CODE + sizeof(code));
	memset(&eng->acc, 0, sizeof(eng->acc));
	eng->exception = false;
}

/* Run the word once on the core and compare with the decoding. */
static void check_on_cpu(uint32_t insn, const struct sim_ldst *o)
{
	const struct access *a = &eng->acc;
	uint64_t pc = 0;
	uc_err err;

	reset_cpu(insn);
	eng->runs++;
	err = uc_emu_start(eng->uc, CODE, CODE + 4, 0, 0);
	uc_reg_read(eng->uc, UC_ARM64_REG_PC, &pc);
	if (err || eng->exception || pc != CODE + 4) {
		eng->refused_by_cpu++;
		return;
	}
	if (a->n == 0)
		FAIL("decoded as a %u-byte %s, but the core made no access",
		     o->size, o->is_load ? "load" : "store");
	if (a->write == o->is_load)
		FAIL("decoded as a %s, the core made a %s", o->is_load ? "load" : "store",
		     a->write ? "store" : "load");
	/* An access across a page may reach the hook in pieces. */
	if ((a->addr & 0xfff) + (uint64_t)a->size > 0x1000 || a->n > 2)
		return;
	if ((unsigned int)a->size != o->size)
		FAIL("decoded size %u, the core accessed %d bytes", o->size, a->size);
	if (a->n != (o->pair ? 2u : 1u))
		FAIL("%u accesses for a %s", a->n, o->pair ? "pair" : "single register");
	eng->verdicts++;
	if (o->pair)
		return; /* never emulated: the sim injects an abort */

	if (o->is_load && o->rt != 31 && !(o->writeback && o->rt == o->rn) &&
	    reg(o->rt) != sim_ldst_extend(o, a->raw))
		FAIL("loaded %#llx: the core put %#llx in x%u, the sim would put %#llx",
		     (unsigned long long)a->raw, (unsigned long long)reg(o->rt),
		     o->rt, (unsigned long long)sim_ldst_extend(o, a->raw));
	if (!o->literal && !(o->writeback && o->rt == o->rn && o->rn != 31) &&
	    !(o->is_load && o->rt == o->rn && o->rn != 31) &&
	    reg(o->rn) != BASE + (uint64_t)o->offset)
		FAIL("base x%u is %#llx after the access, the sim would make it %#llx",
		     o->rn, (unsigned long long)reg(o->rn),
		     (unsigned long long)(BASE + (uint64_t)o->offset));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_ldst o, again;
	uint32_t insn = 0;
	uint64_t raw = 0;
	int ret;

	if (size < 4)
		return -1;
	memcpy(&insn, data, 4);
	memcpy(&raw, data + 4, size - 4 < 8 ? size - 4 : 8);

	memset(&o, 0xa5, sizeof(o)); /* the decoder must fill all of it */
	ret = sim_decode_ldst(insn, &o);
	if (ret && ret != -EINVAL)
		FAIL("returned %d", ret);
	memset(&again, 0x5a, sizeof(again));
	if (sim_decode_ldst(insn, &again) != ret || !same_ldst(&o, &again))
		FAIL("two decodings differ");
	if (ret) {
		check_refused(insn, &o);
		return 0;
	}
	check_fields(insn, &o);
	check_extend(insn, &o, raw);
	check_on_cpu(insn, &o);
	return 0;
}
