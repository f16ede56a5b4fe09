// SPDX-License-Identifier: GPL-2.0-only
/*
 * The irqfd function (GUNYAH_FN_IRQFD): an eventfd the VMM writes to
 * raises an interrupt in the guest, as the kernel's gunyah_irqfd.c does
 * through a doorbell.  Here label L is SPI L (INTID 32 + L) of the VM's
 * GIC (gunyah_sim.h).  Without GUNYAH_IRQFD_FLAGS_LEVEL each signal makes
 * the SPI pending once (edge); with it, a signal holds the line up until
 * the guest acknowledges the interrupt (the doorbell's ack mask), so a
 * signal that comes before the guest handled the last one is not lost.
 *
 * One thread per VM (started with the first irqfd) waits on every irqfd's
 * eventfd; the kernel does it in the eventfd's wake-up callback.  Each
 * irqfd holds its own duplicate of the eventfd, as the kernel holds a
 * reference to the file: closing the VMM's fd does not end the irqfd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sim.h"

struct sim_irqfd {
	struct sim_irqfd *next;
	uint64_t id; /* epoll's cookie: a freed irqfd is never looked at */
	int fd;
	uint32_t label;
	bool level;
};

/* A private reference to an eventfd: -EBADF if fd is not open, -EINVAL if
 * it is not an eventfd (the kernel's eventfd_ctx_fdget). */
int sim_eventfd_dup(int fd)
{
	char path[64], target[64];
	ssize_t n;

	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -EBADF;
	target[n] = '\0';
	if (strcmp(target, "anon_inode:[eventfd]"))
		return -EINVAL;
	fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	return fd < 0 ? -errno : fd;
}

static void raise_label(struct sim_vm *vm, const struct sim_irqfd *f)
{
	if (!atomic_load(&vm->gic_ready) || f->label >= GH_SIM_GIC_NR_SPIS)
		return; /* not populated: the kernel drops it too */
	sim_gic_irqfd_raise(&vm->gic, 32 + f->label, f->level);
}

static void *irqfd_main(void *data)
{
	struct sim_vm *vm = data;
	struct epoll_event ev[16];

	for (;;) {
		int n = epoll_wait(vm->irqfd_epoll, ev, 16, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		pthread_mutex_lock(&vm->fn_lock);
		if (vm->irqfd_stop) {
			pthread_mutex_unlock(&vm->fn_lock);
			break;
		}
		for (int i = 0; i < n; i++) {
			for (struct sim_irqfd *f = vm->irqfds; f; f = f->next) {
				uint64_t cnt;

				if (f->id != ev[i].data.u64)
					continue;
				if (read(f->fd, &cnt, sizeof(cnt)) == sizeof(cnt))
					raise_label(vm, f);
				break;
			}
		}
		pthread_mutex_unlock(&vm->fn_lock);
	}
	return NULL;
}

/* Caller holds fn_lock. */
static int thread_start_locked(struct sim_vm *vm)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0 };
	sigset_t all, old;
	int ret;

	if (vm->irqfd_thread_started)
		return 0;
	vm->irqfd_epoll = epoll_create1(EPOLL_CLOEXEC);
	if (vm->irqfd_epoll < 0)
		return -errno;
	vm->irqfd_stop_efd = eventfd(0, EFD_CLOEXEC);
	if (vm->irqfd_stop_efd < 0 ||
	    epoll_ctl(vm->irqfd_epoll, EPOLL_CTL_ADD, vm->irqfd_stop_efd, &ev)) {
		ret = -errno;
		goto err;
	}
	/* The thread must never take the application's signals. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	ret = -pthread_create(&vm->irqfd_thread, NULL, irqfd_main, vm);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		goto err;
	vm->irqfd_thread_started = true;
	return 0;
err:
	if (vm->irqfd_stop_efd >= 0)
		close(vm->irqfd_stop_efd);
	close(vm->irqfd_epoll);
	vm->irqfd_epoll = vm->irqfd_stop_efd = -1;
	return ret;
}

long sim_irqfd_add(struct sim_vm *vm, const struct gunyah_fn_irqfd_arg *a)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct sim_irqfd *f;
	long ret;
	int fd;

	if (a->flags & ~(uint32_t)GUNYAH_IRQFD_FLAGS_LEVEL)
		return -EINVAL;
	fd = sim_eventfd_dup((int)a->fd);
	if (fd < 0)
		return fd;
	f = calloc(1, sizeof(*f));
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	f->fd = fd;
	f->label = a->label;
	f->level = a->flags & GUNYAH_IRQFD_FLAGS_LEVEL;

	pthread_mutex_lock(&vm->fn_lock);
	/* One resource ticket per label. */
	for (struct sim_irqfd *o = vm->irqfds; o; o = o->next) {
		if (o->label == a->label) {
			ret = -EEXIST;
			goto err;
		}
	}
	ret = thread_start_locked(vm);
	if (ret)
		goto err;
	f->id = ++vm->irqfd_ids;
	ev.data.u64 = f->id;
	if (epoll_ctl(vm->irqfd_epoll, EPOLL_CTL_ADD, f->fd, &ev)) {
		ret = -errno;
		goto err;
	}
	f->next = vm->irqfds;
	vm->irqfds = f;
	pthread_mutex_unlock(&vm->fn_lock);
	return 0;
err:
	pthread_mutex_unlock(&vm->fn_lock);
	close(f->fd);
	free(f);
	return ret;
}

static void irqfd_free(struct sim_vm *vm, struct sim_irqfd *f)
{
	epoll_ctl(vm->irqfd_epoll, EPOLL_CTL_DEL, f->fd, NULL);
	close(f->fd);
	free(f);
}

long sim_irqfd_remove(struct sim_vm *vm, const struct gunyah_fn_irqfd_arg *a)
{
	struct sim_irqfd **pp, *f = NULL;

	pthread_mutex_lock(&vm->fn_lock);
	for (pp = &vm->irqfds; *pp; pp = &(*pp)->next) {
		if ((*pp)->label == a->label) {
			f = *pp;
			*pp = f->next;
			irqfd_free(vm, f);
			break;
		}
	}
	pthread_mutex_unlock(&vm->fn_lock);
	return f ? 0 : -ENOENT;
}

void sim_irqfd_release(struct sim_vm *vm)
{
	uint64_t one = 1;

	pthread_mutex_lock(&vm->fn_lock);
	while (vm->irqfds) {
		struct sim_irqfd *f = vm->irqfds;

		vm->irqfds = f->next;
		irqfd_free(vm, f);
	}
	vm->irqfd_stop = true;
	pthread_mutex_unlock(&vm->fn_lock);
	if (!vm->irqfd_thread_started)
		return;
	if (write(vm->irqfd_stop_efd, &one, sizeof(one)) != sizeof(one))
		sim_vm_log(vm, "irqfd: cannot stop the irqfd thread");
	pthread_join(vm->irqfd_thread, NULL);
	close(vm->irqfd_stop_efd);
	close(vm->irqfd_epoll);
	vm->irqfd_thread_started = false;
}
