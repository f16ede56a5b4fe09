// SPDX-License-Identifier: GPL-2.0-only
/*
 * The irqfd and ioeventfd functions (GUNYAH_FN_IRQFD, GUNYAH_FN_IOEVENTFD
 * through GUNYAH_VM_ADD_FUNCTION / REMOVE_FUNCTION): their arguments'
 * errnos as the kernel's gunyah_irqfd.c / gunyah_ioeventfd.c give them,
 * and what each is for, seen from the guest (guests/irq.S): an irqfd's
 * signal is an interrupt the guest takes, a matched write to an
 * ioeventfd's address is a signal and no exit.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common.h"
#include "diag/diag.h"

/* One ADD/REMOVE result against the errno it must be (0: success). */
static int expect_ret(struct diag_ctx *c, int got, int want, const char *what)
{
	if (got == want)
		return 0;
	if (!got)
		diag_fail(c, "%s succeeded, want %s", what, DIAG_ERRNO(want));
	else if (!want)
		diag_fail(c, "%s: %s", what, DIAG_ERRNO(got));
	else
		diag_fail(c, "%s: %s, want %s", what, DIAG_ERRNO(got),
			  DIAG_ERRNO(want));
	return -1;
}

/* What the argument checks try: an eventfd, a pipe, a closed fd number. */
struct fds {
	struct diag_vm d;
	int efd, pipefd[2], closed;
};

/* A VM with no vCPU and the fds: 0, or -1 with the check failed. */
static int fds_setup(struct diag_ctx *c, struct fds *f)
{
	f->efd = f->pipefd[0] = f->pipefd[1] = -1;
	if (diag_vm_create(c, &f->d, DIAG_GUEST_NONE, 0))
		return -1;
	f->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (f->efd < 0 || pipe(f->pipefd)) {
		diag_fail(c, "setup: eventfd/pipe: %s", strerror(errno));
		return -1;
	}
	f->closed = dup(f->efd);
	if (f->closed >= 0)
		close(f->closed);
	return 0;
}

static void fds_teardown(struct fds *f)
{
	if (f->efd >= 0)
		close(f->efd);
	if (f->pipefd[0] >= 0)
		close(f->pipefd[0]);
	if (f->pipefd[1] >= 0)
		close(f->pipefd[1]);
	diag_vm_destroy(&f->d);
}

void diag_check_irqfd_args(struct diag_ctx *c)
{
	const uint32_t L = DIAG_IRQ_LABEL, LEVEL = GUNYAH_IRQFD_FLAGS_LEVEL;
	struct fds f;
	struct gh_vm *vm;
	int efd;

	if (fds_setup(c, &f))
		goto out;
	vm = f.d.vm;
	efd = f.efd;
	if (expect_ret(c, gh_vm_irqfd(vm, true, f.closed, L, 0), -EBADF,
		       "an irqfd on a closed fd") ||
	    expect_ret(c, gh_vm_irqfd(vm, true, f.pipefd[0], L, 0), -EINVAL,
		       "an irqfd on a pipe (not an eventfd)") ||
	    expect_ret(c, gh_vm_irqfd(vm, true, efd, L, 0x2), -EINVAL,
		       "an irqfd with unknown flags 0x2") ||
	    expect_ret(c, gh_vm_irqfd(vm, true, efd, L, 0), 0,
		       "an edge irqfd") ||
	    expect_ret(c, gh_vm_irqfd(vm, true, efd, L, LEVEL), -EEXIST,
		       "a second irqfd on the same label") ||
	    expect_ret(c, gh_vm_irqfd(vm, false, efd, L + 1, 0), -ENOENT,
		       "REMOVE_FUNCTION of an irqfd never added") ||
	    expect_ret(c, gh_vm_irqfd(vm, false, efd, L, 0), 0,
		       "REMOVE_FUNCTION of the irqfd") ||
	    expect_ret(c, gh_vm_irqfd(vm, false, efd, L, 0), -ENOENT,
		       "a second REMOVE_FUNCTION of the irqfd") ||
	    expect_ret(c, gh_vm_irqfd(vm, true, efd, L, LEVEL), 0,
		       "a level irqfd on the label removed"))
		goto out;
	diag_str(c, "errnos", "EBADF EINVAL EINVAL EEXIST ENOENT");
out:
	fds_teardown(&f);
}

void diag_check_ioeventfd_args(struct diag_ctx *c)
{
	const uint64_t A = DIAG_DOORBELL;
	const uint32_t DM = GUNYAH_IOEVENTFD_FLAGS_DATAMATCH;
	struct fds f;
	struct gh_vm *vm;
	int efd;

	if (fds_setup(c, &f))
		goto out;
	vm = f.d.vm;
	efd = f.efd;
	if (expect_ret(c, gh_vm_ioeventfd(vm, true, f.closed, A, 4, 0, 0), -EBADF,
		       "an ioeventfd on a closed fd") ||
	    expect_ret(c, gh_vm_ioeventfd(vm, true, efd, A, 3, 0, 0), -EINVAL,
		       "an ioeventfd of length 3") ||
	    expect_ret(c, gh_vm_ioeventfd(vm, true, efd, A, 4, 0x4, 0), -EINVAL,
		       "an ioeventfd with unknown flags 0x4") ||
	    expect_ret(c, gh_vm_ioeventfd(vm, true, efd, A, 0, DM, 1), -EINVAL,
		       "a datamatch ioeventfd of length 0") ||
	    expect_ret(c, gh_vm_ioeventfd(vm, true, efd, A, 4, DM, 1), 0,
		       "a datamatch ioeventfd") ||
	    expect_ret(c, gh_vm_ioeventfd(vm, true, efd, A, 4, DM, 2), 0,
		       "a second value on the same doorbell") ||
	    expect_ret(c, gh_vm_ioeventfd(vm, true, efd, A + 2, 2, 0, 0), -EEXIST,
		       "an ioeventfd overlapping the doorbell's bytes") ||
	    expect_ret(c, gh_vm_ioeventfd(vm, false, efd, A, 4, DM, 3), -ENOENT,
		       "REMOVE_FUNCTION of a value never added") ||
	    expect_ret(c, gh_vm_ioeventfd(vm, false, efd, A, 4, DM, 1), 0,
		       "REMOVE_FUNCTION of the ioeventfd") ||
	    expect_ret(c, gh_vm_ioeventfd(vm, false, efd, A, 4, DM, 1), -ENOENT,
		       "a second REMOVE_FUNCTION of the ioeventfd"))
		goto out;
	diag_str(c, "errnos", "EBADF EINVAL EINVAL EINVAL EEXIST ENOENT");
out:
	fds_teardown(&f);
}

/* Signals counted on a nonblocking eventfd (0: none). */
static uint64_t signals(int efd)
{
	uint64_t n = 0;

	if (read(efd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

void diag_check_ioeventfd_bell(struct diag_ctx *c)
{
	const uint32_t DM = GUNYAH_IOEVENTFD_FLAGS_DATAMATCH;
	struct gunyah_vcpu_run *run;
	struct diag_vm d;
	uint64_t n;
	int efd, ret;

	if (diag_vm_create(c, &d, DIAG_GUEST_irq, 1))
		return;
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0) {
		diag_fail(c, "setup: eventfd: %s", strerror(errno));
		goto out;
	}
	ret = gh_vm_ioeventfd(d.vm, true, efd, DIAG_DOORBELL, 4, DM,
			      DIAG_BELL_MATCH);
	if (expect_ret(c, ret, 0, "a datamatch ioeventfd") ||
	    diag_vm_set_x(&d, 19, DIAG_IRQ_DOORBELL) || diag_vm_start(&d) ||
	    diag_run(&d, d.vcpu[0]))
		goto out;
	run = d.vcpu[0]->run;
	if (run->exit_reason == GUNYAH_VCPU_EXIT_MMIO &&
	    run->mmio.phys_addr == DIAG_DOORBELL &&
	    diag_mmio_data(run) == DIAG_BELL_MATCH) {
		diag_fail(c, "the guest's write of %d to the doorbell %#x was an "
			  "MMIO exit: the ioeventfd matching it never took it",
			  DIAG_BELL_MATCH, DIAG_DOORBELL);
		goto out;
	}
	if (run->exit_reason != GUNYAH_VCPU_EXIT_MMIO ||
	    run->mmio.phys_addr != DIAG_DOORBELL || !run->mmio.is_write ||
	    diag_mmio_data(run) != DIAG_BELL_MATCH + 1) {
		diag_fail(c, "the first exit is %s, want the write of %d (no "
			  "match) to the doorbell %#x", DIAG_EXIT_STR(run),
			  DIAG_BELL_MATCH + 1, DIAG_DOORBELL);
		goto out;
	}
	n = signals(efd);
	if (n != 1) {
		diag_fail(c, "the eventfd counted %llu signals for the one "
			  "matching write, want 1", (unsigned long long)n);
		goto out;
	}
	if (diag_expect_write(&d, d.vcpu[0], DIAG_REPORT, 8, 0xd0e))
		goto out;
	diag_hex(c, "doorbell", DIAG_DOORBELL);
	diag_uint(c, "signals", n);
out:
	if (efd >= 0)
		close(efd);
	diag_vm_destroy(&d);
}

/* Poll for r's RUN to return, up to ms: true when it did. */
static bool runner_returns(struct diag_runner *r, unsigned int ms)
{
	uint64_t end = gctl_now_ns() + (uint64_t)ms * 1000000;

	while (!diag_runner_done(r)) {
		if (gctl_now_ns() >= end)
			return false;
		diag_sleep_ms(1);
	}
	return true;
}

/* The guest idles in WFI inside one RUN until the irqfd's signal. */
static int irq_taken(struct diag_vm *d, struct diag_runner *r, int efd)
{
	struct diag_ctx *c = d->c;
	const uint64_t intid = 32 + DIAG_IRQ_LABEL;
	const struct gunyah_vcpu_run *run = &r->last;
	uint64_t one = 1;

	diag_step(c, "waiting for the guest to idle");
	if (diag_runner_start(d, r, d->vcpu[0], false))
		return -1;
	if (diag_wait_word(d, DIAG_FLAG, DIAG_WAIT_MS)) {
		diag_fail(c, "the guest never got to its WFI");
		return -1;
	}
	diag_sleep_ms(20);
	if (diag_runner_done(r)) {
		diag_fail(c, "RUN returned before the irqfd was signalled: %s",
			  r->ret ? DIAG_ERRNO(r->ret) : DIAG_EXIT_STR(run));
		return -1;
	}
	diag_step(c, "signalling the irqfd");
	if (write(efd, &one, sizeof(one)) != sizeof(one)) {
		diag_fail(c, "writing the eventfd: %s", strerror(errno));
		return -1;
	}
	if (!runner_returns(r, DIAG_WAIT_MS)) {
		diag_fail(c, "the guest, idle in WFI, did not take SPI %d (INTID "
			  "%llu) within %d ms of the irqfd's signal",
			  DIAG_IRQ_LABEL, (unsigned long long)intid, DIAG_WAIT_MS);
		return -1;
	}
	if (r->ret || run->exit_reason != GUNYAH_VCPU_EXIT_MMIO ||
	    run->mmio.phys_addr != DIAG_REPORT + 8 ||
	    diag_mmio_data(run) != intid) {
		diag_fail(c, "after the irqfd's signal: %s, want the guest's "
			  "report of INTID %llu", r->ret ? DIAG_ERRNO(r->ret) :
			  DIAG_EXIT_STR(run), (unsigned long long)intid);
		return -1;
	}
	diag_uint(c, "intid", intid);
	return 0;
}

void diag_check_irqfd_irq(struct diag_ctx *c)
{
	struct diag_runner r = { 0 };
	struct diag_vm d;
	int efd, ret;

	if (diag_vm_create(c, &d, DIAG_GUEST_irq, 1))
		return;
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0) {
		diag_fail(c, "setup: eventfd: %s", strerror(errno));
		goto out;
	}
	ret = gh_vm_irqfd(d.vm, true, efd, DIAG_IRQ_LABEL, 0);
	if (expect_ret(c, ret, 0, "an edge irqfd") ||
	    diag_vm_set_x(&d, 19, DIAG_IRQ_WAIT) || diag_vm_start(&d) ||
	    diag_expect_write(&d, d.vcpu[0], DIAG_REPORT, 8, 1))
		goto out;
	if (irq_taken(&d, &r, efd)) {
		/* a guest left in WFI: the sim's wake-up, else leave it */
		if (!diag_runner_done(&r) && gh_vcpu_wake(d.vcpu[0]) == 0)
			runner_returns(&r, 100);
		if (!diag_runner_done(&r))
			c->abandoned = true;
		goto out;
	}
	diag_runner_cleanup(&r);
	diag_expect_status(&d, d.vcpu[0], GUNYAH_VM_STATUS_EXITED,
			   GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF);
out:
	diag_runner_cleanup(&r);
	if (efd >= 0)
		close(efd);
	diag_vm_destroy(&d);
}
