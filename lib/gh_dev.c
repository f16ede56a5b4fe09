// SPDX-License-Identifier: GPL-2.0-only
/* The "dev" backend: the seam's calls made as real syscalls on /dev/gunyah. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gunyah.h"

struct dev_backend {
	struct gh_backend be;
	char *path;
};

static int dev_open(struct gh_backend *be, const char *path, int flags)
{
	struct dev_backend *d = (struct dev_backend *)be;
	int fd;

	/* The VM layer asks for /dev/gunyah; this backend may point elsewhere. */
	if (!strcmp(path, GH_DEV_PATH))
		path = d->path;
	fd = open(path, flags);
	return fd < 0 ? -errno : fd;
}

static long dev_ioctl(struct gh_backend *be, int fd, unsigned long request,
		      void *arg)
{
	long ret;

	(void)be;
	ret = ioctl(fd, request, arg);
	return ret < 0 ? -errno : ret;
}

static int dev_mmap(struct gh_backend *be, int fd, size_t len, off_t offset,
		    void **addr)
{
	void *p;

	(void)be;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

static int dev_munmap(struct gh_backend *be, void *addr, size_t len)
{
	(void)be;
	return munmap(addr, len) ? -errno : 0;
}

static int dev_close(struct gh_backend *be, int fd)
{
	(void)be;
	return close(fd) ? -errno : 0;
}

static void dev_destroy(struct gh_backend *be)
{
	struct dev_backend *d = (struct dev_backend *)be;

	free(d->path);
	free(d);
}

static const struct gh_backend_ops dev_ops = {
	.name = "dev",
	.open = dev_open,
	.ioctl = dev_ioctl,
	.mmap = dev_mmap,
	.munmap = dev_munmap,
	.close = dev_close,
	.destroy = dev_destroy,
};

int gh_dev_backend_new(const char *path, struct gh_backend **out)
{
	struct dev_backend *d;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->path = strdup(path ? path : GH_DEV_PATH);
	if (!d->path) {
		free(d);
		return -ENOMEM;
	}
	d->be.ops = &dev_ops;
	d->be.abi = &gh_abi_upstream;
	*out = &d->be;
	return 0;
}
