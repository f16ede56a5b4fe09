/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libgunyah: the bundled Gunyah driver.
 *
 * Three layers, each on top of the one before:
 *   1. the backend seam: open/ioctl/mmap/munmap/close, shaped like the
 *      syscalls a VMM makes, with real ioctl request numbers and
 *      kernel-style negative errno results.  "dev" passes them to
 *      /dev/gunyah; "sim" answers them in-process.
 *   2. checked wrappers in three strengths, as in the KVM selftests:
 *      __gh_vcpu_run() raw, _gh_vcpu_run() with policy, and callers that
 *      treat failure as fatal.
 *   3. name tables for every number the ABI carries.
 *
 * All functions return 0 or a positive value on success and -errno on
 * failure unless they say otherwise; none of them print.
 */
#ifndef GUNYAH_H
#define GUNYAH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gunyah_abi.h"
#include "gunyah_sim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GH_DEV_PATH "/dev/gunyah"

/* ---- the backend seam ---------------------------------------------- */

struct gh_backend;

struct gh_backend_ops {
	const char *name;
	int (*open)(struct gh_backend *be, const char *path, int flags);
	long (*ioctl)(struct gh_backend *be, int fd, unsigned long request,
		      void *arg);
	int (*mmap)(struct gh_backend *be, int fd, size_t len, off_t offset,
		    void **addr);
	int (*munmap)(struct gh_backend *be, void *addr, size_t len);
	int (*close)(struct gh_backend *be, int fd);
	void (*destroy)(struct gh_backend *be);
};

/* Where the simulator and the driver send their diagnostics. */
typedef void (*gh_log_fn)(void *ctx, const char *msg);

struct gh_backend {
	const struct gh_backend_ops *ops;
	const struct gh_abi_flavour *abi;
	gh_log_fn log;
	void *log_ctx;
	void *priv;
};

/*
 * Open a backend by name ("sim" or "dev").  For "dev", path may name a
 * device other than /dev/gunyah (NULL for the default).
 */
int gh_backend_open(const char *name, const char *path,
		    struct gh_backend **out);
void gh_backend_close(struct gh_backend *be);
void gh_backend_set_log(struct gh_backend *be, gh_log_fn fn, void *ctx);
const char *gh_backend_name(const struct gh_backend *be);
bool gh_backend_is_sim(const struct gh_backend *be);

int gh_sim_backend_new(struct gh_backend **out);
int gh_dev_backend_new(const char *path, struct gh_backend **out);

/* Raw seam calls: exactly what the ops table does. */
int gh_open(struct gh_backend *be, const char *path, int flags);
long gh_ioctl(struct gh_backend *be, int fd, unsigned long request, void *arg);
int gh_mmap(struct gh_backend *be, int fd, size_t len, off_t offset,
	    void **addr);
int gh_munmap(struct gh_backend *be, void *addr, size_t len);
int gh_close(struct gh_backend *be, int fd);

/* ---- ABI flavours --------------------------------------------------- */

/* Operations a VMM asks of the driver; the flavour gives their numbers. */
enum gh_op {
	GH_OP_CREATE_VM,
	GH_OP_CREATE_GUEST_MEM,
	GH_OP_VM_SET_DTB_CONFIG,
	GH_OP_VM_START,
	GH_OP_VM_ADD_FUNCTION,
	GH_OP_VM_REMOVE_FUNCTION,
	GH_OP_VM_MAP_MEM,
	GH_OP_VM_SET_BOOT_CONTEXT,
	GH_OP_VCPU_RUN,
	GH_OP_VCPU_MMAP_SIZE,
	GH_OP_VM_SET_USER_MEM_REGION,
	GH_OP_VM_LEND_USER_MEM,
	GH_OP__COUNT,
};

/* What a flavour has beyond its requests. */
enum gh_abi_feature {
	GH_ABI_PAGE_FAULT = 1u << 0,	/* PAGE_FAULT exits */
	GH_ABI_RESUME_ACTION = 1u << 1, /* run->mmio.resume_action is read */
	GH_ABI_BOOT_CONTEXT = 1u << 2,	/* SET_BOOT_CONTEXT: any entry, regs */
};

struct gh_abi_flavour {
	const char *name;
	unsigned int features;		     /* enum gh_abi_feature */
	unsigned long request[GH_OP__COUNT]; /* 0: not in this flavour */
	const char *request_name[GH_OP__COUNT];
};

extern const struct gh_abi_flavour gh_abi_upstream;
extern const struct gh_abi_flavour gh_abi_android;

/* "upstream" or "android" (also "gh"), or NULL. */
const struct gh_abi_flavour *gh_abi_by_name(const char *name);
static inline bool gh_abi_has(const struct gh_abi_flavour *abi,
			      enum gh_abi_feature f)
{
	return abi->features & f;
}
/*
 * Speak abi on this backend from now on.  The sim answers only the
 * requests of the flavour it speaks (the other's are -ENOTTY), as a real
 * device does.  Set it before the first VM.
 */
void gh_backend_set_abi(struct gh_backend *be, const struct gh_abi_flavour *abi);
const struct gh_abi_flavour *gh_backend_abi(const struct gh_backend *be);

/*
 * Which flavour does the device answer?  Asked without building anything
 * that lasts (see gh_detect.c for the requests and why they are safe):
 * each request tried is recorded with its result.
 */
struct gh_abi_try {
	const char *request_name;
	unsigned long request;
	const char *on;		/* "/dev/gunyah", "VM" or "vCPU" */
	long result;		/* >= 0, or -errno */
	const char *meaning;	/* what the result says, one sentence */
};

#define GH_ABI_MAX_TRIES 6

struct gh_abi_detect {
	const struct gh_abi_flavour *abi; /* NULL: no flavour answered */
	const char *variant;	/* "v17+", "android14-6.1", "v14", or NULL */
	const char *how;	/* how it was decided, one sentence */
	int open_err;		/* -errno of opening the device, or 0 */
	unsigned int nr_tries;
	struct gh_abi_try tries[GH_ABI_MAX_TRIES];
};

/* 0 with *out filled (out->abi may be NULL), or the open error. */
int gh_abi_detect(struct gh_backend *be, struct gh_abi_detect *out);
/* What err (positive errno) from request means, in words. */
const char *gh_errno_meaning(unsigned long request, int err);

/* Request number of op in the backend's flavour, 0 if it has none. */
unsigned long gh_request(const struct gh_backend *be, enum gh_op op);
/* Name of a request number of either flavour, or NULL. */
const char *gh_request_name(unsigned long request);

/* ---- VMs and vCPUs ---------------------------------------------------- */

struct gh_mem_region {
	uint64_t guest_addr;
	uint64_t size;
	int mem_fd;	/* guest_memfd; -1 for a user memory region */
	void *host; /* the guest memory, mapped into this process */
};

#define GH_VM_MAX_REGIONS 16

/*
 * The boot context, kept by libgunyah where the flavour has no
 * SET_BOOT_CONTEXT (GH_*): gh_vm_start() then writes a boot stub that sets
 * it (gh_boot_stub.c).
 */
struct gh_boot_state {
	uint64_t x[31];
	uint32_t x_set;		/* bit n: xn was set */
	uint64_t pc, sp_el1;
	bool pc_set, sp_set;
	uint64_t dtb_addr, dtb_size;
	bool dtb_set;
};

struct gh_vm {
	struct gh_backend *be;
	int dev_fd;
	int vm_fd;
	unsigned int nr_regions;
	struct gh_mem_region regions[GH_VM_MAX_REGIONS];
	struct gh_boot_state boot;
	uint64_t stub_addr;	/* where the boot stub went (0: none) */
};

struct gh_vcpu {
	struct gh_vm *vm;
	unsigned int id;
	int fd;
	struct gunyah_vcpu_run *run;
	size_t run_size;
};

int gh_vm_create(struct gh_backend *be, struct gh_vm **out);
void gh_vm_destroy(struct gh_vm *vm);

/* Create guest memory of size bytes, map it into this process and into
 * the guest at guest_addr.  *host (optional) gets the host mapping.
 * Upstream: a guest_memfd mapped with MAP_MEM; GH_* flavour: anonymous
 * memory of this process given as a user memory region. */
int gh_vm_add_memory(struct gh_vm *vm, uint64_t guest_addr, uint64_t size,
		     void **host);
/* Host pointer for [guest_addr, guest_addr+len) if RAM covers it all. */
void *gh_vm_host_ptr(const struct gh_vm *vm, uint64_t guest_addr,
		     uint64_t len);
/*
 * Where the flavour has no boot context (GH_*: the resource manager starts
 * the boot vCPU at the base of the DTB's memory region, x0 = the DTB), the
 * registers are kept and gh_vm_start() makes them true with a boot stub:
 * one more user memory region, just above the highest one, holding a copy
 * of the DTB (which the RM is pointed at) and code that loads the
 * registers, SP_EL1 and jumps to the PC.  Only REG_SET_X 0..30, PC and
 * SP 1 (SP_EL1) there: anything else is -EINVAL.
 */
int gh_vm_set_boot_reg(struct gh_vm *vm, enum gunyah_vm_boot_context_reg set,
		       unsigned int index, uint64_t value);
int gh_vm_set_dtb(struct gh_vm *vm, uint64_t guest_addr, uint64_t size);
/* GH_* flavour: -EINVAL if no DTB was set (the driver needs one). */
int gh_vm_start(struct gh_vm *vm);
/*
 * GUNYAH_FN_IRQFD / GUNYAH_FN_IOEVENTFD added (add) or removed: an eventfd
 * that raises interrupt `label`, or that a guest write to addr (len bytes,
 * datamatch with GUNYAH_IOEVENTFD_FLAGS_DATAMATCH) signals.  0 or -errno.
 */
int gh_vm_irqfd(struct gh_vm *vm, bool add, int fd, uint32_t label,
		uint32_t flags);
int gh_vm_ioeventfd(struct gh_vm *vm, bool add, int fd, uint64_t addr,
		    uint32_t len, uint32_t flags, uint64_t datamatch);
/* The boot stub's code area; the DTB copy follows it. */
#define GH_BOOT_STUB_CODE 0x1000u
/*
 * The boot stub (gh_boot_stub.c), for gh_vm_start, which places it: at
 * gh_boot_stub_base, gh_boot_stub_size bytes; the scratch register it
 * branches through (or -errno: no DTB, every register set); the code and
 * the DTB copy (dtb: the DTB in guest memory, or NULL) written to host.
 */
uint64_t gh_boot_stub_base(const struct gh_vm *vm);
int gh_boot_stub_scratch(const struct gh_boot_state *b);
void gh_boot_stub_build(const struct gh_vm *vm, unsigned int scratch,
			const void *dtb, void *host);
/* Bytes of guest memory the boot stub's region takes for a DTB of size. */
uint64_t gh_boot_stub_size(uint64_t dtb_size);
/* Forced stop (exit type 7).  -ENOTTY where the backend has no way. */
int gh_vm_force_stop(struct gh_vm *vm);
/*
 * Make the VM exit (status EXITED) with exit type type and a reason of
 * reason_size bytes (at most 8; the low bytes of reason), as the resource
 * manager reports a host power-off: GH_SIM_VM_EXIT.  -EINVAL if it is not
 * running; -ENOTTY where the backend has no way.
 */
int gh_vm_exit(struct gh_vm *vm, uint16_t type, uint64_t reason,
	       uint32_t reason_size);
/* Declare a guest range that faults (PAGE_FAULT exits) until mapped.
 * -EOPNOTSUPP where the flavour has no PAGE_FAULT exit. */
int gh_vm_add_pf_region(struct gh_vm *vm, uint64_t guest_addr, uint64_t size);
int gh_vm_read_mem(struct gh_vm *vm, uint64_t guest_addr, void *buf,
		   uint64_t size);
/* GH_SIM_VM_SET_LENIENT: -ENOTTY where the backend has no such choice. */
int gh_vm_set_lenient(struct gh_vm *vm, bool lenient);
/* GH_SIM_VM_GET_CRASH: -ENOENT if the VM did not crash, -ENOTTY off sim. */
int gh_vm_get_crash(struct gh_vm *vm, struct gh_sim_crash *out);

int gh_vcpu_add(struct gh_vm *vm, unsigned int id, struct gh_vcpu **out);
/* Remove the vCPU function; the fd stays usable until gh_vcpu_destroy. */
int gh_vcpu_remove_function(struct gh_vcpu *vcpu);
void gh_vcpu_destroy(struct gh_vcpu *vcpu);

/* One GUNYAH_VCPU_RUN: 0 with run->exit_reason set, or -errno. */
int __gh_vcpu_run(struct gh_vcpu *vcpu);
/* Like __gh_vcpu_run, but retries EINTR while immediate_exit is clear
 * and *stop (optional) is false. */
int _gh_vcpu_run(struct gh_vcpu *vcpu, const volatile bool *stop);

/*
 * immediate_exit lives in a page the driver reads while another thread may
 * write it (as KVM's does): access it with relaxed atomics on both sides.
 */
static inline void gh_vcpu_set_immediate_exit(struct gh_vcpu *vcpu, bool on)
{
	__atomic_store_n(&vcpu->run->immediate_exit, on, __ATOMIC_RELAXED);
}

static inline bool gh_vcpu_immediate_exit(const struct gh_vcpu *vcpu)
{
	return __atomic_load_n(&vcpu->run->immediate_exit, __ATOMIC_RELAXED);
}

int gh_vcpu_wake(struct gh_vcpu *vcpu);
/* GH_SIM_VCPU_SET_KICK_SIGNALS: -ENOTTY on a backend without it. */
int gh_vcpu_set_kick_signals(struct gh_vcpu *vcpu, uint64_t mask);
int gh_vcpu_get_regs(struct gh_vcpu *vcpu, struct gh_sim_regs *regs);
int gh_vcpu_get_stats(struct gh_vcpu *vcpu, struct gh_sim_vcpu_stats *st);

/* ---- names ------------------------------------------------------------ */

const char *gh_exit_reason_str(uint32_t exit_reason);
const char *gh_vm_status_str(uint32_t status);
const char *gh_exit_type_str(uint32_t type);
const char *gh_resume_action_str(uint32_t action);
const char *gh_exit_code_str(uint32_t code);
/* An ESR exception class in words ("data abort", ...), or NULL. */
const char *gh_esr_ec_str(uint32_t ec);
const char *gh_vcpu_state_str(uint32_t state);
/* Inverse lookups: the number for a name, or -1. */
int gh_exit_reason_from_str(const char *s);
int gh_exit_type_from_str(const char *s);
int gh_resume_action_from_str(const char *s);

/* One sentence on what an exit type or exit code means, or NULL. */
const char *gh_exit_type_desc(uint32_t type);
const char *gh_exit_code_desc(uint32_t code);
/* Exit types and codes run from 0 to count - 1 (for listing them). */
unsigned int gh_exit_type_count(void);
unsigned int gh_exit_code_count(void);

/* exit_info.reason as a little-endian integer (reason_size clamped). */
uint64_t gh_exit_info_reason(const struct gunyah_vm_exit_info *info);

/*
 * The 32-bit exit reason word (the first four bytes of exit_info.reason,
 * little-endian) taken apart.  Bits and codes the ABI does not define are
 * kept, not dropped, so a newer hypervisor's reason still shows in full.
 */
struct gh_exit_reason {
	uint32_t word;
	bool restart;		/* bit 0: the guest asked to be restarted */
	bool reason_64bit;	/* bit 15: a 64-bit reason */
	uint32_t code;		/* bits 23:16, enum gunyah_vm_exit_code */
	bool code_known;	/* code is one gh_exit_code_str() names */
	const char *code_name;	/* gh_exit_code_str(code): "unknown" if not */
	uint32_t unknown_bits;	/* set bits outside the fields above */
};

void gh_exit_reason_decode(uint32_t word, struct gh_exit_reason *out);

/* ---- limits ------------------------------------------------------------ */

/*
 * What a backend can hold.  0 means the backend sets no limit libgunyah
 * knows of (on "dev" the hypervisor's VM configuration decides).
 */
struct gh_limits {
	unsigned int max_vcpus;		/* vCPU ids run from 0 to max - 1 */
	unsigned int max_mem_regions;	/* gh_vm_add_memory() calls per VM */
	unsigned int max_pf_regions;	/* gh_vm_add_pf_region() calls per VM */
	unsigned int slice_us;		/* default time slice of a vCPU run */
	unsigned int ipa_bits;		/* guest physical address space size */
	uint64_t ram_base;		/* where guest RAM goes by default */
	uint64_t ram_size;		/* and how much of it */
};

void gh_backend_limits(const struct gh_backend *be, struct gh_limits *out);

#ifdef __cplusplus
}
#endif

#endif /* GUNYAH_H */
