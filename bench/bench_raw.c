// SPDX-License-Identifier: GPL-2.0-only
/*
 * The baselines: the same guest programs on bare Unicorn, with the least
 * host code that still does the same job, so that the ratio to the full
 * stack measures what libgunyah and the sim add.
 *
 * The MMIO baselines: "stop on an unmapped access" with a no-op
 * UC_HOOK_MEM_READ|WRITE hook (Unicorn 2.0.1 keeps guest PC exact at a
 * load/store only while one exists; the sim did this until issue 19),
 * and the fastest loop found, mmio.raw_fast, which the 0.6 target
 * is against: a window whose callback ends the run exactly on the store
 * with no hook at all, as the sim's MMIO gaps now do.
 *
 * The plainer idiom, uc_mmio_map() with a write callback, is measured too,
 * but it cannot be the textbook one in Unicorn 2.0.1: uc_emu_stop() called
 * from the callback lands in the middle of the translation block, the
 * engine restarts the block and the store runs again, for ever (unicorn
 * issue #1355); and an 8-byte store reaches the callback as two 4-byte
 * halves.  So the callback collects the halves and asks for a stop, and a
 * block hook stops the engine at the next block start, as the sim did
 * until issue 19.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <unicorn/unicorn.h>

#include "bench.h"
#include "gunyah_sim.h"
#include "sim/sim_quirks.h"

#define PSTATE_EL1H_MASKED 0x3c5u

struct raw_vm {
	uc_engine *uc;
	void *ram;
	uc_hook hooks[4];
	unsigned int nr_hooks;

	/* the last access the unmapped hook or the MMIO callback saw */
	uint64_t addr, value;
	unsigned int bytes;	/* of the store, seen by the MMIO callback */
	uint64_t writes;	/* MMIO callbacks */

	atomic_bool stop_req; /* what the block hook polls */
};

static void raw_close(struct raw_vm *r)
{
	if (r->uc)
		uc_close(r->uc);
	if (r->ram && r->ram != MAP_FAILED)
		munmap(r->ram, BENCH_RAM_SIZE);
}

/* An engine with guest at the RAM base, x19/x20 set, in EL1h. */
static int raw_open(struct raw_vm *r, const struct bench_params *p,
		    const char *guest, uint64_t x19, uint64_t x20, char *err)
{
	uint64_t pstate = PSTATE_EL1H_MASKED;
	uc_err uerr;

	memset(r, 0, sizeof(*r));
	r->ram = mmap(NULL, BENCH_RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->ram == MAP_FAILED) {
		snprintf(err, BENCH_ERR_LEN, "guest RAM: %s", strerror(errno));
		return -1;
	}
	if (bench_load_guest(p->guest_dir, guest, r->ram, BENCH_RAM_SIZE, err))
		goto fail;
	uerr = uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &r->uc);
	if (!uerr)
		uerr = uc_mem_map_ptr(r->uc, GH_SIM_RAM_BASE, BENCH_RAM_SIZE,
				      UC_PROT_ALL, r->ram);
	if (!uerr)
		uerr = uc_reg_write(r->uc, UC_ARM64_REG_X19, &x19);
	if (!uerr)
		uerr = uc_reg_write(r->uc, UC_ARM64_REG_X20, &x20);
	if (!uerr)
		uerr = uc_reg_write(r->uc, UC_ARM64_REG_PSTATE, &pstate);
	if (uerr) {
		snprintf(err, BENCH_ERR_LEN, "unicorn: %s", uc_strerror(uerr));
		goto fail;
	}
	return 0;
fail:
	raw_close(r);
	return -1;
}

static int raw_hook(struct raw_vm *r, int type, void *fn, char *err)
{
	uc_err uerr = uc_hook_add(r->uc, &r->hooks[r->nr_hooks], type, fn, r,
				  1, 0);

	if (uerr) {
		snprintf(err, BENCH_ERR_LEN, "uc_hook_add: %s",
			 uc_strerror(uerr));
		return -1;
	}
	r->nr_hooks++;
	return 0;
}

static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr,
			int size, int64_t value, void *data)
{
	struct raw_vm *r = data;

	(void)uc;
	(void)type;
	(void)size;
	r->addr = addr;
	r->value = (uint64_t)value;
	return false; /* stop, with PC on the access */
}

static void on_mem_nop(uc_engine *uc, uc_mem_type type, uint64_t addr,
		       int size, int64_t value, void *data)
{
	(void)uc;
	(void)type;
	(void)addr;
	(void)size;
	(void)value;
	(void)data;
}

/* As cheap as a block hook gets when no stop is asked for (the sim's,
 * until issue 19). */
static void on_block(uc_engine *uc, uint64_t addr, uint32_t size, void *data)
{
	struct raw_vm *r = data;

	(void)addr;
	(void)size;
	if (atomic_load_explicit(&r->stop_req, memory_order_relaxed) &&
	    atomic_exchange(&r->stop_req, false))
		uc_emu_stop(uc);
}

/* smp_mmio's stream on vCPU 0 writes i to MMIO_BASE, i = 0, 1, ... */
static int check_stream(const struct raw_vm *r, uint64_t i, char *err)
{
	if (r->addr == BENCH_MMIO_BASE && r->value == i)
		return 0;
	snprintf(err, BENCH_ERR_LEN,
		 "write %llu: %#llx to %#llx, want %#llx to %#llx",
		 (unsigned long long)i, (unsigned long long)r->value,
		 (unsigned long long)r->addr, (unsigned long long)i,
		 BENCH_MMIO_BASE);
	return -1;
}

static int check_count(uint64_t got, uint64_t want, const char *what,
		       char *err)
{
	if (got == want)
		return 0;
	snprintf(err, BENCH_ERR_LEN, "%llu %s, want %llu",
		 (unsigned long long)got, what, (unsigned long long)want);
	return -1;
}

/*
 * The guest's store loop (smp_mmio, one vCPU); every store stops
 * uc_emu_start with PC on it, the host steps PC past it and starts again.
 * The guest's final HVC (no interrupt hook here) ends the loop.
 */
int bench_raw_mmio_unmapped(const struct bench_params *p,
			    struct bench_sample *s, char *err)
{
	uint64_t pc = GH_SIM_RAM_BASE, n = 0, t0, t1;
	struct raw_vm r;
	uc_err uerr;
	int ret = -1;

	if (raw_open(&r, p, "smp_mmio", 1, p->work, err))
		return -1;
	if (raw_hook(&r, UC_HOOK_MEM_UNMAPPED, on_unmapped, err) ||
	    raw_hook(&r, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, on_mem_nop, err))
		goto out;

	t0 = bench_now_ns();
	for (;;) {
		uerr = uc_emu_start(r.uc, pc, UINT64_MAX, 0, 0);
		if (uerr != UC_ERR_WRITE_UNMAPPED)
			break;
		if (check_stream(&r, n, err))
			goto out;
		n++;
		uc_reg_read(r.uc, UC_ARM64_REG_PC, &pc);
		pc += 4;
	}
	t1 = bench_now_ns();
	if (check_count(n, p->work, "exits", err))
		goto out;
	s->ns = t1 - t0;
	s->work = n;
	ret = 0;
out:
	raw_close(&r);
	return ret;
}

static uint64_t on_mmio_read(uc_engine *uc, uint64_t offset, unsigned size,
			     void *data)
{
	(void)uc;
	(void)offset;
	(void)size;
	(void)data;
	return 0;
}

static void on_mmio_write(uc_engine *uc, uint64_t offset, unsigned size,
			  uint64_t value, void *data)
{
	struct raw_vm *r = data;

	(void)uc;
	if (!r->bytes)
		r->addr = BENCH_MMIO_BASE + (offset & ~7ull);
	if (size < 8)
		value &= (1ull << (8 * size)) - 1;
	r->value |= value << (8 * (offset & 7));
	r->bytes += size;
	r->writes++;
	atomic_store_explicit(&r->stop_req, true, memory_order_relaxed);
}

/*
 * The same loop with the store region mapped as MMIO: the write callback
 * has the data, the engine stops at the next block start, and the host
 * starts it again from there.
 */
int bench_raw_mmio_map(const struct bench_params *p, struct bench_sample *s,
		       char *err)
{
	uint64_t pc = GH_SIM_RAM_BASE, n = 0, t0, t1;
	struct raw_vm r;
	uc_err uerr;
	int ret = -1;

	if (raw_open(&r, p, "smp_mmio", 1, p->work, err))
		return -1;
	if (raw_hook(&r, UC_HOOK_BLOCK, on_block, err))
		goto out;
	uerr = uc_mmio_map(r.uc, BENCH_MMIO_BASE, 0x1000, on_mmio_read, &r,
			   on_mmio_write, &r);
	if (uerr) {
		snprintf(err, BENCH_ERR_LEN, "uc_mmio_map: %s",
			 uc_strerror(uerr));
		goto out;
	}

	t0 = bench_now_ns();
	for (;;) {
		r.bytes = 0;
		r.value = 0;
		uerr = uc_emu_start(r.uc, pc, UINT64_MAX, 0, 0);
		if (uerr || !r.bytes)
			break;
		if (r.bytes != 8) {
			snprintf(err, BENCH_ERR_LEN,
				 "store %llu: %u bytes in one start",
				 (unsigned long long)n, r.bytes);
			goto out;
		}
		if (check_stream(&r, n, err))
			goto out;
		n++;
		uc_reg_read(r.uc, UC_ARM64_REG_PC, &pc);
	}
	t1 = bench_now_ns();
	if (check_count(n, p->work, "exits", err))
		goto out;
	s->ns = t1 - t0;
	s->work = n;
	ret = 0;
out:
	raw_close(&r);
	return ret;
}

static uint64_t on_mmio_read_stop(uc_engine *uc, uint64_t offset,
				  unsigned size, void *data)
{
	(void)uc;
	(void)offset;
	(void)size;
	(void)data;
	return 0;
}

/* Record the store and end the run on it, exactly (no hook anywhere). */
static void on_mmio_write_stop(uc_engine *uc, uint64_t offset, unsigned size,
			       uint64_t value, void *data)
{
	struct raw_vm *r = data;

	(void)size;
	r->addr = BENCH_MMIO_BASE + offset;
	r->value = value;
	r->writes++;
	sim_quirk_mmio_exit(uc);
}

/*
 * The fastest raw MMIO exit loop found on this engine: the store region
 * is a uc_mmio_map window, its write callback ends the run on the store
 * (sim_quirk_mmio_exit: PC exact, no memory or block hook anywhere), the
 * host steps PC over it and starts again.  The value checked is the
 * callback's first 4 bytes (an 8-byte store comes in halves): the stream
 * stays below 2^32.
 */
int bench_raw_mmio_fast(const struct bench_params *p, struct bench_sample *s,
			char *err)
{
	uint64_t pc = GH_SIM_RAM_BASE, n = 0, t0, t1;
	struct raw_vm r;
	uc_err uerr;
	int ret = -1;

	if (sim_quirks_check(err, BENCH_ERR_LEN))
		return -1;
	if (raw_open(&r, p, "smp_mmio", 1, p->work, err))
		return -1;
	sim_quirk_block_stops(r.uc);
	uerr = uc_mmio_map(r.uc, BENCH_MMIO_BASE, 0x1000, on_mmio_read_stop,
			   &r, on_mmio_write_stop, &r);
	if (uerr) {
		snprintf(err, BENCH_ERR_LEN, "uc_mmio_map: %s",
			 uc_strerror(uerr));
		goto out;
	}

	t0 = bench_now_ns();
	for (;;) {
		r.writes = 0;
		uerr = uc_emu_start(r.uc, pc, UINT64_MAX, 0, 0);
		if (uerr || !r.writes)
			break;
		if (check_stream(&r, n, err))
			goto out;
		n++;
		uc_reg_read(r.uc, UC_ARM64_REG_PC, &pc);
		pc += 4;
	}
	t1 = bench_now_ns();
	if (check_count(n, p->work, "exits", err))
		goto out;
	s->ns = t1 - t0;
	s->work = n;
	ret = 0;
out:
	raw_close(&r);
	return ret;
}

/* smp_compute on one vCPU, ended by its report store. */
static int raw_compute(const struct bench_params *p, struct bench_sample *s,
		       bool sim_hooks, char *err)
{
	uint64_t want = bench_alu_checksum(0, p->work), t0, t1;
	struct raw_vm r;
	uc_err uerr;
	int ret = -1;

	if (raw_open(&r, p, "smp_compute", 1, p->work, err))
		return -1;
	if (raw_hook(&r, UC_HOOK_MEM_UNMAPPED, on_unmapped, err))
		goto out;
	if (sim_hooks &&
	    (raw_hook(&r, UC_HOOK_BLOCK, on_block, err) ||
	     raw_hook(&r, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, on_mem_nop, err)))
		goto out;

	t0 = bench_now_ns();
	uerr = uc_emu_start(r.uc, GH_SIM_RAM_BASE, UINT64_MAX, 0, 0);
	t1 = bench_now_ns();
	if (uerr != UC_ERR_WRITE_UNMAPPED || r.addr != BENCH_MMIO_REPORT ||
	    r.value != want) {
		snprintf(err, BENCH_ERR_LEN,
			 "ended with \"%s\", %#llx at %#llx; want the checksum %#llx at %#llx",
			 uc_strerror(uerr), (unsigned long long)r.value,
			 (unsigned long long)r.addr, (unsigned long long)want,
			 BENCH_MMIO_REPORT);
		goto out;
	}
	s->ns = t1 - t0;
	s->work = 5 * p->work; /* instructions in the loop */
	ret = 0;
out:
	raw_close(&r);
	return ret;
}

int bench_raw_compute(const struct bench_params *p, struct bench_sample *s,
		      char *err)
{
	return raw_compute(p, s, false, err);
}

/* The same with the block hook and no-op memory hook every sim vCPU had
 * before issue 19: what their removal bought. */
int bench_raw_compute_hooks(const struct bench_params *p,
			    struct bench_sample *s, char *err)
{
	return raw_compute(p, s, true, err);
}

const char *bench_unicorn_version(char *buf, size_t len)
{
	unsigned int v = uc_version(NULL, NULL);

	snprintf(buf, len, "%u.%u.%u", v >> 24, (v >> 16) & 0xff,
		 (v >> 8) & 0xff);
	return buf;
}
