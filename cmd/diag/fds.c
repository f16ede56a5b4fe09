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

/* One ADD or REMOVE_FUNCTION of an argument check, and its errno. */
enum fd_which { FD_EVENT, FD_PIPE, FD_CLOSED };
struct fd_step {
	bool add;
	enum fd_which fd;
	uint64_t at;	/* irqfd: the label; ioeventfd: the address */
	uint32_t len;	/* ioeventfd */
	uint32_t flags;
	uint64_t datamatch;
	int want;	/* 0 or -errno */
	const char *what;
};

/* Each step in turn, an irqfd's (irqfd) or an ioeventfd's. */
static void run_steps(struct diag_ctx *c, bool irqfd,
		      const struct fd_step *st, size_t n, const char *errnos)
{
	struct fds f;

	if (fds_setup(c, &f))
		goto out;
	for (size_t i = 0; i < n; i++) {
		int fd = st[i].fd == FD_PIPE ? f.pipefd[0] :
			 st[i].fd == FD_CLOSED ? f.closed : f.efd;
		int ret = irqfd ?
			gh_vm_irqfd(f.d.vm, st[i].add, fd, (uint32_t)st[i].at,
				    st[i].flags) :
			gh_vm_ioeventfd(f.d.vm, st[i].add, fd, st[i].at,
					st[i].len, st[i].flags, st[i].datamatch);

		if (expect_ret(c, ret, st[i].want, st[i].what))
			goto out;
	}
	diag_str(c, "errnos", "%s", errnos);
out:
	fds_teardown(&f);
}

void diag_check_irqfd_args(struct diag_ctx *c)
{
	enum { L = DIAG_IRQ_LABEL, LEVEL = GUNYAH_IRQFD_FLAGS_LEVEL };
	static const struct fd_step st[] = {
		{ true, FD_CLOSED, L, 0, 0, 0, -EBADF, "an irqfd on a closed fd" },
		{ true, FD_PIPE, L, 0, 0, 0, -EINVAL,
		  "an irqfd on a pipe (not an eventfd)" },
		{ true, FD_EVENT, L, 0, 0x2, 0, -EINVAL,
		  "an irqfd with unknown flags 0x2" },
		{ true, FD_EVENT, L, 0, 0, 0, 0, "an edge irqfd" },
		{ true, FD_EVENT, L, 0, LEVEL, 0, -EEXIST,
		  "a second irqfd on the same label" },
		{ false, FD_EVENT, L + 1, 0, 0, 0, -ENOENT,
		  "REMOVE_FUNCTION of an irqfd never added" },
		{ false, FD_EVENT, L, 0, 0, 0, 0, "REMOVE_FUNCTION of the irqfd" },
		{ false, FD_EVENT, L, 0, 0, 0, -ENOENT,
		  "a second REMOVE_FUNCTION of the irqfd" },
		{ true, FD_EVENT, L, 0, LEVEL, 0, 0,
		  "a level irqfd on the label removed" },
	};

	run_steps(c, true, st, ARRAY_SIZE(st),
		  "EBADF EINVAL EINVAL EEXIST ENOENT");
}

void diag_check_ioeventfd_args(struct diag_ctx *c)
{
	enum { DM = GUNYAH_IOEVENTFD_FLAGS_DATAMATCH };
	static const struct fd_step st[] = {
		{ true, FD_CLOSED, DIAG_DOORBELL, 4, 0, 0, -EBADF,
		  "an ioeventfd on a closed fd" },
		{ true, FD_EVENT, DIAG_DOORBELL, 3, 0, 0, -EINVAL,
		  "an ioeventfd of length 3" },
		{ true, FD_EVENT, DIAG_DOORBELL, 4, 0x4, 0, -EINVAL,
		  "an ioeventfd with unknown flags 0x4" },
		{ true, FD_EVENT, DIAG_DOORBELL, 0, DM, 1, -EINVAL,
		  "a datamatch ioeventfd of length 0" },
		{ true, FD_EVENT, DIAG_DOORBELL, 4, DM, 1, 0,
		  "a datamatch ioeventfd" },
		{ true, FD_EVENT, DIAG_DOORBELL, 4, DM, 2, 0,
		  "a second value on the same doorbell" },
		{ true, FD_EVENT, DIAG_DOORBELL + 2, 2, 0, 0, -EEXIST,
		  "an ioeventfd overlapping the doorbell's bytes" },
		{ false, FD_EVENT, DIAG_DOORBELL, 4, DM, 3, -ENOENT,
		  "REMOVE_FUNCTION of a value never added" },
		{ false, FD_EVENT, DIAG_DOORBELL, 4, DM, 1, 0,
		  "REMOVE_FUNCTION of the ioeventfd" },
		{ false, FD_EVENT, DIAG_DOORBELL, 4, DM, 1, -ENOENT,
		  "a second REMOVE_FUNCTION of the ioeventfd" },
	};

	run_steps(c, false, st, ARRAY_SIZE(st),
		  "EBADF EINVAL EINVAL EINVAL EEXIST ENOENT");
}

/* Signals counted on a nonblocking eventfd (0: none). */
static uint64_t signals(int efd)
{
	uint64_t n = 0;

	if (read(efd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

/* A VM with guests/irq.S on one vCPU, and an eventfd: the fd, or -1
 * with the check failed (d destroyable either way). */
static int irq_vm(struct diag_ctx *c, struct diag_vm *d)
{
	int efd;

	if (diag_vm_create(c, d, DIAG_GUEST_irq, 1))
		return -1;
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		diag_fail(c, "setup: eventfd: %s", strerror(errno));
	return efd;
}

void diag_check_ioeventfd_bell(struct diag_ctx *c)
{
	const uint32_t DM = GUNYAH_IOEVENTFD_FLAGS_DATAMATCH;
	struct gunyah_vcpu_run *run;
	struct diag_vm d;
	uint64_t n;
	int efd, ret;

	efd = irq_vm(c, &d);
	if (efd < 0)
		goto out;
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

	efd = irq_vm(c, &d);
	if (efd < 0)
		goto out;
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
