/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * run's options: one table says each option's help line and where its
 * value goes (args.c), and the checks across options follow it.
 */
#ifndef GCTL_RUN_ARGS_H
#define GCTL_RUN_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis/filter.h"
#include "engine/boot.h"
#include "engine/vmm.h"

struct gh_abi_flavour;

struct run_args {
	struct gctl_vmm_config cfg;
	const char *image;
	const char *backend;
	const char *abi;
	bool pf_policy_set;
	bool load_addr_set;
	uint64_t load_addr;
	bool entry_set;
	uint64_t entry;
	double timeout;
	bool json;
	bool quiet;
	bool dashboard;
	bool exit_on_stop;
	unsigned int interval_ms; /* 0: not given */
	const char *name;
	bool detach;
	uint64_t log_size; /* --log-size; 0: not given */
	bool mem_set;
	struct gctl_boot boot; /* --kernel: boot.kernel set */
	const char *dump_dtb;
	bool no_dtb;
	uint64_t dtb_addr; /* where the image run's DTB went; 0: none */
	const char *uart_input;
	const char *record;
	bool filtered;
	struct gctl_filter filter;
};

/* Parse argv into a (preset with the defaults); usage errors exit 64. */
void gctl_run_parse_args(struct run_args *a, int argc, char **argv);

/*
 * Refuse, in one line (exit 64), the options abi cannot serve; whose
 * says whose flavour it is ("" for --abi's, " (the device's)").
 */
void gctl_run_check_flavour(const struct run_args *a,
			    const struct gh_abi_flavour *abi,
			    const char *whose);

#endif /* GCTL_RUN_ARGS_H */
