// SPDX-License-Identifier: GPL-2.0-only
/*
 * run --kernel: the arm64 Image, the initrd and the DTB in guest RAM
 * (boot.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfdt.h>

#include "engine/boot.h"

#define ARM64_MAGIC 0x644d5241u /* "ARM\x64" at offset 56 */
#define SZ_2M (2ull << 20)
#define PAGE 4096ull

/* The header of an arm64 Image (booting.rst), little-endian. */
struct arm64_header {
	uint32_t code0, code1;
	uint64_t text_offset;
	uint64_t image_size;
	uint64_t flags;
	uint64_t res2, res3, res4;
	uint32_t magic;
	uint32_t res5;
};

static int read_file(const char *path, void **data, size_t *size, char *err,
		     size_t errlen)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	char *buf;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EISDIR;
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		ret = -ENOMEM;
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		goto out;
	}
	while (got < (size_t)st.st_size &&
	       (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	if (got != (size_t)st.st_size) {
		free(buf);
		ret = -EIO;
		snprintf(err, errlen, "%s: short read", path);
		goto out;
	}
	*data = buf;
	*size = got;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

static void *ram(struct gh_vm *vm, uint64_t addr, uint64_t len)
{
	return gh_vm_host_ptr(vm, addr, len);
}

static uint64_t dtb_addr_of(const struct gctl_fdt_config *f)
{
	return (f->ram_base + f->ram_size - SZ_2M) & ~(SZ_2M - 1);
}

int gctl_boot_plan(struct gctl_boot *b, char *err, size_t errlen)
{
	struct stat st;
	uint64_t dtb = dtb_addr_of(&b->fdt);

	if (!b->initrd)
		return 0;
	if (stat(b->initrd, &st)) {
		snprintf(err, errlen, "%s: %s", b->initrd, strerror(errno));
		return -errno;
	}
	if ((uint64_t)st.st_size > dtb - b->fdt.ram_base) {
		snprintf(err, errlen, "%s: does not fit in RAM", b->initrd);
		return -EFBIG;
	}
	b->fdt.initrd = true;
	b->fdt.initrd_start = (dtb - (uint64_t)st.st_size) & ~(PAGE - 1);
	b->fdt.initrd_end = b->fdt.initrd_start + (uint64_t)st.st_size;
	return 0;
}

long gctl_boot_dtb(const struct gctl_boot *b, void *buf, size_t size,
		   char *err, size_t errlen)
{
	void *given;
	size_t given_size;
	int ret;

	if (!b->dtb) {
		ret = gctl_fdt_build(&b->fdt, buf, size, err, errlen);
		return ret ? ret : (long)fdt_totalsize(buf);
	}
	ret = read_file(b->dtb, &given, &given_size, err, errlen);
	if (ret)
		return ret;
	ret = gctl_fdt_patch_chosen(given, given_size, &b->fdt, buf, size,
				    err, errlen);
	free(given);
	if (ret) {
		char why[200];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "--dtb %s: %s", b->dtb, why);
		return ret;
	}
	return (long)fdt_totalsize(buf);
}

/*
 * Where the kernel (ksize bytes read) goes, by its Image header: info's
 * entry, kernel_lo/hi and dtb_addr, *image_size what it occupies.
 */
static int kernel_layout(const struct gctl_boot *b, const void *kernel,
			 size_t ksize, struct gctl_boot_info *info,
			 uint64_t *image_size, char *err, size_t errlen)
{
	const struct gctl_fdt_config *f = &b->fdt;
	uint64_t base = (f->ram_base + SZ_2M - 1) & ~(SZ_2M - 1);
	struct arm64_header h;
	uint64_t text_offset;

	if (ksize < sizeof(h)) {
		snprintf(err, errlen, "%s: too short for an arm64 Image", b->kernel);
		return -ENOEXEC;
	}
	memcpy(&h, kernel, sizeof(h));
	if (h.magic != ARM64_MAGIC) {
		snprintf(err, errlen, "%s: not an arm64 Image (no \"ARM\\x64\" "
			 "magic at offset 56; a compressed vmlinuz must be "
			 "unpacked first)", b->kernel);
		return -ENOEXEC;
	}
	/* image_size 0: a kernel older than 3.17, text_offset 0x80000. */
	text_offset = h.image_size ? h.text_offset : 0x80000;
	*image_size = h.image_size ? h.image_size : ksize;
	if (*image_size < ksize)
		*image_size = ksize;
	info->entry = info->kernel_lo = base + text_offset;
	info->kernel_hi = info->kernel_lo + *image_size;
	/* The DTB's 2 MiB at the top of RAM, the kernel's image below. */
	info->dtb_addr = dtb_addr_of(f);
	if (base < f->ram_base || info->kernel_hi > info->dtb_addr) {
		snprintf(err, errlen, "%s: needs %#" PRIx64 " bytes of RAM from %#"
			 PRIx64 " and 2 MiB for the DTB: --mem is too small",
			 b->kernel, *image_size, info->kernel_lo);
		return -EFBIG;
	}
	return 0;
}

int gctl_boot_load(struct gh_vm *vm, struct gctl_boot *b,
		   struct gctl_boot_info *info, char *err, size_t errlen)
{
	void *kernel = NULL, *initrd = NULL, *dtb = NULL;
	size_t ksize, isize = 0;
	uint64_t image_size;
	long dsize;
	int ret;

	memset(info, 0, sizeof(*info));
	ret = read_file(b->kernel, &kernel, &ksize, err, errlen);
	if (ret)
		return ret;
	ret = kernel_layout(b, kernel, ksize, info, &image_size, err, errlen);
	if (ret)
		goto out;

	if (b->initrd) {
		ret = read_file(b->initrd, &initrd, &isize, err, errlen);
		if (ret)
			goto out;
		info->initrd_lo = (info->dtb_addr - isize) & ~(PAGE - 1);
		info->initrd_hi = info->initrd_lo + isize;
		if (isize > info->dtb_addr ||
		    info->initrd_lo < info->kernel_hi) {
			ret = -EFBIG;
			snprintf(err, errlen, "%s: %zu bytes do not fit between "
				 "the kernel and the DTB: --mem is too small",
				 b->initrd, isize);
			goto out;
		}
		b->fdt.initrd = true;
		b->fdt.initrd_start = info->initrd_lo;
		b->fdt.initrd_end = info->initrd_hi;
	}

	dtb = calloc(1, GCTL_FDT_MAX_SIZE);
	if (!dtb) {
		ret = -ENOMEM;
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		goto out;
	}
	dsize = gctl_boot_dtb(b, dtb, GCTL_FDT_MAX_SIZE, err, errlen);
	if (dsize < 0) {
		ret = (int)dsize;
		goto out;
	}
	info->dtb_size = (uint64_t)dsize;

	if (!ram(vm, info->kernel_lo, image_size) ||
	    !ram(vm, info->dtb_addr, info->dtb_size) ||
	    (isize && !ram(vm, info->initrd_lo, isize))) {
		ret = -EFBIG;
		snprintf(err, errlen, "the kernel, initrd or DTB is not in RAM "
			 "this process mapped");
		goto out;
	}
	memcpy(ram(vm, info->kernel_lo, ksize), kernel, ksize);
	memset((char *)ram(vm, info->kernel_lo, image_size) + ksize, 0,
	       image_size - ksize);
	if (isize)
		memcpy(ram(vm, info->initrd_lo, isize), initrd, isize);
	memcpy(ram(vm, info->dtb_addr, info->dtb_size), dtb, info->dtb_size);

	ret = gh_vm_set_dtb(vm, info->dtb_addr, info->dtb_size);
	if (ret) {
		snprintf(err, errlen, "GUNYAH_VM_SET_DTB_CONFIG: %s",
			 strerror(-ret));
		goto out;
	}
	/* x0 = the DTB, as the boot protocol says, on every backend. */
	ret = gh_vm_set_boot_reg(vm, REG_SET_X, 0, info->dtb_addr);
	if (ret)
		snprintf(err, errlen, "GUNYAH_VM_SET_BOOT_CONTEXT x0: %s",
			 strerror(-ret));
out:
	free(kernel);
	free(initrd);
	free(dtb);
	return ret;
}
