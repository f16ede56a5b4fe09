// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ioeventfd function (GUNYAH_FN_IOEVENTFD): a guest write to a given
 * address (and length, and value with DATAMATCH) signals an eventfd
 * instead of reaching the VMM as an MMIO exit, as the kernel's
 * gunyah_ioeventfd.c and its io handlers do: the vCPU driver completes
 * the write and runs on.  Argument checks and their errnos are the
 * kernel's; two ioeventfds may not cover the same bytes unless both match
 * data on the same address and length (one doorbell, several values).
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "sim.h"

struct sim_ioeventfd {
	struct sim_ioeventfd *next;
	uint64_t addr, datamatch;
	uint32_t len;
	bool match;
	int fd;
};

static uint64_t span(uint32_t len)
{
	return len ? len : 1;
}

static bool conflicts(const struct sim_ioeventfd *o,
		      const struct gunyah_fn_ioeventfd_arg *a)
{
	bool match = a->flags & GUNYAH_IOEVENTFD_FLAGS_DATAMATCH;

	if (a->addr + span(a->len) <= o->addr || o->addr + span(o->len) <= a->addr)
		return false;
	/* Same doorbell, different values: both may be. */
	if (match && o->match && o->addr == a->addr && o->len == a->len)
		return o->datamatch == a->datamatch;
	return true;
}

long sim_ioeventfd_add(struct sim_vm *vm, const struct gunyah_fn_ioeventfd_arg *a)
{
	struct sim_ioeventfd *e;
	long ret = 0;
	int fd;

	if (a->flags & ~(uint32_t)GUNYAH_IOEVENTFD_FLAGS_DATAMATCH)
		return -EINVAL;
	switch (a->len) {
	case 0: case 1: case 2: case 4: case 8:
		break;
	default:
		return -EINVAL;
	}
	if (a->addr + a->len < a->addr)
		return -EINVAL;
	/* Without a length there is no data to match. */
	if (!a->len && (a->flags & GUNYAH_IOEVENTFD_FLAGS_DATAMATCH))
		return -EINVAL;
	fd = sim_eventfd_dup(a->fd);
	if (fd < 0)
		return fd;
	e = calloc(1, sizeof(*e));
	if (!e) {
		close(fd);
		return -ENOMEM;
	}
	e->addr = a->addr;
	e->len = a->len;
	e->match = a->flags & GUNYAH_IOEVENTFD_FLAGS_DATAMATCH;
	e->datamatch = e->match ? a->datamatch : 0;
	e->fd = fd;

	pthread_mutex_lock(&vm->fn_lock);
	for (struct sim_ioeventfd *o = vm->ioeventfds; o; o = o->next)
		if (conflicts(o, a))
			ret = -EEXIST;
	if (!ret) {
		e->next = vm->ioeventfds;
		vm->ioeventfds = e;
		atomic_fetch_add(&vm->nr_ioeventfds, 1);
	}
	pthread_mutex_unlock(&vm->fn_lock);
	if (ret) {
		close(e->fd);
		free(e);
	}
	return ret;
}

long sim_ioeventfd_remove(struct sim_vm *vm,
			  const struct gunyah_fn_ioeventfd_arg *a)
{
	bool match = a->flags & GUNYAH_IOEVENTFD_FLAGS_DATAMATCH;
	struct sim_ioeventfd **pp, *e = NULL;

	pthread_mutex_lock(&vm->fn_lock);
	for (pp = &vm->ioeventfds; *pp; pp = &(*pp)->next) {
		struct sim_ioeventfd *o = *pp;

		if (o->addr != a->addr || o->len != a->len || o->match != match ||
		    (match && o->datamatch != a->datamatch))
			continue;
		e = o;
		*pp = o->next;
		atomic_fetch_sub(&vm->nr_ioeventfds, 1);
		break;
	}
	pthread_mutex_unlock(&vm->fn_lock);
	if (!e)
		return -ENOENT;
	close(e->fd);
	free(e);
	return 0;
}

bool sim_ioeventfd_write(struct sim_vm *vm, uint64_t addr, uint32_t len,
			 uint64_t data)
{
	bool hit = false;

	if (!atomic_load_explicit(&vm->nr_ioeventfds, memory_order_relaxed))
		return false;
	pthread_mutex_lock(&vm->fn_lock);
	for (struct sim_ioeventfd *e = vm->ioeventfds; e; e = e->next) {
		uint64_t one = 1;

		if (e->addr != addr || (e->len && e->len != len) ||
		    (e->match && e->datamatch != data))
			continue;
		/* A full counter (2^64 - 2 signals unread) loses this one
		 * only: the reader has plenty to read. */
		if (write(e->fd, &one, sizeof(one)) != sizeof(one))
			sim_vm_log_ratelimited(vm, "ioeventfd at %#llx: counter full",
					       (unsigned long long)addr);
		hit = true;
		break;
	}
	pthread_mutex_unlock(&vm->fn_lock);
	return hit;
}

void sim_ioeventfd_release(struct sim_vm *vm)
{
	while (vm->ioeventfds) {
		struct sim_ioeventfd *e = vm->ioeventfds;

		vm->ioeventfds = e->next;
		close(e->fd);
		free(e);
	}
}
