// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the diag checks share: recording a verdict and measured values, a
 * VM with one of the built-in guest programs, expectations on the next
 * exit that fail the check with a reason naming what came instead, and
 * threads that sit in GUNYAH_VCPU_RUN while the check does something else.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "diag/diag.h"

/* ---- results ------------------------------------------------------------ */

static void verdict(struct diag_ctx *c, enum diag_status st, const char *fmt,
		    va_list ap)
{
	if (c->res->status != DIAG_RUNNING)
		return;
	c->res->status = st;
	vsnprintf(c->res->reason, sizeof(c->res->reason), fmt, ap);
}

void diag_fail(struct diag_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verdict(c, DIAG_FAIL, fmt, ap);
	va_end(ap);
}

void diag_skip(struct diag_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verdict(c, DIAG_SKIP, fmt, ap);
	va_end(ap);
}

void diag_step(struct diag_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->res->step, sizeof(c->res->step), fmt, ap);
	va_end(ap);
}

bool diag_decided(const struct diag_ctx *c)
{
	return c->res->status != DIAG_RUNNING;
}

/* The slot for key: a value measured twice keeps the last figure. */
static struct diag_value *value_slot(struct diag_ctx *c, const char *key,
				     enum diag_value_type type)
{
	struct diag_result *res = c->res;
	struct diag_value *v = NULL;

	for (unsigned int i = 0; i < res->nr_values; i++)
		if (!strcmp(res->values[i].key, key))
			v = &res->values[i];
	if (!v) {
		if (res->nr_values >= DIAG_MAX_VALUES)
			return NULL;
		v = &res->values[res->nr_values++];
	}
	memset(v, 0, sizeof(*v));
	snprintf(v->key, sizeof(v->key), "%s", key);
	v->type = type;
	return v;
}

/* A number into key's slot: val's type and figure, under key. */
static void value_put(struct diag_ctx *c, const char *key,
		      struct diag_value val)
{
	struct diag_value *v = value_slot(c, key, val.type);

	if (v) {
		memcpy(val.key, v->key, sizeof(val.key));
		*v = val;
	}
}

void diag_uint(struct diag_ctx *c, const char *key, uint64_t u)
{
	value_put(c, key, (struct diag_value){ .type = DIAG_V_UINT, .u = u });
}

void diag_int(struct diag_ctx *c, const char *key, int64_t i)
{
	value_put(c, key, (struct diag_value){ .type = DIAG_V_INT, .i = i });
}

void diag_hex(struct diag_ctx *c, const char *key, uint64_t u)
{
	value_put(c, key, (struct diag_value){ .type = DIAG_V_HEX, .u = u });
}

void diag_us(struct diag_ctx *c, const char *key, double us)
{
	value_put(c, key, (struct diag_value){ .type = DIAG_V_US, .us = us });
}

void diag_str(struct diag_ctx *c, const char *key, const char *fmt, ...)
{
	struct diag_value *v = value_slot(c, key, DIAG_V_STR);
	va_list ap;

	if (!v)
		return;
	va_start(ap, fmt);
	vsnprintf(v->s, sizeof(v->s), fmt, ap);
	va_end(ap);
}

const char *diag_errno_name(int err, char buf[24])
{
	static const struct { int err; const char *name; } names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" },
		{ EIO, "EIO" }, { EBADF, "EBADF" }, { EAGAIN, "EAGAIN" },
		{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
		{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
		{ ENODEV, "ENODEV" }, { EINVAL, "EINVAL" }, { ENOSPC, "ENOSPC" },
		{ ENOTTY, "ENOTTY" }, { ERANGE, "ERANGE" }, { ENOSYS, "ENOSYS" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { EPROTO, "EPROTO" },
		{ ETIMEDOUT, "ETIMEDOUT" }, { EOVERFLOW, "EOVERFLOW" },
		{ ENXIO, "ENXIO" },
	};

	if (err < 0)
		err = -err;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(buf, 24, "errno %d", err);
	return buf;
}

const char *diag_exit_str(const struct gunyah_vcpu_run *run, char *buf,
			  size_t size)
{
	switch (run->exit_reason) {
	case GUNYAH_VCPU_EXIT_MMIO:
		if (run->mmio.is_write)
			snprintf(buf, size, "mmio write %#" PRIx64 " len %u data %#" PRIx64,
				 (uint64_t)run->mmio.phys_addr, run->mmio.len,
				 diag_mmio_data(run));
		else
			snprintf(buf, size, "mmio read %#" PRIx64 " len %u",
				 (uint64_t)run->mmio.phys_addr, run->mmio.len);
		break;
	case GUNYAH_VCPU_EXIT_STATUS:
		snprintf(buf, size, "status %s (type %s, reason %#" PRIx64 ")",
			 gh_vm_status_str(run->status.status),
			 gh_exit_type_str(run->status.exit_info.type),
			 gh_exit_info_reason(&run->status.exit_info));
		break;
	case GUNYAH_VCPU_EXIT_PAGE_FAULT:
		snprintf(buf, size, "page_fault %#" PRIx64 " attempt %d",
			 (uint64_t)run->page_fault.phys_addr,
			 run->page_fault.attempt);
		break;
	default:
		snprintf(buf, size, "exit_reason %u (%s)", run->exit_reason,
			 gh_exit_reason_str(run->exit_reason));
		break;
	}
	return buf;
}

void diag_sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- the VM --------------------------------------------------------------- */

#define DIAG_GUEST(name) \
	extern const unsigned char diag_guest_##name[], diag_guest_##name##_end[];
DIAG_GUESTS
#undef DIAG_GUEST

static const struct {
	const unsigned char *start, *end;
} guests[] = {
#define DIAG_GUEST(name) \
	[DIAG_GUEST_##name] = { diag_guest_##name, diag_guest_##name##_end },
	DIAG_GUESTS
#undef DIAG_GUEST
};

/*
 * The backend's diagnostics (the sim's "unknown state", …) go with the
 * result.  Any of the check's threads may log.
 */
static void capture_log(void *ctx, const char *msg)
{
	struct diag_ctx *c = ctx;

	pthread_mutex_lock(&c->log_lock);
	snprintf(c->res->log, sizeof(c->res->log), "%s", msg);
	pthread_mutex_unlock(&c->log_lock);
}

static int setup_failed(struct diag_vm *d, const char *what, int err)
{
	diag_fail(d->c, "setup: %s: %s (%s)", what, DIAG_ERRNO(err),
		  strerror(-err));
	diag_vm_destroy(d);
	return -1;
}

int diag_vm_create(struct diag_ctx *c, struct diag_vm *d,
		   enum diag_guest_id guest, unsigned int nr)
{
	char what[64];
	long len;
	int ret;

	memset(d, 0, sizeof(*d));
	d->c = c;
	if (nr > DIAG_MAX_VCPUS)
		nr = DIAG_MAX_VCPUS;

	diag_step(c, "creating a VM");
	ret = gh_backend_open(c->backend, c->device, &d->be);
	if (ret)
		return setup_failed(d, "opening the backend", ret);
	if (c->abi)
		gh_backend_set_abi(d->be, gh_abi_by_name(c->abi));
	gh_backend_set_log(d->be, capture_log, c);
	ret = gh_vm_create(d->be, &d->vm);
	if (ret == -ENOTTY)
		c->res->not_gunyah = true;
	if (ret)
		return setup_failed(d, "GUNYAH_CREATE_VM", ret);
	ret = gh_vm_add_memory(d->vm, DIAG_RAM_BASE, DIAG_RAM_SIZE, &d->ram);
	if (ret)
		return setup_failed(d, gh_request(d->be, GH_OP_VM_MAP_MEM) ?
				    "guest memory (GUNYAH_CREATE_GUEST_MEM, "
				    "mmap, GUNYAH_VM_MAP_MEM)" :
				    "guest memory (GH_VM_SET_USER_MEM_REGION)",
				    ret);
	if (guest < DIAG_GUEST_NONE)
		memcpy(d->ram, guests[guest].start,
		       (size_t)(guests[guest].end - guests[guest].start));

	/* What a VMM gives a real Gunyah: a DTB, an entry point, a stack. */
	len = diag_fdt_build((char *)d->ram + (DIAG_DTB - DIAG_RAM_BASE),
			     DIAG_DTB_SIZE, nr ? nr : 1, DIAG_RAM_BASE,
			     DIAG_LAYOUT_SIZE);
	if (len < 0)
		return setup_failed(d, "building the device tree", (int)len);
	ret = gh_vm_set_dtb(d->vm, DIAG_DTB, DIAG_DTB_SIZE);
	if (ret)
		return setup_failed(d, "GUNYAH_VM_SET_DTB_CONFIG", ret);
	ret = gh_vm_set_boot_reg(d->vm, REG_SET_PC, 0, DIAG_RAM_BASE);
	if (!ret)
		ret = gh_vm_set_boot_reg(d->vm, REG_SET_SP, 1, DIAG_STACK_TOP);
	if (ret)
		return setup_failed(d, "GUNYAH_VM_SET_BOOT_CONTEXT", ret);

	for (unsigned int i = 0; i < nr; i++) {
		ret = gh_vcpu_add(d->vm, i, &d->vcpu[i]);
		if (ret) {
			snprintf(what, sizeof(what),
				 "GUNYAH_VM_ADD_FUNCTION (vCPU %u)", i);
			return setup_failed(d, what, ret);
		}
		d->nr_vcpus = i + 1;
	}
	diag_step(c, "running the checks");
	return 0;
}

int diag_wait_word(struct diag_vm *d, uint64_t addr, unsigned int ms)
{
	uint64_t end = gctl_now_ns() + (uint64_t)ms * 1000000;

	while (!*diag_vm_word(d, addr)) {
		if (gctl_now_ns() >= end)
			return -ETIMEDOUT;
		diag_sleep_ms(1);
	}
	return 0;
}

int diag_vm_set_x(struct diag_vm *d, unsigned int idx, uint64_t value)
{
	int ret = gh_vm_set_boot_reg(d->vm, REG_SET_X, idx, value);

	if (ret)
		diag_fail(d->c, "setup: GUNYAH_VM_SET_BOOT_CONTEXT x%u: %s", idx,
			  DIAG_ERRNO(ret));
	return ret ? -1 : 0;
}

int diag_vm_start(struct diag_vm *d)
{
	int ret;

	diag_step(d->c, "starting the VM");
	ret = gh_vm_start(d->vm);
	if (ret) {
		diag_fail(d->c, "GUNYAH_VM_START: %s (%s)", DIAG_ERRNO(ret),
			  strerror(-ret));
		return -1;
	}
	return 0;
}

struct gh_vcpu *diag_vm_boot(struct diag_ctx *c, struct diag_vm *d,
			     enum diag_guest_id guest, unsigned int nr,
			     uint64_t mode)
{
	if (diag_vm_create(c, d, guest, nr))
		return NULL;
	if (diag_vm_set_x(d, 19, mode) || diag_vm_start(d)) {
		diag_vm_destroy(d);
		return NULL;
	}
	return d->vcpu[0];
}

void diag_on_vm(struct diag_ctx *c, enum diag_guest_id guest, uint64_t mode,
		diag_check_vm_fn *fn)
{
	struct gh_vcpu *v;
	struct diag_vm d;

	v = diag_vm_boot(c, &d, guest, 1, mode);
	if (!v)
		return;
	fn(c, &d, v);
	diag_vm_destroy(&d);
}

void diag_vm_destroy(struct diag_vm *d)
{
	/* A vCPU thread still in the driver holds on to all of this. */
	if (d->c->abandoned)
		return;
	for (unsigned int i = 0; i < d->nr_vcpus; i++)
		gh_vcpu_destroy(d->vcpu[i]);
	d->nr_vcpus = 0;
	if (d->vm)
		gh_vm_destroy(d->vm);
	d->vm = NULL;
	if (d->be)
		gh_backend_close(d->be);
	d->be = NULL;
}

volatile uint64_t *diag_vm_word(struct diag_vm *d, uint64_t guest_addr)
{
	return (volatile uint64_t *)((char *)d->ram + (guest_addr - DIAG_RAM_BASE));
}

/* ---- expectations ----------------------------------------------------------- */

int diag_run(struct diag_vm *d, struct gh_vcpu *v)
{
	int ret;

	diag_step(d->c, "GUNYAH_VCPU_RUN on vCPU %u", v->id);
	ret = __gh_vcpu_run(v);
	if (ret) {
		diag_fail(d->c, "vCPU %u: GUNYAH_VCPU_RUN: %s (%s)", v->id,
			  DIAG_ERRNO(ret), strerror(-ret));
		return -1;
	}
	return 0;
}

int diag_expect_mmio(struct diag_vm *d, struct gh_vcpu *v, bool write,
		     uint64_t addr, uint32_t len)
{
	const struct gunyah_vcpu_run *run = v->run;

	if (diag_run(d, v))
		return -1;
	if (run->exit_reason != GUNYAH_VCPU_EXIT_MMIO || run->mmio.is_write != write ||
	    run->mmio.phys_addr != addr || run->mmio.len != len) {
		diag_fail(d->c, "vCPU %u: want mmio %s %#" PRIx64 " len %u, got %s",
			  v->id, write ? "write" : "read", addr, len,
			  DIAG_EXIT_STR(run));
		return -1;
	}
	return 0;
}

int diag_expect_write(struct diag_vm *d, struct gh_vcpu *v, uint64_t addr,
		      uint32_t len, uint64_t data)
{
	uint64_t got;

	if (diag_expect_mmio(d, v, true, addr, len))
		return -1;
	got = diag_mmio_data(v->run);
	if (got != data) {
		diag_fail(d->c, "vCPU %u: mmio write %#" PRIx64 " len %u: data %#"
			  PRIx64 ", want %#" PRIx64, v->id, addr, len, got, data);
		return -1;
	}
	return 0;
}

int diag_answer_read(struct diag_vm *d, struct gh_vcpu *v, uint64_t addr,
		     uint32_t len, uint64_t value)
{
	if (diag_expect_mmio(d, v, false, addr, len))
		return -1;
	memcpy(v->run->mmio.data, &value, sizeof(value));
	v->run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
	return 0;
}

int diag_expect_status(struct diag_vm *d, struct gh_vcpu *v, uint32_t status,
		       uint32_t type)
{
	const struct gunyah_vcpu_run *run = v->run;

	if (diag_run(d, v))
		return -1;
	if (run->exit_reason != GUNYAH_VCPU_EXIT_STATUS ||
	    run->status.status != status || run->status.exit_info.type != type) {
		diag_fail(d->c, "vCPU %u: want status %s (type %s), got %s", v->id,
			  gh_vm_status_str(status), gh_exit_type_str(type),
			  DIAG_EXIT_STR(run));
		return -1;
	}
	return 0;
}

int diag_expect_poweroff(struct diag_vm *d, struct gh_vcpu *v)
{
	return diag_expect_status(d, v, GUNYAH_VM_STATUS_EXITED,
				  GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF);
}

/* ---- runner threads ------------------------------------------------------------ */

static void runner_log(struct diag_runner *r, const struct gunyah_vcpu_run *run)
{
	if (r->nr_reports < DIAG_MAX_REPORTS)
		r->reports[r->nr_reports++] = (struct diag_report){
			.addr = run->mmio.phys_addr,
			.data = diag_mmio_data(run),
		};
}

/* An endless stream of exits is a guest that lost its way. */
#define RUNNER_MAX_EXITS 10000

static void *runner_main(void *arg)
{
	struct diag_runner *r = arg;
	struct gunyah_vcpu_run *run = r->vcpu->run;
	unsigned int exits = 0;
	int ret;

	for (;;) {
		atomic_store(&r->entered, true);
		ret = __gh_vcpu_run(r->vcpu);
		if (ret || !r->loop)
			break;
		exits++;
		if (run->exit_reason != GUNYAH_VCPU_EXIT_MMIO ||
		    exits >= RUNNER_MAX_EXITS)
			break;
		if (run->mmio.is_write)
			runner_log(r, run);
		else
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
		run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
	}

	pthread_mutex_lock(&r->lock);
	r->ret = ret;
	r->nr_exits = exits + (!ret && !r->loop);
	memcpy(&r->last, run, sizeof(r->last));
	r->t_end_ns = gctl_now_ns();
	r->done = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

int diag_runner_start(struct diag_vm *d, struct diag_runner *r,
		      struct gh_vcpu *v, bool loop)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->vcpu = v;
	r->loop = loop;
	pthread_mutex_init(&r->lock, NULL);
	gctl_cond_init_monotonic(&r->cond);
	atomic_init(&r->entered, false);
	diag_step(d->c, "GUNYAH_VCPU_RUN on vCPU %u, on a thread", v->id);
	ret = pthread_create(&r->thread, NULL, runner_main, r);
	if (ret) {
		diag_fail(d->c, "setup: pthread_create: %s", strerror(ret));
		return -1;
	}
	r->started = true;
	return 0;
}

bool diag_runner_done(struct diag_runner *r)
{
	bool done;

	pthread_mutex_lock(&r->lock);
	done = r->done;
	pthread_mutex_unlock(&r->lock);
	return done;
}

int diag_runner_wait(struct diag_vm *d, struct diag_runner *r,
		     unsigned int ms)
{
	struct timespec ts = gctl_deadline_in((uint64_t)ms * 1000000);
	int err = 0;

	pthread_mutex_lock(&r->lock);
	while (!r->done && err != ETIMEDOUT)
		err = pthread_cond_timedwait(&r->cond, &r->lock, &ts);
	pthread_mutex_unlock(&r->lock);
	if (!r->done) {
		diag_fail(d->c, "vCPU %u: GUNYAH_VCPU_RUN did not return within "
			  "%u ms", r->vcpu->id, ms);
		d->c->abandoned = true;
		return -1;
	}
	return 0;
}

int diag_runner_stays(struct diag_vm *d, struct diag_runner *r,
		      unsigned int ms, const char *while_)
{
	while (!atomic_load(&r->entered))
		diag_sleep_ms(1);
	diag_sleep_ms(ms);
	if (!diag_runner_done(r))
		return 0;
	diag_fail(d->c, "GUNYAH_VCPU_RUN returned while %s: %s", while_,
		  r->ret ? DIAG_ERRNO(r->ret) : DIAG_EXIT_STR(&r->last));
	return -1;
}

void diag_runner_cleanup(struct diag_runner *r)
{
	if (!r->started)
		return;
	if (!diag_runner_done(r))
		return; /* abandoned with the process */
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	r->started = false;
}

const struct diag_report *diag_runner_report(const struct diag_runner *r,
					     uint64_t off, unsigned int i)
{
	for (unsigned int k = 0; k < r->nr_reports; k++)
		if (r->reports[k].addr == DIAG_REPORT + off && i-- == 0)
			return &r->reports[k];
	return NULL;
}
