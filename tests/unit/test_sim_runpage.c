// SPDX-License-Identifier: GPL-2.0-only
/*
 * Between two RUNs the run page is userspace's, and it may write anything
 * there.  Only the answer (resume_action, and the data of a read) may change
 * what the guest sees; the rest of the exit (exit_reason, phys_addr, len,
 * is_write, a write's data, attempt) is output, and scribbling over it must
 * change nothing.  An answer must also survive a RUN that ends with EINTR
 * before it reached the guest.  tests/fuzz/fuzz_run_page.c does the same
 * at random; these are the cases worth naming.
 *
 * The guest is runpage_loop.S: P0..P8 below are its exits.
 */
#include "guest_vm.h"

#define PF_BASE 0xc0000000ull

static struct gh_vcpu *runpage_vm(struct tvm *t)
{
	tvm_create(t, "runpage_loop", 1);
	ASSERT_OK(gh_vm_add_pf_region(t->vm, PF_BASE, 0x1000));
	tvm_start(t);
	return t->vcpu[0];
}

/* Overwrite every output field of an MMIO exit with junk. */
static void scribble_mmio(struct gunyah_vcpu_run *run, uint32_t len)
{
	run->exit_reason = 0xdeadbeef;
	run->mmio.phys_addr = 0x123456789abcdef0ull;
	run->mmio.len = len;
	run->mmio.is_write ^= 1;
}

/* Answer a read with val, after scribbling over the rest of the exit. */
static void answer_scribbled(struct gh_vcpu *v, uint64_t val, uint32_t len)
{
	memcpy(v->run->mmio.data, &val, sizeof(val));
	scribble_mmio(v->run, len);
	v->run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
}

TEST(output_fields_userspace_overwrites_change_nothing)
{
	struct gunyah_vcpu_run *run;
	struct gh_vcpu *v;
	struct tvm t;

	v = runpage_vm(&t);
	run = v->run;

	expect_mmio_write(v, MMIO_BASE, 8, 0);			/* P0 */
	memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
	scribble_mmio(run, 0xffffffff);

	expect_mmio(v, false, MMIO_BASE + 8, 8);		/* P1 */
	answer_scribbled(v, 0x1122334455667788, 1);		/* len: 8, not 1 */
	expect_mmio_write(v, MMIO_BASE + 0x10, 8, 0x1122334455667788);

	expect_mmio(v, false, MMIO_BASE + 0x18, 1);		/* P3: ldrb */
	answer_scribbled(v, 0xfffffffffffffff0, 8);		/* 1 byte only */
	expect_mmio_write(v, MMIO_BASE + 0x20, 8, 0xf0);

	expect_mmio(v, false, MMIO_BASE + 0x28, 2);		/* P5: ldrsh x */
	answer_scribbled(v, 0x7777777777778001, 0);
	expect_mmio_write(v, MMIO_BASE + 0x30, 8, 0xffffffffffff8001);

	ASSERT_OK(__gh_vcpu_run(v));				/* P7 */
	ASSERT_EXIT(v, GUNYAH_VCPU_EXIT_PAGE_FAULT);
	ASSERT_EQ(run->page_fault.phys_addr, PF_BASE);
	run->exit_reason = GUNYAH_VCPU_EXIT_MMIO;
	run->page_fault.phys_addr = 0;
	run->page_fault.attempt = -1;
	run->page_fault.resume_action = GUNYAH_VCPU_RESUME_FAULT;
	expect_mmio_write(v, MMIO_BASE + 0x38, 8, 0);		/* P8: x5 kept */
	expect_mmio_write(v, MMIO_BASE, 8, 1);			/* P0, loop 1 */
	tvm_destroy(&t);
}

/* Ask for an early return: the next RUN ends with EINTR at once. */
static void run_eintr(struct gh_vcpu *v)
{
	gh_vcpu_set_immediate_exit(v, true);
	ASSERT_EQ(__gh_vcpu_run(v), -EINTR);
	gh_vcpu_set_immediate_exit(v, false);
}

/*
 * The seed's run loop takes the answer out of the run page, then returns
 * EINTR for immediate_exit (or a signal) before the hypercall that would
 * deliver it, and forgets it: the next RUN resumes the access as HANDLED
 * with zeroes.  KVM keeps a pending completion for the next KVM_RUN; so
 * does the sim.
 */
TEST(answer_survives_an_eintr_before_it_reached_the_guest)
{
	struct gunyah_vcpu_run *run;
	struct gh_vcpu *v;
	struct tvm t;

	v = runpage_vm(&t);
	run = v->run;

	/* A read's data, changed between the EINTR and the next RUN. */
	expect_mmio_write(v, MMIO_BASE, 8, 0);
	answer_mmio_read(v, MMIO_BASE + 8, 8, 0xabc);
	run_eintr(v);
	ASSERT_EQ(mmio_data(run), 0xabc);
	memcpy(run->mmio.data, &(uint64_t){ 0xdef }, 8);
	expect_mmio_write(v, MMIO_BASE + 0x10, 8, 0xdef);

	/* FAULT: the guest takes the abort and keeps x3. */
	answer_mmio_read(v, MMIO_BASE + 0x18, 1, 0x5a);
	expect_mmio_write(v, MMIO_BASE + 0x20, 8, 0x5a);
	answer_mmio_read(v, MMIO_BASE + 0x28, 2, 0x1234);
	expect_mmio_write(v, MMIO_BASE + 0x30, 8, 0x1234);
	ASSERT_OK(__gh_vcpu_run(v));				/* P7 */
	ASSERT_EXIT(v, GUNYAH_VCPU_EXIT_PAGE_FAULT);
	run->page_fault.resume_action = GUNYAH_VCPU_RESUME_FAULT;
	run_eintr(v);
	expect_mmio_write(v, MMIO_BASE + 0x38, 8, 0);		/* P8, not P7 */
	expect_mmio_write(v, MMIO_BASE, 8, 1);
	answer_mmio_read(v, MMIO_BASE + 8, 8, 1);
	expect_mmio_write(v, MMIO_BASE + 0x10, 8, 1);
	expect_mmio(v, false, MMIO_BASE + 0x18, 1);
	run->mmio.resume_action = GUNYAH_VCPU_RESUME_FAULT;
	run_eintr(v);
	expect_mmio_write(v, MMIO_BASE + 0x20, 8, 0x5a);	/* x3 kept */

	/* RETRY: the same read exits again. */
	expect_mmio(v, false, MMIO_BASE + 0x28, 2);
	run->mmio.resume_action = GUNYAH_VCPU_RESUME_RETRY;
	run_eintr(v);
	answer_mmio_read(v, MMIO_BASE + 0x28, 2, 0xfffe);
	expect_mmio_write(v, MMIO_BASE + 0x30, 8, 0xfffffffffffffffe);

	/* An invalid answer is refused before anything else. */
	ASSERT_OK(__gh_vcpu_run(v));
	ASSERT_EXIT(v, GUNYAH_VCPU_EXIT_PAGE_FAULT);
	run->page_fault.resume_action = 3;
	gh_vcpu_set_immediate_exit(v, true);
	ASSERT_EQ(__gh_vcpu_run(v), -EINVAL);
	gh_vcpu_set_immediate_exit(v, false);
	run->page_fault.resume_action = GUNYAH_VCPU_RESUME_FAULT;
	expect_mmio_write(v, MMIO_BASE + 0x38, 8, 0);
	tvm_destroy(&t);
}

/* Many EINTRs in a row keep the same answer pending. */
TEST(answer_survives_repeated_eintr)
{
	struct gh_vcpu *v;
	struct tvm t;

	v = runpage_vm(&t);
	expect_mmio_write(v, MMIO_BASE, 8, 0);
	answer_mmio_read(v, MMIO_BASE + 8, 8, 0x600d);
	for (int i = 0; i < 5; i++)
		run_eintr(v);
	expect_mmio_write(v, MMIO_BASE + 0x10, 8, 0x600d);
	tvm_destroy(&t);
}
