// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device tree gunyahctl diag gives a VM (cmd/diag/fdt.c): read back
 * token by token as the devicetree specification lays it out, and, where
 * dtc is installed, decompiled by it.
 */
#include <arpa/inet.h>

#include "../../cmd/diag/fdt.c"
#include "test.h"

#define BLOB_SIZE 8192

static uint32_t be32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return ntohl(v);
}

/* Find property prop of the node at path ("/a/b"); its value and length. */
static const unsigned char *find_prop(const unsigned char *blob,
				      const char *path, const char *prop,
				      uint32_t *len)
{
	const unsigned char *p = blob + be32(blob + 8);
	const char *strings = (const char *)blob + be32(blob + 12);
	const unsigned char *end = p + be32(blob + 36);
	char cur[256] = "";

	while (p < end) {
		uint32_t tok = be32(p);

		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;
			size_t n = strlen(name);

			if (*cur || n) {
				strcat(cur, "/");
				strcat(cur, name);
			}
			p += (n + 1 + 3) & ~(size_t)3;
		} else if (tok == FDT_END_NODE) {
			char *slash = strrchr(cur, '/');

			if (slash)
				*slash = '\0';
		} else if (tok == FDT_PROP) {
			uint32_t l = be32(p), nameoff = be32(p + 4);

			p += 8;
			if (!strcmp(*cur ? cur : "/", path) &&
			    !strcmp(strings + nameoff, prop)) {
				*len = l;
				return p;
			}
			p += (l + 3) & ~(uint32_t)3;
		} else if (tok == FDT_END) {
			break;
		} else {
			TEST_FAIL("unknown token %u at offset %td", tok,
				  p - 4 - blob);
		}
	}
	return NULL;
}

static void expect_str(const unsigned char *blob, const char *path,
		       const char *prop, const char *want)
{
	uint32_t len = 0;
	const unsigned char *v = find_prop(blob, path, prop, &len);

	if (!v)
		TEST_FAIL("%s: no property %s", path, prop);
	ASSERT_EQ(len, strlen(want) + 1);
	ASSERT_STREQ((const char *)v, want);
}

static void expect_cells(const unsigned char *blob, const char *path,
			 const char *prop, uint32_t hi, uint32_t lo)
{
	uint32_t len = 0;
	const unsigned char *v = find_prop(blob, path, prop, &len);

	if (!v)
		TEST_FAIL("%s: no property %s", path, prop);
	ASSERT_EQ(len, 8);
	ASSERT_EQ(be32(v), hi);
	ASSERT_EQ(be32(v + 4), lo);
}

TEST(fdt_header_and_blocks)
{
	static unsigned char blob[BLOB_SIZE];
	long len = diag_fdt_build(blob, sizeof(blob), 2, 0x80000000, 1ull << 30);

	ASSERT_TRUE(len > 0);
	ASSERT_EQ(be32(blob), 0xd00dfeed);
	ASSERT_EQ(be32(blob + 4), len);		/* totalsize */
	ASSERT_EQ(be32(blob + 20), 17);		/* version */
	ASSERT_EQ(be32(blob + 24), 16);		/* last compatible */
	ASSERT_EQ(be32(blob + 16), 40);		/* reservation map */
	ASSERT_EQ(be32(blob + 40) | be32(blob + 44) | be32(blob + 48) |
		  be32(blob + 52), 0);		/* ... and it is empty */
	/* struct block, then strings, both inside totalsize */
	ASSERT_EQ(be32(blob + 8), 56);
	ASSERT_EQ(be32(blob + 12), 56 + be32(blob + 36));
	ASSERT_EQ(be32(blob + 12) + be32(blob + 32), len);
}

TEST(fdt_describes_cpus_and_the_gunyah_vm)
{
	static unsigned char blob[BLOB_SIZE];
	const unsigned char *v;
	uint32_t len = 0;

	ASSERT_TRUE(diag_fdt_build(blob, sizeof(blob), 3, 0x80000000,
				   0x140000000ull) > 0);
	v = find_prop(blob, "/", "#address-cells", &len);
	ASSERT_TRUE(v && len == 4 && be32(v) == 2);
	v = find_prop(blob, "/cpus", "#size-cells", &len);
	ASSERT_TRUE(v && len == 4 && be32(v) == 0);
	for (unsigned int i = 0; i < 3; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/cpus/cpu@%x", i);
		expect_str(blob, path, "device_type", "cpu");
		expect_str(blob, path, "enable-method", "psci");
		expect_cells(blob, path, "reg", 0, i);
	}
	ASSERT_TRUE(!find_prop(blob, "/cpus/cpu@3", "reg", &len));
	expect_str(blob, "/psci", "method", "hvc");
	expect_str(blob, "/gunyah-vm-config", "image-name", "gunyahctl-diag");
	expect_str(blob, "/gunyah-vm-config/vcpus", "affinity", "proxy");
	expect_cells(blob, "/gunyah-vm-config/memory", "base-address", 0,
		     0x80000000);
	expect_cells(blob, "/gunyah-vm-config/memory", "size-max", 1,
		     0x40000000);
}

TEST(fdt_too_small_is_enospc)
{
	static unsigned char blob[BLOB_SIZE];
	long len = diag_fdt_build(blob, sizeof(blob), 16, 0x80000000, 1 << 30);

	ASSERT_TRUE(len > 0);
	ASSERT_EQ(diag_fdt_build(blob, 32, 1, 0, 0), -ENOSPC);
	ASSERT_EQ(diag_fdt_build(blob, (size_t)len - 1, 16, 0x80000000,
				 1 << 30), -ENOSPC);
	ASSERT_EQ(diag_fdt_build(blob, (size_t)len, 16, 0x80000000, 1 << 30),
		  len);
}

/* dtc, the reference implementation, reads it back without a complaint. */
TEST(fdt_dtc_decompiles_it)
{
	static unsigned char blob[BLOB_SIZE];
	char path[] = "/tmp/diag-fdt-XXXXXX", cmd[128], dts[4096];
	long len = diag_fdt_build(blob, sizeof(blob), 2, 0x80000000, 1 << 30);
	size_t n;
	FILE *f;
	int fd;

	if (system("command -v dtc >/dev/null 2>&1"))
		SKIP("dtc is not installed (Debian: device-tree-compiler)");
	fd = mkstemp(path);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(write(fd, blob, (size_t)len), len);
	close(fd);
	snprintf(cmd, sizeof(cmd), "dtc -q -I dtb -O dts %s 2>&1", path);
	f = popen(cmd, "r");
	ASSERT_TRUE(f != NULL);
	n = fread(dts, 1, sizeof(dts) - 1, f);
	dts[n] = '\0';
	ASSERT_EQ(pclose(f), 0);
	unlink(path);
	if (!strstr(dts, "affinity = \"proxy\";") ||
	    !strstr(dts, "cpu@1 {") ||
	    !strstr(dts, "base-address = <0x00 0x80000000>;"))
		TEST_FAIL("unexpected dts:\n%s", dts);
}
