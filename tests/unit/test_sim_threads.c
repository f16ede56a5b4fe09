// SPDX-License-Identifier: GPL-2.0-only
/*
 * The run loop as threads see it: immediate_exit and signals while the
 * guest spins or idles, one runner at a time, WFI and its wake-up, PSCI
 * CPU_ON across vCPUs, and four vCPUs with their own MMIO streams (this
 * file is what `make tsan` runs).
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <time.h>

#include "guest_vm.h"

/*
 * No test here sleeps a fixed time and then looks: each waits for the
 * condition it needs (a thread inside RUN, a handler that ran, slices the
 * guest ran after a signal), polled, with WAIT_S as a guard against a
 * broken sim hanging the test.  A loaded machine only makes them slower.
 * How fast RUN returns is not asserted either (that is a benchmark's
 * question); that it returns at all is, by TEST_TIMEOUT_S.
 */
#define WAIT_S 20

static atomic_int handler_runs;

static void on_sigusr1(int sig)
{
	(void)sig;
	atomic_fetch_add(&handler_runs, 1);
}

static void install_handler(bool restart)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = restart ? SA_RESTART : 0;
	ASSERT_OK(sigaction(SIGUSR1, &sa, NULL) ? -errno : 0);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

#define WAIT_FOR(cond)                                                    \
	do {                                                              \
		uint64_t __end = test_now_ns() + WAIT_S * 1000000000ull; \
		while (!(cond)) {                                         \
			if (test_now_ns() > __end)                        \
				TEST_FAIL("waited %d s for %s", WAIT_S,   \
					  #cond);                         \
			sleep_ms(1);                                      \
		}                                                         \
	} while (0)

/* Time slices a vCPU's guest has run (they end every 5 ms while it spins). */
static uint64_t slices(struct gh_vcpu *vcpu)
{
	struct gh_sim_vcpu_stats st;

	ASSERT_OK(gh_vcpu_get_stats(vcpu, &st));
	return st.ready;
}

static uint32_t vcpu_state(struct gh_vcpu *vcpu)
{
	struct gh_sim_vcpu_stats st;

	ASSERT_OK(gh_vcpu_get_stats(vcpu, &st));
	return st.state;
}

/* Does thread tid block sig now (its SigBlk in /proc)? */
static bool thread_blocks(pid_t tid, int sig)
{
	char path[64], line[256];
	bool ret = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "SigBlk:", 7)) {
			ret = strtoull(line + 7, NULL, 16) >> (sig - 1) & 1;
			break;
		}
	fclose(f);
	return ret;
}

/* A thread calling RUN once; records the result. */
struct runner {
	struct gh_vcpu *vcpu;
	pthread_t thread;
	atomic_int tid;
	atomic_bool usr1_blocked; /* by the caller, before RUN (kick signals) */
	atomic_bool started;
	atomic_bool done;
	int ret;
};

static void *runner_main(void *data)
{
	struct runner *r = data;
	sigset_t mask;

	pthread_sigmask(SIG_SETMASK, NULL, &mask);
	atomic_store(&r->usr1_blocked, sigismember(&mask, SIGUSR1) == 1);
	atomic_store(&r->tid, (int)syscall(SYS_gettid));
	atomic_store(&r->started, true);
	r->ret = __gh_vcpu_run(r->vcpu);
	atomic_store(&r->done, true);
	return NULL;
}

/*
 * Start a runner and return once it is inside RUN, where a signal sent to
 * it is RUN's to see: RUN blocks the caller's signals first thing (see
 * lib/sim/sim_wait.c), so SIGUSR1 shows in the thread's SigBlk.  A caller
 * with kick signals keeps it blocked already: then the guest's first
 * slice end or WFI says RUN has begun.
 */
static void runner_start(struct runner *r, struct gh_vcpu *vcpu)
{
	struct gh_sim_vcpu_stats st0, st;

	memset(r, 0, sizeof(*r));
	r->vcpu = vcpu;
	ASSERT_OK(gh_vcpu_get_stats(vcpu, &st0));
	ASSERT_EQ(pthread_create(&r->thread, NULL, runner_main, r), 0);
	WAIT_FOR(atomic_load(&r->started));
	if (!atomic_load(&r->usr1_blocked)) {
		WAIT_FOR(thread_blocks(atomic_load(&r->tid), SIGUSR1) ||
			 atomic_load(&r->done));
		return;
	}
	WAIT_FOR((gh_vcpu_get_stats(vcpu, &st),
		  st.ready != st0.ready ||
			  st.expects_wakeup != st0.expects_wakeup) ||
		 atomic_load(&r->done));
}

/*
 * The signals sent to r are pending now; RUN looks at them at every slice
 * end.  Two slices later it has looked at least once: it must still run.
 */
static void ran_on(struct runner *r)
{
	uint64_t from = slices(r->vcpu);

	WAIT_FOR(slices(r->vcpu) >= from + 2 || atomic_load(&r->done));
	ASSERT_TRUE(!atomic_load(&r->done));
}

static void runner_join(struct runner *r)
{
	ASSERT_EQ(pthread_join(r->thread, NULL), 0);
}

TEST(immediate_exit_stops_a_spinning_guest)
{
	struct runner r;
	struct tvm t;

	tvm_create(&t, "spin", 1);
	tvm_start(&t);
	runner_start(&r, t.vcpu[0]);
	ASSERT_TRUE(!atomic_load(&r.done));
	gh_vcpu_set_immediate_exit(t.vcpu[0], true);
	runner_join(&r);
	ASSERT_EQ(r.ret, -EINTR);
	/* Set before the call: EINTR at once. */
	ASSERT_EQ(__gh_vcpu_run(t.vcpu[0]), -EINTR);
	gh_vcpu_set_immediate_exit(t.vcpu[0], false);
	tvm_destroy(&t);
}

TEST(signal_interrupts_a_spinning_guest)
{
	struct runner r;
	struct tvm t;

	install_handler(false);
	tvm_create(&t, "spin", 1);
	tvm_start(&t);
	runner_start(&r, t.vcpu[0]);
	ASSERT_EQ(pthread_kill(r.thread, SIGUSR1), 0);
	runner_join(&r);
	ASSERT_EQ(r.ret, -EINTR);
	ASSERT_EQ(atomic_load(&handler_runs), 1);
	tvm_destroy(&t);
}

/* SA_RESTART: the handler runs and the call goes on, as the kernel
 * restarts an ioctl that returned -ERESTARTSYS. */
TEST(restarting_signal_does_not_end_run)
{
	struct runner r;
	struct tvm t;

	install_handler(true);
	tvm_create(&t, "spin", 1);
	tvm_start(&t);
	runner_start(&r, t.vcpu[0]);
	ASSERT_EQ(pthread_kill(r.thread, SIGUSR1), 0);
	WAIT_FOR(atomic_load(&handler_runs) == 1);
	/* RUN went on: the guest runs on after the handler. */
	ran_on(&r);
	ASSERT_EQ(atomic_load(&handler_runs), 1);
	ASSERT_OK(gh_vm_force_stop(t.vm));
	runner_join(&r);
	ASSERT_EQ(r.ret, 0);
	ASSERT_EXIT(t.vcpu[0], GUNYAH_VCPU_EXIT_STATUS);
	tvm_destroy(&t);
}

/*
 * An ignored signal or one with a default no-op action interrupts nothing:
 * the kernel discards an unblocked SIG_IGN signal when it is sent, so
 * signal_pending() never sees it.  In the sim RUN blocks it and it stays
 * pending: RUN must skip it.  SIG_IGN is set without SA_RESTART (glibc's
 * signal() would add it, and a restarting "handler" hides a RUN that takes
 * SIG_IGN for a handler and ends with EINTR).
 */
TEST(ignored_signal_does_not_end_run)
{
	struct sigaction ign = { .sa_handler = SIG_IGN, .sa_flags = 0 };
	struct runner r;
	struct tvm t;

	sigemptyset(&ign.sa_mask);
	ASSERT_OK(sigaction(SIGUSR2, &ign, NULL) ? -errno : 0);
	tvm_create(&t, "spin", 1);
	tvm_start(&t);
	runner_start(&r, t.vcpu[0]);
	ASSERT_EQ(pthread_kill(r.thread, SIGUSR2), 0);
	ASSERT_EQ(pthread_kill(r.thread, SIGWINCH), 0);
	ran_on(&r);
	ASSERT_OK(gh_vm_force_stop(t.vm));
	runner_join(&r);
	ASSERT_EQ(r.ret, 0);
	tvm_destroy(&t);
}

/* CPU time of the calling thread, in ns. */
static uint64_t thread_cpu_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

TEST(wfi_sleeps_until_woken)
{
	struct runner r;
	struct tvm t;
	clockid_t clock;
	uint64_t cpu0, cpu1;

	tvm_create(&t, "wfi", 1);
	tvm_start(&t);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 1);
	runner_start(&r, t.vcpu[0]);
	ASSERT_EQ(pthread_getcpuclockid(r.thread, &clock), 0);
	WAIT_FOR(vcpu_state(t.vcpu[0]) == GH_SIM_VCPU_IDLE);
	cpu0 = thread_cpu_ns(clock);
	sleep_ms(200); /* a window to measure, not a wait for something */
	cpu1 = thread_cpu_ns(clock);
	/* Asleep, not polling: a few ms of CPU at most in 200 ms. */
	ASSERT_TRUE(!atomic_load(&r.done));
	ASSERT_TRUE(cpu1 - cpu0 < 20ull * 1000 * 1000);
	ASSERT_OK(gh_vcpu_wake(t.vcpu[0]));
	runner_join(&r);
	ASSERT_EQ(r.ret, 0);
	ASSERT_EXIT(t.vcpu[0], GUNYAH_VCPU_EXIT_MMIO);
	ASSERT_EQ(mmio_data(t.vcpu[0]->run), 2);
	expect_status(t.vcpu[0], GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	tvm_destroy(&t);
}

/* A wake-up raised before the WFI is not lost. */
TEST(wake_before_wfi_is_kept)
{
	struct tvm t;

	tvm_create(&t, "wfi", 1);
	tvm_start(&t);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 1);
	ASSERT_OK(gh_vcpu_wake(t.vcpu[0]));
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 2);
	tvm_destroy(&t);
}

TEST(signal_and_vm_exit_end_wfi)
{
	struct runner r;
	struct tvm t;

	install_handler(false);
	tvm_create(&t, "wfi", 1);
	tvm_start(&t);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 1);

	runner_start(&r, t.vcpu[0]);
	ASSERT_EQ(pthread_kill(r.thread, SIGUSR1), 0);
	runner_join(&r);
	ASSERT_EQ(r.ret, -EINTR);

	runner_start(&r, t.vcpu[0]);
	ASSERT_OK(gh_vm_force_stop(t.vm));
	runner_join(&r);
	ASSERT_EQ(r.ret, 0);
	ASSERT_EXIT(t.vcpu[0], GUNYAH_VCPU_EXIT_STATUS);
	tvm_destroy(&t);
}

/* One runner at a time: a second RUN waits for the first, interruptibly. */
TEST(second_runner_waits_and_can_be_interrupted)
{
	struct runner a, b;
	struct tvm t;

	install_handler(false);
	tvm_create(&t, "spin", 1);
	tvm_start(&t);
	runner_start(&a, t.vcpu[0]);
	runner_start(&b, t.vcpu[0]);
	ASSERT_TRUE(!atomic_load(&a.done) && !atomic_load(&b.done));
	ASSERT_EQ(pthread_kill(b.thread, SIGUSR1), 0);
	runner_join(&b);
	ASSERT_EQ(b.ret, -EINTR);
	ASSERT_TRUE(!atomic_load(&a.done));

	runner_start(&b, t.vcpu[0]);
	ASSERT_OK(gh_vm_force_stop(t.vm));
	runner_join(&a);
	runner_join(&b);
	ASSERT_EQ(a.ret, 0);
	ASSERT_EQ(b.ret, 0);
	ASSERT_EXIT(t.vcpu[0], GUNYAH_VCPU_EXIT_STATUS);
	tvm_destroy(&t);
}

TEST(cpu_on_starts_a_secondary)
{
	struct runner r;
	struct tvm t;

	tvm_create(&t, "cpu_on", 2);
	tvm_start(&t);
	/* vCPU 1 is off: its RUN sleeps until CPU_ON wakes it. */
	runner_start(&r, t.vcpu[1]);
	ASSERT_TRUE(!atomic_load(&r.done));

	expect_mmio_write(t.vcpu[0], MMIO_REPORT + 0x10, 8,
			  (uint64_t)PSCI_RET_INVALID_PARAMS);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT + 0x10, 8, PSCI_RET_SUCCESS);
	runner_join(&r);
	ASSERT_EQ(r.ret, 0);
	ASSERT_EXIT(t.vcpu[1], GUNYAH_VCPU_EXIT_MMIO);
	ASSERT_EQ(t.vcpu[1]->run->mmio.phys_addr, MMIO_REPORT + 0x20);
	ASSERT_EQ(mmio_data(t.vcpu[1]->run), 0x80000001); /* its MPIDR */
	expect_mmio_write(t.vcpu[1], MMIO_REPORT + 0x20, 8, 0x1234);

	/* vCPU 1 turns itself off: its RUN sleeps again; vCPU 0 sees it
	 * off and powers the VM off, which wakes vCPU 1 with the status. */
	runner_start(&r, t.vcpu[1]);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT + 0x10, 8, 1);
	expect_status(t.vcpu[0], GUNYAH_VM_STATUS_EXITED,
		      GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0);
	runner_join(&r);
	ASSERT_EQ(r.ret, 0);
	ASSERT_EXIT(t.vcpu[1], GUNYAH_VCPU_EXIT_STATUS);
	tvm_destroy(&t);
}

#define SMP_VCPUS 4
#define SMP_WRITES 2000

struct stream_check {
	struct gh_vcpu *vcpu;
	pthread_t thread;
	uint64_t writes;
	char err[160];
};

/* Run one vCPU to its end, checking its MMIO stream is its own, in order. */
static void *stream_main(void *data)
{
	struct stream_check *c = data;
	struct gunyah_vcpu_run *run = c->vcpu->run;
	uint64_t id = c->vcpu->id;

	for (;;) {
		int ret = __gh_vcpu_run(c->vcpu);

		if (ret) {
			snprintf(c->err, sizeof(c->err), "RUN: %s", strerror(-ret));
			break;
		}
		if (run->exit_reason == GUNYAH_VCPU_EXIT_STATUS)
			break;
		if (run->exit_reason != GUNYAH_VCPU_EXIT_MMIO ||
		    !run->mmio.is_write || run->mmio.len != 8 ||
		    run->mmio.phys_addr != MMIO_BASE + id * 0x100 ||
		    mmio_data(run) != (id << 32 | c->writes)) {
			snprintf(c->err, sizeof(c->err),
				 "vcpu%" PRIu64 " write %" PRIu64 ": exit %u addr %#llx data %#llx",
				 id, c->writes, run->exit_reason,
				 (unsigned long long)run->mmio.phys_addr,
				 (unsigned long long)mmio_data(run));
			break;
		}
		c->writes++;
	}
	return NULL;
}

TEST(threads_four_vcpus_each_with_its_own_mmio)
{
	struct stream_check c[SMP_VCPUS] = { 0 };
	struct tvm t;

	tvm_create(&t, "smp_mmio", SMP_VCPUS);
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 19, SMP_VCPUS));
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 20, SMP_WRITES));
	tvm_start(&t);
	for (unsigned int i = 0; i < SMP_VCPUS; i++) {
		c[i].vcpu = t.vcpu[i];
		ASSERT_EQ(pthread_create(&c[i].thread, NULL, stream_main, &c[i]), 0);
	}
	for (unsigned int i = 0; i < SMP_VCPUS; i++)
		ASSERT_EQ(pthread_join(c[i].thread, NULL), 0);
	for (unsigned int i = 0; i < SMP_VCPUS; i++) {
		if (c[i].err[0])
			TEST_FAIL("%s", c[i].err);
		ASSERT_EQ(c[i].writes, SMP_WRITES);
		ASSERT_EXIT(t.vcpu[i], GUNYAH_VCPU_EXIT_STATUS);
		ASSERT_STREQ(gh_exit_type_str(t.vcpu[i]->run->status.exit_info.type),
			     "poweroff");
	}
	tvm_destroy(&t);
}

/* A dashboard reads counters while the vCPU runs; registers wait. */
TEST(threads_counters_live_registers_between_runs)
{
	struct gh_sim_vcpu_stats st;
	struct gh_sim_regs regs;
	struct runner r;
	struct tvm t;

	tvm_create(&t, "spin", 1);
	tvm_start(&t);
	runner_start(&r, t.vcpu[0]);
	/* Live: the counters move while RUN runs. */
	WAIT_FOR(slices(t.vcpu[0]) >= 1);
	ASSERT_OK(gh_vcpu_get_stats(t.vcpu[0], &st));
	ASSERT_STREQ(gh_vcpu_state_str(st.state), "running");
	ASSERT_EQ(gh_vcpu_get_regs(t.vcpu[0], &regs), -EBUSY);
	ASSERT_OK(gh_vm_force_stop(t.vm));
	runner_join(&r);
	ASSERT_OK(gh_vcpu_get_regs(t.vcpu[0], &regs));
	ASSERT_TRUE(regs.pc == GH_SIM_RAM_BASE || regs.pc == GH_SIM_RAM_BASE + 4);
	ASSERT_TRUE(regs.x[1] > 0); /* the spin loop's counter */
	ASSERT_OK(gh_vcpu_get_stats(t.vcpu[0], &st));
	ASSERT_STREQ(gh_vcpu_state_str(st.state), "stopped");
	tvm_destroy(&t);
}

/*
 * Kick signals (GH_SIM_VCPU_SET_KICK_SIGNALS): the caller keeps SIGUSR1
 * blocked in its vCPU thread; it still ends RUN promptly, spinning or
 * asleep, its handler runs, and RUN leaves the thread's mask as it was.
 */
TEST(threads_kick_signals_blocked_by_the_caller)
{
	struct runner r;
	struct tvm t;
	sigset_t usr1, old;

	install_handler(false);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	/* New threads inherit the mask: the runners start with it blocked. */
	ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &usr1, &old), 0);

	tvm_create(&t, "wfi", 1);
	ASSERT_EQ(gh_vcpu_set_kick_signals(t.vcpu[0], 1ull << (SIGKILL - 1)),
		  -EINVAL);
	ASSERT_OK(gh_vcpu_set_kick_signals(t.vcpu[0], 1ull << (SIGUSR1 - 1)));
	tvm_start(&t);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, 1);

	/* Asleep in WFI. */
	runner_start(&r, t.vcpu[0]);
	ASSERT_EQ(pthread_kill(r.thread, SIGUSR1), 0);
	runner_join(&r);
	ASSERT_EQ(r.ret, -EINTR);
	ASSERT_EQ(atomic_load(&handler_runs), 1);
	tvm_destroy(&t);

	/* Spinning. */
	tvm_create(&t, "spin", 1);
	ASSERT_OK(gh_vcpu_set_kick_signals(t.vcpu[0], 1ull << (SIGUSR1 - 1)));
	tvm_start(&t);
	runner_start(&r, t.vcpu[0]);
	ASSERT_EQ(pthread_kill(r.thread, SIGUSR1), 0);
	runner_join(&r);
	ASSERT_EQ(r.ret, -EINTR);
	ASSERT_EQ(atomic_load(&handler_runs), 2);
	tvm_destroy(&t);
	ASSERT_EQ(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
}

/* With kick signals, MMIO round trips leave the caller's mask alone. */
TEST(kick_signals_leave_the_mask_alone)
{
	struct tvm t;
	sigset_t before, after;

	tvm_create(&t, "mmio_widths", 1);
	ASSERT_OK(gh_vcpu_set_kick_signals(t.vcpu[0], 1ull << (SIGUSR1 - 1)));
	tvm_start(&t);
	ASSERT_EQ(pthread_sigmask(SIG_SETMASK, NULL, &before), 0);
	expect_mmio_write(t.vcpu[0], MMIO_BASE, 1, 0x88);
	ASSERT_EQ(pthread_sigmask(SIG_SETMASK, NULL, &after), 0);
	for (int sig = 1; sig < SIGRTMIN; sig++)
		ASSERT_EQ(sigismember(&before, sig), sigismember(&after, sig));
	tvm_destroy(&t);
}
