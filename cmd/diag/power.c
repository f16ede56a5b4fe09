// SPDX-License-Identifier: GPL-2.0-only
/*
 * diag checks of vCPU power: WFI idle and wake-up, PSCI CPU_ON, and the
 * ways a VM goes down (SYSTEM_OFF, SYSTEM_RESET, SYSTEM_RESET2), which
 * every vCPU must hear about as a STATUS exit, however it was spending
 * its time (running, idle in WFI, or never started).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "common.h"
#include "diag/diag.h"

/* ---- WFI ---------------------------------------------------------------- */

/* Poll the sim's view of the vCPU until it is idle, for up to ms. */
static int wait_idle(struct gh_vcpu *v, unsigned int ms, uint32_t *state)
{
	uint64_t end = gctl_now_ns() + (uint64_t)ms * 1000000;
	struct gh_sim_vcpu_stats st;
	int ret;

	for (;;) {
		ret = gh_vcpu_get_stats(v, &st);
		if (ret)
			return ret;
		*state = st.state;
		if (st.state == GH_SIM_VCPU_IDLE)
			return 0;
		if (gctl_now_ns() >= end)
			return -ETIMEDOUT;
		diag_sleep_ms(1);
	}
}

void diag_check_wfi_wake(struct diag_ctx *c)
{
	struct diag_runner r = { 0 };
	struct gh_vcpu *v;
	struct diag_vm d;
	uint32_t state = 0;
	uint64_t t0;
	int ret;

	if (diag_vm_create(c, &d, DIAG_GUEST_wait, 1))
		return;
	/*
	 * On hardware only an interrupt ends WFI, and we cannot raise one.
	 * Asked before the start, when a driver that knows the request can
	 * only refuse it for the vCPU not running yet.
	 */
	ret = gh_vcpu_wake(d.vcpu[0]);
	if (ret == -ENOTTY) {
		diag_skip(c, "the backend cannot raise the vCPU's wake-up "
			  "(GH_SIM_VCPU_WAKE: ENOTTY); on hardware an interrupt "
			  "ends WFI");
		goto out;
	}
	if (diag_vm_set_x(&d, 19, DIAG_WAIT_WFI) || diag_vm_start(&d))
		goto out;
	v = d.vcpu[0];
	if (diag_expect_write(&d, v, DIAG_REPORT, 8, 1))
		goto out;

	diag_step(c, "waiting for the guest to reach its WFI");
	if (diag_runner_start(&d, &r, v, false))
		goto out;
	if (diag_wait_word(&d, DIAG_FLAG, DIAG_WAIT_MS)) {
		diag_fail(c, "the guest never got to its WFI (%s)",
			  diag_runner_done(&r) ? DIAG_EXIT_STR(&r.last) :
			  "RUN still in the driver");
		goto wake;
	}
	/* Idle means asleep inside RUN, not back in userspace... */
	if (diag_runner_stays(&d, &r, 30, "the vCPU was in WFI"))
		goto out;
	/* ...and, where the backend can tell, not spinning either. */
	ret = wait_idle(v, DIAG_WAIT_MS, &state);
	if (ret == -ETIMEDOUT) {
		diag_fail(c, "the vCPU in WFI is %s, want idle",
			  gh_vcpu_state_str(state));
		goto wake;
	}
	if (ret && ret != -ENOTTY) {
		diag_fail(c, "GH_SIM_VCPU_GET_STATS: %s", DIAG_ERRNO(ret));
		goto wake;
	}
	diag_str(c, "state", "%s", ret ? "not known" : "idle");

wake:
	diag_step(c, "waking the vCPU");
	t0 = gctl_now_ns();
	ret = gh_vcpu_wake(v);
	if (ret) {
		diag_fail(c, "GH_SIM_VCPU_WAKE: %s", DIAG_ERRNO(ret));
		if (!diag_runner_done(&r))
			c->abandoned = true;
		goto out;
	}
	if (diag_runner_wait(&d, &r, DIAG_WAIT_MS) || diag_decided(c))
		goto out;
	if (r.ret) {
		diag_fail(c, "GUNYAH_VCPU_RUN after the wake-up: %s",
			  DIAG_ERRNO(r.ret));
		goto out;
	}
	if (r.last.exit_reason != GUNYAH_VCPU_EXIT_MMIO ||
	    r.last.mmio.phys_addr != DIAG_REPORT || diag_mmio_data(&r.last) != 2) {
		diag_fail(c, "after the wake-up: want the guest's report 2, got %s",
			  DIAG_EXIT_STR(&r.last));
		goto out;
	}
	diag_us(c, "wake_us", (double)(r.t_end_ns - t0) / 1000.0);
	diag_expect_poweroff(&d, v);
out:
	diag_runner_cleanup(&r);
	diag_vm_destroy(&d);
}

/* ---- SMP: guests/psci.S -------------------------------------------------- */

struct smp {
	struct diag_vm d;
	unsigned int n;
	struct diag_runner r[DIAG_MAX_VCPUS];
};

/*
 * A VM of c->nr_vcpus running guests/psci.S on one runner thread per vCPU
 * until each has its STATUS exit: vCPU 0 brings up the first `up` vCPUs,
 * then calls fn(x1, x2).
 */
static int smp_run(struct diag_ctx *c, struct smp *s, unsigned int up,
		   uint64_t fn, uint64_t x1, uint64_t x2)
{
	memset(s, 0, sizeof(*s));
	s->n = c->nr_vcpus;
	if (diag_vm_create(c, &s->d, DIAG_GUEST_psci, s->n))
		return -1;
	if (diag_vm_set_x(&s->d, 19, up) || diag_vm_set_x(&s->d, 20, fn) ||
	    diag_vm_set_x(&s->d, 21, x1) || diag_vm_set_x(&s->d, 22, x2) ||
	    diag_vm_start(&s->d))
		return -1;
	for (unsigned int i = 0; i < s->n; i++)
		if (diag_runner_start(&s->d, &s->r[i], s->d.vcpu[i], true))
			return -1;
	diag_step(c, "waiting for every vCPU's STATUS exit");
	for (unsigned int i = 0; i < s->n; i++) {
		if (diag_runner_wait(&s->d, &s->r[i], DIAG_WAIT_MS))
			return -1;
		if (s->r[i].ret) {
			diag_fail(c, "vCPU %u: GUNYAH_VCPU_RUN: %s", i,
				  DIAG_ERRNO(s->r[i].ret));
			/* The others may wait for a VM exit that never comes. */
			for (unsigned int k = 0; k < s->n; k++)
				if (!diag_runner_done(&s->r[k]))
					c->abandoned = true;
			return -1;
		}
	}
	return 0;
}

static void smp_cleanup(struct smp *s)
{
	for (unsigned int i = 0; i < s->n; i++)
		diag_runner_cleanup(&s->r[i]);
	diag_vm_destroy(&s->d);
}

/* vCPU 0's reports say how bring-up went. */
static int check_bring_up(struct diag_ctx *c, struct smp *s)
{
	const struct diag_runner *boot = &s->r[0];
	const struct diag_report *rep;

	for (unsigned int i = 1; i < s->n; i++) {
		rep = diag_runner_report(boot, 0, i - 1);
		if (!rep) {
			diag_fail(c, "vCPU 0 never reported CPU_ON of vCPU %u "
				  "(its last exit: %s)", i, DIAG_EXIT_STR(&boot->last));
			return -1;
		}
		if (rep->data != PSCI_RET_SUCCESS) {
			diag_fail(c, "CPU_ON of vCPU %u returned %" PRId64
				  ", want 0 (SUCCESS)", i, (int64_t)rep->data);
			return -1;
		}
	}
	rep = diag_runner_report(boot, 8, 0);
	if (rep) {
		diag_fail(c, "vCPU %" PRIu64 " did not come up within a second "
			  "of CPU_ON", rep->data);
		return -1;
	}
	for (unsigned int i = 1; i < s->n; i++) {
		const struct diag_report *mpidr = diag_runner_report(&s->r[i], 0x20, 0);
		const struct diag_report *ctx = diag_runner_report(&s->r[i], 0x28, 0);

		if (!mpidr || !ctx) {
			diag_fail(c, "vCPU %u never reported after CPU_ON (its "
				  "last exit: %s)", i, DIAG_EXIT_STR(&s->r[i].last));
			return -1;
		}
		if ((mpidr->data & 0xff) != i) {
			diag_fail(c, "vCPU %u reads MPIDR_EL1 %#" PRIx64 ", want "
				  "Aff0 %u", i, mpidr->data, i);
			return -1;
		}
		if (ctx->data != DIAG_CONTEXT + i) {
			diag_fail(c, "vCPU %u started with x0 %#" PRIx64 ", want "
				  "its CPU_ON context id %#x", i, ctx->data,
				  DIAG_CONTEXT + i);
			return -1;
		}
	}
	return 0;
}

void diag_check_psci_cpu_on(struct diag_ctx *c)
{
	const struct diag_report *rep;
	struct smp s;

	if (c->nr_vcpus < 2) {
		diag_skip(c, "needs two vCPUs or more (--vcpus)");
		return;
	}
	if (smp_run(c, &s, c->nr_vcpus, PSCI_0_2_FN_SYSTEM_OFF, 0, 0) ||
	    check_bring_up(c, &s))
		goto out;
	diag_uint(c, "vcpus", s.n);
	rep = diag_runner_report(&s.r[0], 0x10, 0);
	if (!rep) {
		diag_fail(c, "vCPU 0 never reported the second CPU_ON of vCPU 1");
		goto out;
	}
	diag_int(c, "again", (int64_t)rep->data);
	if ((int64_t)rep->data != PSCI_RET_ALREADY_ON)
		diag_fail(c, "CPU_ON of the running vCPU 1 returned %" PRId64
			  ", want -4 (ALREADY_ON)", (int64_t)rep->data);
out:
	smp_cleanup(&s);
}

/* Every vCPU's last exit is the same STATUS: status, type, reason. */
static int check_status_everywhere(struct diag_ctx *c, struct smp *s,
				   uint32_t type)
{
	const struct gunyah_vcpu_run *first = &s->r[0].last;
	const struct diag_report *rep = diag_runner_report(&s->r[0], 0x18, 0);

	if (rep) {
		diag_fail(c, "the PSCI call returned %" PRId64 " to the guest "
			  "instead of ending the VM", (int64_t)rep->data);
		return -1;
	}
	for (unsigned int i = 0; i < s->n; i++) {
		const struct gunyah_vcpu_run *run = &s->r[i].last;

		if (run->exit_reason != GUNYAH_VCPU_EXIT_STATUS ||
		    run->status.status != GUNYAH_VM_STATUS_EXITED ||
		    run->status.exit_info.type != type) {
			diag_fail(c, "vCPU %u: want status exited (type %s), got %s",
				  i, gh_exit_type_str(type), DIAG_EXIT_STR(run));
			return -1;
		}
		if (run->status.exit_info.reason_size >
		    GUNYAH_VM_MAX_EXIT_REASON_SIZE) {
			diag_fail(c, "vCPU %u: exit_info.reason_size %u is more "
				  "than %u", i, run->status.exit_info.reason_size,
				  GUNYAH_VM_MAX_EXIT_REASON_SIZE);
			return -1;
		}
		if (memcmp(&run->status, &first->status, sizeof(run->status))) {
			diag_fail(c, "vCPU %u's STATUS exit (%s) differs from vCPU "
				  "0's (%s)", i, DIAG_EXIT_STR(run),
				  DIAG_EXIT_STR(first));
			return -1;
		}
	}
	diag_uint(c, "vcpus", s->n);
	diag_str(c, "type", "%s", gh_exit_type_str(first->status.exit_info.type));
	diag_uint(c, "reason_size", first->status.exit_info.reason_size);
	diag_hex(c, "reason", gh_exit_info_reason(&first->status.exit_info));
	return 0;
}

static void power_exit(struct diag_ctx *c, uint64_t fn, uint64_t x1,
		       uint32_t type)
{
	struct smp s;
	uint64_t reason;

	if (smp_run(c, &s, c->nr_vcpus, fn, x1, 0) ||
	    check_status_everywhere(c, &s, type))
		goto out;
	/* The RM's reason word: bit 0 asks for a restart. */
	reason = gh_exit_info_reason(&s.r[0].last.status.exit_info);
	if (type == GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF &&
	    (reason & GUNYAH_VM_EXIT_REASON_RESTART))
		diag_fail(c, "SYSTEM_OFF's exit reason %#" PRIx64 " asks for a "
			  "restart", reason);
	if (type == GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET &&
	    !(reason & GUNYAH_VM_EXIT_REASON_RESTART))
		diag_fail(c, "SYSTEM_RESET's exit reason %#" PRIx64 " does not "
			  "ask for a restart (bit 0)", reason);
out:
	smp_cleanup(&s);
}

void diag_check_system_off(struct diag_ctx *c)
{
	power_exit(c, PSCI_0_2_FN_SYSTEM_OFF, 0,
		   GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF);
}

void diag_check_system_reset(struct diag_ctx *c)
{
	power_exit(c, PSCI_0_2_FN_SYSTEM_RESET, 0,
		   GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET);
}

void diag_check_system_reset2(struct diag_ctx *c)
{
	/* reset_type 0: SYSTEM_WARM_RESET, the architectural one. */
	power_exit(c, PSCI_1_1_FN64_SYSTEM_RESET2, 0,
		   GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET2);
}

#define STICKY_RUNS 3

void diag_check_sticky_status(struct diag_ctx *c)
{
	struct smp s;

	if (smp_run(c, &s, c->nr_vcpus, PSCI_0_2_FN_SYSTEM_OFF, 0, 0) ||
	    check_status_everywhere(c, &s, GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF))
		goto out;
	for (unsigned int i = 0; i < s.n; i++) {
		struct gh_vcpu *v = s.d.vcpu[i];

		for (int k = 0; k < STICKY_RUNS; k++) {
			if (diag_run(&s.d, v))
				goto out;
			if (v->run->exit_reason != GUNYAH_VCPU_EXIT_STATUS ||
			    memcmp(&v->run->status, &s.r[i].last.status,
				   sizeof(v->run->status))) {
				diag_fail(c, "vCPU %u: RUN %d after the VM went "
					  "down: %s, want %s again", i, k + 1,
					  DIAG_EXIT_STR(v->run),
					  DIAG_EXIT_STR(&s.r[i].last));
				goto out;
			}
		}
	}
	diag_uint(c, "runs", STICKY_RUNS);
out:
	smp_cleanup(&s);
}

void diag_check_status_unstarted(struct diag_ctx *c)
{
	struct diag_runner r[DIAG_MAX_VCPUS] = { 0 };
	const struct gunyah_vcpu_run *first;
	struct diag_vm d;
	unsigned int n = c->nr_vcpus;

	if (n < 2) {
		diag_skip(c, "needs two vCPUs or more (--vcpus)");
		return;
	}
	/* vCPU 0 starts nobody and powers off. */
	if (diag_vm_create(c, &d, DIAG_GUEST_psci, n))
		return;
	if (diag_vm_set_x(&d, 19, 1) ||
	    diag_vm_set_x(&d, 20, PSCI_0_2_FN_SYSTEM_OFF) || diag_vm_start(&d))
		goto out;
	if (diag_expect_status(&d, d.vcpu[0], GUNYAH_VM_STATUS_EXITED,
			       GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF))
		goto out;
	first = d.vcpu[0]->run;

	/* On a thread each: a driver that waits for CPU_ON would hang here. */
	for (unsigned int i = 1; i < n; i++) {
		if (diag_runner_start(&d, &r[i], d.vcpu[i], false) ||
		    diag_runner_wait(&d, &r[i], DIAG_WAIT_MS))
			goto out;
		if (r[i].ret) {
			diag_fail(c, "vCPU %u: first GUNYAH_VCPU_RUN: %s", i,
				  DIAG_ERRNO(r[i].ret));
			goto out;
		}
		if (r[i].last.exit_reason != GUNYAH_VCPU_EXIT_STATUS ||
		    memcmp(&r[i].last.status, &first->status,
			   sizeof(first->status))) {
			diag_fail(c, "vCPU %u: first RUN: %s, want vCPU 0's %s", i,
				  DIAG_EXIT_STR(&r[i].last), DIAG_EXIT_STR(first));
			goto out;
		}
	}
	diag_uint(c, "vcpus", n);
out:
	for (unsigned int i = 1; i < n; i++)
		diag_runner_cleanup(&r[i]);
	diag_vm_destroy(&d);
}
