// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GH_* flavour through the seam, as a sim speaking it answers:
 * memory from GH_VM_SET_USER_MEM_REGION (checked as android14-6.1 checks
 * it), no guest_memfd, no boot context (the VM starts at the base of the
 * DTB's region, x0 = the DTB), no resume_action, no PAGE_FAULT; and the
 * flavour detection that tells the two apart.
 */
#include <libfdt.h>
#include <sys/mman.h>

#include "guest_vm.h"

#define DTB_OFF (TVM_RAM_SIZE - 0x10000)

static void android_vm(struct tvm *t, const char *guest, unsigned int nr)
{
	memset(t, 0, sizeof(*t));
	ASSERT_OK(gh_backend_open("sim", NULL, &t->be));
	gh_backend_set_abi(t->be, &gh_abi_android);
	ASSERT_OK(gh_vm_create(t->be, &t->vm));
	ASSERT_OK(gh_vm_add_memory(t->vm, GH_SIM_RAM_BASE, TVM_RAM_SIZE,
				   &t->ram));
	if (guest)
		tvm_load(t, guest);
	for (unsigned int i = 0; i < nr; i++)
		ASSERT_OK(gh_vcpu_add(t->vm, i, &t->vcpu[i]));
	t->nr_vcpus = nr;
}

static long user_mem(struct tvm *t, uint32_t label, uint32_t flags,
		     uint64_t gpa, uint64_t size, void *host)
{
	struct gh_userspace_memory_region r = {
		.label = label, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)host,
	};

	return gh_ioctl(t->be, t->vm->vm_fd, GH_VM_SET_USER_MEM_REGION, &r);
}

TEST(upstream_requests_are_unknown)
{
	struct gunyah_create_mem_args mem = { .size = 4096 };
	struct gunyah_vm_boot_context ctx = { 0 };
	struct gunyah_map_mem_args map = { 0 };
	struct tvm t;

	android_vm(&t, NULL, 0);
	ASSERT_EQ(gh_ioctl(t.be, t.vm->dev_fd, GUNYAH_CREATE_GUEST_MEM, &mem),
		  -ENOTTY);
	ASSERT_EQ(gh_ioctl(t.be, t.vm->vm_fd, GUNYAH_VM_MAP_MEM, &map), -ENOTTY);
	ASSERT_EQ(gh_ioctl(t.be, t.vm->vm_fd, GUNYAH_VM_SET_BOOT_CONTEXT, &ctx),
		  -ENOTTY);
	ASSERT_EQ(gh_vm_set_boot_reg(t.vm, REG_SET_SP, 0, 0x1000), -EINVAL);
	ASSERT_EQ(gh_vm_add_pf_region(t.vm, 0xc0000000, 4096), -EOPNOTSUPP);
	tvm_destroy(&t);
}

TEST(the_upstream_sim_does_not_know_user_regions)
{
	struct tvm t;
	char page[4096] __attribute__((aligned(4096)));

	tvm_create(&t, NULL, 0);
	ASSERT_EQ(user_mem(&t, 7, GH_MEM_ALLOW_RWX, 0x40000000, 4096, page),
		  -ENOTTY);
	tvm_destroy(&t);
}

TEST(user_regions_are_checked_as_the_driver_checks_them)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	char *mem = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct tvm t;

	ASSERT_TRUE(mem != MAP_FAILED);
	android_vm(&t, NULL, 0);	/* label 0 at the RAM base is taken */
	ASSERT_EQ(user_mem(&t, 1, 0x8, 0x40000000, pg, mem), -EINVAL);
	ASSERT_EQ(user_mem(&t, 1, GH_MEM_ALLOW_RWX, 0x40000000, 0, mem), -EINVAL);
	ASSERT_EQ(user_mem(&t, 1, GH_MEM_ALLOW_RWX, 0x40000000, pg + 1, mem),
		  -EINVAL);
	ASSERT_EQ(user_mem(&t, 1, GH_MEM_ALLOW_RWX, 0x40000001, pg, mem), -EINVAL);
	ASSERT_EQ(user_mem(&t, 1, GH_MEM_ALLOW_RWX, 0x40000000, pg, mem + 1),
		  -EINVAL);
	ASSERT_EQ(user_mem(&t, 1, GH_MEM_ALLOW_RWX, -pg, 2 * pg, mem), -EOVERFLOW);
	ASSERT_EQ(user_mem(&t, 0, GH_MEM_ALLOW_RWX, 0x40000000, pg, mem), -EEXIST);
	ASSERT_EQ(user_mem(&t, 1, GH_MEM_ALLOW_RWX, GH_SIM_RAM_BASE, pg, mem),
		  -EEXIST);
	ASSERT_OK(user_mem(&t, 1, GH_MEM_ALLOW_RWX, 0x40000000, 4 * pg, mem));
	/* It is the caller's memory: what the VM sees is what we wrote. */
	memcpy(mem + pg, "gunyah", 7);
	{
		char buf[7];
		struct gh_sim_mem_rw rw = { .guest_addr = 0x40000000 + pg,
					    .size = 7, .buf = (uintptr_t)buf };

		ASSERT_OK(gh_ioctl(t.be, t.vm->vm_fd, GH_SIM_VM_READ_MEM, &rw));
		ASSERT_STREQ(buf, "gunyah");
	}
	tvm_destroy(&t);
	munmap(mem, 4 * pg);
}

TEST(start_needs_a_dtb_in_guest_memory)
{
	struct tvm t;

	android_vm(&t, "boot_regs", 1);
	ASSERT_EQ(gh_vm_start(t.vm), -EINVAL);
	tvm_destroy(&t);

	android_vm(&t, "boot_regs", 1);
	ASSERT_OK(gh_vm_set_dtb(t.vm, 0x40000000, 0x1000)); /* not RAM */
	ASSERT_EQ(gh_vm_start(t.vm), -EINVAL);
	tvm_destroy(&t);
}

/* The RM starts the VM at the DTB region's base with x0 = the DTB. */
TEST(boots_at_the_dtb_regions_base_with_x0_the_dtb)
{
	struct tvm t;

	android_vm(&t, "boot_regs", 1);
	ASSERT_OK(gh_vm_set_dtb(t.vm, GH_SIM_RAM_BASE + DTB_OFF, 0x10000));
	tvm_start(&t);
	expect_mmio_write(t.vcpu[0], MMIO_REPORT, 8, GH_SIM_RAM_BASE + DTB_OFF);
	tvm_destroy(&t);
}

/*
 * Registers, SP and an entry point through libgunyah's boot stub: the
 * guest sees what a boot context would have given it, x0 the caller's DTB.
 */
TEST(boot_stub_sets_registers_sp_and_entry)
{
	struct gh_vcpu *v;
	struct tvm t;

	android_vm(&t, NULL, 1);
	tvm_load(&t, "boot_regs");
	/* boot_regs at +0x1000, entered there, not at the region's base */
	memmove((char *)t.ram + 0x1000, t.ram, 0x1000);
	memset(t.ram, 0, 0x1000);
	ASSERT_OK(gh_vm_set_dtb(t.vm, GH_SIM_RAM_BASE + DTB_OFF, 0x100));
	memcpy((char *)t.ram + DTB_OFF, "\xd0\x0d\xfe\xed", 4);
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 1, 0x1111));
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 2, 0x2222));
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_SP, 1, 0x80ff0000));
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_PC, 0, GH_SIM_RAM_BASE + 0x1000));
	tvm_start(&t);
	v = t.vcpu[0];
	expect_mmio_write(v, MMIO_REPORT, 8, GH_SIM_RAM_BASE + DTB_OFF);
	expect_mmio_write(v, MMIO_REPORT, 8, 0x1111);
	expect_mmio_write(v, MMIO_REPORT, 8, 0x2222);
	expect_mmio_write(v, MMIO_REPORT, 8, 0x80ff0000);
	/* The stub sits above RAM and the RM was given its DTB copy. */
	ASSERT_EQ(t.vm->stub_addr, GH_SIM_RAM_BASE + TVM_RAM_SIZE);
	{
		uint32_t magic = 0;

		ASSERT_OK(gh_vm_read_mem(t.vm, t.vm->stub_addr + GH_BOOT_STUB_CODE,
					 &magic, 4));
		ASSERT_EQ(magic, 0xedfe0dd0);
	}
	tvm_destroy(&t);
}

/* Through the sim's own view of guest memory, not this process's. */
static void sim_read(struct tvm *t, uint64_t addr, void *buf, uint64_t size)
{
	struct gh_sim_mem_rw rw = { .guest_addr = addr, .size = size,
				    .buf = (uintptr_t)buf };

	ASSERT_OK(gh_ioctl(t->be, t->vm->vm_fd, GH_SIM_VM_READ_MEM, &rw));
}

/*
 * The device tree reaches the VM: the guest's x0 points at it, and what
 * the sim reads there (and at the copy the RM is pointed at) is the tree
 * with the RM's nodes.
 */
TEST(the_dtb_reaches_the_vm)
{
	static char blob[0x1000];
	const struct gh_fdt_vm_config cfg = { .base = GH_SIM_RAM_BASE,
					      .size_max = TVM_RAM_SIZE };
	uint64_t x0;
	struct tvm t;

	android_vm(&t, "boot_regs", 1);
	ASSERT_EQ(fdt_create_empty_tree((char *)t.ram + DTB_OFF, 256), 0);
	ASSERT_OK(gh_fdt_add_vm_config((char *)t.ram + DTB_OFF, sizeof(blob), &cfg));
	ASSERT_OK(gh_vm_set_dtb(t.vm, GH_SIM_RAM_BASE + DTB_OFF, sizeof(blob)));
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_PC, 0, GH_SIM_RAM_BASE));
	tvm_start(&t);
	expect_mmio(t.vcpu[0], true, MMIO_REPORT, 8);
	x0 = mmio_data(t.vcpu[0]->run);
	ASSERT_EQ(x0, GH_SIM_RAM_BASE + DTB_OFF);
	for (int copy = 0; copy < 2; copy++) {
		uint64_t at = copy ? t.vm->stub_addr + GH_BOOT_STUB_CODE : x0;

		memset(blob, 0, sizeof(blob));
		sim_read(&t, at, blob, sizeof(blob));
		ASSERT_EQ(fdt_check_header(blob), 0);
		ASSERT_TRUE(fdt_path_offset(blob, "/gunyah-vm-config/vcpus") >= 0);
		ASSERT_TRUE(fdt_path_offset(blob, "/gunyah-vm-config/memory") >= 0);
	}
	tvm_destroy(&t);
}

TEST(boot_stub_needs_a_dtb)
{
	struct tvm t;

	android_vm(&t, "boot_regs", 1);
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_PC, 0, GH_SIM_RAM_BASE));
	ASSERT_EQ(gh_vm_start(t.vm), -EINVAL);
	tvm_destroy(&t);
}

/* The same exits as upstream; resume_action is padding and ignored. */
TEST(mmio_widths_and_resume_action_ignored)
{
	struct gh_vcpu *v;
	struct tvm t;

	android_vm(&t, "mmio_widths", 1);
	ASSERT_OK(gh_vm_set_dtb(t.vm, GH_SIM_RAM_BASE + DTB_OFF, 0x10000));
	tvm_start(&t);
	v = t.vcpu[0];
	expect_mmio_write(v, MMIO_BASE, 1, 0x88);
	expect_mmio_write(v, MMIO_BASE + 2, 2, 0x7788);
	expect_mmio_write(v, MMIO_BASE + 4, 4, 0x55667788);
	expect_mmio_write(v, MMIO_BASE + 8, 8, 0x1122334455667788);
	expect_mmio(v, false, MMIO_BASE + 0x10, 1);
	ASSERT_EQ(v->run->mmio.resume_action, 0); /* never written */
	memcpy(v->run->mmio.data, "\xf0", 1);
	v->run->mmio.resume_action = GUNYAH_VCPU_RESUME_FAULT;
	expect_mmio_write(v, MMIO_REPORT, 8, 0xf0); /* handled all the same */
	tvm_destroy(&t);
}

TEST(detection_names_each_flavour)
{
	struct gh_abi_detect d;
	struct gh_backend *be;

	ASSERT_OK(gh_backend_open("sim", NULL, &be));
	ASSERT_OK(gh_abi_detect(be, &d));
	ASSERT_TRUE(d.abi == &gh_abi_upstream);
	ASSERT_EQ(d.nr_tries, 1);
	ASSERT_EQ(d.tries[0].result, -EINVAL);
	ASSERT_STREQ(d.tries[0].request_name, "GUNYAH_CREATE_GUEST_MEM");

	gh_backend_set_abi(be, &gh_abi_android);
	ASSERT_OK(gh_abi_detect(be, &d));
	ASSERT_TRUE(d.abi == &gh_abi_android);
	ASSERT_STREQ(d.variant, "android14-6.1");
	ASSERT_EQ(d.nr_tries, 4);
	ASSERT_EQ(d.tries[0].result, -ENOTTY);
	ASSERT_TRUE(d.tries[1].result >= 0); /* CREATE_VM */
	ASSERT_EQ(d.tries[2].result, -EINVAL);
	ASSERT_TRUE(strstr(d.how, "EINVAL") != NULL);
	gh_backend_close(be);
}

TEST(errno_meanings_name_the_argument)
{
	ASSERT_TRUE(strstr(gh_errno_meaning(GH_VM_SET_USER_MEM_REGION, EINVAL),
			   "page-aligned") != NULL);
	ASSERT_TRUE(strstr(gh_errno_meaning(GUNYAH_VM_ADD_FUNCTION, EINVAL),
			   "arg_size") != NULL);
	ASSERT_TRUE(strstr(gh_errno_meaning(GUNYAH_CREATE_VM, ENOTTY),
			   "other ABI flavour") != NULL);
	ASSERT_TRUE(strstr(gh_errno_meaning(GUNYAH_CREATE_VM, EACCES),
			   "permission") != NULL);
}
