// SPDX-License-Identifier: GPL-2.0-only
/* The VM's set-up steps that run's options decide (vm.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "engine/fdt_build.h"
#include "engine/image.h"
#include "gunyahctl.h"
#include "run/vm.h"

#define CMD "run"

/*
 * The GH_* flavour's resource manager will not start a VM without a device
 * tree (there is no boot context to start it otherwise): an image run
 * gets the generated one (fdt_build.h, with the RM's /gunyah-vm-config)
 * in the top GCTL_FDT_MAX_SIZE of RAM, and SET_DTB_CONFIG points at it.
 * A --kernel run has its own already.
 */
static int place_dtb(struct gctl_vmm *vmm, const struct gctl_vmm_config *cfg)
{
	const struct gctl_fdt_config f = {
		.ram_base = cfg->ram_base,
		.ram_size = cfg->ram_size,
		.nr_cpus = cfg->nr_vcpus,
		.uart = cfg->uart_set,
		.uart_addr = cfg->uart_addr,
		.uart_spi = GCTL_BOOT_UART_SPI,
	};
	struct gh_vm *vm = gctl_vmm_vm(vmm);
	uint64_t addr = cfg->ram_base + cfg->ram_size - GCTL_FDT_MAX_SIZE;
	void *p = gh_vm_host_ptr(vm, addr, GCTL_FDT_MAX_SIZE);
	char err[128];
	int ret;

	if (!p || cfg->ram_size < 2 * GCTL_FDT_MAX_SIZE) {
		gctl_err(CMD, "the android ABI needs a device tree in RAM: "
			 "--mem %#" PRIx64 " leaves no room for it", cfg->ram_size);
		return GCTL_EXIT_USAGE;
	}
	ret = gctl_fdt_build(&f, p, GCTL_FDT_MAX_SIZE, err, sizeof(err));
	if (ret) {
		gctl_err(CMD, "%s", err);
		return GCTL_EXIT_SOFTWARE;
	}
	ret = gh_vm_set_dtb(vm, addr, GCTL_FDT_MAX_SIZE);
	if (ret) {
		gctl_err(CMD, "device tree at %#" PRIx64 ": %s", addr,
			 strerror(-ret));
		return GCTL_EXIT_SOFTWARE;
	}
	return 0;
}

static int load_image(struct gctl_vmm *vmm, struct run_args *a,
		      struct gctl_image_info *info)
{
	struct gctl_image_opts opts = {
		.load_addr = a->load_addr_set ? a->load_addr : a->cfg.ram_base,
	};
	char err[256];
	int ret;

	ret = gctl_image_load_file(gctl_vmm_vm(vmm), a->image, &opts, info,
				   err, sizeof(err));
	if (ret) {
		gctl_err(CMD, "%s: %s", a->image, err);
		return gctl_exit_of(ret, GCTL_FAILED_INPUT);
	}
	if (info->format == GCTL_IMAGE_ELF && a->load_addr_set) {
		gctl_err(CMD, "--load-addr: %s is an ELF: its segments say "
			 "where it goes", a->image);
		return GCTL_EXIT_USAGE;
	}
	return 0;
}

void gctl_run_kernel_config(struct run_args *a)
{
	struct gctl_vmm_config *cfg = &a->cfg;
	struct gctl_fdt_config *f = &a->boot.fdt;

	if (!cfg->uart_set) {
		cfg->uart_set = true;
		cfg->uart_addr = 0x09000000;
	}
	cfg->pl011 = true;
	cfg->uart_spi = GCTL_BOOT_UART_SPI;
	if (!a->mem_set)
		cfg->ram_size = 256ull << 20;
	f->ram_base = cfg->ram_base;
	f->ram_size = cfg->ram_size;
	f->nr_cpus = cfg->nr_vcpus;
	f->uart = true;
	f->uart_addr = cfg->uart_addr;
	f->uart_spi = GCTL_BOOT_UART_SPI;
	if (!f->bootargs)
		f->bootargs = "console=ttyAMA0";
}

int gctl_run_dump_dtb(struct run_args *a)
{
	char err[PATH_MAX + 256];
	void *buf = calloc(1, GCTL_FDT_MAX_SIZE);
	long size;
	FILE *f;
	int ret = 0;

	if (!buf) {
		gctl_err(CMD, "%s", strerror(ENOMEM));
		return GCTL_EXIT_OSERR;
	}
	size = gctl_boot_plan(&a->boot, err, sizeof(err));
	if (!size)
		size = gctl_boot_dtb(&a->boot, buf, GCTL_FDT_MAX_SIZE, err,
				     sizeof(err));
	if (size < 0) {
		gctl_err(CMD, "%s", err);
		free(buf);
		return gctl_exit_of((int)size, GCTL_FAILED_INPUT);
	}
	f = strcmp(a->dump_dtb, "-") ? fopen(a->dump_dtb, "we") : stdout;
	if (!f || fwrite(buf, 1, (size_t)size, f) != (size_t)size ||
	    (f != stdout ? fclose(f) : fflush(f))) {
		gctl_err(CMD, "--dump-dtb %s: %s", a->dump_dtb, strerror(errno));
		ret = GCTL_EXIT_CANTCREAT;
	}
	free(buf);
	return ret;
}

int gctl_run_uart_input(struct run_args *a, struct termios *saved, bool *raw)
{
	bool term = isatty(STDIN_FILENO) && !a->detach && !a->dashboard &&
		    !a->cfg.step;
	int fd;

	*raw = false;
	if (a->uart_input && strcmp(a->uart_input, "-")) {
		fd = open(a->uart_input, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			gctl_err(CMD, "--uart-input %s: %s", a->uart_input,
				 strerror(errno));
		return fd < 0 ? -2 : fd;
	}
	if (!a->uart_input && !term)
		return -1;
	if (term && !tcgetattr(STDIN_FILENO, saved)) {
		struct termios t = *saved;

		t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP |
					 INLCR | IGNCR | ICRNL | IXON);
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		if (!tcsetattr(STDIN_FILENO, TCSANOW, &t)) {
			*raw = true;
			a->cfg.uart_escape = true;
		}
	}
	return STDIN_FILENO;
}

/*
 * The guest in RAM: the --kernel boot, or the image (and the generated
 * device tree where the flavour has no boot context).  *entry is where
 * vCPU 0 starts.
 */
int gctl_run_load(struct gctl_vmm *vmm, struct run_args *a,
		  const struct gh_abi_flavour *abi,
		  struct gctl_image_info *info, uint64_t *entry)
{
	char err[PATH_MAX + 256];
	int ret;

	if (a->boot.kernel) {
		struct gctl_boot_info binfo;

		ret = gctl_boot_load(gctl_vmm_vm(vmm), &a->boot, &binfo, err,
				     sizeof(err));
		if (ret) {
			gctl_err(CMD, "%s", err);
			return gctl_exit_of(ret, GCTL_FAILED_INPUT);
		}
		info->entry = binfo.entry;
		info->format = GCTL_IMAGE_RAW;
	} else {
		ret = load_image(vmm, a, info);
		if (ret)
			return ret;
	}
	*entry = a->entry_set ? a->entry : info->entry;
	if (!gh_abi_has(abi, GH_ABI_BOOT_CONTEXT) && !a->boot.kernel)
		return place_dtb(vmm, &a->cfg);
	return 0;
}
