// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sim backend's "syscall" layer: the same open/ioctl/mmap/munmap/close
 * a VMM makes on /dev/gunyah, answered in-process.  Files live in an fd
 * table of their own, numbered from SIM_FD_BASE so that a sim fd passed to
 * a real syscall by mistake fails with EBADF instead of hitting a real
 * file.  As in the kernel, a mapping keeps its object alive after close.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"

#define SIM_FD_BASE 0x10000
#define SIM_MAX_FILES 1024
#define SIM_MAX_MAPPINGS 1024

enum sim_file_type {
	SIM_FILE_DEV = 1,
	SIM_FILE_VM,
	SIM_FILE_GMEM,
	SIM_FILE_VCPU,
};

struct sim_file {
	enum sim_file_type type;
	atomic_int refs; /* the fd's, plus calls in flight */
	union {
		struct sim_vm *vm;
		struct sim_gmem *gmem;
		struct sim_vcpu *vcpu;
	};
};

struct sim_mapping {
	void *addr;
	size_t len;
	enum sim_file_type type;
	union {
		struct sim_gmem *gmem;
		struct sim_vcpu *vcpu;
	};
};

struct sim_backend {
	struct gh_backend be;
	pthread_mutex_t lock;
	struct sim_file *files[SIM_MAX_FILES];
	struct sim_mapping maps[SIM_MAX_MAPPINGS];
	unsigned int nr_maps;
};

size_t sim_page_size(void)
{
	long sz = sysconf(_SC_PAGESIZE);

	return sz > 0 ? (size_t)sz : 4096;
}

void sim_backend_log(struct sim_backend *sb, const char *msg)
{
	if (sb->be.log)
		sb->be.log(sb->be.log_ctx, msg);
	else
		fprintf(stderr, "gunyah-sim: %s\n", msg);
}

static void file_release(struct sim_file *f)
{
	switch (f->type) {
	case SIM_FILE_VM:
		sim_vm_put(f->vm);
		break;
	case SIM_FILE_GMEM:
		sim_gmem_put(f->gmem);
		break;
	case SIM_FILE_VCPU:
		/* The vCPU file holds the VM, as gunyah_vcpu_release puts it. */
		sim_vm_put(f->vcpu->vm);
		sim_vcpu_put(f->vcpu);
		break;
	default:
		break;
	}
	free(f);
}

static void file_put(struct sim_file *f)
{
	if (atomic_fetch_sub(&f->refs, 1) == 1)
		file_release(f);
}

static struct sim_file *file_get(struct sim_backend *sb, int fd)
{
	struct sim_file *f = NULL;
	unsigned int i = (unsigned int)fd - SIM_FD_BASE;

	if (fd < SIM_FD_BASE || i >= SIM_MAX_FILES)
		return NULL;
	pthread_mutex_lock(&sb->lock);
	f = sb->files[i];
	if (f)
		atomic_fetch_add(&f->refs, 1);
	pthread_mutex_unlock(&sb->lock);
	return f;
}

/* Install f in the lowest free slot: returns the fd or -EMFILE. */
static int file_install(struct sim_backend *sb, struct sim_file *f)
{
	int fd = -EMFILE;

	atomic_init(&f->refs, 1);
	pthread_mutex_lock(&sb->lock);
	for (unsigned int i = 0; i < SIM_MAX_FILES; i++) {
		if (!sb->files[i]) {
			sb->files[i] = f;
			fd = SIM_FD_BASE + (int)i;
			break;
		}
	}
	pthread_mutex_unlock(&sb->lock);
	return fd;
}

static struct sim_file *file_new(enum sim_file_type type)
{
	struct sim_file *f = calloc(1, sizeof(*f));

	if (f)
		f->type = type;
	return f;
}

int sim_backend_install_vcpu(struct sim_backend *sb, struct sim_vcpu *vcpu)
{
	struct sim_file *f = file_new(SIM_FILE_VCPU);
	int fd;

	if (!f)
		return -ENOMEM;
	f->vcpu = vcpu;
	sim_vcpu_get(vcpu);
	sim_vm_get(vcpu->vm);
	fd = file_install(sb, f);
	if (fd < 0)
		file_release(f);
	return fd;
}

struct sim_gmem *sim_backend_gmem(struct sim_backend *sb, int fd)
{
	struct sim_file *f = file_get(sb, fd);
	struct sim_gmem *g = NULL;

	if (!f)
		return NULL;
	if (f->type == SIM_FILE_GMEM) {
		g = f->gmem;
		sim_gmem_get(g);
	}
	file_put(f);
	return g;
}

static int sim_open(struct gh_backend *be, const char *path, int flags)
{
	struct sim_backend *sb = (struct sim_backend *)be;
	struct sim_file *f;
	int fd;

	(void)flags;
	if (!path || strcmp(path, GH_DEV_PATH))
		return -ENOENT;
	f = file_new(SIM_FILE_DEV);
	if (!f)
		return -ENOMEM;
	fd = file_install(sb, f);
	if (fd < 0)
		free(f);
	return fd;
}

static long dev_ioctl(struct sim_backend *sb, unsigned long req, void *arg)
{
	struct sim_file *f;
	long fd;
	int err = 0;

	switch (req) {
	case GUNYAH_CREATE_VM:
		f = file_new(SIM_FILE_VM);
		if (!f)
			return -ENOMEM;
		err = sim_vm_create(sb, sb->be.abi, &f->vm);
		if (err) {
			free(f);
			return err;
		}
		break;
	case GUNYAH_CREATE_GUEST_MEM: {
		const struct gunyah_create_mem_args *a = arg;

		if (!gh_abi_has(sb->be.abi, GH_ABI_BOOT_CONTEXT))
			return -ENOTTY; /* no guest_memfd in the GH_* flavour */
		if (!a)
			return -EFAULT;
		if (a->flags & ~(uint64_t)(GHMF_CLOEXEC | GHMF_ALLOW_HUGEPAGE))
			return -EINVAL;
		for (size_t i = 0; i < sizeof(a->reserved) / sizeof(a->reserved[0]); i++)
			if (a->reserved[i])
				return -EINVAL;
		f = file_new(SIM_FILE_GMEM);
		if (!f)
			return -ENOMEM;
		f->gmem = sim_gmem_create(a->size, &err);
		if (!f->gmem) {
			free(f);
			return err;
		}
		break;
	}
	default:
		return -ENOTTY;
	}
	fd = file_install(sb, f);
	if (fd < 0)
		file_release(f);
	return fd;
}

static long sim_ioctl(struct gh_backend *be, int fd, unsigned long req,
		      void *arg)
{
	struct sim_backend *sb = (struct sim_backend *)be;
	struct sim_file *f = file_get(sb, fd);
	long ret;

	if (!f)
		return -EBADF;
	switch (f->type) {
	case SIM_FILE_DEV:
		ret = dev_ioctl(sb, req, arg);
		break;
	case SIM_FILE_VM:
		ret = sim_vm_ioctl(f->vm, req, arg);
		break;
	case SIM_FILE_VCPU:
		ret = sim_vcpu_ioctl(f->vcpu, req, arg);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	file_put(f);
	return ret;
}

static int sim_mmap(struct gh_backend *be, int fd, size_t len, off_t offset,
		    void **addr)
{
	struct sim_backend *sb = (struct sim_backend *)be;
	struct sim_file *f = file_get(sb, fd);
	struct sim_mapping m = { 0 };
	int ret = 0;

	if (!f)
		return -EBADF;
	if (!len || offset < 0 || (size_t)offset % sim_page_size()) {
		ret = -EINVAL;
		goto out;
	}
	switch (f->type) {
	case SIM_FILE_VCPU:
		/* One page, at offset 0; the seed faults in a NULL page
		 * for any other offset. */
		if (offset != 0 || len > f->vcpu->run_size) {
			ret = -EINVAL;
			goto out;
		}
		m.addr = f->vcpu->run;
		m.vcpu = f->vcpu;
		sim_vcpu_get(m.vcpu);
		break;
	case SIM_FILE_GMEM:
		if ((uint64_t)offset > f->gmem->size ||
		    len > f->gmem->size - (uint64_t)offset) {
			ret = -EINVAL;
			goto out;
		}
		m.addr = (char *)f->gmem->host + offset;
		m.gmem = f->gmem;
		sim_gmem_get(m.gmem);
		break;
	default:
		ret = -ENODEV;
		goto out;
	}
	m.len = len;
	m.type = f->type;

	pthread_mutex_lock(&sb->lock);
	if (sb->nr_maps < SIM_MAX_MAPPINGS)
		sb->maps[sb->nr_maps++] = m;
	else
		ret = -ENOMEM;
	pthread_mutex_unlock(&sb->lock);
	if (ret) {
		if (m.type == SIM_FILE_VCPU)
			sim_vcpu_put(m.vcpu);
		else
			sim_gmem_put(m.gmem);
		goto out;
	}
	*addr = m.addr;
out:
	file_put(f);
	return ret;
}

static int sim_munmap(struct gh_backend *be, void *addr, size_t len)
{
	struct sim_backend *sb = (struct sim_backend *)be;
	struct sim_mapping m = { 0 };
	bool found = false;

	pthread_mutex_lock(&sb->lock);
	for (unsigned int i = 0; i < sb->nr_maps; i++) {
		if (sb->maps[i].addr == addr && sb->maps[i].len == len) {
			m = sb->maps[i];
			sb->maps[i] = sb->maps[--sb->nr_maps];
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&sb->lock);
	if (!found)
		return -EINVAL;
	if (m.type == SIM_FILE_VCPU)
		sim_vcpu_put(m.vcpu);
	else
		sim_gmem_put(m.gmem);
	return 0;
}

static int sim_close(struct gh_backend *be, int fd)
{
	struct sim_backend *sb = (struct sim_backend *)be;
	unsigned int i = (unsigned int)fd - SIM_FD_BASE;
	struct sim_file *f = NULL;

	if (fd < SIM_FD_BASE || i >= SIM_MAX_FILES)
		return -EBADF;
	pthread_mutex_lock(&sb->lock);
	f = sb->files[i];
	sb->files[i] = NULL;
	pthread_mutex_unlock(&sb->lock);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

static void sim_destroy(struct gh_backend *be)
{
	struct sim_backend *sb = (struct sim_backend *)be;

	/* Whatever the caller left open goes, as at process exit. */
	for (unsigned int i = 0; i < SIM_MAX_FILES; i++)
		if (sb->files[i])
			sim_close(be, SIM_FD_BASE + (int)i);
	while (sb->nr_maps)
		sim_munmap(be, sb->maps[0].addr, sb->maps[0].len);
	pthread_mutex_destroy(&sb->lock);
	free(sb);
}

static const struct gh_backend_ops sim_ops = {
	.name = "sim",
	.open = sim_open,
	.ioctl = sim_ioctl,
	.mmap = sim_mmap,
	.munmap = sim_munmap,
	.close = sim_close,
	.destroy = sim_destroy,
};

int gh_sim_backend_new(struct gh_backend **out)
{
	struct sim_backend *sb = calloc(1, sizeof(*sb));

	if (!sb)
		return -ENOMEM;
	pthread_mutex_init(&sb->lock, NULL);
	sb->be.ops = &sim_ops;
	sb->be.abi = &gh_abi_upstream;
	*out = &sb->be;
	return 0;
}
