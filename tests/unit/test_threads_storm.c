// SPDX-License-Identifier: GPL-2.0-only
/*
 * Signal storm: four vCPU threads run a guest in which every vCPU writes
 * its own numbered stream to MMIO (smp_mmio.S: vCPU i writes i << 32 | n
 * for n = 0, 1, ...), while the main thread sends signals to them every
 * millisecond: first only SIGUSR1, whose handler has SA_RESTART, then
 * SIGINT (a handler without SA_RESTART) and SIGUSR1 in turn, to each thread
 * and now and then to the whole process.  Then the VM is stopped.
 *
 * Every RUN must return an exit or EINTR, and EINTR only for SIGINT; each
 * vCPU's stream must arrive with no number missing or repeated; and every
 * thread must see the forced stop, so no RUN is stuck.
 *
 * STORM_S sets how long it lasts (default 1.5 s; `make stress`: 10 s).
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>

#include "guest_vm.h"

#define STORM_VCPUS 4
#define TICK_NS 1000000ull
#define STREAM_LEN (1ull << 31) /* writes per vCPU: more than any storm */

static atomic_ulong sigint_runs, sigusr1_runs;
/* 0: SA_RESTART signals only; 1: both kinds */
static atomic_int storm_phase;

static void on_sigint(int sig)
{
	(void)sig;
	atomic_fetch_add(&sigint_runs, 1);
}

static void on_sigusr1(int sig)
{
	(void)sig;
	atomic_fetch_add(&sigusr1_runs, 1);
}

static void install(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = { .sa_handler = fn, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	ASSERT_OK(sigaction(sig, &sa, NULL) ? -errno : 0);
}

struct stream {
	struct gh_vcpu *vcpu;
	pthread_t thread;
	atomic_bool done;
	uint64_t next;		/* the number the next write must carry */
	uint64_t eintr[2];	/* per storm phase */
	uint64_t runs;
	char err[200];
};

static void *stream_main(void *data)
{
	struct stream *s = data;
	struct gunyah_vcpu_run *run = s->vcpu->run;
	uint64_t id = s->vcpu->id;

	for (;;) {
		int ret = __gh_vcpu_run(s->vcpu);

		s->runs++;
		if (ret == -EINTR) {
			s->eintr[atomic_load(&storm_phase)]++;
			continue;
		}
		if (ret) {
			snprintf(s->err, sizeof(s->err), "vcpu%" PRIu64 ": RUN returned %s",
				 id, strerror(-ret));
			break;
		}
		if (run->exit_reason == GUNYAH_VCPU_EXIT_STATUS)
			break;
		if (run->exit_reason != GUNYAH_VCPU_EXIT_MMIO ||
		    !run->mmio.is_write ||
		    run->mmio.phys_addr != MMIO_BASE + id * 0x100 ||
		    mmio_data(run) != (id << 32 | s->next)) {
			snprintf(s->err, sizeof(s->err),
				 "vcpu%" PRIu64 ": after write %" PRIu64 ": %s at %#llx data %#llx (%s)",
				 id, s->next, gh_exit_reason_str(run->exit_reason),
				 (unsigned long long)run->mmio.phys_addr,
				 (unsigned long long)mmio_data(run),
				 mmio_data(run) == (id << 32 | (s->next - 1)) ?
					 "a repeat" : "lost or foreign");
			break;
		}
		s->next++;
	}
	atomic_store(&s->done, true);
	return NULL;
}

static double storm_seconds(void)
{
	const char *e = getenv("STORM_S");
	double s = e ? strtod(e, NULL) : 1.5;

	return s > 0 ? s : 1.5;
}

static void sleep_until(uint64_t t_ns)
{
	struct timespec ts = { (time_t)(t_ns / 1000000000ull),
			       (long)(t_ns % 1000000000ull) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static bool all_done(const struct stream *s)
{
	for (unsigned int i = 0; i < STORM_VCPUS; i++)
		if (!atomic_load(&s[i].done))
			return false;
	return true;
}

TEST(threads_signal_storm_loses_and_repeats_no_exit)
{
	struct stream s[STORM_VCPUS] = { 0 };
	uint64_t start, phase1, stop_at, deadline, tick = 0, t;
	double secs = storm_seconds();
	unsigned long sent = 0;
	bool stopped = false;
	struct tvm t_vm;

	alarm((unsigned int)secs + 60);
	install(SIGINT, on_sigint, 0);
	install(SIGUSR1, on_sigusr1, SA_RESTART);
	tvm_create(&t_vm, "smp_mmio", STORM_VCPUS);
	ASSERT_OK(gh_vm_set_boot_reg(t_vm.vm, REG_SET_X, 19, STORM_VCPUS));
	ASSERT_OK(gh_vm_set_boot_reg(t_vm.vm, REG_SET_X, 20, STREAM_LEN));
	tvm_start(&t_vm);
	for (unsigned int i = 0; i < STORM_VCPUS; i++) {
		s[i].vcpu = t_vm.vcpu[i];
		ASSERT_EQ(pthread_create(&s[i].thread, NULL, stream_main, &s[i]), 0);
	}

	start = test_now_ns();
	phase1 = start + (uint64_t)(secs * 0.25e9);
	stop_at = start + (uint64_t)(secs * 1e9);
	deadline = stop_at + 10ull * 1000000000ull;
	for (t = start; !all_done(s) && t < deadline; t = test_now_ns()) {
		bool restart_only = t < phase1;

		if (!restart_only)
			atomic_store(&storm_phase, 1);
		if (t >= stop_at && !stopped) {
			ASSERT_OK(gh_vm_force_stop(t_vm.vm)); /* storm goes on */
			stopped = true;
		}
		for (unsigned int i = 0; i < STORM_VCPUS; i++) {
			int sig = restart_only || (tick + i) % 2 ? SIGUSR1 : SIGINT;

			if (!atomic_load(&s[i].done) &&
			    !pthread_kill(s[i].thread, sig))
				sent++;
		}
		/* Now and then to the process: any thread may take it. */
		if (tick % 16 == 0 && !kill(getpid(), restart_only ? SIGUSR1 : SIGINT))
			sent++;
		tick++;
		sleep_until(start + tick * TICK_NS);
	}
	for (unsigned int i = 0; i < STORM_VCPUS; i++)
		if (!atomic_load(&s[i].done))
			TEST_FAIL("vcpu%u still in RUN 10 s after the forced stop "
				  "(%" PRIu64 " writes, %" PRIu64 " runs)",
				  i, s[i].next, s[i].runs);
	for (unsigned int i = 0; i < STORM_VCPUS; i++)
		ASSERT_EQ(pthread_join(s[i].thread, NULL), 0);

	printf("# %.1f s, %lu signals sent, handlers ran %lu (SIGINT) + %lu (SIGUSR1)\n",
	       secs, sent, atomic_load(&sigint_runs), atomic_load(&sigusr1_runs));
	for (unsigned int i = 0; i < STORM_VCPUS; i++) {
		printf("# vcpu%u: %" PRIu64 " writes in order, %" PRIu64 " EINTR\n", i,
		       s[i].next, s[i].eintr[1]);
		if (s[i].err[0])
			TEST_FAIL("%s", s[i].err);
		/* SA_RESTART handlers never end a RUN. */
		ASSERT_EQ(s[i].eintr[0], 0);
		ASSERT_TRUE(s[i].next > 0);
		ASSERT_EXIT(s[i].vcpu, GUNYAH_VCPU_EXIT_STATUS);
		ASSERT_STREQ(gh_exit_type_str(s[i].vcpu->run->status.exit_info.type),
			     "forced_stop");
	}
	/* The storm did reach the threads, and did interrupt RUNs. */
	ASSERT_TRUE(atomic_load(&sigint_runs) > 0);
	ASSERT_TRUE(atomic_load(&sigusr1_runs) > 0);
	ASSERT_TRUE(s[0].eintr[1] + s[1].eintr[1] + s[2].eintr[1] +
		    s[3].eintr[1] > 0);
	tvm_destroy(&t_vm);
}
