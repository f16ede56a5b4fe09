// SPDX-License-Identifier: GPL-2.0-only
/*
 * The diag battery: one table of checks, in the order they run, and the
 * checks of the vCPU function, the run page and MMIO exits.
 *
 * Every check drives libgunyah's seam as a VMM drives the driver (VM,
 * guest memory, vCPU functions, GUNYAH_VCPU_RUN), and the error cases go
 * as raw gh_ioctl() calls so nothing in between can tidy them up.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "diag/diag.h"

const struct diag_check diag_checks[] = {
	{ "mmap_size", "GUNYAH_VCPU_MMAP_SIZE is the page size; the run page "
	  "maps shared and zeroed", .run = diag_check_mmap_size },
	{ "fn_einval", "ADD_FUNCTION of a vCPU with a wrong arg_size is EINVAL "
	  "and claims nothing", .run = diag_check_fn_einval },
	{ "fn_eexist", "a second vCPU function with the same id is EEXIST; "
	  "after REMOVE_FUNCTION the id is free", .run = diag_check_fn_eexist },
	{ "run_before_start", "RUN before VM_START is ENODEV and leaves the "
	  "vCPU usable", .run = diag_check_run_before_start },
	{ "run_layout", "MMIO and STATUS exit fields sit at the UAPI byte "
	  "offsets of the run page", .vm = { DIAG_GUEST_mmio, DIAG_MMIO_LAYOUT },
	  .run_vm = diag_check_run_layout },
	{ "mmio_write", "MMIO writes of 1, 2, 4 and 8 bytes exit with address, "
	  "length and data", .vm = { DIAG_GUEST_mmio, DIAG_MMIO_WRITES },
	  .run_vm = diag_check_mmio_write },
	{ "mmio_read", "MMIO reads of 1, 2, 4 and 8 bytes deliver len bytes of "
	  "mmio.data to the guest", .vm = { DIAG_GUEST_mmio, DIAG_MMIO_READS },
	  .run_vm = diag_check_mmio_read },
	{ "resume_handled", "HANDLED completes a read with the data and steps "
	  "over a write", .vm = { DIAG_GUEST_mmio, DIAG_MMIO_RESUME },
	  .run_vm = diag_check_resume_handled },
	{ "resume_fault", "FAULT injects a synchronous data abort at the access",
	  .vm = { DIAG_GUEST_mmio, DIAG_MMIO_RESUME },
	  .run_vm = diag_check_resume_fault, .needs = GH_ABI_RESUME_ACTION },
	{ "resume_retry", "RETRY re-executes the access: the same exit again",
	  .vm = { DIAG_GUEST_mmio, DIAG_MMIO_RESUME },
	  .run_vm = diag_check_resume_retry, .needs = GH_ABI_RESUME_ACTION },
	{ "resume_einval", "an unknown resume_action is EINVAL and the vCPU "
	  "stays at its exit", .vm = { DIAG_GUEST_mmio, DIAG_MMIO_RESUME },
	  .run_vm = diag_check_resume_einval, .needs = GH_ABI_RESUME_ACTION },
	{ "page_fault", "an access with no memory is a PAGE_FAULT exit; FAULT "
	  "aborts, mapping memory and RETRY succeeds",
	  .run = diag_check_page_fault, .needs = GH_ABI_PAGE_FAULT },
	{ "irqfd_args", "an irqfd with a bad fd is EBADF, a non-eventfd or "
	  "unknown flags EINVAL, a label twice EEXIST; removed, its label is "
	  "free and a second REMOVE is ENOENT", .run = diag_check_irqfd_args },
	{ "irqfd_irq", "an irqfd's signal raises its SPI: the guest, idle in "
	  "WFI, takes it and acknowledges its INTID",
	  .run = diag_check_irqfd_irq },
	{ "ioeventfd_args", "an ioeventfd with a bad fd is EBADF, a bad length "
	  "or flags EINVAL, overlapping bytes EEXIST; removed, a second REMOVE "
	  "is ENOENT", .run = diag_check_ioeventfd_args },
	{ "ioeventfd_bell", "a guest write an ioeventfd matches signals its "
	  "eventfd with no exit; one it does not match is an MMIO exit",
	  .run = diag_check_ioeventfd_bell },
	{ "wfi_wake", "WFI idles the vCPU inside RUN until its wake-up "
	  "interrupt", .run = diag_check_wfi_wake },
	{ "psci_cpu_on", "PSCI CPU_ON starts each secondary at its entry with "
	  "its context id; again is ALREADY_ON", .run = diag_check_psci_cpu_on },
	{ "system_off", "PSCI SYSTEM_OFF: a STATUS exit (exited, poweroff) on "
	  "every vCPU", .run = diag_check_system_off },
	{ "system_reset", "PSCI SYSTEM_RESET: a STATUS exit (exited, restart) "
	  "on every vCPU", .run = diag_check_system_reset },
	{ "system_reset2", "PSCI SYSTEM_RESET2: a STATUS exit (exited, "
	  "system_reset2) on every vCPU", .run = diag_check_system_reset2 },
	{ "sticky_status", "once the VM is down every later RUN returns the same "
	  "STATUS exit", .run = diag_check_sticky_status },
	{ "status_unstarted", "a vCPU that never ran gets the STATUS exit at its "
	  "first RUN", .run = diag_check_status_unstarted },
	{ "force_stop", "a forced stop ends every vCPU's RUN with a STATUS exit "
	  "(forced_stop)", .run = diag_check_force_stop },
	{ "immediate_exit", "immediate_exit set before or during RUN makes it "
	  "return EINTR", .run = diag_check_immediate_exit },
	{ "signal_eintr", "a signal for a handler without SA_RESTART ends RUN "
	  "with EINTR", .run = diag_check_signal_eintr },
	{ "mmio_latency", "round trip of an MMIO exit (RUN returns, RUN again): "
	  "reported, not judged", .vm = { DIAG_GUEST_mmio, DIAG_MMIO_LOOP },
	  .run_vm = diag_check_mmio_latency },
};

const size_t diag_nr_checks = ARRAY_SIZE(diag_checks);

void diag_check_start(struct diag_ctx *c, const struct diag_check *chk)
{
	if (chk->run)
		chk->run(c);
	else
		diag_on_vm(c, chk->vm.guest, chk->vm.mode, chk->run_vm);
}

const char *diag_missing_feature(const struct diag_check *chk,
				 const struct gh_abi_flavour *abi)
{
	unsigned int missing = chk->needs & ~abi->features;

	if (missing & GH_ABI_RESUME_ACTION)
		return "the ABI flavour has no resume_action: the driver "
		       "completes every MMIO access as handled";
	if (missing & GH_ABI_PAGE_FAULT)
		return "the ABI flavour has no PAGE_FAULT exit";
	return NULL;
}

/* ---- the vCPU function and the run page ---------------------------------- */

void diag_check_mmap_size(struct diag_ctx *c)
{
	long page = sysconf(_SC_PAGESIZE);
	const unsigned char *p;
	struct gh_vcpu *v;
	struct diag_vm d;
	void *second = NULL;
	long size;
	int ret;

	if (diag_vm_create(c, &d, DIAG_GUEST_NONE, 1))
		return;
	v = d.vcpu[0];
	size = gh_ioctl(d.be, v->fd, gh_request(d.be, GH_OP_VCPU_MMAP_SIZE),
			NULL);
	diag_int(c, "size", size);
	diag_int(c, "page_size", page);
	if (size < 0) {
		diag_fail(c, "GUNYAH_VCPU_MMAP_SIZE: %s", DIAG_ERRNO((int)size));
		goto out;
	}
	if (size != page) {
		diag_fail(c, "GUNYAH_VCPU_MMAP_SIZE is %ld, want the page size "
			  "%ld", size, page);
		goto out;
	}

	/* gh_vcpu_add mapped it; nothing may be there before the first run. */
	p = (const unsigned char *)v->run;
	for (size_t i = 0; i < v->run_size; i++) {
		if (p[i]) {
			diag_fail(c, "run page byte %zu is %#x before the first "
				  "run, want 0", i, p[i]);
			goto out;
		}
	}

	/* A second mapping is the same page, not a copy. */
	ret = gh_mmap(d.be, v->fd, (size_t)size, 0, &second);
	if (ret) {
		diag_fail(c, "a second mmap of the vCPU fd: %s", DIAG_ERRNO(ret));
		goto out;
	}
	v->run->padding[0] = 0x5a;
	if (((volatile unsigned char *)second)[1] != 0x5a)
		diag_fail(c, "a byte written through one mapping of the run page "
			  "does not show through a second one");
	v->run->padding[0] = 0;
	gh_munmap(d.be, second, (size_t)size);
out:
	diag_vm_destroy(&d);
}

void diag_check_fn_einval(struct diag_ctx *c)
{
	static const uint32_t sizes[] = { 0, 2, 8, GUNYAH_FN_MAX_ARG_SIZE + 1 };
	unsigned char arg[GUNYAH_FN_MAX_ARG_SIZE + 8] = { 0 };
	unsigned long req;
	struct gh_vcpu *v;
	struct diag_vm d;
	int ret;

	if (diag_vm_create(c, &d, DIAG_GUEST_NONE, 0))
		return;
	req = gh_request(d.be, GH_OP_VM_ADD_FUNCTION);
	diag_str(c, "arg_sizes", "0,2,8,%u", GUNYAH_FN_MAX_ARG_SIZE + 1);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct gunyah_fn_desc desc = {
			.type = GUNYAH_FN_VCPU,
			.arg_size = sizes[i],
			.arg = (uintptr_t)arg, /* id 0 */
		};
		long r = gh_ioctl(d.be, d.vm->vm_fd, req, &desc);

		if (r == -EINVAL)
			continue;
		if (r >= 0) {
			/* A vCPU fd we did not ask for: give it back. */
			if (r > 2)
				gh_close(d.be, (int)r);
			diag_fail(c, "GUNYAH_VM_ADD_FUNCTION with arg_size %u "
				  "returned %ld, want EINVAL", sizes[i], r);
		} else {
			diag_fail(c, "GUNYAH_VM_ADD_FUNCTION with arg_size %u: "
				  "%s, want EINVAL", sizes[i], DIAG_ERRNO((int)r));
		}
		goto out;
	}
	diag_str(c, "errno", "EINVAL");

	/* The bad attempts must not have taken vCPU 0. */
	ret = gh_vcpu_add(d.vm, 0, &v);
	if (ret) {
		diag_fail(c, "a well-formed vCPU 0 after the bad attempts: %s",
			  DIAG_ERRNO(ret));
		goto out;
	}
	gh_vcpu_destroy(v);
out:
	diag_vm_destroy(&d);
}

void diag_check_fn_eexist(struct diag_ctx *c)
{
	struct gh_vcpu *again = NULL;
	struct diag_vm d;
	int ret;

	if (diag_vm_create(c, &d, DIAG_GUEST_NONE, 1))
		return;
	ret = gh_vcpu_add(d.vm, 0, &again);
	if (!ret) {
		diag_fail(c, "a second GUNYAH_VM_ADD_FUNCTION of vCPU 0 succeeded, "
			  "want EEXIST");
		gh_vcpu_destroy(again);
		goto out;
	}
	if (ret != -EEXIST) {
		diag_fail(c, "a second GUNYAH_VM_ADD_FUNCTION of vCPU 0: %s, want "
			  "EEXIST", DIAG_ERRNO(ret));
		goto out;
	}
	diag_str(c, "errno", "%s", DIAG_ERRNO(ret));

	ret = gh_vcpu_remove_function(d.vcpu[0]);
	if (ret) {
		diag_fail(c, "GUNYAH_VM_REMOVE_FUNCTION of vCPU 0: %s",
			  DIAG_ERRNO(ret));
		goto out;
	}
	ret = gh_vcpu_add(d.vm, 0, &again);
	if (ret) {
		diag_fail(c, "vCPU 0 again after GUNYAH_VM_REMOVE_FUNCTION: %s",
			  DIAG_ERRNO(ret));
		goto out;
	}
	gh_vcpu_destroy(again);
out:
	diag_vm_destroy(&d);
}

/* ---- the run page's layout, read as bytes -------------------------------- */

struct field {
	const char *name;
	size_t off, len;
	uint64_t want;
	const char *means; /* what want is called, if anything */
};

static uint64_t page_get(const unsigned char *p, size_t off, size_t len)
{
	uint64_t v = 0;

	memcpy(&v, p + off, len); /* the ABI is native-endian */
	return v;
}

/*
 * Where else does want show up, in the same part of the page (the 16-byte
 * header, or the 24-byte union)?  A hint for the reason.
 */
static long find_elsewhere(const unsigned char *p, const struct field *f)
{
	size_t start = f->off < 16 ? 0 : 16, end = f->off < 16 ? 16 : 40;

	for (size_t off = start; off + f->len <= end; off += f->len)
		if (off != f->off && page_get(p, off, f->len) == f->want)
			return (long)off;
	return -1;
}

static int check_fields(struct diag_ctx *c, const unsigned char *p,
			const struct field *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct field *f = &fields[i];
		uint64_t got = page_get(p, f->off, f->len);
		char key[32], want[48];
		long other;

		snprintf(key, sizeof(key), "%s@%zu", f->name, f->off);
		diag_hex(c, key, got);
		if (got == f->want)
			continue;
		other = find_elsewhere(p, f);
		snprintf(want, sizeof(want), f->want < 10 ? "%" PRIu64 "%s%s%s" :
			 "%#" PRIx64 "%s%s%s", f->want, f->means ? " (" : "",
			 f->means ? f->means : "", f->means ? ")" : "");
		if (other >= 0)
			diag_fail(c, "%s at offset %zu is %#" PRIx64 ", want %s, "
				  "which is at offset %ld", f->name, f->off, got,
				  want, other);
		else
			diag_fail(c, "%s at offset %zu is %#" PRIx64 ", want %s",
				  f->name, f->off, got, want);
		return -1;
	}
	return 0;
}

void diag_check_run_layout(struct diag_ctx *c, struct diag_vm *d,
			   struct gh_vcpu *v)
{
	const struct field mmio[] = {
		{ "exit_reason", 8, 4, GUNYAH_VCPU_EXIT_MMIO, "mmio" },
		{ "mmio.phys_addr", 16, 8, DIAG_MMIO + 0x40, NULL },
		{ "mmio.data", 24, 8, DIAG_PATTERN, NULL },
		{ "mmio.len", 32, 4, 8, NULL },
		{ "mmio.is_write", 36, 1, 1, NULL },
	};
	const struct field status[] = {
		{ "exit_reason", 8, 4, GUNYAH_VCPU_EXIT_STATUS, "status" },
		{ "status.status", 16, 4, GUNYAH_VM_STATUS_EXITED, "exited" },
		{ "exit_info.type", 20, 2, GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF,
		  "poweroff" },
	};
	const unsigned char *p;
	uint32_t reason_size;

	p = (const unsigned char *)v->run;

	/* One 8-byte store of DIAG_PATTERN to DIAG_MMIO + 0x40. */
	if (diag_run(d, v) ||
	    check_fields(c, p, mmio, ARRAY_SIZE(mmio)))
		return;
	v->run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;

	/* Then SYSTEM_OFF. */
	if (diag_run(d, v) ||
	    check_fields(c, p, status, ARRAY_SIZE(status)))
		return;
	reason_size = (uint32_t)page_get(p, 24, 4);
	diag_uint(c, "exit_info.reason_size@24", reason_size);
	if (reason_size > GUNYAH_VM_MAX_EXIT_REASON_SIZE)
		diag_fail(c, "exit_info.reason_size at offset 24 is %u, more "
			  "than the %u bytes of reason", reason_size,
			  GUNYAH_VM_MAX_EXIT_REASON_SIZE);
}

/* ---- MMIO ------------------------------------------------------------------ */

/*
 * The guest's accesses of each width (guests/mmio.S): lens[i] bytes at
 * offs[i] from its base (DIAG_MMIO for the writes, + 0x10 for the reads).
 */
static const uint32_t lens[] = { 1, 2, 4, 8 };
static const uint64_t offs[] = { 0, 2, 4, 8 };
#define READS_BASE (DIAG_MMIO + 0x10)

/* The len low bytes of v: what an access of len bytes carries. */
static uint64_t low_bytes(uint64_t v, uint32_t len)
{
	return len == 8 ? v : v & ((1ull << (8 * len)) - 1);
}

void diag_check_mmio_write(struct diag_ctx *c, struct diag_vm *d,
			   struct gh_vcpu *v)
{
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		uint64_t want = low_bytes(DIAG_PATTERN, lens[i]);

		if (diag_expect_write(d, v, DIAG_MMIO + offs[i], lens[i], want))
			return;
		v->run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
	}
	diag_str(c, "widths", "1,2,4,8");
	diag_expect_poweroff(d, v);
}

/*
 * Each read is answered with all eight bytes set; the guest must see only
 * the len it asked for (zero-extended), which it reports back.
 */
#define READ_ANSWER 0xf0e1d2c3b4a59687ull

void diag_check_mmio_read(struct diag_ctx *c, struct diag_vm *d,
			  struct gh_vcpu *v)
{
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		uint64_t want = low_bytes(READ_ANSWER, lens[i]);

		if (diag_expect_mmio(d, v, false, READS_BASE + offs[i], lens[i]))
			return;
		if (diag_mmio_data(v->run)) {
			diag_fail(c, "mmio read of %u bytes: mmio.data is %#" PRIx64
				  " on the exit, want 0 (not a previous exit's "
				  "bytes)", lens[i], diag_mmio_data(v->run));
			return;
		}
		memcpy(v->run->mmio.data, &(uint64_t){ READ_ANSWER }, 8);
		v->run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
		if (diag_run(d, v))
			return;
		if (v->run->exit_reason != GUNYAH_VCPU_EXIT_MMIO ||
		    v->run->mmio.phys_addr != DIAG_REPORT) {
			diag_fail(c, "after the %u-byte read: want the guest's "
				  "report, got %s", lens[i], DIAG_EXIT_STR(v->run));
			return;
		}
		if (diag_mmio_data(v->run) != want) {
			diag_fail(c, "a %u-byte read answered %#llx reached the "
				  "guest as %#" PRIx64 ", want %#" PRIx64, lens[i],
				  READ_ANSWER, diag_mmio_data(v->run), want);
			return;
		}
	}
	diag_str(c, "widths", "1,2,4,8");
	diag_expect_poweroff(d, v);
}

/* ---- resume actions: guests/mmio.S, DIAG_MMIO_RESUME --------------------- */

#define RESUME_READ (DIAG_MMIO + 0x80)
#define RESUME_WRITE (DIAG_MMIO + 0x88)
#define RESUME_VALUE 0xc0ffee0ddf00dull
#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_EC_DABT_CUR 0x25
#define ESR_WNR (1ull << 6)


void diag_check_resume_handled(struct diag_ctx *c, struct diag_vm *d,
			       struct gh_vcpu *v)
{
	if (diag_answer_read(d, v, RESUME_READ, 8, RESUME_VALUE) ||
	    diag_expect_write(d, v, DIAG_REPORT, 8, RESUME_VALUE))
		return;
	v->run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
	if (diag_expect_write(d, v, RESUME_WRITE, 8, DIAG_PATTERN))
		return;
	/* Stepped over the store: next is the power-off, not the store again. */
	v->run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
	diag_expect_poweroff(d, v);
	diag_hex(c, "read", RESUME_VALUE);
}

/* The guest's handler reports ESR at REPORT + 8 and FAR at REPORT + 0x10. */
static int expect_abort(struct diag_vm *d, struct gh_vcpu *v, uint64_t addr,
			const char *what)
{
	uint64_t esr, far;

	if (diag_expect_mmio(d, v, true, DIAG_REPORT + 8, 8))
		return -1;
	esr = diag_mmio_data(v->run);
	if (diag_expect_mmio(d, v, true, DIAG_REPORT + 0x10, 8))
		return -1;
	far = diag_mmio_data(v->run);
	diag_hex(d->c, what[0] == 'r' ? "esr_read" : "esr_write", esr);
	diag_hex(d->c, what[0] == 'r' ? "far_read" : "far_write", far);
	if (ESR_EC(esr) != ESR_EC_DABT_CUR) {
		diag_fail(d->c, "after FAULT on the %s the guest took ESR %#" PRIx64
			  " (EC %#" PRIx64 "), want a data abort (EC 0x25)",
			  what, esr, ESR_EC(esr));
		return -1;
	}
	if (far != addr) {
		diag_fail(d->c, "after FAULT on the %s the guest's FAR is %#" PRIx64
			  ", want the access address %#" PRIx64, what, far, addr);
		return -1;
	}
	return 0;
}

void diag_check_resume_fault(struct diag_ctx *c, struct diag_vm *d,
			     struct gh_vcpu *v)
{
	(void)c; /* every verdict goes through d */
	if (diag_expect_mmio(d, v, false, RESUME_READ, 8))
		return;
	v->run->mmio.resume_action = GUNYAH_VCPU_RESUME_FAULT;
	if (expect_abort(d, v, RESUME_READ, "read"))
		return;
	/* The faulted load left its register alone. */
	if (diag_expect_write(d, v, DIAG_REPORT, 8, DIAG_UNTOUCHED))
		return;
	if (diag_expect_mmio(d, v, true, RESUME_WRITE, 8))
		return;
	v->run->mmio.resume_action = GUNYAH_VCPU_RESUME_FAULT;
	if (expect_abort(d, v, RESUME_WRITE, "write"))
		return;
	diag_expect_poweroff(d, v);
}

#define RETRIES 3

void diag_check_resume_retry(struct diag_ctx *c, struct diag_vm *d,
			     struct gh_vcpu *v)
{
	if (diag_expect_mmio(d, v, false, RESUME_READ, 8))
		return;
	for (int i = 0; i < RETRIES; i++) {
		v->run->mmio.resume_action = GUNYAH_VCPU_RESUME_RETRY;
		if (diag_expect_mmio(d, v, false, RESUME_READ, 8))
			return;
	}
	memcpy(v->run->mmio.data, &(uint64_t){ RESUME_VALUE }, 8);
	v->run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
	if (diag_expect_write(d, v, DIAG_REPORT, 8, RESUME_VALUE))
		return;

	if (diag_expect_write(d, v, RESUME_WRITE, 8, DIAG_PATTERN))
		return;
	v->run->mmio.resume_action = GUNYAH_VCPU_RESUME_RETRY;
	if (diag_expect_write(d, v, RESUME_WRITE, 8, DIAG_PATTERN))
		return;
	v->run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
	diag_expect_poweroff(d, v);
	diag_uint(c, "retries", RETRIES);
}

void diag_check_resume_einval(struct diag_ctx *c, struct diag_vm *d,
			      struct gh_vcpu *v)
{
	static const uint8_t bad[] = { 3, 0xff };

	if (diag_expect_mmio(d, v, false, RESUME_READ, 8))
		return;
	for (size_t i = 0; i < sizeof(bad); i++) {
		int ret;

		v->run->mmio.resume_action = bad[i];
		ret = __gh_vcpu_run(v);
		if (ret != -EINVAL) {
			diag_fail(c, "GUNYAH_VCPU_RUN with resume_action %u: %s, "
				  "want EINVAL", bad[i],
				  ret ? DIAG_ERRNO(ret) : DIAG_EXIT_STR(v->run));
			return;
		}
	}
	diag_str(c, "actions", "3,255");
	/* Still at the read: answering it now completes it. */
	memcpy(v->run->mmio.data, &(uint64_t){ RESUME_VALUE }, 8);
	v->run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
	diag_expect_write(d, v, DIAG_REPORT, 8, RESUME_VALUE);
}

/* ---- page faults (the sim declares where they happen) --------------------- */

#define PF_VALUE 0xfeedfacecafebeefull

void diag_check_page_fault(struct diag_ctx *c)
{
	long page = sysconf(_SC_PAGESIZE);
	struct gunyah_vcpu_run *run;
	struct gh_vcpu *v;
	struct diag_vm d;
	uint64_t *host;
	int ret;

	if (diag_vm_create(c, &d, DIAG_GUEST_mmio, 1))
		return;
	ret = gh_vm_add_pf_region(d.vm, DIAG_PF_BASE, DIAG_PF_SIZE);
	if (ret == -ENOTTY) {
		diag_skip(c, "the backend cannot make a page-fault region "
			  "(GH_SIM_VM_ADD_PF_REGION: ENOTTY)");
		goto out;
	}
	if (ret) {
		diag_fail(c, "setup: GH_SIM_VM_ADD_PF_REGION: %s", DIAG_ERRNO(ret));
		goto out;
	}
	if (diag_vm_set_x(&d, 19, DIAG_MMIO_PAGE_FAULT) || diag_vm_start(&d))
		goto out;
	v = d.vcpu[0];
	run = v->run;

	if (diag_run(&d, v))
		goto out;
	if (run->exit_reason != GUNYAH_VCPU_EXIT_PAGE_FAULT ||
	    run->page_fault.phys_addr != DIAG_PF_BASE) {
		diag_fail(c, "want page_fault %#x, got %s", DIAG_PF_BASE,
			  DIAG_EXIT_STR(run));
		goto out;
	}
	diag_hex(c, "phys_addr", run->page_fault.phys_addr);
	diag_int(c, "attempt", run->page_fault.attempt);
	diag_str(c, "default_action", "%s",
		 gh_resume_action_str(run->page_fault.resume_action));
	if (run->page_fault.resume_action != GUNYAH_VCPU_RESUME_FAULT) {
		diag_fail(c, "page_fault.resume_action is %u (%s) on the exit, "
			  "want the driver's default FAULT",
			  run->page_fault.resume_action,
			  gh_resume_action_str(run->page_fault.resume_action));
		goto out;
	}
	if (expect_abort(&d, v, DIAG_PF_BASE, "read") ||
	    diag_expect_write(&d, v, DIAG_REPORT, 8, DIAG_UNTOUCHED))
		goto out;

	/* The second page: back it with memory, then RETRY. */
	if (diag_run(&d, v))
		goto out;
	if (run->exit_reason != GUNYAH_VCPU_EXIT_PAGE_FAULT ||
	    run->page_fault.phys_addr != DIAG_PF_SECOND) {
		diag_fail(c, "want page_fault %#x, got %s", DIAG_PF_SECOND,
			  DIAG_EXIT_STR(run));
		goto out;
	}
	ret = gh_vm_add_memory(d.vm, DIAG_PF_SECOND, (uint64_t)page,
			       (void **)&host);
	if (ret) {
		diag_fail(c, "mapping memory at %#x after the fault: %s",
			  DIAG_PF_SECOND, DIAG_ERRNO(ret));
		goto out;
	}
	host[0] = PF_VALUE;
	run->page_fault.resume_action = GUNYAH_VCPU_RESUME_RETRY;
	if (diag_expect_write(&d, v, DIAG_REPORT, 8, PF_VALUE))
		goto out;
	diag_expect_poweroff(&d, v);
out:
	diag_vm_destroy(&d);
}
