// SPDX-License-Identifier: GPL-2.0-only
/*
 * diag checks of how userspace controls GUNYAH_VCPU_RUN: before the VM
 * starts, immediate_exit, signals, a forced stop, and how long one MMIO
 * exit takes from the guest's store to the next RUN.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "diag/diag.h"

void diag_check_run_before_start(struct diag_ctx *c)
{
	struct gh_vcpu *v;
	struct diag_vm d;
	int ret;

	if (diag_vm_create(c, &d, DIAG_GUEST_mmio, 1))
		return;
	v = d.vcpu[0];
	if (diag_vm_set_x(&d, 19, DIAG_MMIO_LAYOUT))
		goto out;
	/* The vCPU gets its hypervisor resource only when the VM starts. */
	ret = __gh_vcpu_run(v);
	if (ret != -ENODEV) {
		diag_fail(c, "GUNYAH_VCPU_RUN before GUNYAH_VM_START: %s, want "
			  "ENODEV", ret ? DIAG_ERRNO(ret) : DIAG_EXIT_STR(v->run));
		goto out;
	}
	diag_str(c, "errno", "ENODEV");
	if (diag_vm_start(&d) ||
	    diag_expect_write(&d, v, DIAG_MMIO + 0x40, 8, DIAG_PATTERN))
		goto out;
out:
	diag_vm_destroy(&d);
}

/*
 * A vCPU spinning in guests/wait.S (DIAG_WAIT_FLAG): no exits of its own,
 * so only the host can end a RUN.  The RUN goes on a runner thread; once it
 * has been in the driver for a while, stop() ends it.  Then the flag lets
 * the guest go on, to show the vCPU is still where it was.
 */
static void interrupt_spin(struct diag_ctx *c,
			   int (*stop)(struct diag_vm *d, struct diag_runner *r),
			   const char *how)
{
	struct diag_runner r = { 0 };
	struct gh_vcpu *v;
	struct diag_vm d;
	uint64_t t0;

	v = diag_vm_boot(c, &d, DIAG_GUEST_wait, 1, DIAG_WAIT_FLAG);
	if (!v)
		return;
	if (diag_runner_start(&d, &r, v, false) ||
	    diag_runner_stays(&d, &r, 20, "the guest spun without exits"))
		goto out;

	diag_step(c, "stopping the RUN with %s", how);
	t0 = gctl_now_ns();
	if (stop(&d, &r)) {
		c->abandoned = true;
		goto out;
	}
	if (diag_runner_wait(&d, &r, DIAG_WAIT_MS))
		goto out;
	if (r.ret != -EINTR) {
		diag_fail(c, "GUNYAH_VCPU_RUN interrupted by %s: %s, want EINTR",
			  how, r.ret ? DIAG_ERRNO(r.ret) : DIAG_EXIT_STR(&r.last));
		goto out;
	}
	diag_us(c, "stop_us", (double)(r.t_end_ns - t0) / 1000.0);

	/* The guest goes on from where it was. */
	v->run->immediate_exit = 0;
	*diag_vm_word(&d, DIAG_FLAG) = 0x600d;
	if (diag_expect_write(&d, v, DIAG_REPORT, 8, 0x600d))
		goto out;
	diag_expect_poweroff(&d, v);
out:
	diag_runner_cleanup(&r);
	diag_vm_destroy(&d);
}

/* The driver polls the flag while RUN runs: store it as shared memory. */
static int set_immediate_exit(struct diag_vm *d, struct diag_runner *r)
{
	(void)d;
	__atomic_store_n(&r->vcpu->run->immediate_exit, 1, __ATOMIC_RELAXED);
	return 0;
}

/* Set before RUN: RUN returns at once and the guest has not moved. */
static void immediate_exit_before(struct diag_ctx *c, struct diag_vm *d,
				  struct gh_vcpu *v)
{
	int ret;

	v->run->immediate_exit = 1;
	ret = __gh_vcpu_run(v);
	if (ret != -EINTR) {
		diag_fail(c, "GUNYAH_VCPU_RUN with immediate_exit set: %s, want "
			  "EINTR", ret ? DIAG_ERRNO(ret) : DIAG_EXIT_STR(v->run));
		return;
	}
	v->run->immediate_exit = 0;
	diag_expect_write(d, v, DIAG_MMIO + 0x40, 8, DIAG_PATTERN);
}

void diag_check_immediate_exit(struct diag_ctx *c)
{
	diag_on_vm(c, DIAG_GUEST_mmio, DIAG_MMIO_LAYOUT, immediate_exit_before);
	/* Set while RUN is in the driver. */
	if (!diag_decided(c))
		interrupt_spin(c, set_immediate_exit, "immediate_exit");
}

/*
 * The child process's SIGUSR1 handler records that it ran: a signal
 * handler can only reach a static.
 */
static volatile sig_atomic_t sigusr1_seen;

static void on_sigusr1(int sig)
{
	(void)sig;
	sigusr1_seen = 1;
}

static int send_sigusr1(struct diag_vm *d, struct diag_runner *r)
{
	int ret = pthread_kill(r->thread, SIGUSR1);

	if (ret) {
		diag_fail(d->c, "pthread_kill: %s", strerror(ret));
		return -1;
	}
	return 0;
}

void diag_check_signal_eintr(struct diag_ctx *c)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 }; /* no SA_RESTART */

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL)) {
		diag_fail(c, "setup: sigaction: %s", strerror(errno));
		return;
	}
	interrupt_spin(c, send_sigusr1, "SIGUSR1");
	if (!diag_decided(c) && !sigusr1_seen)
		diag_fail(c, "RUN returned EINTR but the SIGUSR1 handler never "
			  "ran");
}

void diag_check_force_stop(struct diag_ctx *c)
{
	struct diag_runner r[2] = { 0 };
	unsigned int n = c->nr_vcpus < 2 ? c->nr_vcpus : 2;
	struct diag_vm d;
	uint64_t t0, t_end = 0;
	int ret;

	if (diag_vm_create(c, &d, DIAG_GUEST_wait, n))
		return;
	if (diag_vm_set_x(&d, 19, DIAG_WAIT_FLAG))
		goto out;
	/* Probed before the VM runs: a device without it cannot stop it. */
	ret = gh_vm_force_stop(d.vm);
	if (ret == -ENOTTY) {
		diag_skip(c, "the backend cannot force a stop "
			  "(GH_SIM_VM_FORCE_STOP: ENOTTY)");
		goto out;
	}
	if (diag_vm_start(&d))
		goto out;

	/* vCPU 0 spins in the guest; vCPU 1, never started, waits in RUN. */
	for (unsigned int i = 0; i < n; i++)
		if (diag_runner_start(&d, &r[i], d.vcpu[i], true))
			goto out;
	for (unsigned int i = 0; i < n; i++)
		while (!atomic_load(&r[i].entered))
			diag_sleep_ms(1);
	diag_sleep_ms(20);

	diag_step(c, "forcing a stop");
	t0 = gctl_now_ns();
	ret = gh_vm_force_stop(d.vm);
	if (ret) {
		diag_fail(c, "GH_SIM_VM_FORCE_STOP: %s", DIAG_ERRNO(ret));
		c->abandoned = true;
		goto out;
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct gunyah_vcpu_run *run = &r[i].last;

		if (diag_runner_wait(&d, &r[i], DIAG_WAIT_MS))
			goto out;
		if (r[i].ret) {
			diag_fail(c, "vCPU %u: GUNYAH_VCPU_RUN after the forced "
				  "stop: %s", i, DIAG_ERRNO(r[i].ret));
			goto out;
		}
		if (run->exit_reason != GUNYAH_VCPU_EXIT_STATUS ||
		    run->status.status != GUNYAH_VM_STATUS_EXITED ||
		    run->status.exit_info.type !=
			    GUNYAH_VM_EXIT_TYPE_VM_STOP_FORCED) {
			diag_fail(c, "vCPU %u: want status exited (type "
				  "forced_stop), got %s", i, DIAG_EXIT_STR(run));
			goto out;
		}
		if (r[i].t_end_ns > t_end)
			t_end = r[i].t_end_ns;
	}
	diag_uint(c, "vcpus", n);
	diag_us(c, "stop_us", (double)(t_end - t0) / 1000.0);
out:
	for (unsigned int i = 0; i < n; i++)
		diag_runner_cleanup(&r[i]);
	diag_vm_destroy(&d);
}

/* ---- latency ---------------------------------------------------------------- */

#define LATENCY_WARMUP 50
#define LATENCY_EXITS 2000

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void diag_check_mmio_latency(struct diag_ctx *c, struct diag_vm *d,
			     struct gh_vcpu *v)
{
	uint64_t ns[LATENCY_EXITS];
	struct gunyah_vcpu_run *run;
	uint64_t t0, t1, start = 0;

	run = v->run;

	/* The guest stores 0, 1, 2, … : each exit must be the next one. */
	diag_step(c, "timing %d MMIO exits", LATENCY_EXITS);
	for (uint64_t i = 0; i < LATENCY_WARMUP + LATENCY_EXITS; i++) {
		if (i == LATENCY_WARMUP)
			start = gctl_now_ns();
		t0 = gctl_now_ns();
		if (diag_run(d, v))
			return;
		t1 = gctl_now_ns();
		if (run->exit_reason != GUNYAH_VCPU_EXIT_MMIO ||
		    run->mmio.phys_addr != DIAG_MMIO + 0x100 ||
		    diag_mmio_data(run) != i) {
			diag_fail(c, "exit %" PRIu64 ": want mmio write %#x data %"
				  PRIu64 ", got %s", i, DIAG_MMIO + 0x100, i,
				  DIAG_EXIT_STR(run));
			return;
		}
		run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
		if (i >= LATENCY_WARMUP)
			ns[i - LATENCY_WARMUP] = t1 - t0;
	}
	t1 = gctl_now_ns();
	qsort(ns, LATENCY_EXITS, sizeof(ns[0]), cmp_u64);
	diag_uint(c, "exits", LATENCY_EXITS);
	diag_us(c, "median_us", (double)ns[LATENCY_EXITS / 2] / 1000.0);
	diag_us(c, "p99_us", (double)ns[LATENCY_EXITS * 99 / 100] / 1000.0);
	diag_us(c, "max_us", (double)ns[LATENCY_EXITS - 1] / 1000.0);
	diag_uint(c, "exits_per_s",
		  (uint64_t)((double)LATENCY_EXITS * 1e9 / (double)(t1 - start)));
}
