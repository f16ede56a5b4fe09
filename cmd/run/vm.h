/* SPDX-License-Identifier: GPL-2.0-only */
/* The VM's set-up steps that run's options decide (vm.c). */
#ifndef GCTL_RUN_VM_H
#define GCTL_RUN_VM_H

#include <stdbool.h>
#include <stdint.h>
#include <termios.h>

#include "engine/image.h"
#include "run/args.h"

struct gh_abi_flavour;
struct gctl_vmm;

/* --kernel's defaults: the PL011 at 0x9000000 with its interrupt. */
void gctl_run_kernel_config(struct run_args *a);

/* --dump-dtb: write the device tree and return run's exit status. */
int gctl_run_dump_dtb(struct run_args *a);

/*
 * The UART's input: a file, standard input, or (with a terminal there and
 * nothing said) the terminal in raw mode, Ctrl-] to quit.  Returns the fd,
 * -1 for none, -2 when the file cannot be opened (said); *raw says the
 * terminal's mode must come back to *saved.
 */
int gctl_run_uart_input(struct run_args *a, struct termios *saved, bool *raw);

int gctl_run_load(struct gctl_vmm *vmm, struct run_args *a,
		  const struct gh_abi_flavour *abi,
		  struct gctl_image_info *info, uint64_t *entry);

#endif /* GCTL_RUN_VM_H */
