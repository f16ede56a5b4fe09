/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Gunyah userspace ABI (upstream flavour), laid out byte for byte as the
 * kernel's include/uapi/linux/gunyah.h so that the same structs can be handed
 * to a real /dev/gunyah.  Every size and offset is checked at compile time
 * below; a field that moves breaks the build (tests/unit/test_abi.c checks the
 * same figures at run time so the failure also shows up as a named test).
 *
 * The other flavour shipped on devices (Android common kernel, GH_* names)
 * adds the user memory region below; which requests a flavour has is
 * gh_flavour.c's table: callers name an operation, the table turns it into
 * a request number.
 */
#ifndef GUNYAH_ABI_H
#define GUNYAH_ABI_H

#include <linux/ioctl.h>
#include <linux/types.h>
#include <stddef.h>

#define GUNYAH_IOCTL_TYPE 'G'

/* /dev/gunyah ioctls */
#define GUNYAH_CREATE_VM _IO(GUNYAH_IOCTL_TYPE, 0x0) /* returns a VM fd */

enum gunyah_mem_flags {
	GHMF_CLOEXEC = 1UL << 0,
	GHMF_ALLOW_HUGEPAGE = 1UL << 1,
};

struct gunyah_create_mem_args {
	__u64 flags;
	__u64 size;
	__u64 reserved[6];
};

/* returns a guest memory fd */
#define GUNYAH_CREATE_GUEST_MEM \
	_IOW(GUNYAH_IOCTL_TYPE, 0x8, struct gunyah_create_mem_args)

/* VM fd ioctls */
struct gunyah_vm_dtb_config {
	__u64 guest_phys_addr;
	__u64 size;
};
#define GUNYAH_VM_SET_DTB_CONFIG \
	_IOW(GUNYAH_IOCTL_TYPE, 0x2, struct gunyah_vm_dtb_config)

#define GUNYAH_VM_START _IO(GUNYAH_IOCTL_TYPE, 0x3)

enum gunyah_fn_type {
	GUNYAH_FN_VCPU = 1,
	GUNYAH_FN_IRQFD,
	GUNYAH_FN_IOEVENTFD,
};

#define GUNYAH_FN_MAX_ARG_SIZE 256

struct gunyah_fn_vcpu_arg {
	__u32 id;
};

enum gunyah_irqfd_flags {
	GUNYAH_IRQFD_FLAGS_LEVEL = 1UL << 0,
};

struct gunyah_fn_irqfd_arg {
	__u32 fd;
	__u32 label;
	__u32 flags;
	__u32 padding;
};

enum gunyah_ioeventfd_flags {
	GUNYAH_IOEVENTFD_FLAGS_DATAMATCH = 1UL << 0,
};

struct gunyah_fn_ioeventfd_arg {
	__u64 datamatch;
	__u64 addr;
	__u32 len;
	__s32 fd;
	__u32 flags;
	__u32 padding;
};

struct gunyah_fn_desc {
	__u32 type;
	__u32 arg_size;
	__u64 arg; /* user pointer to the argument struct */
};

#define GUNYAH_VM_ADD_FUNCTION \
	_IOW(GUNYAH_IOCTL_TYPE, 0x4, struct gunyah_fn_desc)
#define GUNYAH_VM_REMOVE_FUNCTION \
	_IOW(GUNYAH_IOCTL_TYPE, 0x7, struct gunyah_fn_desc)

enum gunyah_map_flags {
	GUNYAH_MEM_ALLOW_READ = 1UL << 0,
	GUNYAH_MEM_ALLOW_WRITE = 1UL << 1,
	GUNYAH_MEM_ALLOW_EXEC = 1UL << 2,
	GUNYAH_MEM_ALLOW_RWX = GUNYAH_MEM_ALLOW_READ | GUNYAH_MEM_ALLOW_WRITE |
			       GUNYAH_MEM_ALLOW_EXEC,
	GUNYAH_MEM_DEFAULT_ACCESS = 0x00,
	GUNYAH_MEM_FORCE_LEND = 0x10,
	GUNYAH_MEM_FORCE_SHARE = 0x20,
#define GUNYAH_MEM_ACCESS_MASK 0x70
	GUNYAH_MEM_UNMAP = 1UL << 8,
};

struct gunyah_map_mem_args {
	__u64 guest_addr;
	__u32 flags;
	__u32 guest_mem_fd;
	__u64 offset;
	__u64 size;
};
#define GUNYAH_VM_MAP_MEM \
	_IOW(GUNYAH_IOCTL_TYPE, 0x9, struct gunyah_map_mem_args)

enum gunyah_vm_boot_context_reg {
	REG_SET_X = 0,
	REG_SET_PC = 1,
	REG_SET_SP = 2,
};

#define GUNYAH_VM_BOOT_CONTEXT_REG_SHIFT 8
#define GUNYAH_VM_BOOT_CONTEXT_REG(reg, idx)                          \
	((((reg) & 0xff) << GUNYAH_VM_BOOT_CONTEXT_REG_SHIFT) | \
	 ((idx) & 0xff))

struct gunyah_vm_boot_context {
	__u32 reg;
	__u32 reserved;
	__u64 value;
};
#define GUNYAH_VM_SET_BOOT_CONTEXT \
	_IOW(GUNYAH_IOCTL_TYPE, 0xa, struct gunyah_vm_boot_context)

/* vCPU fd ioctls */
enum gunyah_vm_status {
	GUNYAH_VM_STATUS_LOAD_FAILED = 1,
	GUNYAH_VM_STATUS_EXITED = 2,
	GUNYAH_VM_STATUS_CRASHED = 3,
};

#define GUNYAH_VM_MAX_EXIT_REASON_SIZE 8u

struct gunyah_vm_exit_info {
	__u16 type;
	__u16 padding;
	__u32 reason_size;
	__u8 reason[GUNYAH_VM_MAX_EXIT_REASON_SIZE];
};

enum gunyah_vcpu_exit {
	GUNYAH_VCPU_EXIT_UNKNOWN,
	GUNYAH_VCPU_EXIT_MMIO,
	GUNYAH_VCPU_EXIT_STATUS,
	GUNYAH_VCPU_EXIT_PAGE_FAULT,
};

enum gunyah_vcpu_resume_action {
	GUNYAH_VCPU_RESUME_HANDLED = 0,
	GUNYAH_VCPU_RESUME_FAULT,
	GUNYAH_VCPU_RESUME_RETRY,
};

struct gunyah_vcpu_run {
	/* in */
	__u8 immediate_exit;
	__u8 padding[7];

	/* out */
	__u32 exit_reason;

	union {
		struct {
			__u64 phys_addr;
			__u8 data[8];
			__u32 len;
			__u8 is_write;
			__u8 resume_action;
		} mmio;

		struct {
			enum gunyah_vm_status status;
			struct gunyah_vm_exit_info exit_info;
		} status;

		struct {
			__u64 phys_addr;
			__s32 attempt;
			__u8 resume_action;
		} page_fault;
	};
};

#define GUNYAH_VCPU_RUN _IO(GUNYAH_IOCTL_TYPE, 0x5)
#define GUNYAH_VCPU_MMAP_SIZE _IO(GUNYAH_IOCTL_TYPE, 0x6)

/*
 * The GH_* flavour (Android common kernel android14-6.1, and the v14
 * series QEMU's and crosvm's Gunyah back-ends were written against).  It
 * shares CREATE_VM, SET_DTB_CONFIG, START, ADD/REMOVE_FUNCTION, VCPU_RUN
 * and VCPU_MMAP_SIZE with the numbers above, and the run page's layout
 * except that mmio has no resume_action (offset 37 is padding there) and
 * there is no PAGE_FAULT exit.  It has no guest_memfd and no boot context:
 * memory is the caller's own, described by a user memory region, and the
 * resource manager starts the boot vCPU at the base of the region that
 * holds the DTB, x0 = the DTB's address.
 *
 * Followed: include/uapi/linux/gunyah.h of the Android common kernel
 * (android14-6.1).  v14 defines the same struct and GH_VM_SET_USER_MEM_REGION
 * number; the 'A' requests (LEND_USER_MEM, SET_FW_CONFIG) exist only in the
 * Android kernel ("orthogonal ioctls that will never conflict with
 * kernel.org", b/268234781), so a v14 kernel answers them -ENOTTY.
 */
#define GH_ANDROID_IOCTL_TYPE 'A'

enum gh_user_mem_flags {
	GH_MEM_ALLOW_READ = 1UL << 0,
	GH_MEM_ALLOW_WRITE = 1UL << 1,
	GH_MEM_ALLOW_EXEC = 1UL << 2,
	GH_MEM_ALLOW_RWX = GH_MEM_ALLOW_READ | GH_MEM_ALLOW_WRITE |
			   GH_MEM_ALLOW_EXEC,
};

struct gh_userspace_memory_region {
	__u32 label;
	__u32 flags;
	__u64 guest_phys_addr; /* page-aligned */
	__u64 memory_size;     /* page-aligned, not 0 */
	__u64 userspace_addr;  /* page-aligned, in the caller's memory */
};

#define GH_VM_SET_USER_MEM_REGION \
	_IOW(GUNYAH_IOCTL_TYPE, 0x1, struct gh_userspace_memory_region)
/* Android only: as above, but lent (the host loses access to it). */
#define GH_VM_ANDROID_LEND_USER_MEM \
	_IOW(GH_ANDROID_IOCTL_TYPE, 0x11, struct gh_userspace_memory_region)

/*
 * Exit types reported by the resource manager in exit_info.type.  Not part
 * of the kernel UAPI (the kernel passes them through uninterpreted), but
 * fixed by the Gunyah resource manager.
 */
enum gunyah_vm_exit_type {
	GUNYAH_VM_EXIT_TYPE_VM_EXIT = 0,
	GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF = 1,
	GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET = 2,
	GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET2 = 3,
	GUNYAH_VM_EXIT_TYPE_WDT_BITE = 4,
	GUNYAH_VM_EXIT_TYPE_HYP_ERROR = 5,
	GUNYAH_VM_EXIT_TYPE_ASYNC_EXT_ABORT = 6,
	GUNYAH_VM_EXIT_TYPE_VM_STOP_FORCED = 7,
};

/* Bits of the 32-bit exit reason word (exit_info.reason, little-endian). */
#define GUNYAH_VM_EXIT_REASON_RESTART (1u << 0)
#define GUNYAH_VM_EXIT_REASON_64BIT (1u << 15)
#define GUNYAH_VM_EXIT_REASON_CODE_SHIFT 16
#define GUNYAH_VM_EXIT_REASON_CODE_MASK (0xffu << 16)

enum gunyah_vm_exit_code {
	GUNYAH_VM_EXIT_CODE_NORMAL = 0,
	GUNYAH_VM_EXIT_CODE_SOFTWARE_ERROR = 1,
	GUNYAH_VM_EXIT_CODE_UNKNOWN_ERROR = 2,
	GUNYAH_VM_EXIT_CODE_BUS_ERROR = 3,
	GUNYAH_VM_EXIT_CODE_DEVICE_ERROR = 4,
};

/*
 * Layout checks.  The figures are the kernel's on both x86_64 and arm64
 * (LP64, 8-byte aligned __u64); the enum in status is 4 bytes on both.
 */
#define GUNYAH_ABI_ASSERT(cond) _Static_assert(cond, #cond)

GUNYAH_ABI_ASSERT(sizeof(struct gunyah_create_mem_args) == 64);
GUNYAH_ABI_ASSERT(sizeof(struct gunyah_vm_dtb_config) == 16);
GUNYAH_ABI_ASSERT(sizeof(struct gunyah_fn_vcpu_arg) == 4);
GUNYAH_ABI_ASSERT(sizeof(struct gunyah_fn_irqfd_arg) == 16);
GUNYAH_ABI_ASSERT(sizeof(struct gunyah_fn_ioeventfd_arg) == 32);
GUNYAH_ABI_ASSERT(sizeof(struct gunyah_fn_desc) == 16);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_fn_desc, arg_size) == 4);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_fn_desc, arg) == 8);
GUNYAH_ABI_ASSERT(sizeof(struct gunyah_map_mem_args) == 32);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_map_mem_args, flags) == 8);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_map_mem_args, guest_mem_fd) == 12);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_map_mem_args, offset) == 16);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_map_mem_args, size) == 24);
GUNYAH_ABI_ASSERT(sizeof(struct gunyah_vm_boot_context) == 16);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_vm_boot_context, value) == 8);
GUNYAH_ABI_ASSERT(sizeof(enum gunyah_vm_status) == 4);
GUNYAH_ABI_ASSERT(sizeof(struct gunyah_vm_exit_info) == 16);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_vm_exit_info, reason_size) == 4);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_vm_exit_info, reason) == 8);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_vcpu_run, immediate_exit) == 0);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_vcpu_run, exit_reason) == 8);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_vcpu_run, mmio) == 16);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_vcpu_run, mmio.phys_addr) == 16);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_vcpu_run, mmio.data) == 24);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_vcpu_run, mmio.len) == 32);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_vcpu_run, mmio.is_write) == 36);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_vcpu_run, mmio.resume_action) == 37);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_vcpu_run, status.status) == 16);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_vcpu_run, status.exit_info) == 20);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_vcpu_run, page_fault.phys_addr) == 16);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_vcpu_run, page_fault.attempt) == 24);
GUNYAH_ABI_ASSERT(offsetof(struct gunyah_vcpu_run, page_fault.resume_action) == 28);
GUNYAH_ABI_ASSERT(sizeof(struct gunyah_vcpu_run) == 40);

GUNYAH_ABI_ASSERT(sizeof(struct gh_userspace_memory_region) == 32);
GUNYAH_ABI_ASSERT(offsetof(struct gh_userspace_memory_region, flags) == 4);
GUNYAH_ABI_ASSERT(offsetof(struct gh_userspace_memory_region, guest_phys_addr) == 8);
GUNYAH_ABI_ASSERT(offsetof(struct gh_userspace_memory_region, memory_size) == 16);
GUNYAH_ABI_ASSERT(offsetof(struct gh_userspace_memory_region, userspace_addr) == 24);
GUNYAH_ABI_ASSERT(GH_VM_SET_USER_MEM_REGION == 0x40204701);
GUNYAH_ABI_ASSERT(GH_VM_ANDROID_LEND_USER_MEM == 0x40204111);

GUNYAH_ABI_ASSERT(GUNYAH_CREATE_VM == 0x4700);
GUNYAH_ABI_ASSERT(GUNYAH_VM_START == 0x4703);
GUNYAH_ABI_ASSERT(GUNYAH_VCPU_RUN == 0x4705);
GUNYAH_ABI_ASSERT(GUNYAH_VCPU_MMAP_SIZE == 0x4706);
GUNYAH_ABI_ASSERT(GUNYAH_VM_ADD_FUNCTION == 0x40104704);
GUNYAH_ABI_ASSERT(GUNYAH_VM_REMOVE_FUNCTION == 0x40104707);
GUNYAH_ABI_ASSERT(GUNYAH_VM_SET_DTB_CONFIG == 0x40104702);
GUNYAH_ABI_ASSERT(GUNYAH_CREATE_GUEST_MEM == 0x40404708);
GUNYAH_ABI_ASSERT(GUNYAH_VM_MAP_MEM == 0x40204709);
GUNYAH_ABI_ASSERT(GUNYAH_VM_SET_BOOT_CONTEXT == 0x4010470a);

#endif /* GUNYAH_ABI_H */
