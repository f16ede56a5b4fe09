// SPDX-License-Identifier: GPL-2.0-only
/*
 * The image loader's file side (gctl_image_load_file, cmd/engine/image.c):
 * what is not a regular file is refused before anything can wait on it (a
 * FIFO would block open(2) for ever), and a file that shrinks between
 * fstat(2) and the read is an error, not SIGBUS (issue 17, items 7, 13).
 *
 * The shrink is made deterministic by wrapping the loader's fstat(): the
 * wrapper truncates the file right after the size was taken, which is the
 * window a concurrent truncate(1) hits by chance.  RAM is a buffer of this
 * process: the loader writes only through gh_vm_host_ptr(), no backend.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* A hang (the FIFO's open) fails the test well before the default. */
#define TEST_TIMEOUT_S 20
#include "test.h"

/* After the loader's fstat: cut the file to this size (-1: leave it). */
static off_t shrink_to = -1;
static const char *shrink_path;

static int fstat_then_shrink(int fd, struct stat *st)
{
	int ret = fstat(fd, st);

	if (!ret && shrink_to >= 0) {
		if (truncate(shrink_path, shrink_to))
			TEST_FAIL("truncate %s: %s", shrink_path,
				  strerror(errno));
		/* The loader holds it open: nothing is left behind. */
		unlink(shrink_path);
	}
	return ret;
}

#define fstat(fd, st) fstat_then_shrink(fd, st)
#include "../../cmd/engine/image.c"
#undef fstat

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (2ull << 20)

static struct gh_vm vm = { .nr_regions = 1 };
static unsigned char *ram; /* guest RAM at RAM_BASE */

/* RAM filled with a canary, for a load. */
static struct gh_vm *fresh_vm(void)
{
	if (!ram) {
		ram = malloc(RAM_SIZE);
		ASSERT_TRUE(ram != NULL);
	}
	memset(ram, 0xa5, RAM_SIZE);
	vm.regions[0] = (struct gh_mem_region){ .guest_addr = RAM_BASE,
						.size = RAM_SIZE,
						.host = ram };
	return &vm;
}

/* A new file in /tmp holding data (the caller unlinks it). */
static char *make_file(const void *data, size_t len)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_image_file.XXXXXX");
	fd = mkstemp(path);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(write(fd, data, len), (long long)len);
	close(fd);
	return path;
}

static unsigned char *pattern(size_t len)
{
	unsigned char *p = malloc(len);

	ASSERT_TRUE(p != NULL);
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + (i >> 8));
	return p;
}

/*
 * An AArch64 executable: one PT_LOAD of filesz bytes at file offset 0x1000
 * to the RAM base, which is also the entry point.
 */
static unsigned char *make_elf(size_t filesz, size_t *len)
{
	size_t n = 0x1000 + filesz;
	unsigned char *f = pattern(n);
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64,
			     ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC,
		.e_machine = EM_AARCH64,
		.e_version = EV_CURRENT,
		.e_entry = RAM_BASE,
		.e_phoff = sizeof(Elf64_Ehdr),
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = 1,
	};
	Elf64_Phdr ph = {
		.p_type = PT_LOAD,
		.p_offset = 0x1000,
		.p_paddr = RAM_BASE,
		.p_vaddr = RAM_BASE,
		.p_filesz = filesz,
		.p_memsz = filesz + 0x100, /* and some .bss */
	};

	memcpy(f, &eh, sizeof(eh));
	memcpy(f + sizeof(eh), &ph, sizeof(ph));
	*len = n;
	return f;
}

static int load_file(const char *path, struct gctl_image_info *info,
		     char *err, size_t errlen)
{
	struct gctl_image_opts opts = { .load_addr = RAM_BASE };

	err[0] = 0;
	return gctl_image_load_file(fresh_vm(), path, &opts, info, err,
				    errlen);
}

TEST(fifo_is_refused_without_waiting_for_a_writer)
{
	struct gctl_image_info info;
	char dir[] = "/tmp/test_image_file.XXXXXX", path[64], err[256];
	int ret;

	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ASSERT_OK(mkfifo(path, 0600) ? -errno : 0);
	/* Before the fix this open(2) waited for ever (no writer comes). */
	ret = load_file(path, &info, err, sizeof(err));
	unlink(path);
	rmdir(dir);
	ASSERT_EQ(ret, -EINVAL);
	ASSERT_STREQ(err, "not a regular file");
}

TEST(devices_and_directories_are_refused)
{
	struct gctl_image_info info;
	char err[256];

	ASSERT_EQ(load_file("/dev/zero", &info, err, sizeof(err)), -EINVAL);
	ASSERT_STREQ(err, "not a regular file");
	ASSERT_EQ(load_file("/tmp", &info, err, sizeof(err)), -EISDIR);
	ASSERT_EQ(load_file("/nonexistent/x", &info, err, sizeof(err)),
		  -ENOENT);
}

TEST(raw_file_is_copied_byte_for_byte)
{
	struct gctl_image_info info;
	unsigned char *data = pattern(300000);
	char *path = make_file(data, 300000), err[256];
	int ret;

	ret = load_file(path, &info, err, sizeof(err));
	unlink(path);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(info.format, GCTL_IMAGE_RAW);
	ASSERT_EQ(info.lo, RAM_BASE);
	ASSERT_EQ(info.hi, RAM_BASE + 300000);
	ASSERT_TRUE(!memcmp(ram, data, 300000));
	ASSERT_EQ(ram[300000], 0xa5);
	free(data);
}

TEST(raw_file_shrinking_after_stat_is_an_error_not_sigbus)
{
	struct gctl_image_info info;
	unsigned char *data = pattern(1 << 20);
	char *path = make_file(data, 1 << 20), err[256];
	int ret;

	shrink_path = path;
	shrink_to = 4096;
	ret = load_file(path, &info, err, sizeof(err));
	shrink_to = -1;
	ASSERT_EQ(ret, -ENOEXEC);
	ASSERT_STREQ(err, "the file shrank while it was read: no bytes at "
		     "offset 4096 of 1048576");
	free(data);
}

TEST(elf_file_loads_its_segment_and_zeroes_bss)
{
	struct gctl_image_info info;
	size_t len;
	unsigned char *elf = make_elf(0x8000, &len);
	char *path = make_file(elf, len), err[256];
	int ret;

	ret = load_file(path, &info, err, sizeof(err));
	unlink(path);
	ASSERT_EQ(ret, 0);
	ASSERT_EQ(info.format, GCTL_IMAGE_ELF);
	ASSERT_EQ(info.entry, RAM_BASE);
	ASSERT_EQ(info.nr_segments, 1);
	ASSERT_TRUE(!memcmp(ram, elf + 0x1000, 0x8000));
	for (size_t i = 0x8000; i < 0x8100; i++)
		ASSERT_EQ(ram[i], 0);
	ASSERT_EQ(ram[0x8100], 0xa5);
	free(elf);
}

TEST(elf_file_shrinking_after_stat_is_an_error_not_sigbus)
{
	struct gctl_image_info info;
	size_t len;
	unsigned char *elf = make_elf(0x40000, &len);
	char *path = make_file(elf, len), err[256];
	int ret;

	shrink_path = path;
	shrink_to = 0x3000; /* the headers stay, most of the segment goes */
	ret = load_file(path, &info, err, sizeof(err));
	shrink_to = -1;
	ASSERT_EQ(ret, -ENOEXEC);
	ASSERT_STREQ(err, "the file shrank while it was read: no bytes at "
		     "offset 12288 of 266240");
	free(elf);
}

TEST(file_shrinking_below_the_elf_header_is_an_error)
{
	struct gctl_image_info info;
	size_t len;
	unsigned char *elf = make_elf(0x1000, &len);
	char *path = make_file(elf, len), err[256];
	int ret;

	shrink_path = path;
	shrink_to = 0;
	ret = load_file(path, &info, err, sizeof(err));
	shrink_to = -1;
	ASSERT_EQ(ret, -ENOEXEC);
	ASSERT_STREQ(err, "the file shrank while it was read: no bytes at "
		     "offset 0 of 8192");
	free(elf);
}
