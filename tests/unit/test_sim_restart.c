// SPDX-License-Identifier: GPL-2.0-only
/*
 * A vCPU asleep in RUN (powered off, waiting for CPU_ON) is interrupted by
 * a signal whose handler has SA_RESTART, with immediate_exit set first.
 * Linux: the wait returns -ERESTARTSYS, the ioctl is restarted, and the
 * restarted RUN sees immediate_exit and returns -EINTR.  So a VMM may
 * kick vCPUs with a restarting handler too.  The sim must do the same and
 * not go back to sleep without looking at immediate_exit again.
 */
#include <pthread.h>

#include "guest_vm.h"

struct runner {
	struct gh_vcpu *vcpu;
	int ret;
	volatile int done;
};

static void on_sig(int sig)
{
	(void)sig;
}

static void *run_thread(void *data)
{
	struct runner *r = data;

	r->ret = __gh_vcpu_run(r->vcpu);
	__atomic_store_n(&r->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void kick_sleeping_vcpu(int sa_flags)
{
	struct sigaction sa = { .sa_handler = on_sig, .sa_flags = sa_flags };
	struct runner r = { 0 };
	struct tvm t;
	pthread_t th;

	sigemptyset(&sa.sa_mask);
	ASSERT_OK(sigaction(SIGUSR2, &sa, NULL) ? -errno : 0);
	tvm_create(&t, "spin", 2);
	tvm_start(&t);
	r.vcpu = t.vcpu[1]; /* off: nobody calls CPU_ON */
	ASSERT_EQ(pthread_create(&th, NULL, run_thread, &r), 0);
	/* Inside RUN, going to sleep: the hypervisor said "powered off". */
	for (;;) {
		struct gh_sim_vcpu_stats st;

		ASSERT_OK(gh_vcpu_get_stats(r.vcpu, &st));
		if (st.powered_off)
			break;
		usleep(1000);
	}
	ASSERT_EQ(__atomic_load_n(&r.done, __ATOMIC_SEQ_CST), 0);

	__atomic_store_n(&r.vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	ASSERT_EQ(pthread_kill(th, SIGUSR2), 0);
	/* Waited for, not timed: 20 s only stands for "never" on a loaded
	 * machine. */
	for (int i = 0; i < 2000 && !__atomic_load_n(&r.done, __ATOMIC_SEQ_CST); i++)
		usleep(10000);
	if (!__atomic_load_n(&r.done, __ATOMIC_SEQ_CST)) {
		/* Get the thread out before failing, so the test ends. */
		gh_vm_force_stop(t.vm);
		pthread_join(th, NULL);
		TEST_FAIL("RUN still asleep 20 s after immediate_exit + signal "
			  "(sa_flags %#x)", sa_flags);
	}
	pthread_join(th, NULL);
	ASSERT_EQ(r.ret, -EINTR);
	tvm_destroy(&t);
}

TEST(immediate_exit_and_signal_end_a_sleeping_run)
{
	kick_sleeping_vcpu(0);
}

TEST(immediate_exit_and_restarting_signal_end_a_sleeping_run)
{
	kick_sleeping_vcpu(SA_RESTART);
}
