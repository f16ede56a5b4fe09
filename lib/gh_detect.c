// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which ABI flavour does a device answer?  Both flavours share CREATE_VM,
 * so the question is put to a request only one of them has, with an
 * argument the driver must refuse before doing anything:
 *
 *   1. GUNYAH_CREATE_GUEST_MEM ('G' 0x8, upstream only) on /dev/gunyah with
 *      a reserved flag bit set: an upstream driver checks the flags first
 *      and says EINVAL; a GH_* driver does not know the number: ENOTTY.
 *   2. Otherwise CREATE_VM (both flavours), then GH_VM_SET_USER_MEM_REGION
 *      ('G' 0x1, GH_* only) on the VM with memory_size 0: a GH_* driver
 *      refuses the size with EINVAL before pinning anything.
 *   3. GH_VM_ANDROID_LEND_USER_MEM ('A' 0x11) the same way tells the
 *      Android common kernel (EINVAL) from the v14 series (ENOTTY).
 *
 * The VM of step 2 is closed at once and never started: on a real device
 * the resource manager has allocated nothing for it yet (android14-6.1
 * allocates the VMID at start).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "gunyah.h"

#define RESERVED_MEM_FLAG (1ull << 63)

static long try(struct gh_backend *be, struct gh_abi_detect *d, int fd,
		const char *on, const char *name, unsigned long req, void *arg)
{
	struct gh_abi_try *t;
	long ret = gh_ioctl(be, fd, req, arg);

	if (d->nr_tries < GH_ABI_MAX_TRIES) {
		t = &d->tries[d->nr_tries++];
		t->request_name = name;
		t->request = req;
		t->on = on;
		t->result = ret;
		t->meaning = ret < 0 ? gh_errno_meaning(req, (int)-ret) :
				       "succeeded";
	}
	return ret;
}

static void note(struct gh_abi_detect *d, const char *meaning)
{
	if (d->nr_tries)
		d->tries[d->nr_tries - 1].meaning = meaning;
}

/* Steps 2 and 3: on a VM fd. */
static void detect_gh(struct gh_backend *be, struct gh_abi_detect *d,
		      int dev_fd)
{
	struct gh_userspace_memory_region r = { .flags = GH_MEM_ALLOW_RWX };
	long vm_fd, ret;

	vm_fd = try(be, d, dev_fd, "/dev/gunyah", "GH_CREATE_VM",
		    GUNYAH_CREATE_VM, NULL);
	if (vm_fd < 0) {
		d->how = "the device knows neither flavour's memory request, "
			 "and CREATE_VM failed";
		return;
	}
	ret = try(be, d, (int)vm_fd, "VM", "GH_VM_SET_USER_MEM_REGION",
		  GH_VM_SET_USER_MEM_REGION, &r);
	if (ret != -EINVAL) {
		d->how = "neither GUNYAH_CREATE_GUEST_MEM (upstream) nor "
			 "GH_VM_SET_USER_MEM_REGION (GH_*) is known: not a "
			 "Gunyah driver libgunyah speaks";
		gh_close(be, (int)vm_fd);
		return;
	}
	note(d, "refused a 0-byte region: the GH_* driver knows the request");
	d->abi = &gh_abi_android;
	ret = try(be, d, (int)vm_fd, "VM", "GH_VM_ANDROID_LEND_USER_MEM",
		  GH_VM_ANDROID_LEND_USER_MEM, &r);
	if (ret == -EINVAL) {
		note(d, "refused a 0-byte region: an Android common kernel");
		d->variant = "android14-6.1";
		d->how = "GH_VM_SET_USER_MEM_REGION and the Android 'A' "
			 "request answered EINVAL to a 0-byte region";
	} else {
		d->variant = "v14";
		d->how = "GH_VM_SET_USER_MEM_REGION answered EINVAL to a "
			 "0-byte region; the Android 'A' request is unknown";
	}
	gh_close(be, (int)vm_fd);
}

int gh_abi_detect(struct gh_backend *be, struct gh_abi_detect *d)
{
	struct gunyah_create_mem_args mem = { .flags = RESERVED_MEM_FLAG,
					      .size = 0 };
	int dev_fd;
	long ret;

	memset(d, 0, sizeof(*d));
	dev_fd = gh_open(be, GH_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0) {
		d->open_err = dev_fd;
		d->how = "the device could not be opened";
		return dev_fd;
	}
	ret = try(be, d, dev_fd, "/dev/gunyah", "GUNYAH_CREATE_GUEST_MEM",
		  GUNYAH_CREATE_GUEST_MEM, &mem);
	if (ret >= 0)
		gh_close(be, (int)ret); /* took the flag: still upstream's */
	if (ret >= 0 || ret == -EINVAL) {
		note(d, "refused a reserved flag: the upstream driver knows "
			"the request");
		d->abi = &gh_abi_upstream;
		d->variant = "v17+";
		d->how = "GUNYAH_CREATE_GUEST_MEM answered EINVAL to a "
			 "reserved flag";
	} else if (ret == -ENOTTY) {
		detect_gh(be, d, dev_fd);
	} else {
		d->how = "GUNYAH_CREATE_GUEST_MEM failed with neither EINVAL "
			 "nor ENOTTY";
	}
	gh_close(be, dev_fd);
	return 0;
}

const char *gh_errno_meaning(unsigned long request, int err)
{
	switch (err) {
	case ENOTTY:
		return "the driver does not know this request: the other ABI "
		       "flavour, or not a Gunyah driver";
	case EPERM:
		return "not permitted: the VM belongs to another process, or a "
		       "security policy (SELinux) denies it";
	case EACCES:
		return "permission denied: this user may not use the device";
	case ENOENT:
		return "no such device or function";
	case ENODEV:
		return "the VM cannot be started (again): an earlier start failed";
	case EEXIST:
		return "already there: that vCPU id, label or guest range is taken";
	case ENOMEM:
		return "out of memory";
	case EFAULT:
		return "the argument points at memory the driver cannot read";
	case EOVERFLOW:
		return "the guest range wraps around the address space";
	case EBUSY:
		return "busy: the vCPU is running or the resource is in use";
	case EINTR:
		return "interrupted by a signal";
	case EOPNOTSUPP:
		return "not supported by this driver";
	case ENXIO:
		return "no hypervisor behind the device (the resource manager "
		       "did not answer)";
	case EINVAL:
		break;
	default:
		return strerror(err);
	}
	/* EINVAL: which argument, per request. */
	if (request == GUNYAH_CREATE_GUEST_MEM)
		return "invalid argument: flags has an unknown bit, or the size "
		       "is not page-aligned";
	if (request == GH_VM_SET_USER_MEM_REGION ||
	    request == GH_VM_ANDROID_LEND_USER_MEM)
		return "invalid argument: flags beyond read/write/exec, or the "
		       "size or an address is 0 or not page-aligned";
	if (request == GUNYAH_VM_MAP_MEM)
		return "invalid argument: flags, or a size, offset or address not "
		       "page-aligned or beyond the guest memory";
	if (request == GUNYAH_VM_ADD_FUNCTION ||
	    request == GUNYAH_VM_REMOVE_FUNCTION)
		return "invalid argument: arg_size does not match the function's "
		       "argument, or the vCPU id is out of range";
	if (request == GUNYAH_VM_SET_BOOT_CONTEXT)
		return "invalid argument: no such register, or the VM has started";
	if (request == GUNYAH_VM_START)
		return "invalid argument: no memory holds the DTB or the boot PC";
	if (request == GUNYAH_VCPU_RUN)
		return "invalid argument: an unknown resume_action";
	return "invalid argument";
}
