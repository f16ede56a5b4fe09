// SPDX-License-Identifier: GPL-2.0-only
/* The backend seam: every request from libgunyah to a driver passes here. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gunyah.h"

int gh_backend_open(const char *name, const char *path,
		    struct gh_backend **out)
{
	if (!name || !strcmp(name, "sim"))
		return gh_sim_backend_new(out);
	if (!strcmp(name, "dev"))
		return gh_dev_backend_new(path, out);
	return -EINVAL;
}

void gh_backend_close(struct gh_backend *be)
{
	if (be)
		be->ops->destroy(be);
}

void gh_backend_set_log(struct gh_backend *be, gh_log_fn fn, void *ctx)
{
	be->log = fn;
	be->log_ctx = ctx;
}

const char *gh_backend_name(const struct gh_backend *be)
{
	return be->ops->name;
}

bool gh_backend_is_sim(const struct gh_backend *be)
{
	return !strcmp(be->ops->name, "sim");
}

int gh_open(struct gh_backend *be, const char *path, int flags)
{
	return be->ops->open(be, path, flags);
}

long gh_ioctl(struct gh_backend *be, int fd, unsigned long request, void *arg)
{
	return be->ops->ioctl(be, fd, request, arg);
}

int gh_mmap(struct gh_backend *be, int fd, size_t len, off_t offset,
	    void **addr)
{
	return be->ops->mmap(be, fd, len, offset, addr);
}

int gh_munmap(struct gh_backend *be, void *addr, size_t len)
{
	return be->ops->munmap(be, addr, len);
}

int gh_close(struct gh_backend *be, int fd)
{
	return be->ops->close(be, fd);
}
