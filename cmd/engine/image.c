// SPDX-License-Identifier: GPL-2.0-only
/*
 * Image loading: raw binaries and AArch64 ELF executables.  The ELF side
 * reads only what a boot loader needs (the file header and PT_LOAD program
 * headers) and trusts none of it: every offset and size is checked against
 * the file and against guest RAM before anything is copied.
 *
 * A file is read (pread), never mapped: a file that shrinks under a
 * mapping kills the reader with SIGBUS, a short read is just an error.
 * What the checks passed is what is copied: program headers are read
 * once, the segments' bytes straight into guest RAM.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/image.h"

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* The image's bytes: in memory (a fuzzer's), or in a file read as needed. */
struct image_src {
	const unsigned char *data; /* NULL: read fd */
	int fd;
	size_t size;		   /* as fstat said when loading began */
};

/* len bytes at off (the caller checked they are inside size). */
static int src_read(const struct image_src *src, void *dst, size_t len,
		    uint64_t off, char *err, size_t errlen)
{
	char *p = dst;

	if (src->data) {
		memcpy(dst, src->data + off, len);
		return 0;
	}
	while (len) {
		ssize_t n = pread(src->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(err, errlen, -errno, "%s", strerror(errno));
		if (!n)
			return fail(err, errlen, -ENOEXEC,
				    "the file shrank while it was read: no "
				    "bytes at offset %" PRIu64 " of %zu",
				    off, src->size);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* Guest RAM as "[base, end)" for messages; one region is the usual case. */
static const char *ram_str(const struct gh_vm *vm, char *buf, size_t len)
{
	if (vm->nr_regions == 1)
		snprintf(buf, len, "guest RAM [%#" PRIx64 ", %#" PRIx64 ")",
			 vm->regions[0].guest_addr,
			 vm->regions[0].guest_addr + vm->regions[0].size);
	else
		snprintf(buf, len, "guest RAM");
	return buf;
}

static const char *machine_str(uint16_t m)
{
	switch (m) {
	case EM_NONE: return "none";
	case EM_386: return "i386";
	case EM_ARM: return "ARM (32-bit)";
	case EM_X86_64: return "x86-64";
	case EM_PPC: return "PowerPC";
	case EM_PPC64: return "PowerPC64";
	case EM_S390: return "s390";
	case EM_MIPS: return "MIPS";
	case EM_RISCV: return "RISC-V";
	case EM_SPARCV9: return "SPARC64";
	case EM_AARCH64: return "AArch64";
	default: return NULL;
	}
}

static const char *type_str(uint16_t t)
{
	switch (t) {
	case ET_NONE: return "none (ET_NONE)";
	case ET_REL: return "relocatable (ET_REL)";
	case ET_DYN: return "shared object (ET_DYN)";
	case ET_CORE: return "core file (ET_CORE)";
	default: return "unknown";
	}
}

enum gctl_image_format gctl_image_detect(const void *data, size_t size)
{
	if (size >= SELFMAG && !memcmp(data, ELFMAG, SELFMAG))
		return GCTL_IMAGE_ELF;
	return GCTL_IMAGE_RAW;
}

static int load_raw(struct gh_vm *vm, const struct image_src *src,
		    const struct gctl_image_opts *opts,
		    struct gctl_image_info *info, char *err, size_t errlen)
{
	uint64_t addr = opts->load_addr;
	size_t size = src->size;
	char ram[80];
	void *dst;
	int ret;

	dst = gh_vm_host_ptr(vm, addr, 1);
	if (!dst)
		return fail(err, errlen, -EFBIG,
			    "load address %#" PRIx64 " is not in %s", addr,
			    ram_str(vm, ram, sizeof(ram)));
	dst = gh_vm_host_ptr(vm, addr, size);
	if (!dst)
		return fail(err, errlen, -EFBIG,
			    "%zu-byte image does not fit in %s from %#" PRIx64,
			    size, ram_str(vm, ram, sizeof(ram)), addr);
	ret = src_read(src, dst, size, 0, err, errlen);
	if (ret)
		return ret;
	info->format = GCTL_IMAGE_RAW;
	info->entry = addr;
	info->lo = addr;
	info->hi = addr + size;
	info->nr_segments = 1;
	info->segments[0] = (struct gctl_image_segment){
		.paddr = addr, .filesz = size, .memsz = size };
	return 0;
}

/* The ELF file header: everything that makes it not ours is an error. */
static int check_ehdr(const Elf64_Ehdr *eh, size_t size, char *err,
		      size_t errlen)
{
	const char *m;

	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return fail(err, errlen, -ENOEXEC, "ELF class is %s, want 64-bit",
			    eh->e_ident[EI_CLASS] == ELFCLASS32 ? "32-bit" :
								 "invalid");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen, -ENOEXEC,
			    "ELF data encoding is %s, want little-endian",
			    eh->e_ident[EI_DATA] == ELFDATA2MSB ? "big-endian" :
								 "invalid");
	/* Two fields: the message names the one that is wrong. */
	if (eh->e_ident[EI_VERSION] != EV_CURRENT)
		return fail(err, errlen, -ENOEXEC,
			    "ELF identification version %u, want %u",
			    eh->e_ident[EI_VERSION], EV_CURRENT);
	if (eh->e_version != EV_CURRENT)
		return fail(err, errlen, -ENOEXEC, "ELF version %u, want %u",
			    eh->e_version, EV_CURRENT);
	if (eh->e_machine != EM_AARCH64) {
		m = machine_str(eh->e_machine);
		if (m)
			return fail(err, errlen, -ENOEXEC,
				    "ELF machine is %s, want AArch64", m);
		return fail(err, errlen, -ENOEXEC,
			    "ELF machine is %u, want AArch64 (%u)",
			    eh->e_machine, EM_AARCH64);
	}
	if (eh->e_type != ET_EXEC)
		return fail(err, errlen, -ENOEXEC,
			    "ELF type is %s, want an executable (ET_EXEC)",
			    type_str(eh->e_type));
	if (eh->e_ehsize < sizeof(Elf64_Ehdr))
		return fail(err, errlen, -ENOEXEC,
			    "ELF header size %u, want %zu", eh->e_ehsize,
			    sizeof(Elf64_Ehdr));
	if (!eh->e_phnum)
		return fail(err, errlen, -ENOEXEC, "ELF has no program headers");
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return fail(err, errlen, -ENOEXEC,
			    "ELF program header size %u, want %zu",
			    eh->e_phentsize, sizeof(Elf64_Phdr));
	if (eh->e_phoff > size ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > size - eh->e_phoff)
		return fail(err, errlen, -ENOEXEC,
			    "truncated ELF: %u program headers at offset %" PRIu64
			    " run past the end of the %zu-byte file",
			    eh->e_phnum, (uint64_t)eh->e_phoff, size);
	return 0;
}

static int check_segment(struct gh_vm *vm, const Elf64_Phdr *ph,
			 unsigned int i, size_t size, char *err, size_t errlen)
{
	char ram[80];

	if (ph->p_filesz > ph->p_memsz)
		return fail(err, errlen, -ENOEXEC,
			    "ELF segment %u: file size %#" PRIx64
			    " is larger than its memory size %#" PRIx64,
			    i, (uint64_t)ph->p_filesz, (uint64_t)ph->p_memsz);
	if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
		return fail(err, errlen, -ENOEXEC,
			    "truncated ELF: segment %u (offset %#" PRIx64
			    ", %#" PRIx64 " bytes) runs past the end of the %zu-byte file",
			    i, (uint64_t)ph->p_offset, (uint64_t)ph->p_filesz,
			    size);
	if (ph->p_paddr + ph->p_memsz < ph->p_paddr)
		return fail(err, errlen, -ENOEXEC,
			    "ELF segment %u: address %#" PRIx64 " + size %#" PRIx64
			    " wraps around", i, (uint64_t)ph->p_paddr,
			    (uint64_t)ph->p_memsz);
	if (ph->p_memsz && !gh_vm_host_ptr(vm, ph->p_paddr, ph->p_memsz))
		return fail(err, errlen, -EFBIG,
			    "ELF segment %u [%#" PRIx64 ", %#" PRIx64
			    ") is not inside %s", i, (uint64_t)ph->p_paddr,
			    (uint64_t)(ph->p_paddr + ph->p_memsz),
			    ram_str(vm, ram, sizeof(ram)));
	return 0;
}

/* Two segments that would write the same guest bytes: which one wins? */
static int check_overlap(const Elf64_Phdr *load, const unsigned int *idx,
			 unsigned int n, char *err, size_t errlen)
{
	const Elf64_Phdr *a = &load[n];

	for (unsigned int i = 0; i < n; i++) {
		const Elf64_Phdr *b = &load[i];

		if (a->p_paddr < b->p_paddr + b->p_memsz &&
		    b->p_paddr < a->p_paddr + a->p_memsz)
			return fail(err, errlen, -ENOEXEC,
				    "ELF segments %u [%#" PRIx64 ", %#" PRIx64
				    ") and %u [%#" PRIx64 ", %#" PRIx64
				    ") overlap", idx[i], (uint64_t)b->p_paddr,
				    (uint64_t)(b->p_paddr + b->p_memsz), idx[n],
				    (uint64_t)a->p_paddr,
				    (uint64_t)(a->p_paddr + a->p_memsz));
	}
	return 0;
}

static int load_elf(struct gh_vm *vm, const struct image_src *src,
		    struct gctl_image_info *info, char *err, size_t errlen)
{
	/* The checked PT_LOAD headers: the copy uses these, not a re-read. */
	Elf64_Phdr load[GCTL_IMAGE_MAX_SEGMENTS];
	unsigned int idx[GCTL_IMAGE_MAX_SEGMENTS];
	size_t size = src->size;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	unsigned int n = 0;
	char ram[80];
	int ret;

	if (size < sizeof(eh))
		return fail(err, errlen, -ENOEXEC,
			    "truncated ELF: %zu bytes, the header alone is %zu",
			    size, sizeof(eh));
	/* Copies, not casts: the data may be unaligned. */
	ret = src_read(src, &eh, sizeof(eh), 0, err, errlen);
	if (ret)
		return ret;
	ret = check_ehdr(&eh, size, err, errlen);
	if (ret)
		return ret;

	/* First pass: check everything; nothing is written yet. */
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		ret = src_read(src, &ph, sizeof(ph),
			       eh.e_phoff + (uint64_t)i * sizeof(ph), err,
			       errlen);
		if (ret)
			return ret;
		if (ph.p_type != PT_LOAD)
			continue;
		ret = check_segment(vm, &ph, i, size, err, errlen);
		if (ret)
			return ret;
		if (!ph.p_memsz)
			continue; /* loads nothing (found by fuzz_image) */
		if (n == GCTL_IMAGE_MAX_SEGMENTS)
			return fail(err, errlen, -ENOEXEC,
				    "ELF has more than %d loadable segments",
				    GCTL_IMAGE_MAX_SEGMENTS);
		load[n] = ph;
		idx[n] = i;
		ret = check_overlap(load, idx, n, err, errlen);
		if (ret)
			return ret;
		info->segments[n++] = (struct gctl_image_segment){
			.paddr = ph.p_paddr, .filesz = ph.p_filesz,
			.memsz = ph.p_memsz };
	}
	if (!n)
		return fail(err, errlen, -ENOEXEC,
			    "ELF has no loadable (PT_LOAD) segments with memory");
	if (!gh_vm_host_ptr(vm, eh.e_entry, 1))
		return fail(err, errlen, -ENOEXEC,
			    "ELF entry point %#" PRIx64 " is not in %s",
			    (uint64_t)eh.e_entry, ram_str(vm, ram, sizeof(ram)));
	/* In RAM but not a place an instruction can start. */
	if (eh.e_entry % 4 || !gh_vm_host_ptr(vm, eh.e_entry, 4))
		return fail(err, errlen, -ENOEXEC,
			    "ELF entry point %#" PRIx64 " is not 4-byte "
			    "aligned (AArch64 instructions are)",
			    (uint64_t)eh.e_entry);

	/* Second pass: copy file bytes, zero the rest (.bss). */
	info->lo = UINT64_MAX;
	info->hi = 0;
	for (unsigned int i = 0; i < n; i++) {
		const Elf64_Phdr *sg = &load[i];
		char *dst = gh_vm_host_ptr(vm, sg->p_paddr, sg->p_memsz);

		ret = src_read(src, dst, sg->p_filesz, sg->p_offset, err,
			       errlen);
		if (ret)
			return ret;
		memset(dst + sg->p_filesz, 0, sg->p_memsz - sg->p_filesz);
		if (sg->p_paddr < info->lo)
			info->lo = sg->p_paddr;
		if (sg->p_paddr + sg->p_memsz > info->hi)
			info->hi = sg->p_paddr + sg->p_memsz;
	}
	info->format = GCTL_IMAGE_ELF;
	info->entry = eh.e_entry;
	info->nr_segments = n;
	return 0;
}

static int load(struct gh_vm *vm, const struct image_src *src,
		const unsigned char *head, size_t head_len,
		const struct gctl_image_opts *opts,
		struct gctl_image_info *info, char *err, size_t errlen)
{
	memset(info, 0, sizeof(*info));
	if (!src->size)
		return fail(err, errlen, -ENOEXEC, "empty image");
	if (gctl_image_detect(head, head_len) == GCTL_IMAGE_ELF)
		return load_elf(vm, src, info, err, errlen);
	return load_raw(vm, src, opts, info, err, errlen);
}

int gctl_image_load(struct gh_vm *vm, const void *data, size_t size,
		    const struct gctl_image_opts *opts,
		    struct gctl_image_info *info, char *err, size_t errlen)
{
	struct image_src src = { .data = data, .fd = -1, .size = size };

	return load(vm, &src, data, size, opts, info, err, errlen);
}

int gctl_image_load_file(struct gh_vm *vm, const char *path,
			 const struct gctl_image_opts *opts,
			 struct gctl_image_info *info, char *err,
			 size_t errlen)
{
	struct image_src src = { .fd = -1 };
	unsigned char head[SELFMAG];
	struct stat st;
	int ret;

	memset(info, 0, sizeof(*info));
	/*
	 * O_NONBLOCK: opening a FIFO (or some devices) would wait for a
	 * writer, with the stop signals already blocked; the type is
	 * checked before anything waits.  Regular files ignore the flag.
	 */
	src.fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (src.fd < 0)
		return fail(err, errlen, -errno, "%s", strerror(errno));
	if (fstat(src.fd, &st)) {
		ret = fail(err, errlen, -errno, "%s", strerror(errno));
		goto out_close;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = fail(err, errlen, -EISDIR, "%s", strerror(EISDIR));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = fail(err, errlen, -EINVAL, "not a regular file");
		goto out_close;
	}
	if (!st.st_size) {
		ret = fail(err, errlen, -ENOEXEC, "empty image");
		goto out_close;
	}
	if ((uint64_t)st.st_size > SIZE_MAX) {
		ret = fail(err, errlen, -EFBIG, "image too large");
		goto out_close;
	}
	src.size = (size_t)st.st_size;
	ret = src_read(&src, head, src.size < sizeof(head) ? src.size :
			 sizeof(head), 0, err, errlen);
	if (!ret)
		ret = load(vm, &src, head, src.size < sizeof(head) ? src.size :
			   sizeof(head), opts, info, err, errlen);
out_close:
	close(src.fd);
	return ret;
}
