/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test fixtures for the sim: a VM with a guest program loaded and N
 * vCPUs, all made through libgunyah's seam as gunyahctl makes them,
 * and assertions that name exit reasons instead of printing numbers.
 *
 *   struct tvm t;
 *   tvm_create(&t, "mmio_widths", 1);
 *   tvm_start(&t);
 *   expect_mmio_write(t.vcpu[0], 0x09000000, 1, 0x88);
 */
#ifndef GUEST_VM_H
#define GUEST_VM_H

#include <fcntl.h>
#include <sys/stat.h>

#include "gunyah.h"
#include "test.h"

#ifndef GUEST_DIR
#define GUEST_DIR "build"
#endif

#define TVM_RAM_SIZE (16ull << 20)
#define TVM_MAX_VCPUS 8
#define MMIO_BASE 0x09000000ull
#define MMIO_REPORT 0x09000100ull

struct tvm {
	struct gh_backend *be;
	struct gh_vm *vm;
	void *ram;
	unsigned int nr_vcpus;
	struct gh_vcpu *vcpu[TVM_MAX_VCPUS];
};

static inline void tvm_load(struct tvm *t, const char *guest)
{
	char path[512];
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/tests/guests/%s.bin", GUEST_DIR,
		 guest);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		TEST_FAIL("%s: %s", path, strerror(errno));
	ASSERT_OK(fstat(fd, &st) ? -errno : 0);
	ASSERT_TRUE((uint64_t)st.st_size <= TVM_RAM_SIZE);
	n = read(fd, t->ram, (size_t)st.st_size);
	ASSERT_EQ(n, st.st_size);
	close(fd);
}

/* A VM with guest (a tests/guests program, or NULL) and nr vCPUs. */
static inline void tvm_create(struct tvm *t, const char *guest,
			      unsigned int nr)
{
	memset(t, 0, sizeof(*t));
	ASSERT_TRUE(nr <= TVM_MAX_VCPUS);
	ASSERT_OK(gh_backend_open("sim", NULL, &t->be));
	ASSERT_OK(gh_vm_create(t->be, &t->vm));
	ASSERT_OK(gh_vm_add_memory(t->vm, GH_SIM_RAM_BASE, TVM_RAM_SIZE,
				   &t->ram));
	if (guest)
		tvm_load(t, guest);
	for (unsigned int i = 0; i < nr; i++)
		ASSERT_OK(gh_vcpu_add(t->vm, i, &t->vcpu[i]));
	t->nr_vcpus = nr;
}

static inline void tvm_start(struct tvm *t)
{
	ASSERT_OK(gh_vm_start(t->vm));
}

static inline void tvm_destroy(struct tvm *t)
{
	for (unsigned int i = 0; i < t->nr_vcpus; i++)
		gh_vcpu_destroy(t->vcpu[i]);
	gh_vm_destroy(t->vm);
	gh_backend_close(t->be);
}

#define ASSERT_EXIT(vcpu, reason)                                         \
	do {                                                              \
		uint32_t __r = (vcpu)->run->exit_reason;                  \
		if (__r != (reason))                                      \
			TEST_FAIL("vcpu%u exit: %s (%u), want %s (%u)",    \
				  (vcpu)->id, gh_exit_reason_str(__r), __r,\
				  gh_exit_reason_str(reason), (reason));  \
	} while (0)

static inline uint64_t mmio_data(const struct gunyah_vcpu_run *run)
{
	uint64_t v = 0;

	memcpy(&v, run->mmio.data, sizeof(v));
	return v;
}

/* Run to the next exit; it must be an MMIO exit as described. */
static inline void expect_mmio(struct gh_vcpu *vcpu, bool write,
			       uint64_t addr, uint32_t len)
{
	struct gunyah_vcpu_run *run = vcpu->run;

	ASSERT_OK(__gh_vcpu_run(vcpu));
	ASSERT_EXIT(vcpu, GUNYAH_VCPU_EXIT_MMIO);
	ASSERT_EQ(run->mmio.is_write, write);
	ASSERT_EQ(run->mmio.phys_addr, addr);
	ASSERT_EQ(run->mmio.len, len);
}

static inline void expect_mmio_write(struct gh_vcpu *vcpu, uint64_t addr,
				     uint32_t len, uint64_t data)
{
	expect_mmio(vcpu, true, addr, len);
	ASSERT_EQ(mmio_data(vcpu->run), data);
}

/* A read exit at addr, answered with val (HANDLED). */
static inline void answer_mmio_read(struct gh_vcpu *vcpu, uint64_t addr,
				    uint32_t len, uint64_t val)
{
	expect_mmio(vcpu, false, addr, len);
	ASSERT_EQ(mmio_data(vcpu->run), 0); /* reads start zeroed */
	memcpy(vcpu->run->mmio.data, &val, sizeof(val));
	vcpu->run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
}

static inline void expect_status(struct gh_vcpu *vcpu, uint32_t status,
				 uint16_t type, uint64_t reason)
{
	struct gunyah_vcpu_run *run = vcpu->run;

	ASSERT_OK(__gh_vcpu_run(vcpu));
	ASSERT_EXIT(vcpu, GUNYAH_VCPU_EXIT_STATUS);
	ASSERT_STREQ(gh_vm_status_str(run->status.status),
		     gh_vm_status_str(status));
	ASSERT_STREQ(gh_exit_type_str(run->status.exit_info.type),
		     gh_exit_type_str(type));
	ASSERT_TRUE(run->status.exit_info.reason_size <=
		    GUNYAH_VM_MAX_EXIT_REASON_SIZE);
	ASSERT_EQ(gh_exit_info_reason(&run->status.exit_info), reason);
}

#endif /* GUEST_VM_H */
