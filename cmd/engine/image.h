/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest images: a raw binary or an AArch64 ELF executable, checked and
 * copied into guest RAM.
 *
 * Nothing here prints or exits: every failure comes back as -errno plus a
 * message in the caller's buffer, precise enough to show as is
 * ("ELF machine is x86-64, want AArch64").  gctl_image_load() takes the
 * image as bytes, so a fuzzer can feed it anything without a file.
 *
 * Error numbers (run.c turns them into exit statuses):
 *   -ENOEXEC  not a loadable image: bad ELF header, wrong class, machine,
 *             type, truncated or inconsistent headers, overlapping
 *             segments, a misaligned entry point, empty file, or a file
 *             that shrank while it was read
 *   -EFBIG    the image or a segment does not fit in guest RAM
 *   -ENOENT, -EACCES, -EISDIR, ...  from opening or reading the file;
 *   -EINVAL   not a regular file (a FIFO, a device): refused before
 *             anything could wait on it
 *   -ENOMEM   out of host memory
 */
#ifndef GCTL_IMAGE_H
#define GCTL_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "gunyah.h"

#define GCTL_IMAGE_MAX_SEGMENTS 16

enum gctl_image_format {
	GCTL_IMAGE_RAW,
	GCTL_IMAGE_ELF,
};

struct gctl_image_segment {
	uint64_t paddr;	 /* guest physical address */
	uint64_t filesz; /* bytes copied from the image */
	uint64_t memsz;	 /* bytes set in RAM (the rest zeroed) */
};

/* What was loaded, for messages and for choosing the entry point. */
struct gctl_image_info {
	enum gctl_image_format format;
	uint64_t entry;	       /* ELF e_entry, or the raw load address */
	uint64_t lo, hi;       /* guest range written: [lo, hi) */
	unsigned int nr_segments;
	struct gctl_image_segment segments[GCTL_IMAGE_MAX_SEGMENTS];
};

struct gctl_image_opts {
	uint64_t load_addr; /* raw images only */
};

/* An ELF image starts with the ELF magic; anything else is raw. */
enum gctl_image_format gctl_image_detect(const void *data, size_t size);

/*
 * Check data/size and copy it into vm's RAM (through gh_vm_host_ptr, so
 * only memory this process mapped is written).  Every check is made
 * before the first byte is copied: on failure RAM is untouched.
 */
int gctl_image_load(struct gh_vm *vm, const void *data, size_t size,
		    const struct gctl_image_opts *opts,
		    struct gctl_image_info *info, char *err, size_t errlen);

/*
 * The same for a file, read with pread (not mapped: a file truncated
 * meanwhile is an error, not SIGBUS), only the parts that are loaded.
 * RAM stays untouched on failure unless the file shrinks while its
 * segments are copied.
 */
int gctl_image_load_file(struct gh_vm *vm, const char *path,
			 const struct gctl_image_opts *opts,
			 struct gctl_image_info *info, char *err,
			 size_t errlen);

#endif /* GCTL_IMAGE_H */
