/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gunyahctl diag: the battery of vCPU ABI checks.
 *
 *   cmd-diag.c      the command: options, one process per check, output
 *   checks.c        the table of checks, and the function/MMIO/resume ones
 *   power.c         PSCI, VM exits and status, WFI
 *   control.c       control of a running vCPU: immediate_exit, signals,
 *                   forced stop, run before start, latency
 *   fds.c           irqfds and ioeventfds
 *   fixture.c       what the checks share: results, a VM with a guest
 *                   loaded, expectations on one exit, runner threads
 *   fdt.c           the VM's device tree (the RM of a real Gunyah wants one)
 *   guests.S        the guest programs the checks run (guests/)
 *
 * Each check runs in a child process of its own with its own backend, so a
 * crash, a hang or a leaked VM stays inside that check.  A check writes its
 * verdict into a struct diag_result that the parent reads from shared
 * memory: plain bytes, no pointers.
 */
#ifndef DIAG_H
#define DIAG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/guests.h"
#include "diag/layout.h"
#include "gunyah.h"

#define DIAG_MAX_VCPUS 16
#define DIAG_MAX_VALUES 12
#define DIAG_TEXT 240

enum diag_status {
	DIAG_RUNNING = 0, /* not decided yet: becomes PASS at the end */
	DIAG_PASS,
	DIAG_FAIL,
	DIAG_SKIP,
};

enum diag_value_type {
	DIAG_V_UINT,
	DIAG_V_INT,
	DIAG_V_HEX,	/* an address or a register: "0x…" */
	DIAG_V_US,	/* microseconds, fractional */
	DIAG_V_STR,
};

/* One measured value, e.g. size=4096. */
struct diag_value {
	char key[32];
	enum diag_value_type type;
	union {
		uint64_t u;
		int64_t i;
		double us;
		char s[64];
	};
};

struct diag_result {
	enum diag_status status;
	char reason[DIAG_TEXT];	/* why it failed or was skipped */
	char step[96];		/* what it was doing: reported on a timeout */
	char log[DIAG_TEXT];	/* the backend's last log line, if any */
	unsigned int nr_values;
	struct diag_value values[DIAG_MAX_VALUES];
	/* The device refused GUNYAH_CREATE_VM as no Gunyah driver would
	 * (ENOTTY): no other check can say more, diag stops. */
	bool not_gunyah;
};

struct diag_ctx {
	const char *backend;
	const char *abi;	/* the ABI flavour's name */
	const char *device;	/* the dev backend's device node */
	unsigned int nr_vcpus;
	struct diag_result *res;
	/* A thread is stuck in the driver: leave without cleaning up. */
	bool abandoned;
	pthread_mutex_t log_lock; /* res->log */
};

enum diag_guest_id {
#define DIAG_GUEST(name) DIAG_GUEST_##name,
	DIAG_GUESTS
#undef DIAG_GUEST
	DIAG_GUEST_NONE,
};

struct diag_vm;

/*
 * A check makes the VMs it needs (run), or runs on the VM its entry
 * names (run_vm): one vCPU, guest vm.guest started with x19 = vm.mode,
 * destroyed after it (diag_check_start).
 */
typedef void diag_check_fn(struct diag_ctx *c);
typedef void diag_check_vm_fn(struct diag_ctx *c, struct diag_vm *d,
			      struct gh_vcpu *v);

struct diag_check {
	const char *name;
	const char *doc;
	unsigned int needs;	/* enum gh_abi_feature the check relies on */
	diag_check_fn *run;
	struct {
		enum diag_guest_id guest;
		uint64_t mode;
	} vm;
	diag_check_vm_fn *run_vm;
};

/* Run chk in c: as it runs, or on the VM it names. */
void diag_check_start(struct diag_ctx *c, const struct diag_check *chk);
/* Why a check that needs what abi lacks is skipped, or NULL. */
const char *diag_missing_feature(const struct diag_check *chk,
				 const struct gh_abi_flavour *abi);

extern const struct diag_check diag_checks[];
extern const size_t diag_nr_checks;

/* ---- results (diag_fixture.c) ------------------------------------------- */

/* The first failure's reason is the one reported. */
void diag_fail(struct diag_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void diag_skip(struct diag_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void diag_step(struct diag_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool diag_decided(const struct diag_ctx *c);

void diag_uint(struct diag_ctx *c, const char *key, uint64_t v);
void diag_int(struct diag_ctx *c, const char *key, int64_t v);
void diag_hex(struct diag_ctx *c, const char *key, uint64_t v);
void diag_us(struct diag_ctx *c, const char *key, double us);
void diag_str(struct diag_ctx *c, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "EINVAL" for -EINVAL or EINVAL; "errno 123" for what it does not know. */
const char *diag_errno_name(int err, char buf[24]);
#define DIAG_ERRNO(err) diag_errno_name((err), (char[24]){ 0 })

/* One line about an exit, for messages: "mmio write 0x90000040 len 8 …". */
const char *diag_exit_str(const struct gunyah_vcpu_run *run, char *buf,
			  size_t size);
#define DIAG_EXIT_STR(run) diag_exit_str((run), (char[160]){ 0 }, 160)

void diag_sleep_ms(unsigned int ms);

/* ---- a VM with a guest program -------------------------------------------- */

struct diag_vm {
	struct diag_ctx *c;
	struct gh_backend *be;
	struct gh_vm *vm;
	void *ram;
	unsigned int nr_vcpus;
	struct gh_vcpu *vcpu[DIAG_MAX_VCPUS];
};

/*
 * Open the backend, make a VM with DIAG_RAM_SIZE of RAM at DIAG_RAM_BASE,
 * the guest loaded there, a device tree, the boot PC and SP, and nr vCPU
 * functions.  0, or -1 with the check failed and d torn down.
 */
int diag_vm_create(struct diag_ctx *c, struct diag_vm *d,
		   enum diag_guest_id guest, unsigned int nr);
/* Boot context x[idx] = value (before start). */
int diag_vm_set_x(struct diag_vm *d, unsigned int idx, uint64_t value);
int diag_vm_start(struct diag_vm *d);
/*
 * diag_vm_create, x19 = mode (which of its tests the guest runs), start:
 * vCPU 0, or NULL with the check failed and d torn down.
 */
struct gh_vcpu *diag_vm_boot(struct diag_ctx *c, struct diag_vm *d,
		 enum diag_guest_id guest, unsigned int nr, uint64_t mode);
void diag_vm_destroy(struct diag_vm *d);
/* fn on a VM of one vCPU booted as diag_vm_boot does; then destroy it. */
void diag_on_vm(struct diag_ctx *c, enum diag_guest_id guest, uint64_t mode,
		diag_check_vm_fn *fn);
/* Host view of a RAM word at a guest address. */
volatile uint64_t *diag_vm_word(struct diag_vm *d, uint64_t guest_addr);
/* Poll a RAM word the guest sets, for up to ms: 0, or -ETIMEDOUT. */
int diag_wait_word(struct diag_vm *d, uint64_t addr, unsigned int ms);

/* ---- expectations on the next exit: 0, or -1 with the check failed ------- */

/* One GUNYAH_VCPU_RUN that must succeed. */
int diag_run(struct diag_vm *d, struct gh_vcpu *v);
/* RUN; the exit must be MMIO at addr, of len bytes, a write or a read. */
int diag_expect_mmio(struct diag_vm *d, struct gh_vcpu *v, bool write,
		     uint64_t addr, uint32_t len);
int diag_expect_write(struct diag_vm *d, struct gh_vcpu *v, uint64_t addr,
		      uint32_t len, uint64_t data);
/* A read exit, answered HANDLED with value. */
int diag_answer_read(struct diag_vm *d, struct gh_vcpu *v, uint64_t addr,
		     uint32_t len, uint64_t value);
/* RUN; the exit must be STATUS with this status and exit type. */
int diag_expect_status(struct diag_vm *d, struct gh_vcpu *v, uint32_t status,
		       uint32_t type);
/* RUN; the exit must be the guest's PSCI SYSTEM_OFF. */
int diag_expect_poweroff(struct diag_vm *d, struct gh_vcpu *v);

static inline uint64_t diag_mmio_data(const struct gunyah_vcpu_run *run)
{
	uint64_t v = 0;

	__builtin_memcpy(&v, run->mmio.data, sizeof(v));
	return v;
}

/* ---- runner threads: GUNYAH_VCPU_RUN on a thread of its own --------------- */

#define DIAG_MAX_REPORTS 32
#define DIAG_WAIT_MS 3000

struct diag_report {
	uint64_t addr;
	uint64_t data;
};

struct diag_runner {
	struct gh_vcpu *vcpu;
	bool loop;		/* run to a STATUS exit, else one RUN */
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	atomic_bool entered;	/* about to call RUN */
	int ret;		/* the last RUN's result */
	uint64_t t_end_ns;
	unsigned int nr_exits;
	unsigned int nr_reports;
	struct diag_report reports[DIAG_MAX_REPORTS];
	struct gunyah_vcpu_run last; /* the run page after the last RUN */
};

/*
 * Start r on v.  One RUN, or with loop, RUN until a STATUS exit or an
 * error: MMIO writes are logged as reports and answered HANDLED, reads
 * answered 0, and anything else ends the loop.
 */
int diag_runner_start(struct diag_vm *d, struct diag_runner *r,
		      struct gh_vcpu *v, bool loop);
/* 0 when r finished within ms, else -1 with the check failed and abandoned. */
int diag_runner_wait(struct diag_vm *d, struct diag_runner *r,
		     unsigned int ms);
/* Runner finished? (without waiting) */
bool diag_runner_done(struct diag_runner *r);
/*
 * A guest that makes no exit keeps RUN in the driver: once r has entered
 * it, wait ms more.  0 if RUN has not returned, else -1 with the check
 * failed ("GUNYAH_VCPU_RUN returned while <while_>").
 */
int diag_runner_stays(struct diag_vm *d, struct diag_runner *r,
		      unsigned int ms, const char *while_);
void diag_runner_cleanup(struct diag_runner *r);
/* The i-th report at DIAG_REPORT + off, or NULL. */
const struct diag_report *diag_runner_report(const struct diag_runner *r,
					     uint64_t off, unsigned int i);

/* ---- the device tree (diag_fdt.c) -------------------------------------- */

/* A DTB for a VM of nr_vcpus at [ram_base, ram_base + layout_size). */
long diag_fdt_build(void *buf, size_t size, unsigned int nr_vcpus,
		    uint64_t ram_base, uint64_t layout_size);

/* ---- the checks, by file ---------------------------------------------- */

diag_check_fn diag_check_mmap_size;
diag_check_fn diag_check_fn_einval;
diag_check_fn diag_check_fn_eexist;
diag_check_vm_fn diag_check_run_layout;
diag_check_vm_fn diag_check_mmio_write;
diag_check_vm_fn diag_check_mmio_read;
diag_check_vm_fn diag_check_resume_handled;
diag_check_vm_fn diag_check_resume_fault;
diag_check_vm_fn diag_check_resume_retry;
diag_check_vm_fn diag_check_resume_einval;
diag_check_fn diag_check_page_fault;

diag_check_fn diag_check_wfi_wake;

diag_check_fn diag_check_irqfd_args;
diag_check_fn diag_check_irqfd_irq;
diag_check_fn diag_check_ioeventfd_args;
diag_check_fn diag_check_ioeventfd_bell;
diag_check_fn diag_check_psci_cpu_on;
diag_check_fn diag_check_system_off;
diag_check_fn diag_check_system_reset;
diag_check_fn diag_check_system_reset2;
diag_check_fn diag_check_sticky_status;
diag_check_fn diag_check_status_unstarted;

diag_check_fn diag_check_run_before_start;
diag_check_fn diag_check_immediate_exit;
diag_check_fn diag_check_signal_eintr;
diag_check_fn diag_check_force_stop;
diag_check_vm_fn diag_check_mmio_latency;

#endif /* DIAG_H */
