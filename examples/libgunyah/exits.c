// SPDX-License-Identifier: GPL-2.0-only
/*
 * exits: the smallest useful VMM on libgunyah.  Loads a raw AArch64 image
 * at the default RAM base, runs one vCPU and prints every exit until the
 * VM goes down.  MMIO reads return 0; writes are only printed.
 *
 *   cc -o exits exits.c $(pkg-config --cflags --libs libgunyah)
 *   ./exits guest.bin            # on the simulator
 *   ./exits guest.bin dev        # on /dev/gunyah
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gunyah/gunyah.h>

#define RAM_SIZE (16ull << 20)
#define MAX_EXITS 100000

static int load(const char *path, void *ram, uint64_t size)
{
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || (uint64_t)st.st_size > size) {
		close(fd);
		return -EFBIG;
	}
	n = read(fd, ram, (size_t)st.st_size);
	close(fd);
	return n == st.st_size ? 0 : -EIO;
}

/* Print one exit; return 1 when the VM is down, 0 to run on. */
static int show(unsigned int seq, struct gunyah_vcpu_run *run)
{
	struct gh_exit_reason why;
	uint64_t data = 0;

	printf("%u %s", seq, gh_exit_reason_str(run->exit_reason));
	switch (run->exit_reason) {
	case GUNYAH_VCPU_EXIT_MMIO:
		if (run->mmio.is_write)
			memcpy(&data, run->mmio.data, run->mmio.len);
		else
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
		printf(" %s 0x%" PRIx64 " len %u", run->mmio.is_write ?
		       "write" : "read", (uint64_t)run->mmio.phys_addr,
		       run->mmio.len);
		if (run->mmio.is_write)
			printf(" data 0x%" PRIx64, data);
		run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
		printf("\n");
		return 0;
	case GUNYAH_VCPU_EXIT_PAGE_FAULT:
		printf(" 0x%" PRIx64 "\n", (uint64_t)run->page_fault.phys_addr);
		run->page_fault.resume_action = GUNYAH_VCPU_RESUME_FAULT;
		return 0;
	case GUNYAH_VCPU_EXIT_STATUS:
		gh_exit_reason_decode(
			(uint32_t)gh_exit_info_reason(&run->status.exit_info),
			&why);
		printf(" %s type %s reason 0x%08x code %s%s\n",
		       gh_vm_status_str(run->status.status),
		       gh_exit_type_str(run->status.exit_info.type), why.word,
		       why.code_name, why.restart ? " restart" : "");
		return 1;
	default:
		printf("\n");
		return 1;
	}
}

int main(int argc, char **argv)
{
	struct gh_backend *be = NULL;
	struct gh_vcpu *vcpu = NULL;
	struct gh_vm *vm = NULL;
	const char *step = "opening the backend";
	void *ram;
	int ret, status = 1;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s IMAGE [sim|dev]\n", argv[0]);
		return 64;
	}
	ret = gh_backend_open(argc > 2 ? argv[2] : "sim", NULL, &be);
	if (ret)
		goto out;
	step = "creating the VM";
	ret = gh_vm_create(be, &vm);
	if (ret)
		goto out;
	step = "adding memory";
	ret = gh_vm_add_memory(vm, GH_SIM_RAM_BASE, RAM_SIZE, &ram);
	if (ret)
		goto out;
	step = argv[1];
	ret = load(argv[1], ram, RAM_SIZE);
	if (ret)
		goto out;
	step = "setting the entry point";
	ret = gh_vm_set_boot_reg(vm, REG_SET_PC, 0, GH_SIM_RAM_BASE);
	if (ret)
		goto out;
	step = "adding vCPU 0";
	ret = gh_vcpu_add(vm, 0, &vcpu);
	if (ret)
		goto out;
	step = "starting the VM";
	ret = gh_vm_start(vm);
	if (ret)
		goto out;

	step = "running vCPU 0";
	for (unsigned int seq = 1; seq <= MAX_EXITS; seq++) {
		ret = _gh_vcpu_run(vcpu, NULL);
		if (ret)
			goto out;
		if (show(seq, vcpu->run)) {
			status = 0;
			break;
		}
	}
out:
	if (ret)
		fprintf(stderr, "exits: %s: %s\n", step, strerror(-ret));
	gh_vcpu_destroy(vcpu);
	gh_vm_destroy(vm);
	gh_backend_close(be);
	return status;
}
