// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the run page as userspace may leave it between two RUNs.
 *
 * One VM on the sim runs tests/guests/runpage_loop.S, which loops through
 * nine exits (MMIO writes and reads of several widths, and a page fault in
 * a region that is never backed).  Each input is a list of steps; a step
 * writes junk into chosen fields of the run page (exit_reason, phys_addr,
 * len, is_write, data, attempt, any byte of the exit), picks a resume
 * action (valid or not), maybe sets immediate_exit, and calls RUN.  A model
 * of the guest says what must come back:
 *   - an invalid resume_action: -EINVAL, and the vCPU stays at its exit;
 *   - immediate_exit: -EINTR, and the answer is still pending;
 *   - else the next exit of the loop as the answer makes it: HANDLED moves
 *     on with the read's data (only len bytes of it, extended as the load
 *     says), FAULT moves on with the register unchanged (the guest's abort
 *     handler skips the access), RETRY makes the same exit again, a page
 *     fault answered anything but FAULT faults again.
 * Output fields are never read back by the driver, so junk in them must
 * change nothing.  Every exit is checked in full (address, length,
 * direction, data, the defaults the driver fills in).
 *
 * The VM lives across inputs (making one costs a millisecond); each input
 * starts from the same place: the loop's first exit, with the registers
 * the loop reads back zeroed.  Only the loop count differs, and the model
 * tracks it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gunyah.h"

#ifndef GUEST_DIR
#define GUEST_DIR "build-fuzz"
#endif

#define RAM_SIZE (1ull << 20)
#define MMIO_BASE 0x09000000ull
#define PF_BASE 0xc0000000ull
#define NR_POS 9
#define MAX_STEPS 64

#define OFF_DATA 24	     /* mmio.data */
#define OFF_MMIO_RESUME 37   /* mmio.resume_action */
#define OFF_PF_RESUME 28     /* page_fault.resume_action */

#define FAIL(...)                                                          \
	do {                                                               \
		fprintf(stderr, "fuzz_run_page: step %u at P%u: ", h->step, \
			h->m.pos);                                           \
		fprintf(stderr, __VA_ARGS__);                              \
		fputc('\n', stderr);                                       \
		abort();                                                   \
	} while (0)

/* The loop's exits, P0..P8 (runpage_loop.S). */
static const struct {
	bool pf;
	bool write;
	uint32_t off, len;
} loop_exits[NR_POS] = {
	{ false, true, 0x00, 8 },  { false, false, 0x08, 8 },
	{ false, true, 0x10, 8 },  { false, false, 0x18, 1 },
	{ false, true, 0x20, 8 },  { false, false, 0x28, 2 },
	{ false, true, 0x30, 8 },  { true, false, 0, 0 },
	{ false, true, 0x38, 8 },
};

/* Where the guest is and what its registers hold. */
struct model {
	bool pending;		/* an exit at pos awaits its answer */
	unsigned int pos;
	uint64_t count;		/* x20 */
	uint64_t x2, x3, x4;	/* x5: never loaded (the fault is never backed) */
};

struct harness {
	struct gh_backend *be;
	struct gh_vm *vm;
	struct gh_vcpu *vcpu;
	unsigned int step;
	struct model m;
};

static struct harness *h;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void vm_close(void)
{
	if (h->vcpu)
		gh_vcpu_destroy(h->vcpu);
	if (h->vm)
		gh_vm_destroy(h->vm);
	if (h->be)
		gh_backend_close(h->be);
	h->vcpu = NULL;
	h->vm = NULL;
	h->be = NULL;
}

static void vm_open(void)
{
	const char *path = GUEST_DIR "/tests/guests/runpage_loop.bin";
	struct stat st;
	void *ram;
	int fd, ret;

	ret = gh_backend_open("sim", NULL, &h->be);
	if (!ret)
		ret = gh_vm_create(h->be, &h->vm);
	if (!ret)
		ret = gh_vm_add_memory(h->vm, GH_SIM_RAM_BASE, RAM_SIZE, &ram);
	if (!ret)
		ret = gh_vm_add_pf_region(h->vm, PF_BASE, 0x1000);
	if (!ret)
		ret = gh_vcpu_add(h->vm, 0, &h->vcpu);
	if (ret) {
		fprintf(stderr, "fuzz_run_page: VM: %s\n", strerror(-ret));
		exit(1);
	}
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || (uint64_t)st.st_size > RAM_SIZE ||
	    read(fd, ram, (size_t)st.st_size) != st.st_size) {
		fprintf(stderr, "fuzz_run_page: %s: cannot load\n", path);
		exit(1);
	}
	close(fd);
	ret = gh_vm_start(h->vm);
	if (ret) {
		fprintf(stderr, "fuzz_run_page: start: %s\n", strerror(-ret));
		exit(1);
	}
	memset(&h->m, 0, sizeof(h->m));
}

static void close_at_exit(void)
{
	vm_close();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static struct harness harness;

	(void)argc;
	(void)argv;
	h = &harness;
	vm_open();
	atexit(close_at_exit);
	return 0;
}

static uint8_t *page(void)
{
	return (uint8_t *)h->vcpu->run;
}

static uint64_t page_data(void)
{
	uint64_t v;

	memcpy(&v, page() + OFF_DATA, sizeof(v));
	return v;
}

/* What the guest writes at a write exit. */
static uint64_t write_value(unsigned int pos)
{
	switch (pos) {
	case 0: return h->m.count;
	case 2: return h->m.x2;
	case 4: return h->m.x3;
	case 6: return h->m.x4;
	default: return 0; /* x5 */
	}
}

/* The exit RUN just returned must be the model's next one. */
static void check_exit(void)
{
	const struct gunyah_vcpu_run *run = h->vcpu->run;
	unsigned int p = h->m.pos;

	if (loop_exits[p].pf) {
		if (run->exit_reason != GUNYAH_VCPU_EXIT_PAGE_FAULT ||
		    run->page_fault.phys_addr != PF_BASE ||
		    run->page_fault.attempt != 0 ||
		    run->page_fault.resume_action != GUNYAH_VCPU_RESUME_FAULT)
			FAIL("want the page fault at %#llx, got %s at %#llx attempt %d resume %u",
			     PF_BASE, gh_exit_reason_str(run->exit_reason),
			     (unsigned long long)run->page_fault.phys_addr,
			     run->page_fault.attempt, run->page_fault.resume_action);
		return;
	}
	if (run->exit_reason != GUNYAH_VCPU_EXIT_MMIO ||
	    run->mmio.phys_addr != MMIO_BASE + loop_exits[p].off ||
	    run->mmio.len != loop_exits[p].len ||
	    run->mmio.is_write != loop_exits[p].write ||
	    run->mmio.resume_action != GUNYAH_VCPU_RESUME_HANDLED)
		FAIL("want an MMIO %s of %u at %#llx, got %s: %s of %u at %#llx resume %u",
		     loop_exits[p].write ? "write" : "read", loop_exits[p].len,
		     MMIO_BASE + loop_exits[p].off,
		     gh_exit_reason_str(run->exit_reason),
		     run->mmio.is_write ? "write" : "read", run->mmio.len,
		     (unsigned long long)run->mmio.phys_addr, run->mmio.resume_action);
	if (page_data() != (loop_exits[p].write ? write_value(p) : 0))
		FAIL("data %#llx, want %#llx", (unsigned long long)page_data(),
		     (unsigned long long)(loop_exits[p].write ? write_value(p) : 0));
}

/* The guest got a HANDLED answer for the read at pos. */
static void load(unsigned int pos, uint64_t data)
{
	switch (pos) {
	case 1: /* ldr x2 */
		h->m.x2 = data;
		break;
	case 3: /* ldrb w3 */
		h->m.x3 = data & 0xff;
		break;
	case 5: /* ldrsh x4 */
		h->m.x4 = (uint64_t)(int64_t)(int16_t)(data & 0xffff);
		break;
	}
}

/* Model the answer now in the page; false if RUN must refuse it. */
static bool answer(void)
{
	bool pf = loop_exits[h->m.pos].pf;
	uint8_t action = page()[pf ? OFF_PF_RESUME : OFF_MMIO_RESUME];

	if (action > GUNYAH_VCPU_RESUME_RETRY)
		return false;
	if (pf ? action == GUNYAH_VCPU_RESUME_FAULT :
		 action != GUNYAH_VCPU_RESUME_RETRY) {
		if (!pf && action == GUNYAH_VCPU_RESUME_HANDLED &&
		    !loop_exits[h->m.pos].write)
			load(h->m.pos, page_data());
		if (++h->m.pos == NR_POS) {
			h->m.pos = 0;
			h->m.count++;
		}
	}
	return true;
}

/* One RUN, checked against the model. */
static void run_checked(bool immediate)
{
	struct model before = h->m;
	bool valid = !h->m.pending || answer();
	int ret;

	if (immediate)
		gh_vcpu_set_immediate_exit(h->vcpu, true);
	ret = __gh_vcpu_run(h->vcpu);
	if (immediate)
		gh_vcpu_set_immediate_exit(h->vcpu, false);

	if (!valid) {
		if (ret != -EINVAL)
			FAIL("invalid resume action: RUN returned %d, want -EINVAL", ret);
		return;
	}
	if (immediate) {
		if (ret != -EINTR)
			FAIL("immediate_exit: RUN returned %d, want -EINTR", ret);
		/* Nothing was delivered: the answer is still pending. */
		h->m = before;
		return;
	}
	if (ret)
		FAIL("RUN returned %d (%s)", ret, strerror(-ret));
	h->m.pending = true;
	check_exit();
}

/* Answer exits plainly until the guest is back at P0 with x2..x4 zeroed. */
static void normalise(void)
{
	struct gunyah_vcpu_run *run = h->vcpu->run;

	for (unsigned int n = 0; n < 3 * NR_POS; n++) {
		if (h->m.pending && h->m.pos == 0 && !h->m.x2 && !h->m.x3 &&
		    !h->m.x4)
			return;
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
		if (h->m.pending && loop_exits[h->m.pos].pf)
			run->page_fault.resume_action = GUNYAH_VCPU_RESUME_FAULT;
		else
			run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
		run_checked(false);
	}
	FAIL("cannot get back to the loop's start");
}

/* Input bytes, consumed front to back; zeroes once they run out. */
struct input {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct input *in, size_t n)
{
	uint64_t v = 0;

	n = n < in->left ? n : in->left;
	memcpy(&v, in->p, n);
	in->p += n;
	in->left -= n;
	return v;
}

enum {
	SCRIBBLE_REASON = 1 << 0,
	SCRIBBLE_ADDR = 1 << 1,
	SCRIBBLE_LEN = 1 << 2,
	SCRIBBLE_WRITE = 1 << 3,
	SET_DATA = 1 << 4,
	SCRIBBLE_ATTEMPT = 1 << 5,
	IMMEDIATE_EXIT = 1 << 6,
	SCRIBBLE_BYTE = 1 << 7,
};

static void step(struct input *in)
{
	struct gunyah_vcpu_run *run = h->vcpu->run;
	unsigned int what = (unsigned int)take(in, 1);
	uint8_t action = (uint8_t)take(in, 1);
	uint64_t v;

	if (what & SCRIBBLE_REASON)
		run->exit_reason = (uint32_t)take(in, 4);
	if (what & SCRIBBLE_ADDR)
		run->mmio.phys_addr = take(in, 8);
	if (what & SCRIBBLE_LEN)
		run->mmio.len = (uint32_t)take(in, 4);
	if (what & SCRIBBLE_WRITE)
		run->mmio.is_write = (uint8_t)take(in, 1);
	if (what & SET_DATA) {
		v = take(in, 8);
		memcpy(run->mmio.data, &v, sizeof(v));
	}
	if (what & SCRIBBLE_ATTEMPT)
		run->page_fault.attempt = (int32_t)take(in, 4);
	/* Mostly valid answers, sometimes not (0xf0..0xff as they come). */
	if (action < 0xf0)
		action %= 3;
	page()[h->m.pending && loop_exits[h->m.pos].pf ? OFF_PF_RESUME :
						     OFF_MMIO_RESUME] = action;
	if (what & SCRIBBLE_BYTE) {
		/* any byte of the exit, after immediate_exit and its padding */
		unsigned int off = 8 + (unsigned int)take(in, 1) % 32;

		page()[off] = (uint8_t)take(in, 1);
	}
	run_checked(what & IMMEDIATE_EXIT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };

	h->step = 0;
	normalise();
	while (in.left && h->step < MAX_STEPS) {
		h->step++;
		step(&in);
	}
	return 0;
}
