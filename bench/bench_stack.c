// SPDX-License-Identifier: GPL-2.0-only
/*
 * The full stack: a VM made through libgunyah's seam on the sim backend,
 * one host thread per vCPU calling GUNYAH_VCPU_RUN and answering every
 * exit, as a VMM does.  Only the run is timed, from the moment all vCPU
 * threads are released until the last one has seen the VM's STATUS exit;
 * making and tearing down the VM is not.  Every exit is checked against
 * what the guest must have done, so a fast wrong answer fails the case.
 *
 * The vCPU threads keep SIGUSR1 blocked and declare it their kick signal
 * (GH_SIM_VCPU_SET_KICK_SIGNALS), as gunyahctl's run engine does; the
 * .sigmask cases use the sim's default instead, a signal mask switch on
 * every RUN, to show what that costs.
 */
#include <signal.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "gunyah.h"

#define STACK_MAX_VCPUS 8

struct stack_vm {
	struct gh_backend *be;
	struct gh_vm *vm;
	unsigned int nr;
	struct gh_vcpu *vcpu[STACK_MAX_VCPUS];
};

static void stack_close(struct stack_vm *v)
{
	for (unsigned int i = 0; i < v->nr; i++)
		gh_vcpu_destroy(v->vcpu[i]);
	if (v->vm)
		gh_vm_destroy(v->vm);
	if (v->be)
		gh_backend_close(v->be);
}

static int stack_fail(const char *what, int ret, char *err)
{
	snprintf(err, BENCH_ERR_LEN, "%s: %s", what, strerror(-ret));
	return -1;
}

/* A started VM running guest on nr vCPUs with x19 = nr, x20 = per_vcpu. */
static int stack_open(struct stack_vm *v, const struct bench_params *p,
		      const char *guest, uint64_t per_vcpu, bool kick,
		      char *err)
{
	void *ram;
	int ret;

	memset(v, 0, sizeof(*v));
	if (p->vcpus < 1 || p->vcpus > STACK_MAX_VCPUS) {
		snprintf(err, BENCH_ERR_LEN, "%u vCPUs: 1 to %u", p->vcpus,
			 STACK_MAX_VCPUS);
		return -1;
	}
	ret = gh_backend_open("sim", NULL, &v->be);
	if (ret)
		return stack_fail("sim backend", ret, err);
	ret = gh_vm_create(v->be, &v->vm);
	if (ret) {
		stack_fail("create VM", ret, err);
		goto fail;
	}
	ret = gh_vm_add_memory(v->vm, GH_SIM_RAM_BASE, BENCH_RAM_SIZE, &ram);
	if (ret) {
		stack_fail("guest memory", ret, err);
		goto fail;
	}
	if (bench_load_guest(p->guest_dir, guest, ram, BENCH_RAM_SIZE, err))
		goto fail;
	for (; v->nr < p->vcpus; v->nr++) {
		ret = gh_vcpu_add(v->vm, v->nr, &v->vcpu[v->nr]);
		if (ret) {
			stack_fail("add vCPU", ret, err);
			goto fail;
		}
	}
	for (unsigned int i = 0; kick && i < v->nr; i++) {
		ret = gh_vcpu_set_kick_signals(v->vcpu[i], 1ull << (SIGUSR1 - 1));
		if (ret) {
			stack_fail("kick signals", ret, err);
			goto fail;
		}
	}
	ret = gh_vm_set_boot_reg(v->vm, REG_SET_X, 19, p->vcpus);
	if (!ret)
		ret = gh_vm_set_boot_reg(v->vm, REG_SET_X, 20, per_vcpu);
	if (ret) {
		stack_fail("boot context", ret, err);
		goto fail;
	}
	ret = gh_vm_start(v->vm);
	if (ret) {
		stack_fail("start VM", ret, err);
		goto fail;
	}
	return 0;
fail:
	stack_close(v);
	return -1;
}

/* Holds the vCPU threads until all exist, so that none starts early. */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool open, abort;
};

static void gate_open(struct gate *g, bool abort)
{
	pthread_mutex_lock(&g->lock);
	g->open = true;
	g->abort = abort;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

/* false if the run was called off */
static bool gate_pass(struct gate *g)
{
	bool go;

	pthread_mutex_lock(&g->lock);
	while (!g->open)
		pthread_cond_wait(&g->cond, &g->lock);
	go = !g->abort;
	pthread_mutex_unlock(&g->lock);
	return go;
}

struct runner {
	struct gh_vcpu *vcpu;
	pthread_t thread;
	struct gate *gate;
	bool compute;		/* smp_compute, else smp_mmio */
	uint64_t per_vcpu;
	uint64_t exits;
	char err[BENCH_ERR_LEN];
};

static uint64_t mmio_data(const struct gunyah_vcpu_run *run)
{
	uint64_t v = 0;

	memcpy(&v, run->mmio.data, sizeof(v));
	return v;
}

/* Is this exit the next one the guest owes us? */
static bool exit_expected(const struct runner *r)
{
	const struct gunyah_vcpu_run *run = r->vcpu->run;
	uint64_t id = r->vcpu->id;

	if (run->exit_reason != GUNYAH_VCPU_EXIT_MMIO || !run->mmio.is_write ||
	    run->mmio.len != 8)
		return false;
	if (r->compute)
		return r->exits == 0 &&
		       run->mmio.phys_addr == BENCH_MMIO_REPORT + id * 8 &&
		       mmio_data(run) == bench_alu_checksum((unsigned int)id,
							    r->per_vcpu);
	return run->mmio.phys_addr == BENCH_MMIO_BASE + id * 0x100 &&
	       mmio_data(run) == (id << 32 | r->exits);
}

static void *runner_main(void *data)
{
	struct runner *r = data;
	const struct gunyah_vcpu_run *run = r->vcpu->run;
	uint64_t want = r->compute ? 1 : r->per_vcpu;

	if (!gate_pass(r->gate))
		return NULL;
	for (;;) {
		int ret = __gh_vcpu_run(r->vcpu);

		if (ret) {
			snprintf(r->err, sizeof(r->err), "vcpu%u: RUN: %s",
				 r->vcpu->id, strerror(-ret));
			return NULL;
		}
		if (run->exit_reason == GUNYAH_VCPU_EXIT_STATUS)
			break;
		if (!exit_expected(r)) {
			snprintf(r->err, sizeof(r->err),
				 "vcpu%u: exit %" PRIu64 " is %s at %#llx data %#" PRIx64,
				 r->vcpu->id, r->exits,
				 gh_exit_reason_str(run->exit_reason),
				 (unsigned long long)run->mmio.phys_addr,
				 mmio_data(run));
			return NULL;
		}
		r->exits++;
	}
	if (run->status.status != GUNYAH_VM_STATUS_EXITED ||
	    run->status.exit_info.type != GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF)
		snprintf(r->err, sizeof(r->err), "vcpu%u: VM %s (%s)",
			 r->vcpu->id, gh_vm_status_str(run->status.status),
			 gh_exit_type_str(run->status.exit_info.type));
	else if (r->exits != want)
		snprintf(r->err, sizeof(r->err),
			 "vcpu%u: %" PRIu64 " exits, want %" PRIu64,
			 r->vcpu->id, r->exits, want);
	return NULL;
}

/* Run every vCPU in its own thread; time from release to the last join. */
static int stack_run(const struct bench_params *p, bool compute, bool kick,
		     struct bench_sample *s, char *err)
{
	sigset_t usr1, old;
	struct gate gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
			     false, false };
	struct runner r[STACK_MAX_VCPUS] = { 0 };
	uint64_t per = p->work / (p->vcpus ? p->vcpus : 1), t0, t1;
	unsigned int started = 0;
	struct stack_vm v;
	int ret = -1, perr = 0;

	if (per == 0) {
		snprintf(err, BENCH_ERR_LEN, "no work for %u vCPUs", p->vcpus);
		return -1;
	}
	if (stack_open(&v, p, compute ? "smp_compute" : "smp_mmio", per, kick,
		       err))
		return -1;
	/* The threads inherit the mask: SIGUSR1 blocked, if it kicks. */
	sigemptyset(&usr1);
	if (kick)
		sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, &old);
	for (; started < v.nr; started++) {
		r[started] = (struct runner){ .vcpu = v.vcpu[started],
					      .gate = &gate, .compute = compute,
					      .per_vcpu = per };
		perr = pthread_create(&r[started].thread, NULL, runner_main,
				      &r[started]);
		if (perr)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	t0 = bench_now_ns();
	gate_open(&gate, started < v.nr);
	for (unsigned int i = 0; i < started; i++)
		pthread_join(r[i].thread, NULL);
	t1 = bench_now_ns();
	if (started < v.nr) {
		snprintf(err, BENCH_ERR_LEN, "pthread_create: %s",
			 strerror(perr));
		goto out;
	}
	for (unsigned int i = 0; i < v.nr; i++) {
		if (r[i].err[0]) {
			snprintf(err, BENCH_ERR_LEN, "%s", r[i].err);
			goto out;
		}
	}
	s->ns = t1 - t0;
	s->work = compute ? 5 * per * v.nr : per * v.nr;
	ret = 0;
out:
	stack_close(&v);
	return ret;
}

int bench_stack_mmio(const struct bench_params *p, struct bench_sample *s,
		     char *err)
{
	return stack_run(p, false, true, s, err);
}

int bench_stack_mmio_sigmask(const struct bench_params *p,
			     struct bench_sample *s, char *err)
{
	return stack_run(p, false, false, s, err);
}

int bench_stack_compute(const struct bench_params *p, struct bench_sample *s,
			char *err)
{
	return stack_run(p, true, true, s, err);
}
