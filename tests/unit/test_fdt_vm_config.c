// SPDX-License-Identifier: GPL-2.0-only
/*
 * gh_fdt_add_vm_config: the nodes a Gunyah RM reads, added to a tree, read
 * back with libfdt and parsed by dtc.
 */
#include <libfdt.h>
#include <stdio.h>

#include "gunyah.h"
#include "test.h"

#define BUF 4096

static const void *prop(const void *fdt, const char *path, const char *name,
			int *len)
{
	int node = fdt_path_offset(fdt, path);

	if (node < 0)
		TEST_FAIL("%s: %s", path, fdt_strerror(node));
	return fdt_getprop(fdt, node, name, len);
}

static uint64_t prop_u64(const void *fdt, const char *path, const char *name)
{
	int len = 0;
	const fdt64_t *p = prop(fdt, path, name, &len);

	if (!p || len != 8)
		TEST_FAIL("%s %s: %d bytes", path, name, len);
	return fdt64_to_cpu(*p);
}

static uint32_t prop_u32(const void *fdt, const char *path, const char *name)
{
	int len = 0;
	const fdt32_t *p = prop(fdt, path, name, &len);

	if (!p || len != 4)
		TEST_FAIL("%s %s: %d bytes", path, name, len);
	return fdt32_to_cpu(*p);
}

TEST(nodes_a_resource_manager_reads)
{
	static char fdt[BUF];
	const struct gh_fdt_vm_config cfg = {
		.image_name = "test-vm", .base = 0x80000000,
		.size_max = 0x8000000, .intc_phandle = 7,
	};

	ASSERT_EQ(fdt_create_empty_tree(fdt, 256), 0);
	ASSERT_OK(gh_fdt_add_vm_config(fdt, BUF, &cfg));
	ASSERT_EQ(fdt_check_header(fdt), 0);
	ASSERT_STREQ((const char *)prop(fdt, "/gunyah-vm-config", "image-name", NULL),
		     "test-vm");
	ASSERT_STREQ((const char *)prop(fdt, "/gunyah-vm-config", "os-type", NULL),
		     "linux");
	ASSERT_EQ(prop_u32(fdt, "/gunyah-vm-config/memory", "#address-cells"), 2);
	ASSERT_EQ(prop_u64(fdt, "/gunyah-vm-config/memory", "base-address"),
		  0x80000000);
	ASSERT_EQ(prop_u64(fdt, "/gunyah-vm-config/memory", "size-max"), 0x8000000);
	ASSERT_EQ(prop_u32(fdt, "/gunyah-vm-config/interrupts", "config"), 7);
	ASSERT_STREQ((const char *)prop(fdt, "/gunyah-vm-config/vcpus", "affinity",
					NULL), "proxy");
	ASSERT_STREQ((const char *)prop(fdt, "/gunyah-vm-config/vdevices",
					"generate", NULL), "/hypervisor");
	ASSERT_TRUE(fdt_totalsize(fdt) < BUF); /* packed */
}

TEST(dtc_parses_it)
{
	static char fdt[BUF];
	const struct gh_fdt_vm_config cfg = { .base = 0x80000000 };
	char path[] = "/tmp/test_fdt_vm_config.XXXXXX", cmd[256], out[4096];
	size_t n;
	FILE *f;
	int fd;

	ASSERT_EQ(fdt_create_empty_tree(fdt, 256), 0);
	ASSERT_OK(gh_fdt_add_vm_config(fdt, BUF, &cfg));
	fd = mkstemp(path);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(write(fd, fdt, fdt_totalsize(fdt)), (ssize_t)fdt_totalsize(fdt));
	close(fd);
	snprintf(cmd, sizeof(cmd), "dtc -q -I dtb -O dts %s", path);
	f = popen(cmd, "r");
	ASSERT_TRUE(f != NULL);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	ASSERT_EQ(pclose(f), 0);
	unlink(path);
	ASSERT_TRUE(strstr(out, "gunyah-vm-config {") != NULL);
	ASSERT_TRUE(strstr(out, "affinity = \"proxy\";") != NULL);
	ASSERT_TRUE(strstr(out, "interrupts {") == NULL); /* no intc given */
}

TEST(too_small_a_buffer_is_enospc_and_twice_is_eexist)
{
	static char fdt[BUF];
	const struct gh_fdt_vm_config cfg = { .base = 0x80000000 };

	ASSERT_EQ(fdt_create_empty_tree(fdt, 128), 0);
	ASSERT_EQ(gh_fdt_add_vm_config(fdt, 128, &cfg), -ENOSPC);
	ASSERT_EQ(fdt_create_empty_tree(fdt, 256), 0);
	ASSERT_OK(gh_fdt_add_vm_config(fdt, BUF, &cfg));
	ASSERT_EQ(gh_fdt_add_vm_config(fdt, BUF, &cfg), -EEXIST);
	ASSERT_EQ(gh_fdt_add_vm_config((char[BUF]){ 0 }, BUF, &cfg), -EINVAL);
}
