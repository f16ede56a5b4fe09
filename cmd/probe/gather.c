// SPDX-License-Identifier: GPL-2.0-only
/*
 * What probe asks of the machine, in order: the hypervisor's sysfs files,
 * the device node, the ABI flavour (gh_abi_detect: which request each
 * flavour alone knows, with an argument it must refuse), then as a VMM
 * would, a VM with vCPU 0: ADD_FUNCTION with a wrong arg_size (a driver
 * of this ABI says EINVAL), ADD_FUNCTION, GUNYAH_VCPU_MMAP_SIZE.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/probe.h"

/* What /sys/hypervisor may hold: Xen's layout, and the Gunyah patches'. */
static const char *const sys_files[PROBE_MAX_SYS] = {
	"type", "version/major", "version/minor", "version/extra",
	"gunyah/api", "gunyah/variant", "properties/features", "uuid",
};

static void read_sys(struct probe *p)
{
	char path[512];
	struct stat st;

	p->sys_present = !stat(p->sys_dir, &st) && S_ISDIR(st.st_mode);
	for (unsigned int i = 0; p->sys_present && i < PROBE_MAX_SYS; i++) {
		struct probe_sys *s = &p->sys[p->nr_sys];
		size_t n;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", p->sys_dir, sys_files[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		n = fread(s->value, 1, sizeof(s->value) - 1, f);
		fclose(f);
		s->value[n] = 0;
		s->value[strcspn(s->value, "\n")] = 0;
		for (char *c = s->value; *c; c++)
			if (*c < 0x20 || *c >= 0x7f)
				*c = '?';
		s->name = sys_files[i];
		p->nr_sys++;
	}
}

static void stat_device(struct probe *p)
{
	struct stat st;
	int fd;

	if (stat(p->dev_path, &st)) {
		p->stat_err = errno;
		return;
	}
	p->dev_exists = true;
	p->dev_is_chr = S_ISCHR(st.st_mode);
	p->dev_mode = st.st_mode & 07777;
	p->dev_uid = st.st_uid;
	p->dev_gid = st.st_gid;
	fd = open(p->dev_path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		p->open_err = errno;
		return;
	}
	close(fd);
}

static long try(struct gh_backend *be, struct probe *p, int fd,
		const char *on, enum gh_op op, void *arg)
{
	unsigned long req = gh_request(be, op);
	long ret = gh_ioctl(be, fd, req, arg);
	struct gh_abi_try *t;

	if (p->nr_tries < PROBE_MAX_TRIES) {
		t = &p->tries[p->nr_tries++];
		t->request_name = be->abi->request_name[op];
		t->request = req;
		t->on = on;
		t->result = ret;
		t->meaning = ret < 0 ? gh_errno_meaning(req, (int)-ret) :
				       "succeeded";
	}
	return ret;
}

static void verdict(struct probe *p, bool usable, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void verdict(struct probe *p, bool usable, const char *fmt, ...)
{
	size_t n = 0;
	va_list ap;

	p->usable = usable;
	if (!usable)
		n = (size_t)snprintf(p->verdict, sizeof(p->verdict), "not usable: ");
	va_start(ap, fmt);
	vsnprintf(p->verdict + n, sizeof(p->verdict) - n, fmt, ap);
	va_end(ap);
}

/* A VM, and vCPU 0 the way gh_vcpu_add makes it, one request at a time. */
static void try_vcpu(struct gh_backend *be, struct probe *p)
{
	struct gunyah_fn_vcpu_arg arg = { .id = 0 };
	struct gunyah_fn_desc bad = { .type = GUNYAH_FN_VCPU,
				      .arg_size = sizeof(arg) + 4,
				      .arg = (uintptr_t)&arg };
	struct gunyah_fn_desc desc = { .type = GUNYAH_FN_VCPU,
				       .arg_size = sizeof(arg),
				       .arg = (uintptr_t)&arg };
	long page = sysconf(_SC_PAGESIZE);
	int dev_fd, vm_fd = -1, vcpu_fd = -1;
	long ret;

	dev_fd = gh_open(be, GH_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0) {
		verdict(p, false, "the device could not be opened again: %s",
			strerror(-dev_fd));
		return;
	}
	vm_fd = (int)try(be, p, dev_fd, "/dev/gunyah", GH_OP_CREATE_VM, NULL);
	if (vm_fd < 0) {
		verdict(p, false, "no VM can be created: %s",
			p->tries[p->nr_tries - 1].meaning);
		goto out;
	}
	ret = try(be, p, vm_fd, "VM", GH_OP_VM_ADD_FUNCTION, &bad);
	if (ret >= 0) {
		p->tries[p->nr_tries - 1].meaning =
			"accepted a vCPU argument of the wrong size: not the "
			"ABI libgunyah was built for";
		if (ret > 0)
			gh_close(be, (int)ret);
		verdict(p, false, "ADD_FUNCTION accepted a wrong arg_size (want "
			"EINVAL): this driver's ABI is not the one libgunyah "
			"speaks");
		goto out;
	}
	if (ret == -EINVAL)
		p->tries[p->nr_tries - 1].meaning =
			"refused a vCPU argument of the wrong size, as it must";
	vcpu_fd = (int)try(be, p, vm_fd, "VM", GH_OP_VM_ADD_FUNCTION, &desc);
	if (vcpu_fd < 0) {
		verdict(p, false, "vCPU 0 cannot be added: %s",
			p->tries[p->nr_tries - 1].meaning);
		goto out;
	}
	p->run_page_size = try(be, p, vcpu_fd, "vCPU", GH_OP_VCPU_MMAP_SIZE,
			       NULL);
	if (p->run_page_size < 0)
		verdict(p, false, "the run-page size is unknown: %s",
			p->tries[p->nr_tries - 1].meaning);
	else if (p->run_page_size < (long)sizeof(struct gunyah_vcpu_run) ||
		 p->run_page_size % page)
		verdict(p, false, "the run page is %ld bytes, not a multiple of "
			"the %ld-byte page: a layout libgunyah does not know",
			p->run_page_size, page);
	else
		verdict(p, true, "usable: the %s ABI answers (%s)",
			p->detect.abi->name, p->detect.variant);
out:
	if (vcpu_fd >= 0)
		gh_close(be, vcpu_fd);
	if (vm_fd >= 0)
		gh_close(be, vm_fd);
	gh_close(be, dev_fd);
}

void probe_gather(struct probe *p, const char *sys_dir, const char *dev_path)
{
	struct gh_backend *be = NULL;
	int ret;

	memset(p, 0, sizeof(*p));
	p->sys_dir = sys_dir;
	p->dev_path = dev_path;
	p->run_page_size = -ENODATA;
	read_sys(p);
	stat_device(p);
	if (!p->dev_exists) {
		verdict(p, false, "%s does not exist: no Gunyah driver is loaded "
			"(is this a Gunyah host, and its kernel built with it?)",
			dev_path);
		return;
	}
	if (p->open_err) {
		verdict(p, false, "%s cannot be opened: %s", dev_path,
			gh_errno_meaning(0, p->open_err));
		return;
	}
	ret = gh_backend_open("dev", dev_path, &be);
	if (ret) {
		verdict(p, false, "the dev backend: %s", strerror(-ret));
		return;
	}
	gh_abi_detect(be, &p->detect);
	if (!p->detect.abi)
		verdict(p, false, "no ABI flavour answers: %s", p->detect.how);
	else {
		gh_backend_set_abi(be, p->detect.abi);
		try_vcpu(be, p);
	}
	gh_backend_close(be);
}

const char *probe_errno_name(int err, char buf[24])
{
	const char *n = strerrorname_np(err);

	if (n)
		return n;
	snprintf(buf, 24, "errno %d", err);
	return buf;
}
