// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a kernel driver gets for free and an in-process simulator must
 * build: signal_pending(), interruptible sleeps, completions.
 *
 * A signal arriving while a thread is inside GUNYAH_VCPU_RUN must end the
 * call with EINTR (or restart it, for SA_RESTART handlers), as the kernel
 * does.  In-process we cannot see a handler run, so for the duration of a
 * driver call the caller's unblocked signals are blocked: they stay
 * pending, sigpending() shows them at each check point (every time slice),
 * and sleeps wait on a signalfd next to the event they wait for.  When one
 * is found, the caller's mask is put back for a moment so the handler runs
 * where the kernel would have run it: before the call returns.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "sim.h"

/* Faults must stay deliverable: blocking them would hide a crash. */
static const int sync_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
				    SIGTRAP, SIGABRT, SIGSYS };

/* dst = a & ~b (glibc has sigandset/sigorset, but no complement). */
static void sigset_andnot(sigset_t *dst, const sigset_t *a, const sigset_t *b)
{
	for (size_t i = 0; i < sizeof(dst->__val) / sizeof(dst->__val[0]); i++)
		dst->__val[i] = a->__val[i] & ~b->__val[i];
}

void sim_task_enter(struct sim_task *t, uint64_t kick_mask)
{
	sigset_t all;

	t->sfd = -1;
	t->kick = kick_mask != 0;
	if (t->kick) {
		/* The caller keeps these blocked outside RUN: nothing to do. */
		/* Set bits only: this is on every RUN's path. */
		sigemptyset(&t->watched);
		for (uint64_t m = kick_mask; m; m &= m - 1)
			sigaddset(&t->watched, __builtin_ctzll(m) + 1);
		t->changed = true;
		return;
	}
	sigfillset(&all);
	for (size_t i = 0; i < sizeof(sync_signals) / sizeof(sync_signals[0]); i++)
		sigdelset(&all, sync_signals[i]);
	pthread_sigmask(SIG_BLOCK, &all, &t->saved);
	sigset_andnot(&t->watched, &all, &t->saved);
	t->changed = !sigisemptyset(&t->watched);
}

void sim_task_leave(struct sim_task *t)
{
	if (t->sfd >= 0)
		close(t->sfd);
	if (t->changed && !t->kick)
		pthread_sigmask(SIG_SETMASK, &t->saved, NULL);
}

/* Default actions that do nothing: such a signal never interrupts. */
static bool default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG ||
	       sig == SIGWINCH;
}

int sim_task_signal_pending(struct sim_task *t)
{
	bool any = false, eintr = false;
	sigset_t pending;

	if (!t->changed)
		return 0;
	if (sigpending(&pending))
		return 0;
	sigandset(&pending, &pending, &t->watched);
	if (sigisemptyset(&pending))
		return 0;
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;

		if (sigismember(&pending, sig) != 1)
			continue;
		any = true;
		if (sigaction(sig, NULL, &sa))
			continue;
		if (sa.sa_handler == SIG_IGN ||
		    (sa.sa_handler == SIG_DFL && default_ignored(sig)))
			continue;
		/* A fatal default action never returns; a handler decides. */
		if (sa.sa_handler != SIG_DFL && !(sa.sa_flags & SA_RESTART))
			eintr = true;
	}
	if (!any)
		return 0;

	/* Let them in for a moment: handlers run now, where the kernel
	 * runs them, and ignored ones are discarded. */
	{
		sigset_t old;

		pthread_sigmask(SIG_UNBLOCK, &pending, &old);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	return eintr ? -EINTR : 0;
}

/*
 * Sleep until fd is readable or a watched signal is pending.  Returns 0
 * when fd is readable, -EINTR when interrupted, and 1 when a signal was
 * handled by a restarting handler (the caller goes round again).
 */
static int wait_fd(int fd, struct sim_task *t)
{
	struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN } };
	nfds_t n = 1;
	int ret;

	if (t && t->changed) {
		if (t->sfd < 0)
			t->sfd = signalfd(-1, &t->watched,
					  SFD_NONBLOCK | SFD_CLOEXEC);
		if (t->sfd >= 0) {
			pfd[1].fd = t->sfd;
			pfd[1].events = POLLIN;
			n = 2;
		}
	}
	for (;;) {
		ret = poll(pfd, n, -1);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (pfd[0].revents)
			return 0;
		if (n == 2 && pfd[1].revents) {
			ret = sim_task_signal_pending(t);
			return ret ? ret : 1;
		}
	}
}

int sim_completion_init(struct sim_completion *c)
{
	c->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	atomic_init(&c->all, false);
	return c->efd < 0 ? -errno : 0;
}

void sim_completion_destroy(struct sim_completion *c)
{
	if (c->efd >= 0)
		close(c->efd);
	c->efd = -1;
}

void sim_completion_complete(struct sim_completion *c)
{
	uint64_t one = 1;

	if (write(c->efd, &one, sizeof(one)) < 0) {
		/* Only EAGAIN (counter saturated) is possible: still woken. */
	}
}

void sim_completion_complete_all(struct sim_completion *c)
{
	atomic_store(&c->all, true);
	sim_completion_complete(c);
}

void sim_completion_reinit(struct sim_completion *c)
{
	uint64_t v;

	if (atomic_load(&c->all))
		return;
	while (read(c->efd, &v, sizeof(v)) > 0)
		;
}

int sim_completion_wait(struct sim_completion *c, struct sim_task *t)
{
	uint64_t v;
	int ret;

	for (;;) {
		if (atomic_load(&c->all))
			return 0;
		if (read(c->efd, &v, sizeof(v)) == sizeof(v)) {
			/* Consumed one completion; leave the rest counted. */
			if (v > 1) {
				v -= 1;
				if (write(c->efd, &v, sizeof(v)) < 0) {
					/* cannot fail below the max count */
				}
			}
			return 0;
		}
		ret = wait_fd(c->efd, t);
		if (ret)
			return ret; /* -EINTR, or 1: a restarting handler ran */
	}
}

int sim_ilock_init(struct sim_ilock *l)
{
	pthread_mutex_init(&l->lock, NULL);
	l->held = false;
	l->waiters = 0;
	l->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return l->efd < 0 ? -errno : 0;
}

void sim_ilock_destroy(struct sim_ilock *l)
{
	pthread_mutex_destroy(&l->lock);
	if (l->efd >= 0)
		close(l->efd);
}

/* Take the lock if free; else count ourselves as a waiter (in one step,
 * so an unlock between this and our sleep still wakes us). */
static bool ilock_try_or_wait(struct sim_ilock *l)
{
	bool got = false;

	pthread_mutex_lock(&l->lock);
	if (!l->held)
		l->held = got = true;
	else
		l->waiters++;
	pthread_mutex_unlock(&l->lock);
	return got;
}

static int ilock_sleep(struct sim_ilock *l, struct sim_task *t)
{
	uint64_t v;
	int ret = wait_fd(l->efd, t);

	/* Consume the release; a waiter that finds none sleeps again. */
	if (ret == 0 && read(l->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: another waiter took it */
	}
	pthread_mutex_lock(&l->lock);
	l->waiters--;
	pthread_mutex_unlock(&l->lock);
	return ret;
}

int sim_ilock_lock_interruptible(struct sim_ilock *l, struct sim_task *t)
{
	int ret;

	while (!ilock_try_or_wait(l)) {
		ret = ilock_sleep(l, t);
		if (ret < 0)
			return ret;
	}
	return 0;
}

bool sim_ilock_trylock(struct sim_ilock *l)
{
	bool got = false;

	pthread_mutex_lock(&l->lock);
	if (!l->held)
		l->held = got = true;
	pthread_mutex_unlock(&l->lock);
	return got;
}

void sim_ilock_lock(struct sim_ilock *l)
{
	while (!ilock_try_or_wait(l))
		ilock_sleep(l, NULL);
}

/* Uncontended, lock and unlock are a mutex each: no system call. */
void sim_ilock_unlock(struct sim_ilock *l)
{
	uint64_t one = 1;

	pthread_mutex_lock(&l->lock);
	l->held = false;
	if (l->waiters && write(l->efd, &one, sizeof(one)) < 0) {
		/* saturated: waiters are woken anyway */
	}
	pthread_mutex_unlock(&l->lock);
}
