// SPDX-License-Identifier: GPL-2.0-only
/*
 * The image loader (cmd/engine/image.c) on crafted headers, without a VM: RAM is
 * a buffer of this process filled with a canary, and each image ends
 * right before an inaccessible page, so a read past its end (a segment
 * offset the loader failed to check) is a crash, not luck.  Every refusal
 * is checked for its error number, its exact message and RAM untouched;
 * tests/bats/loader.bats checks the same through `gunyahctl run`.
 */
#include <elf.h>
#include <sys/mman.h>

#include "../../cmd/engine/image.c"
#include "test.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x10000ull
#define CANARY 0xa5
#define CODE 0x14000000u /* b . */

static uint8_t ram[RAM_SIZE];

/* An ELF under construction: header, program headers, 4 bytes of code. */
struct elf {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[20];
	unsigned int nr;
	size_t size; /* of the file; 0: the natural size */
};

static size_t code_off(const struct elf *e)
{
	return sizeof(Elf64_Ehdr) + e->nr * sizeof(Elf64_Phdr);
}

/* Valid: nr PT_LOAD segments a page apart, each the code, entry at RAM. */
static void elf_init(struct elf *e, unsigned int nr)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
	e->eh.e_ident[EI_CLASS] = ELFCLASS64;
	e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	e->eh.e_ident[EI_VERSION] = EV_CURRENT;
	e->eh.e_type = ET_EXEC;
	e->eh.e_machine = EM_AARCH64;
	e->eh.e_version = EV_CURRENT;
	e->eh.e_entry = RAM_BASE;
	e->eh.e_phoff = sizeof(Elf64_Ehdr);
	e->eh.e_ehsize = sizeof(Elf64_Ehdr);
	e->eh.e_phentsize = sizeof(Elf64_Phdr);
	e->eh.e_phnum = (uint16_t)nr;
	e->nr = nr;
	for (unsigned int i = 0; i < nr; i++)
		e->ph[i] = (Elf64_Phdr){
			.p_type = PT_LOAD, .p_flags = PF_R | PF_X,
			.p_offset = code_off(e), .p_vaddr = RAM_BASE + i * 0x1000,
			.p_paddr = RAM_BASE + i * 0x1000, .p_filesz = 4,
			.p_memsz = 8, .p_align = 0x1000 };
}

/*
 * The file's bytes at the end of a mapping, an inaccessible page right
 * after them; freed by image_free.
 */
struct image {
	uint8_t *map;
	size_t map_len;
	const uint8_t *data;
	size_t size;
};

static void image_of(struct image *im, const struct elf *e)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t natural = code_off(e) + 4, size = e->size ? e->size : natural;
	uint8_t *bytes = calloc(1, size > natural ? size : natural);
	uint32_t code = CODE;

	ASSERT_TRUE(bytes != NULL);
	memcpy(bytes, &e->eh, sizeof(e->eh));
	memcpy(bytes + sizeof(e->eh), e->ph, e->nr * sizeof(Elf64_Phdr));
	memcpy(bytes + code_off(e), &code, 4);
	im->size = size;
	im->map_len = (size + page - 1) / page * page + page;
	im->map = mmap(NULL, im->map_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(im->map != MAP_FAILED);
	ASSERT_OK(mprotect(im->map + im->map_len - page, page, PROT_NONE) ?
			  -errno : 0);
	im->data = im->map + im->map_len - page - size;
	memcpy((uint8_t *)im->data, bytes, size);
	free(bytes);
}

static void image_free(struct image *im)
{
	munmap(im->map, im->map_len);
}

static void vm_init(struct gh_vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->nr_regions = 1;
	vm->regions[0] = (struct gh_mem_region){ .guest_addr = RAM_BASE,
						 .size = RAM_SIZE,
						 .host = ram };
	memset(ram, CANARY, sizeof(ram));
}

static bool ram_untouched(void)
{
	for (size_t i = 0; i < sizeof(ram); i++)
		if (ram[i] != CANARY)
			return false;
	return true;
}

/* e is refused with ret and exactly want; RAM is as it was. */
static void refused(const struct elf *e, int ret, const char *want)
{
	struct gctl_image_opts opts = { .load_addr = RAM_BASE };
	struct gctl_image_info info;
	struct image im;
	struct gh_vm vm;
	char err[256] = "";

	vm_init(&vm);
	image_of(&im, e);
	ASSERT_EQ(gctl_image_load(&vm, im.data, im.size, &opts, &info, err,
				  sizeof(err)),
		  ret);
	ASSERT_STREQ(err, want);
	ASSERT_TRUE(ram_untouched());
	image_free(&im);
}

TEST(a_valid_elf_loads_its_segments_and_zeroes_the_rest)
{
	struct gctl_image_opts opts = { 0 };
	struct gctl_image_info info;
	struct image im;
	struct gh_vm vm;
	struct elf e;
	uint32_t code;
	char err[256] = "";

	elf_init(&e, 2);
	e.ph[1].p_memsz = 0x20;
	vm_init(&vm);
	image_of(&im, &e);
	ASSERT_OK(gctl_image_load(&vm, im.data, im.size, &opts, &info, err,
				  sizeof(err)));
	ASSERT_EQ(info.format, GCTL_IMAGE_ELF);
	ASSERT_EQ(info.entry, RAM_BASE);
	ASSERT_EQ(info.nr_segments, 2);
	ASSERT_EQ(info.lo, RAM_BASE);
	ASSERT_EQ(info.hi, RAM_BASE + 0x1000 + 0x20);
	ASSERT_EQ(info.segments[1].paddr, RAM_BASE + 0x1000);
	ASSERT_EQ(info.segments[1].filesz, 4);
	ASSERT_EQ(info.segments[1].memsz, 0x20);
	memcpy(&code, ram, 4);
	ASSERT_EQ(code, CODE);
	memcpy(&code, ram + 0x1000, 4);
	ASSERT_EQ(code, CODE);
	/* memsz past filesz is zeroed; past memsz nothing is written. */
	for (size_t i = 4; i < 8; i++)
		ASSERT_EQ(ram[i], 0);
	ASSERT_EQ(ram[8], CANARY);
	for (size_t i = 0x1004; i < 0x1020; i++)
		ASSERT_EQ(ram[i], 0);
	ASSERT_EQ(ram[0x1020], CANARY);
	image_free(&im);
}

/* The bug no test caught: a segment starting past the end of the file. */
TEST(segment_offset_past_the_end_of_the_file)
{
	struct elf e;

	elf_init(&e, 1);
	e.ph[0].p_offset = 0x10000;
	refused(&e, -ENOEXEC, "truncated ELF: segment 0 (offset 0x10000, 0x4 "
			      "bytes) runs past the end of the 124-byte file");
	e.ph[0].p_offset = 125;
	e.ph[0].p_filesz = 0;
	refused(&e, -ENOEXEC, "truncated ELF: segment 0 (offset 0x7d, 0 "
			      "bytes) runs past the end of the 124-byte file");
	e.ph[0].p_offset = 0xfffffffffffffff0ull;
	e.ph[0].p_filesz = 0x10;
	e.ph[0].p_memsz = 0x10;
	refused(&e, -ENOEXEC, "truncated ELF: segment 0 (offset "
			      "0xfffffffffffffff0, 0x10 bytes) runs past the "
			      "end of the 124-byte file");
	e.ph[0].p_offset = UINT64_MAX;
	e.ph[0].p_filesz = 1;
	refused(&e, -ENOEXEC, "truncated ELF: segment 0 (offset "
			      "0xffffffffffffffff, 0x1 bytes) runs past the "
			      "end of the 124-byte file");
}

TEST(segment_running_past_the_end_of_the_file)
{
	struct elf e;

	elf_init(&e, 1);
	e.ph[0].p_filesz = 5;
	refused(&e, -ENOEXEC, "truncated ELF: segment 0 (offset 0x78, 0x5 "
			      "bytes) runs past the end of the 124-byte file");
	e.ph[0].p_offset = 1;
	e.ph[0].p_filesz = UINT64_MAX;
	e.ph[0].p_memsz = UINT64_MAX;
	refused(&e, -ENOEXEC, "truncated ELF: segment 0 (offset 0x1, "
			      "0xffffffffffffffff bytes) runs past the end of "
			      "the 124-byte file");
	/* The second segment is checked as the first is. */
	elf_init(&e, 2);
	e.ph[1].p_offset = 0x200;
	refused(&e, -ENOEXEC, "truncated ELF: segment 1 (offset 0x200, 0x4 "
			      "bytes) runs past the end of the 180-byte file");
}

TEST(segment_sizes_and_addresses)
{
	struct elf e;

	elf_init(&e, 1);
	e.ph[0].p_filesz = 0x10;
	refused(&e, -ENOEXEC, "ELF segment 0: file size 0x10 is larger than "
			      "its memory size 0x8");
	elf_init(&e, 1);
	e.ph[0].p_paddr = 0xfffffffffffff000ull;
	e.ph[0].p_memsz = 0x2000;
	refused(&e, -ENOEXEC, "ELF segment 0: address 0xfffffffffffff000 + "
			      "size 0x2000 wraps around");
	e.ph[0].p_paddr = UINT64_MAX;
	e.ph[0].p_filesz = 0;
	e.ph[0].p_memsz = 1;
	refused(&e, -ENOEXEC, "ELF segment 0: address 0xffffffffffffffff + "
			      "size 0x1 wraps around");
	elf_init(&e, 1);
	e.ph[0].p_paddr = RAM_BASE - 8;
	e.ph[0].p_memsz = 0x10;
	refused(&e, -EFBIG, "ELF segment 0 [0x7ffffff8, 0x80000008) is not "
			    "inside guest RAM [0x80000000, 0x80010000)");
	e.ph[0].p_paddr = RAM_BASE;
	e.ph[0].p_memsz = RAM_SIZE + 1;
	refused(&e, -EFBIG, "ELF segment 0 [0x80000000, 0x80010001) is not "
			    "inside guest RAM [0x80000000, 0x80010000)");
}

TEST(segment_count_and_entry)
{
	struct elf e;

	elf_init(&e, 17);
	for (unsigned int i = 0; i < 17; i++)
		e.ph[i].p_paddr = RAM_BASE + i * 0x100;
	refused(&e, -ENOEXEC, "ELF has more than 16 loadable segments");
	elf_init(&e, 1);
	e.ph[0].p_memsz = 0;
	e.ph[0].p_filesz = 0;
	refused(&e, -ENOEXEC, "ELF has no loadable (PT_LOAD) segments with "
			      "memory");
	elf_init(&e, 1);
	e.ph[0].p_type = PT_NOTE;
	refused(&e, -ENOEXEC, "ELF has no loadable (PT_LOAD) segments with "
			      "memory");
	/* In RAM, at its very end, but no instruction starts there. */
	elf_init(&e, 1);
	e.eh.e_entry = RAM_BASE + RAM_SIZE - 2;
	refused(&e, -ENOEXEC, "ELF entry point 0x8000fffe is not 4-byte "
			      "aligned (AArch64 instructions are)");
	elf_init(&e, 1);
	e.eh.e_entry = RAM_BASE + 2;
	refused(&e, -ENOEXEC, "ELF entry point 0x80000002 is not 4-byte "
			      "aligned (AArch64 instructions are)");
	elf_init(&e, 1);
	e.eh.e_entry = RAM_BASE + RAM_SIZE;
	refused(&e, -ENOEXEC, "ELF entry point 0x80010000 is not in guest RAM "
			      "[0x80000000, 0x80010000)");
}

/* Which of two segments writing the same bytes wins?  Neither: refused. */
TEST(overlapping_segments)
{
	struct elf e;

	elf_init(&e, 3);
	e.ph[2].p_paddr = RAM_BASE + 0x1004; /* inside segment 1's 8 bytes */
	refused(&e, -ENOEXEC, "ELF segments 1 [0x80001000, 0x80001008) and 2 "
			      "[0x80001004, 0x8000100c) overlap");
	elf_init(&e, 2);
	e.ph[0].p_paddr = RAM_BASE + 0x1004; /* the later one comes first */
	refused(&e, -ENOEXEC, "ELF segments 0 [0x80001004, 0x8000100c) and 1 "
			      "[0x80001000, 0x80001008) overlap");
	elf_init(&e, 2);
	e.ph[1].p_paddr = RAM_BASE;
	e.ph[1].p_memsz = 0x2000; /* covers segment 0 */
	refused(&e, -ENOEXEC, "ELF segments 0 [0x80000000, 0x80000008) and 1 "
			      "[0x80000000, 0x80002000) overlap");
}

TEST(file_header_fields)
{
	struct elf e;

	elf_init(&e, 1);
	e.eh.e_ident[EI_CLASS] = ELFCLASS32;
	refused(&e, -ENOEXEC, "ELF class is 32-bit, want 64-bit");
	elf_init(&e, 1);
	e.eh.e_ident[EI_DATA] = ELFDATA2MSB;
	refused(&e, -ENOEXEC, "ELF data encoding is big-endian, want "
			      "little-endian");
	elf_init(&e, 1);
	e.eh.e_ident[EI_VERSION] = 0;
	refused(&e, -ENOEXEC, "ELF identification version 0, want 1");
	elf_init(&e, 1);
	e.eh.e_version = 2;
	refused(&e, -ENOEXEC, "ELF version 2, want 1");
	elf_init(&e, 1);
	e.eh.e_machine = EM_X86_64;
	refused(&e, -ENOEXEC, "ELF machine is x86-64, want AArch64");
	e.eh.e_machine = 0x1234;
	refused(&e, -ENOEXEC, "ELF machine is 4660, want AArch64 (183)");
	elf_init(&e, 1);
	e.eh.e_type = ET_REL;
	refused(&e, -ENOEXEC, "ELF type is relocatable (ET_REL), want an "
			      "executable (ET_EXEC)");
	elf_init(&e, 1);
	e.eh.e_ehsize = 52;
	refused(&e, -ENOEXEC, "ELF header size 52, want 64");
	elf_init(&e, 1);
	e.eh.e_phnum = 0;
	refused(&e, -ENOEXEC, "ELF has no program headers");
	elf_init(&e, 1);
	e.eh.e_phentsize = 32;
	refused(&e, -ENOEXEC, "ELF program header size 32, want 56");
	e.eh.e_phentsize = 64;
	refused(&e, -ENOEXEC, "ELF program header size 64, want 56");
}

TEST(program_headers_past_the_end_of_the_file)
{
	struct elf e;

	elf_init(&e, 1);
	e.eh.e_phoff = 125;
	refused(&e, -ENOEXEC, "truncated ELF: 1 program headers at offset 125 "
			      "run past the end of the 124-byte file");
	e.eh.e_phoff = 69;
	refused(&e, -ENOEXEC, "truncated ELF: 1 program headers at offset 69 "
			      "run past the end of the 124-byte file");
	e.eh.e_phoff = 0xfffffffffffffff8ull;
	refused(&e, -ENOEXEC, "truncated ELF: 1 program headers at offset "
			      "18446744073709551608 run past the end of the "
			      "124-byte file");
	elf_init(&e, 1);
	e.eh.e_phnum = 0xffff;
	refused(&e, -ENOEXEC, "truncated ELF: 65535 program headers at offset "
			      "64 run past the end of the 124-byte file");
	elf_init(&e, 1);
	e.size = 63;
	refused(&e, -ENOEXEC, "truncated ELF: 63 bytes, the header alone is 64");
}

TEST(raw_images)
{
	struct gctl_image_opts opts = { .load_addr = RAM_BASE + 0x100 };
	struct gctl_image_info info;
	static const uint8_t bytes[16] = { 1, 2, 3, 4 };
	struct gh_vm vm;
	char err[256] = "";

	vm_init(&vm);
	ASSERT_EQ(gctl_image_load(&vm, bytes, 0, &opts, &info, err,
				  sizeof(err)),
		  -ENOEXEC);
	ASSERT_STREQ(err, "empty image");
	ASSERT_OK(gctl_image_load(&vm, bytes, sizeof(bytes), &opts, &info,
				  err, sizeof(err)));
	ASSERT_EQ(info.format, GCTL_IMAGE_RAW);
	ASSERT_EQ(info.entry, RAM_BASE + 0x100);
	ASSERT_EQ(info.hi, RAM_BASE + 0x110);
	ASSERT_TRUE(!memcmp(ram + 0x100, bytes, sizeof(bytes)));
	ASSERT_EQ(ram[0xff], CANARY);
	ASSERT_EQ(ram[0x110], CANARY);

	vm_init(&vm);
	opts.load_addr = RAM_BASE - 1;
	ASSERT_EQ(gctl_image_load(&vm, bytes, sizeof(bytes), &opts, &info,
				  err, sizeof(err)),
		  -EFBIG);
	ASSERT_STREQ(err, "load address 0x7fffffff is not in guest RAM "
			  "[0x80000000, 0x80010000)");
	opts.load_addr = RAM_BASE + RAM_SIZE - 8;
	ASSERT_EQ(gctl_image_load(&vm, bytes, sizeof(bytes), &opts, &info,
				  err, sizeof(err)),
		  -EFBIG);
	ASSERT_STREQ(err, "16-byte image does not fit in guest RAM "
			  "[0x80000000, 0x80010000) from 0x8000fff8");
	/* One byte too many, at the very end. */
	opts.load_addr = RAM_BASE + RAM_SIZE - 15;
	ASSERT_EQ(gctl_image_load(&vm, bytes, sizeof(bytes), &opts, &info,
				  err, sizeof(err)),
		  -EFBIG);
	ASSERT_STREQ(err, "16-byte image does not fit in guest RAM "
			  "[0x80000000, 0x80010000) from 0x8000fff1");
	ASSERT_TRUE(ram_untouched());
	/* Exactly to the end fits. */
	opts.load_addr = RAM_BASE + RAM_SIZE - 16;
	ASSERT_OK(gctl_image_load(&vm, bytes, sizeof(bytes), &opts, &info,
				  err, sizeof(err)));
	ASSERT_TRUE(!memcmp(ram + RAM_SIZE - 16, bytes, sizeof(bytes)));
}
