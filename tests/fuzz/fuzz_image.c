// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: the image loader (cmd/engine/image.c), which reads whatever file
 * the user names.  The VM is two RAM regions of this process (8 KiB at
 * 0x80000000, 4 KiB at 0x90000000) filled with a canary; no backend is
 * needed since the loader only writes through gh_vm_host_ptr().
 *
 * Input: byte 0 picks the raw load address (an offset into the first
 * region, or just past it); the rest is the image.  Checked:
 *   - a failure leaves RAM untouched, with a non-empty one-line message
 *     and one of the documented error numbers;
 *   - a success writes inside the segments it reports only, each in RAM
 *     and inside [info.lo, info.hi), and the entry point is in RAM;
 *   - a raw image is copied byte for byte at the load address; an ELF's
 *     segments say where they went, with memsz >= filesz, zeroes after
 *     filesz.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cmd/engine/image.c"

#define FAIL(...)                                                          \
	do {                                                               \
		fprintf(stderr, "fuzz_image: ");                           \
		fprintf(stderr, __VA_ARGS__);                              \
		fputc('\n', stderr);                                       \
		abort();                                                   \
	} while (0)

#define RAM0 0x80000000ull
#define RAM0_SIZE 0x2000ull
#define RAM1 0x90000000ull
#define RAM1_SIZE 0x1000ull
#define CANARY 0xa5

static uint8_t ram0[RAM0_SIZE], ram1[RAM1_SIZE];

static bool in_ram(uint64_t addr, uint64_t len)
{
	return (addr >= RAM0 && addr - RAM0 <= RAM0_SIZE &&
		len <= RAM0_SIZE - (addr - RAM0)) ||
	       (addr >= RAM1 && addr - RAM1 <= RAM1_SIZE &&
		len <= RAM1_SIZE - (addr - RAM1));
}

static const uint8_t canary[RAM0_SIZE] = { [0 ... RAM0_SIZE - 1] = CANARY };

/*
 * Nothing of a RAM region outside the segments that were loaded may have
 * changed (segs may be NULL: nothing was loaded).
 */
static void check_untouched(const uint8_t *ram, uint64_t gpa, uint64_t size,
			    const struct gctl_image_info *info)
{
	uint64_t cur = 0; /* offset: everything before it is checked */

	while (cur < size) {
		uint64_t next = size; /* the nearest segment start from cur */
		bool inside = false;

		for (unsigned int i = 0; info && i < info->nr_segments; i++) {
			const struct gctl_image_segment *sg = &info->segments[i];
			uint64_t s0 = sg->paddr, s1 = sg->paddr + sg->memsz;

			if (s1 <= gpa || s0 >= gpa + size)
				continue;
			s0 = s0 > gpa ? s0 - gpa : 0;
			s1 = s1 - gpa < size ? s1 - gpa : size;
			if (s0 <= cur && cur < s1) {
				cur = s1; /* skip a loaded span */
				inside = true;
				break;
			}
			if (s0 > cur && s0 < next)
				next = s0;
		}
		if (inside)
			continue;
		if (memcmp(ram + cur, canary, next - cur))
			FAIL("RAM at %#llx written outside the loaded segments",
			     (unsigned long long)(gpa + cur));
		cur = next;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gh_vm vm = { .nr_regions = 2 };
	struct gctl_image_opts opts;
	struct gctl_image_info info;
	char err[256] = "";
	int ret;

	if (size < 1)
		return 0;
	memset(ram0, CANARY, sizeof(ram0));
	memset(ram1, CANARY, sizeof(ram1));
	vm.regions[0] = (struct gh_mem_region){ .guest_addr = RAM0,
						.size = RAM0_SIZE,
						.host = ram0 };
	vm.regions[1] = (struct gh_mem_region){ .guest_addr = RAM1,
						.size = RAM1_SIZE,
						.host = ram1 };
	opts.load_addr = RAM0 + (uint64_t)data[0] * (RAM0_SIZE / 0x100) +
			 (data[0] == 0xff ? RAM0_SIZE : 0);
	data++;
	size--;

	ret = gctl_image_load(&vm, data, size, &opts, &info, err, sizeof(err));
	if (ret) {
		if (ret != -ENOEXEC && ret != -EFBIG && ret != -ENOMEM)
			FAIL("error %d is not one the loader documents", ret);
		if (!err[0] || strchr(err, '\n'))
			FAIL("error message \"%s\" is not one line", err);
		check_untouched(ram0, RAM0, RAM0_SIZE, NULL);
		check_untouched(ram1, RAM1, RAM1_SIZE, NULL);
		return 0;
	}

	if (info.nr_segments < 1 || info.nr_segments > GCTL_IMAGE_MAX_SEGMENTS)
		FAIL("%u segments", info.nr_segments);
	if (!in_ram(info.entry, 4))
		FAIL("entry %#llx is not in RAM", (unsigned long long)info.entry);
	check_untouched(ram0, RAM0, RAM0_SIZE, &info);
	check_untouched(ram1, RAM1, RAM1_SIZE, &info);

	if (info.format == GCTL_IMAGE_RAW) {
		const uint8_t *dst = gh_vm_host_ptr(&vm, opts.load_addr, size);

		if (gctl_image_detect(data, size) != GCTL_IMAGE_RAW)
			FAIL("an ELF was loaded as raw");
		if (!dst || memcmp(dst, data, size))
			FAIL("raw image not copied as is at %#llx",
			     (unsigned long long)opts.load_addr);
		if (info.entry != opts.load_addr)
			FAIL("raw entry %#llx is not the load address",
			     (unsigned long long)info.entry);
		return 0;
	}
	for (unsigned int i = 0; i < info.nr_segments; i++) {
		const struct gctl_image_segment *sg = &info.segments[i];
		const uint8_t *dst;

		if (sg->memsz < sg->filesz || !in_ram(sg->paddr, sg->memsz) ||
		    sg->paddr < info.lo || sg->paddr + sg->memsz > info.hi)
			FAIL("segment %u (%#llx, filesz %#llx, memsz %#llx) is off",
			     i, (unsigned long long)sg->paddr,
			     (unsigned long long)sg->filesz,
			     (unsigned long long)sg->memsz);
		dst = gh_vm_host_ptr(&vm, sg->paddr, sg->memsz);
		for (uint64_t b = sg->filesz; dst && b < sg->memsz; b++)
			if (dst[b]) {
				/* A later segment may overlap; only flag if none does. */
				bool covered = false;

				for (unsigned int j = i + 1; j < info.nr_segments; j++)
					if (sg->paddr + b >= info.segments[j].paddr &&
					    sg->paddr + b < info.segments[j].paddr +
								 info.segments[j].memsz)
						covered = true;
				if (!covered)
					FAIL("segment %u: byte %#llx after filesz is not zero",
					     i, (unsigned long long)b);
			}
	}
	return 0;
}
