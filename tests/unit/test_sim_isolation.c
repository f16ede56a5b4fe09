// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest isolation: whatever a guest does, the host process survives and
 * every RUN says how the VM ended.  Guests that write all over the address
 * space and over themselves, jump anywhere, loop for ever without an exit,
 * and run random instruction words with random registers (with and without
 * a vector table, itself random).  The host answers every exit as a VMM
 * would, stops a VM that runs too long or exits too often, and checks each
 * exit is well formed and the last one is a STATUS that stays.
 *
 * ISOLATION_SEEDS sets how many random programs run (default 64;
 * `make stress`: 2000).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "guest_vm.h"

#define MS 1000000ull

/* Force-stops the VM at a deadline unless told the run is over. */
struct watchdog {
	struct gh_vm *vm;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	bool fired;
	struct timespec deadline;
};

static void *watchdog_main(void *data)
{
	struct watchdog *w = data;

	pthread_mutex_lock(&w->lock);
	while (!w->done) {
		if (pthread_cond_timedwait(&w->cond, &w->lock, &w->deadline) ==
		    ETIMEDOUT) {
			w->fired = !w->done;
			if (w->fired)
				gh_vm_force_stop(w->vm);
			break;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void watchdog_start(struct watchdog *w, struct gh_vm *vm, uint64_t ns)
{
	pthread_condattr_t attr;
	uint64_t t = test_now_ns() + ns;

	memset(w, 0, sizeof(*w));
	w->vm = vm;
	w->deadline.tv_sec = (time_t)(t / 1000000000ull);
	w->deadline.tv_nsec = (long)(t % 1000000000ull);
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &attr);
	pthread_condattr_destroy(&attr);
	ASSERT_EQ(pthread_create(&w->thread, NULL, watchdog_main, w), 0);
}

/* Returns whether it fired (the VM was stopped for taking too long). */
static bool watchdog_stop(struct watchdog *w)
{
	pthread_mutex_lock(&w->lock);
	w->done = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	ASSERT_EQ(pthread_join(w->thread, NULL), 0);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	return w->fired;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* How a driven VM ended. */
struct outcome {
	unsigned int exits;
	bool timed_out;		/* the watchdog stopped it */
	bool limited;		/* stopped after max_exits */
	uint32_t status;
	uint16_t type;
};

/* Called for each MMIO exit; may set the answer in the run page. */
typedef void (*answer_fn)(struct gh_vcpu *v, unsigned int n, void *ctx);

/*
 * Run vCPU 0 to the VM's end: answer MMIO exits (answer, or HANDLED with
 * zeroes), stop the VM after max_exits exits or timeout_ns, check every
 * exit, and that the final STATUS exit stays.
 */
static struct outcome drive(struct tvm *t, unsigned int max_exits,
			    uint64_t timeout_ns, answer_fn answer, void *ctx)
{
	struct gh_vcpu *v = t->vcpu[0];
	struct gunyah_vcpu_run *run = v->run;
	struct outcome o = { 0 };
	struct watchdog w;
	struct gunyah_vm_exit_info info;

	watchdog_start(&w, t->vm, timeout_ns);
	for (;;) {
		ASSERT_OK(__gh_vcpu_run(v));
		if (run->exit_reason == GUNYAH_VCPU_EXIT_STATUS)
			break;
		ASSERT_EXIT(v, GUNYAH_VCPU_EXIT_MMIO);
		ASSERT_TRUE(run->mmio.len == 1 || run->mmio.len == 2 ||
			    run->mmio.len == 4 || run->mmio.len == 8);
		ASSERT_TRUE(run->mmio.is_write <= 1);
		ASSERT_EQ(run->mmio.resume_action, GUNYAH_VCPU_RESUME_HANDLED);
		if (!run->mmio.is_write)
			ASSERT_EQ(mmio_data(run), 0);
		if (answer)
			answer(v, o.exits, ctx);
		if (++o.exits == max_exits) {
			/* -EINVAL: the watchdog stopped it a moment ago. */
			int ret = gh_vm_force_stop(t->vm);

			ASSERT_TRUE(ret == 0 || ret == -EINVAL);
			o.limited = ret == 0;
		}
	}
	o.status = run->status.status;
	o.type = run->status.exit_info.type;
	/* The watchdog may fire just after the VM ended by itself: then its
	 * stop came second and changed nothing. */
	o.timed_out = watchdog_stop(&w) && !o.limited &&
		      o.type == GUNYAH_VM_EXIT_TYPE_VM_STOP_FORCED;
	ASSERT_TRUE(o.status == GUNYAH_VM_STATUS_EXITED ||
		    o.status == GUNYAH_VM_STATUS_CRASHED);
	/* And it stays: every later RUN says the same. */
	info = run->status.exit_info;
	memset(&run->status, 0xee, sizeof(run->status));
	ASSERT_OK(__gh_vcpu_run(v));
	ASSERT_EXIT(v, GUNYAH_VCPU_EXIT_STATUS);
	ASSERT_EQ(run->status.status, o.status);
	ASSERT_EQ(memcmp(&run->status.exit_info, &info, sizeof(info)), 0);
	return o;
}

/* ---- writing everywhere ----------------------------------------------------- */

struct sweep {
	uint64_t base, stride;
	uint64_t n;		/* the store we expect to exit next */
	bool in_order;
};

static bool in_ram(uint64_t a)
{
	return a >= GH_SIM_RAM_BASE && a - GH_SIM_RAM_BASE < TVM_RAM_SIZE;
}

/* Each exit is the next store of the sweep that is not to RAM. */
static void answer_sweep(struct gh_vcpu *v, unsigned int n, void *ctx)
{
	struct sweep *s = ctx;
	uint64_t a;

	(void)n;
	for (a = s->base + s->n * s->stride; in_ram(a); a += s->stride)
		s->n++;
	if (v->run->mmio.phys_addr != a || !v->run->mmio.is_write ||
	    v->run->mmio.len != 8 || mmio_data(v->run) != a)
		TEST_FAIL("store %" PRIu64 ": exit at %#llx data %#llx, want %#llx",
			  s->n, (unsigned long long)v->run->mmio.phys_addr,
			  (unsigned long long)mmio_data(v->run),
			  (unsigned long long)a);
	s->n++;
}

static struct outcome scribble(uint64_t base, uint64_t stride, uint64_t count,
			       struct sweep *s)
{
	struct outcome o;
	struct tvm t;

	tvm_create(&t, "scribble", 1);
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 19, stride));
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 20, count));
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 21, base));
	tvm_start(&t);
	if (s)
		*s = (struct sweep){ .base = base, .stride = stride };
	o = drive(&t, 100000, 2000 * MS, s ? answer_sweep : NULL, s);
	tvm_destroy(&t);
	return o;
}

/* Through MMIO space, into RAM (not over the program) and out again. */
TEST(writes_across_mmio_and_ram_all_arrive)
{
	struct sweep s;
	struct outcome o = scribble(0x7f000000, 0x100008, 64, &s);

	ASSERT_EQ(s.n, 64);
	ASSERT_EQ(o.exits, 64 - 16); /* stores 16..31 land in RAM */
	ASSERT_STREQ(gh_vm_status_str(o.status), "exited");
	ASSERT_STREQ(gh_exit_type_str(o.type), "poweroff");
}

/*
 * Strides of 2^36 + ...: the first 16 stores are MMIO exits at exactly
 * their address; the 17th leaves the 40-bit IPA space and faults in the
 * guest (no vectors: a crash) instead of reaching the host.
 */
TEST(writes_beyond_the_ipa_space_fault)
{
	struct sweep s;
	struct outcome o = scribble(0, 0x0000001000001008ull, 4096, &s);

	ASSERT_EQ(s.n, 16);
	ASSERT_EQ(o.exits, 16);
	ASSERT_STREQ(gh_vm_status_str(o.status), "crashed");
}

/* Over its own code: it runs what it wrote there and crashes. */
TEST(writes_over_its_own_code)
{
	struct outcome o = scribble(GH_SIM_RAM_BASE, 8, TVM_RAM_SIZE / 8, NULL);

	ASSERT_TRUE(!o.timed_out && !o.limited);
	ASSERT_STREQ(gh_vm_status_str(o.status), "crashed");
}

/* ---- jumping anywhere ------------------------------------------------------- */

TEST(jumps_to_anywhere_crash_or_take_an_abort)
{
	static const uint64_t targets[] = {
		0, 4, MMIO_BASE, GH_SIM_RAM_BASE - 4,
		GH_SIM_RAM_BASE + TVM_RAM_SIZE, GH_SIM_RAM_BASE + 2,
		0x0000fffffffff000ull, 0x0010000000000000ull,
		0xfffffffffffffffcull, 0x8000000000000000ull,
	};

	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		for (int vectors = 0; vectors <= 1; vectors++) {
			struct outcome o;
			struct tvm t;

			tvm_create(&t, "wild_jump", 1);
			ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 19, targets[i]));
			ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 20, vectors));
			tvm_start(&t);
			o = drive(&t, 100, 2000 * MS, NULL, NULL);
			if (o.timed_out || o.limited)
				TEST_FAIL("jump to %#llx (vectors %d): never ended",
					  (unsigned long long)targets[i], vectors);
			/* Without vectors the abort has nowhere to go; with
			 * them the handler reports ESR and FAR, powers off. */
			if (vectors) {
				ASSERT_EQ(o.exits, 2);
				ASSERT_STREQ(gh_vm_status_str(o.status), "exited");
			} else {
				ASSERT_EQ(o.exits, 0);
				ASSERT_STREQ(gh_vm_status_str(o.status), "crashed");
			}
			tvm_destroy(&t);
		}
	}
}

/* msr vbar_el1, x19; isb; br x20 */
static void vbar_and_jump(uint32_t *code)
{
	code[0] = 0xd518c013;
	code[1] = 0xd5033fdf;
	code[2] = 0xd61f0280;
}

/*
 * A jump beyond the core's physical address range with the vectors there
 * too: every abort takes another at the vector, and no instruction ever
 * runs.  The host must still be able to stop it.
 */
TEST(exception_loop_beyond_physical_memory_is_stopped)
{
	struct outcome o;
	struct tvm t;

	tvm_create(&t, NULL, 1);
	vbar_and_jump(t.ram);
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 19, 1ull << 44));
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 20, 1ull << 44));
	tvm_start(&t);
	o = drive(&t, 1, 100 * MS, NULL, NULL);
	ASSERT_TRUE(o.timed_out);
	ASSERT_STREQ(gh_exit_type_str(o.type), "forced_stop");
	tvm_destroy(&t);
}

/* ---- never exiting ---------------------------------------------------------- */

TEST(loop_without_exits_is_stopped_on_time)
{
	struct outcome o;
	struct tvm t;

	/* How soon is not asserted (a loaded machine decides); that the
	 * stop comes at all is, by TEST_TIMEOUT_S. */
	tvm_create(&t, "spin", 1);
	tvm_start(&t);
	o = drive(&t, 1, 100 * MS, NULL, NULL);
	ASSERT_TRUE(o.timed_out);
	ASSERT_STREQ(gh_exit_type_str(o.type), "forced_stop");
	tvm_destroy(&t);
}

/* ---- random programs -------------------------------------------------------- */

#define RANDOM_CODE_BYTES 0x10000
#define VECTORS_OFF 0x1000
#define CODE_OFF 0x2000

/* Reads get random data; one exit in eight is answered FAULT, one in
 * sixteen RETRY. */
static void answer_random(struct gh_vcpu *v, unsigned int n, void *ctx)
{
	uint64_t *rng = ctx, r = xorshift(rng);

	(void)n;
	if (!v->run->mmio.is_write)
		memcpy(v->run->mmio.data, &r, sizeof(r));
	r = xorshift(rng) % 16;
	v->run->mmio.resume_action = r < 2 ? GUNYAH_VCPU_RESUME_FAULT :
				     r < 3 ? GUNYAH_VCPU_RESUME_RETRY :
					     GUNYAH_VCPU_RESUME_HANDLED;
}

/* A register value a random program may use as an address, or not. */
static uint64_t random_reg(uint64_t *rng)
{
	uint64_t r = xorshift(rng);

	switch (r % 4) {
	case 0: return MMIO_BASE + (r >> 8) % 0x10000;
	case 1: return GH_SIM_RAM_BASE + (r >> 8) % TVM_RAM_SIZE;
	case 2: return (r >> 8) % 0x100;
	default: return xorshift(rng);
	}
}

static void count_log(void *ctx, const char *msg)
{
	(void)msg;
	atomic_fetch_add((atomic_uint *)ctx, 1);
}

/*
 * An instruction word: any word at all, or one of the kinds that keep a
 * program going somewhere interesting: loads and stores through the
 * registers (which point at MMIO, RAM or nowhere), register arithmetic,
 * short conditional branches.
 */
static uint32_t random_word(uint64_t *rng)
{
	uint64_t r = xorshift(rng);
	uint32_t w = (uint32_t)(r >> 16);

	switch (r % 10) {
	case 0: case 1: case 2:	/* LDR/STR (unsigned imm), imm12 < 8 */
		return 0x39000000 | (w & 0xc0c003ff) | (uint32_t)(r >> 8 & 7) << 10;
	case 3:			/* imm9 forms: unscaled, pre-, post-index */
		return 0x38000000 | (w & 0xc0dfffff);
	case 4:			/* ADD Xd, Xn, #imm12 */
		return 0x91000000 | (w & 0x003fffff);
	case 5:			/* B.cond within 16 words */
		return 0x54000000 |
		       (((uint32_t)(r >> 8) % 32 - 16) & 0x7ffff) << 5 | (w & 0xf);
	default:
		return w;
	}
}

static unsigned int isolation_seeds(void)
{
	const char *e = getenv("ISOLATION_SEEDS");
	long n = e ? strtol(e, NULL, 10) : 64;

	return n > 0 ? (unsigned int)n : 64;
}

TEST(random_programs_never_take_the_host_down)
{
	unsigned int seeds = isolation_seeds(), crashed = 0, exited = 0,
		     timed_out = 0, limited = 0;
	uint64_t exits = 0;
	atomic_uint logs = 0;

	alarm(seeds / 2 + 60);
	for (unsigned int seed = 1; seed <= seeds; seed++) {
		uint64_t rng = 0x9e3779b97f4a7c15ull * seed;
		uint32_t *code;
		struct outcome o;
		struct tvm t;

		tvm_create(&t, NULL, 1);
		gh_backend_set_log(t.be, count_log, &logs);
		code = t.ram;
		for (unsigned int i = 0; i < RANDOM_CODE_BYTES / 4; i++)
			code[i] = random_word(&rng);
		vbar_and_jump(code);
		for (unsigned int r = 0; r < 31; r++)
			ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, r,
						     random_reg(&rng)));
		/* Odd seeds: random vectors; even: none, the first fault
		 * crashes. */
		ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 19,
					     seed % 2 ? GH_SIM_RAM_BASE + VECTORS_OFF : 0));
		ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 20,
					     GH_SIM_RAM_BASE + CODE_OFF));
		tvm_start(&t);
		o = drive(&t, 2000, 200 * MS, answer_random, &rng);
		exits += o.exits;
		if (o.timed_out)
			timed_out++;
		else if (o.limited)
			limited++;
		else if (o.status == GUNYAH_VM_STATUS_CRASHED)
			crashed++;
		else
			exited++;
		if ((o.timed_out || o.limited) && o.type != GUNYAH_VM_EXIT_TYPE_VM_STOP_FORCED)
			TEST_FAIL("seed %u: stopped, but the exit type is %s", seed,
				  gh_exit_type_str(o.type));
		tvm_destroy(&t);
	}
	printf("# %u programs: %u crashed, %u exited by themselves, %u stopped "
	       "after 200 ms, %u after 2000 exits; %" PRIu64 " exits, %u sim log lines\n",
	       seeds, crashed, exited, timed_out, limited, exits,
	       atomic_load(&logs));
	ASSERT_EQ(crashed + exited + timed_out + limited, seeds);
}

struct log_count {
	unsigned int lines, mmio;
};

static void count_mmio_log(void *ctx, const char *msg)
{
	struct log_count *c = ctx;

	c->lines++;
	if (strstr(msg, "no instruction syndrome"))
		c->mmio++;
}

/* A guest cannot flood the log: its complaints are rate-limited. */
TEST(guest_caused_messages_are_rate_limited)
{
	struct log_count c = { 0 };
	struct tvm t;

	tvm_create(&t, "pair_flood", 1);
	gh_backend_set_log(t.be, count_mmio_log, &c);
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 19, 5000));
	tvm_start(&t);
	expect_status(t.vcpu[0], GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	ASSERT_EQ(c.mmio, 10); /* SIM_LOG_BURST, in well under 5 s */
	ASSERT_EQ(c.lines, 10);
	tvm_destroy(&t);
}
