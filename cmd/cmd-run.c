// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyahctl run: options, then wiring: a writer (out_text.c/out_json.c)
 * or the dashboard (run_dash.c), the engine (vmm.c), the image (image.c),
 * step mode (step.c), a named VM's control server (ctl_server.c), and an
 * event loop in this thread for signals, --timeout, step commands, the
 * dashboard and control requests.
 *
 * --detach: the socket is made first (so a name in use is said at once),
 * then a child in a session of its own does the rest and tells the
 * parent through a pipe, in one byte, how the start went: 0 once the VM
 * runs and the socket is served, or the exit status of a failure (whose
 * message the child has printed on the stderr it still shares).  Then
 * the child's stdio goes to /dev/null and NAME.log.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "analysis/filter.h"
#include "analysis/record.h"
#include "common.h"
#include "ctl/proto.h"
#include "ctl/server.h"
#include "gunyahctl.h"
#include "engine/boot.h"
#include "engine/image.h"
#include "dash/run_source.h"
#include "ctl/rundir.h"
#include "ctl/runlog.h"
#include "engine/sink.h"
#include "engine/opts.h"
#include "engine/sink_async.h"
#include "dash/stats.h"
#include "engine/stepper.h"
#include "engine/vmm.h"

#define CMD "run"
/* A control-socket client that asks nothing for this long is let go
 * (GUNYAHCTL_IDLE_TIMEOUT): its slot is for others. */
#define CTL_IDLE_DEFAULT_S 30.0

enum {
	OPT_RAM_BASE = 0x100,
	OPT_LOAD_ADDR,
	OPT_MMIO,
	OPT_UART,
	OPT_MMIO_READ,
	OPT_FAULT,
	OPT_PF_REGION,
	OPT_ON_PF,
	OPT_MAX_EXITS,
	OPT_DASHBOARD,
	OPT_INTERVAL,
	OPT_EXIT_ON_STOP,
	OPT_NAME,
	OPT_PAUSED,
	OPT_LOG_SIZE,
	OPT_KERNEL,
	OPT_INITRD,
	OPT_CMDLINE,
	OPT_DTB,
	OPT_DUMP_DTB,
	OPT_UART_INPUT,
	OPT_RECORD,
	OPT_FILTER,
	OPT_STUCK,
	OPT_ON_STUCK,
	OPT_ABI,
	OPT_LENIENT,
};

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
	uint64_t log_size; /* 0: not given */
	bool mem_set;
	struct gctl_boot boot; /* --kernel: boot.kernel set */
	const char *dump_dtb;
	const char *uart_input;
	const char *record;
	bool filtered;
	struct gctl_filter filter;
};

static const struct argp_option options[] = {
	{ NULL, 0, NULL, 0, "The VM:", 1 },
	{ "mem", 'm', "SIZE", 0,
	  "guest RAM size (default 128M; K, M, G suffixes)", 1 },
	{ "ram-base", OPT_RAM_BASE, "ADDR", 0,
	  "guest RAM base address (default 0x80000000)", 1 },
	{ "vcpus", 'c', "N", 0, "number of vCPUs (default 1); vCPU 0 boots, "
	  "the others wait for PSCI CPU_ON", 1 },
	{ "backend", 'b', "sim|dev", 0,
	  "the built-in simulator (default) or /dev/gunyah", 1 },
	{ "abi", OPT_ABI, "upstream|android", 0,
	  "the ABI flavour to speak (default: upstream on the sim; on dev, the "
	  "one the device answers)", 1 },
	{ NULL, 0, NULL, 0, "The image:", 2 },
	{ "load-addr", OPT_LOAD_ADDR, "ADDR", 0,
	  "where a raw image goes (default the RAM base); an ELF goes where "
	  "its PT_LOAD segments say", 2 },
	{ "entry", 'e', "ADDR", 0,
	  "start vCPU 0 here (default the ELF entry, or the load address)", 2 },
	{ NULL, 0, NULL, 0, "Devices and exit handling:", 3 },
	{ "mmio", OPT_MMIO, "ADDR:SIZE[:NAME]", 0,
	  "an MMIO region; exits in a named one show its name (repeatable)", 3 },
	{ "uart", OPT_UART, "ADDR", 0,
	  "a PL011 UART here: bytes the guest writes to its data register are "
	  "console output (a 4K region named uart)", 3 },
	{ "mmio-read", OPT_MMIO_READ, "ADDR=VALUE[,VALUE...]", 0,
	  "reads at ADDR return the VALUEs in turn, the last one repeating "
	  "(repeatable; other reads return 0)", 3 },
	{ "fault", OPT_FAULT, "ADDR", 0,
	  "accesses to ADDR are answered FAULT: the guest takes a data abort "
	  "(repeatable)", 3 },
	{ "pf-region", OPT_PF_REGION, "ADDR:SIZE", 0,
	  "(sim) guest memory that is not there yet: accesses give page_fault "
	  "exits (repeatable)", 3 },
	{ "on-page-fault", OPT_ON_PF, "fail|retry|fault", 0,
	  "fail: stop the VM (default); retry: map a zero page and retry; "
	  "fault: the guest takes a data abort", 3 },
	{ "lenient", OPT_LENIENT, NULL, 0,
	  "(sim) emulate MMIO accesses hardware gives no syndrome for "
	  "(writeback, pairs, exclusives) instead of a data abort", 3 },
	{ NULL, 0, NULL, 0, "Running:", 4 },
	{ "kernel", OPT_KERNEL, "IMAGE", 0,
	  "boot a Linux kernel (an arm64 Image) instead of IMAGE: the kernel "
	  "booting rules, a generated device tree in x0, a PL011 console at "
	  "0x9000000 (--uart moves it) with its interrupt", 2 },
	{ "initrd", OPT_INITRD, "FILE", 0, "with --kernel: an initramfs", 2 },
	{ "cmdline", OPT_CMDLINE, "STRING", 0,
	  "with --kernel: the kernel command line (default: console=ttyAMA0)", 2 },
	{ "dtb", OPT_DTB, "FILE", 0,
	  "with --kernel: boot with this device tree instead of the generated "
	  "one (its /chosen gets --cmdline and the initrd)", 2 },
	{ "dump-dtb", OPT_DUMP_DTB, "FILE", 0,
	  "with --kernel: write the device tree the VM would get to FILE and "
	  "exit", 2 },
	{ "uart-input", OPT_UART_INPUT, "FILE|-", 0,
	  "with --kernel: feed FILE (- : standard input) to the UART's "
	  "receive side (default with a terminal on standard input: the "
	  "terminal, raw; Ctrl-] quits)", 3 },
	{ "step", 's', "N", OPTION_ARG_OPTIONAL,
	  "stop after every exit (or every N exits) and read a command: "
	  "Enter/s next, c continue, r registers, m ADDR [LEN] memory, q quit", 4 },
	{ "max-exits", OPT_MAX_EXITS, "N", 0, "stop the VM after N exits", 4 },
	{ "paused", OPT_PAUSED, NULL, 0,
	  "with --name: start paused before the first instruction (then "
	  "gunyahctl step or resume)", 4 },
	{ "stuck", OPT_STUCK, "N", 0,
	  "report a vCPU that takes the same exit at the same PC N times in "
	  "a row (default 500; 0: never)", 4 },
	{ "on-stuck", OPT_ON_STUCK, "report|stop", 0,
	  "report a stuck vCPU once (default), or also stop the VM (exit "
	  "status 8)", 4 },
	{ "timeout", 't', "SEC", 0,
	  "force-stop the VM after SEC seconds (fractions allowed)", 4 },
	{ "name", OPT_NAME, "NAME", 0,
	  "name the VM: list, status, pause, step, stop, attach, wait... "
	  "reach it through its control socket", 4 },
	{ "detach", 'd', NULL, 0,
	  "with --name: run in the background, return once the VM runs "
	  "(console and errors go to a log)", 4 },
	{ "log-size", OPT_LOG_SIZE, "SIZE", 0,
	  "with --detach: the log's limit (default 4M, from 64K); past it "
	  "NAME.log becomes NAME.log.1 and a new one starts", 4 },
	{ NULL, 0, NULL, 0, "Output:", 5 },
	{ "json", 'j', NULL, 0,
	  "JSON Lines: one object per exit, then a summary object", 5 },
	{ "quiet", 'q', NULL, 0,
	  "no exit lines and no summary: only the guest console", 5 },
	{ "dashboard", OPT_DASHBOARD, NULL, 0,
	  "a live full-screen view instead: vCPUs, exit counts and rates, top "
	  "MMIO addresses, recent events; keys q p s 0-9 f r ? (the summary "
	  "is printed when it ends)", 5 },
	{ "record", OPT_RECORD, "FILE", 0,
	  "also write every exit, its timing and its answer to FILE, for "
	  "report and replay (gunyahctl-record(5))", 5 },
	{ "filter", OPT_FILTER, "EXPR", 0,
	  "print only the exits EXPR matches (gunyahctl(1), FILTERS); the "
	  "summary still counts every exit", 5 },
	{ "interval", OPT_INTERVAL, "MS", 0,
	  "(dashboard) redraw every MS milliseconds (default 500)", 5 },
	{ "exit-on-stop", OPT_EXIT_ON_STOP, NULL, 0,
	  "(dashboard) leave as soon as the VM stops, instead of showing its "
	  "final state until a key", 5 },
	{ 0 }
};

static uint64_t parse_addr(const char *opt, const char *s)
{
	uint64_t v;

	if (gctl_parse_u64(s, &v))
		gctl_usage_err(CMD, "%s %s: not an address", opt, s);
	return v;
}

static uint64_t parse_sz(const char *opt, const char *s)
{
	uint64_t v;
	int ret = gctl_parse_size(s, &v);

	if (ret == -ERANGE)
		gctl_usage_err(CMD, "%s %s: too large", opt, s);
	if (ret)
		gctl_usage_err(CMD, "%s %s: not a size (a number with an "
			       "optional K, M or G suffix)", opt, s);
	return v;
}

static uint64_t parse_count(const char *opt, const char *s, uint64_t max)
{
	uint64_t v;

	if (gctl_parse_u64(s, &v) || !v || v > max)
		gctl_usage_err(CMD, "%s %s: want a number from 1 to %" PRIu64,
			       opt, s, max);
	return v;
}

/* ADDR:SIZE[:NAME]; name NULL where no name is allowed. */
static void parse_region(const char *opt, const char *arg, uint64_t *addr,
			 uint64_t *size, char *name)
{
	char err[160];
	int ret = gctl_opt_region(arg, addr, size, name, err, sizeof(err));

	if (ret == -E2BIG)
		gctl_usage_err(CMD, "%s: %s", opt, err);
	if (ret)
		gctl_usage_err(CMD, "%s %s: %s", opt, arg, err);
}

/* The nth script; an address already scripted is refused, not ignored. */
static void parse_script(const char *arg, struct gctl_vmm_config *cfg,
			 unsigned int n)
{
	struct gctl_mmio_script *s = &cfg->scripts[n];
	char err[160];
	int ret = gctl_opt_script(arg, s, err, sizeof(err));

	if (ret == -E2BIG)
		gctl_usage_err(CMD, "--mmio-read: %s", err);
	if (ret)
		gctl_usage_err(CMD, "--mmio-read %s: %s", arg, err);
	for (unsigned int i = 0; i < n; i++)
		if (cfg->scripts[i].addr == s->addr)
			gctl_usage_err(CMD, "--mmio-read %s: %#" PRIx64
				       " already has values (one --mmio-read "
				       "per address)", arg, s->addr);
}

/*
 * The android flavour has no page-fault exit and no resume_action (to
 * answer FAULT with): options that need them are refused in one line.
 */
static void check_flavour_options(const struct run_args *a,
				  const struct gh_abi_flavour *abi,
				  const char *whose)
{
	const char *opt = a->cfg.nr_pf_regions ? "--pf-region" :
			  a->pf_policy_set ? "--on-page-fault" : NULL;

	if (opt && !gh_abi_has(abi, GH_ABI_PAGE_FAULT))
		gctl_usage_err(CMD, "%s: the %s ABI flavour%s has no "
			       "page-fault exit", opt, abi->name, whose);
	if (a->cfg.nr_faults && !gh_abi_has(abi, GH_ABI_RESUME_ACTION))
		gctl_usage_err(CMD, "--fault: the %s ABI flavour%s has no "
			       "resume_action to answer FAULT with", abi->name,
			       whose);
}

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

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct run_args *a = state->input;
	struct gctl_vmm_config *cfg = &a->cfg;

	switch (key) {
	case 'm':
		cfg->ram_size = parse_sz("--mem", arg);
		a->mem_set = true;
		break;
	case OPT_KERNEL:
		a->boot.kernel = arg;
		break;
	case OPT_INITRD:
		a->boot.initrd = arg;
		break;
	case OPT_CMDLINE:
		a->boot.fdt.bootargs = arg;
		break;
	case OPT_DTB:
		a->boot.dtb = arg;
		break;
	case OPT_DUMP_DTB:
		a->dump_dtb = arg;
		break;
	case OPT_UART_INPUT:
		a->uart_input = arg;
		break;
	case OPT_RAM_BASE:
		cfg->ram_base = parse_addr("--ram-base", arg);
		break;
	case 'c':
		cfg->nr_vcpus = (unsigned int)parse_count("--vcpus", arg,
							  GCTL_MAX_VCPUS);
		break;
	case 'b':
		a->backend = arg;
		break;
	case OPT_LOAD_ADDR:
		a->load_addr = parse_addr("--load-addr", arg);
		a->load_addr_set = true;
		break;
	case 'e':
		a->entry = parse_addr("--entry", arg);
		a->entry_set = true;
		break;
	case OPT_MMIO: {
		struct gctl_mmio_region *r;

		if (cfg->nr_regions == GCTL_MAX_MMIO_REGIONS)
			gctl_usage_err(CMD, "--mmio: at most %d regions",
				       GCTL_MAX_MMIO_REGIONS);
		r = &cfg->regions[cfg->nr_regions++];
		parse_region("--mmio", arg, &r->addr, &r->size, r->name);
		break;
	}
	case OPT_UART:
		if (cfg->uart_set)
			gctl_usage_err(CMD, "--uart: only one UART");
		cfg->uart_addr = parse_addr("--uart", arg);
		cfg->uart_set = true;
		break;
	case OPT_MMIO_READ:
		if (cfg->nr_scripts == GCTL_MAX_SCRIPTS)
			gctl_usage_err(CMD, "--mmio-read: at most %d addresses",
				       GCTL_MAX_SCRIPTS);
		parse_script(arg, cfg, cfg->nr_scripts++);
		break;
	case OPT_FAULT:
		if (cfg->nr_faults == GCTL_MAX_FAULTS)
			gctl_usage_err(CMD, "--fault: at most %d addresses",
				       GCTL_MAX_FAULTS);
		cfg->faults[cfg->nr_faults++] = parse_addr("--fault", arg);
		break;
	case OPT_PF_REGION: {
		struct gctl_range *r;

		if (cfg->nr_pf_regions == GCTL_MAX_PF_REGIONS)
			gctl_usage_err(CMD, "--pf-region: at most %d regions",
				       GCTL_MAX_PF_REGIONS);
		r = &cfg->pf_regions[cfg->nr_pf_regions++];
		parse_region("--pf-region", arg, &r->addr, &r->size, NULL);
		break;
	}
	case OPT_ABI:
		a->abi = gctl_abi_arg(CMD, arg);
		break;
	case OPT_LENIENT:
		cfg->lenient = true;
		break;
	case OPT_ON_PF:
		a->pf_policy_set = true;
		if (!strcmp(arg, "fail"))
			cfg->pf_policy = GCTL_PF_FAIL;
		else if (!strcmp(arg, "retry"))
			cfg->pf_policy = GCTL_PF_RETRY;
		else if (!strcmp(arg, "fault"))
			cfg->pf_policy = GCTL_PF_FAULT;
		else
			gctl_usage_err(CMD, "--on-page-fault %s: want fail, "
				       "retry or fault", arg);
		break;
	case 's':
		cfg->step = arg ? parse_count("--step", arg, UINT32_MAX) : 1;
		break;
	case OPT_MAX_EXITS:
		cfg->max_exits = parse_count("--max-exits", arg, UINT64_MAX);
		break;
	case OPT_PAUSED:
		cfg->paused = true;
		break;
	case OPT_LOG_SIZE:
		a->log_size = parse_sz("--log-size", arg);
		if (a->log_size < GCTL_RUNLOG_MAX_MIN ||
		    a->log_size > GCTL_RUNLOG_MAX_MAX)
			gctl_usage_err(CMD, "--log-size %s: want 64K to 1024G", arg);
		break;
	case 't':
		a->timeout = gctl_timeout_arg(CMD, arg);
		break;
	case 'j':
		a->json = true;
		break;
	case 'q':
		a->quiet = true;
		break;
	case OPT_DASHBOARD:
		a->dashboard = true;
		break;
	case OPT_INTERVAL:
		a->interval_ms = (unsigned int)parse_count(
			"--interval", arg, GCTL_DASH_MAX_INTERVAL_MS);
		if (a->interval_ms < GCTL_DASH_MIN_INTERVAL_MS)
			gctl_usage_err(CMD, "--interval %s: want %d to %d ms",
				       arg, GCTL_DASH_MIN_INTERVAL_MS,
				       GCTL_DASH_MAX_INTERVAL_MS);
		break;
	case OPT_EXIT_ON_STOP:
		a->exit_on_stop = true;
		break;
	case OPT_NAME:
		if (!gctl_vm_name_valid(arg))
			gctl_usage_err(CMD, "--name %s: a name is 1 to %d letters, "
				       "digits, '_', '-' or '.', not starting "
				       "with '-' or '.'", arg, GCTL_VM_NAME_MAX);
		a->name = arg;
		break;
	case 'd':
		a->detach = true;
		break;
	case OPT_RECORD:
		a->record = arg;
		a->cfg.timing = true;
		break;
	case OPT_STUCK: {
		uint64_t v;

		if (gctl_parse_u64(arg, &v))
			gctl_usage_err(CMD, "--stuck %s: want a number (0: never)",
				       arg);
		a->cfg.stuck = v;
		break;
	}
	case OPT_ON_STUCK:
		if (!strcmp(arg, "stop"))
			a->cfg.stuck_stop = true;
		else if (!strcmp(arg, "report"))
			a->cfg.stuck_stop = false;
		else
			gctl_usage_err(CMD, "--on-stuck %s: want report or stop",
				       arg);
		break;
	case OPT_FILTER: {
		char err[200];

		if (gctl_filter_parse(arg, &a->filter, err, sizeof(err)))
			gctl_usage_err(CMD, "--filter %s", err);
		a->filtered = true;
		break;
	}
	case ARGP_KEY_ARG:
		if (a->image)
			gctl_usage_err(CMD, "%s: only one IMAGE", arg);
		a->image = arg;
		break;
	case ARGP_KEY_END:
		if (a->boot.kernel && a->image)
			gctl_usage_err(CMD, "--kernel %s: not with IMAGE %s",
				       a->boot.kernel, a->image);
		if (!a->boot.kernel && (a->boot.initrd || a->boot.fdt.bootargs ||
					a->boot.dtb || a->dump_dtb ||
					a->uart_input))
			gctl_usage_err(CMD, "--%s: only with --kernel",
				       a->boot.initrd ? "initrd" :
				       a->boot.fdt.bootargs ? "cmdline" :
				       a->boot.dtb ? "dtb" :
				       a->dump_dtb ? "dump-dtb" : "uart-input");
		if (a->boot.kernel && a->cfg.nr_vcpus > 1)
			gctl_usage_err(CMD, "--kernel: one vCPU only: each vCPU "
				       "is its own engine, whose exclusive "
				       "monitor the others' stores do not clear, "
				       "so a guest's atomics are not atomic "
				       "across vCPUs (see gunyahctl-run(1))");
		if (a->boot.kernel)
			a->image = a->boot.kernel;
		if (!a->image)
			gctl_usage_err(CMD, "no IMAGE given (see 'gunyahctl run --help')");
		if (a->abi)
			check_flavour_options(a, gh_abi_by_name(a->abi), "");
		if (cfg->lenient && strcmp(a->backend, "sim"))
			gctl_usage_err(CMD, "--lenient: only the sim emulates; a "
				       "device faults what its hardware faults");
		if (a->detach && !a->name)
			gctl_usage_err(CMD, "--detach needs --name: the name is how "
				       "you reach the VM");
		if (a->log_size && !a->detach)
			gctl_usage_err(CMD, "--log-size: only with --detach (the "
				       "log is a detached VM's)");
		/* Nothing else could let it go on. */
		if (a->cfg.paused && !a->name)
			gctl_usage_err(CMD, "--paused needs --name: 'gunyahctl "
				       "step' or 'resume' lets the VM go on");
		if (a->cfg.paused && a->cfg.step)
			gctl_usage_err(CMD, "--paused: not with --step (which "
				       "pauses after its first N exits)");
		if (a->dashboard && a->detach)
			gctl_usage_err(CMD, "--dashboard: not with --detach: "
				       "'gunyahctl attach --dashboard' shows a "
				       "detached VM");
		if (a->dashboard && a->filtered)
			gctl_usage_err(CMD, "--filter: not with --dashboard, "
				       "which shows every exit");
		if (a->dashboard && (a->json || a->quiet))
			gctl_usage_err(CMD, "--dashboard: not with --%s: the "
				       "dashboard is the output",
				       a->json ? "json" : "quiet");
		if (!a->dashboard && (a->interval_ms || a->exit_on_stop))
			gctl_usage_err(CMD, "--%s: only with --dashboard",
				       a->interval_ms ? "interval" :
				       "exit-on-stop");
		if (a->dashboard &&
		    (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
			gctl_usage_err(CMD, "--dashboard: standard input and "
				       "output must be a terminal");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp run_argp = {
	.options = options,
	.parser = parse_opt,
	.args_doc = "IMAGE",
	.doc = "Create a VM, load IMAGE (a raw binary, or an AArch64 ELF) into "
	       "its RAM, start it and run every vCPU's run loop, printing each "
	       "exit (mmio, page_fault, status) as it happens and a summary at "
	       "the end.\v"
	       "Exit status:\n"
	       "  0   the guest powered off (or exited normally)\n"
	       "  2   the guest asked for a reset\n"
	       "  3   the VM crashed, or exited abnormally\n"
	       "  4   the VM failed to load or start\n"
	       "  5   --timeout stopped it\n"
	       "  6   stopped by q, Ctrl-C, SIGTERM or --max-exits\n"
	       "  7   a vCPU failed (unhandled page fault, run error)\n"
	       "  8   --on-stuck=stop: a vCPU was stuck\n"
	       "  64  bad options, 65 bad image, 66 image missing,\n"
	       "  69  backend unavailable, 70 internal error, 71 system error,\n"
	       "  73  --name: a VM of that name runs, or no socket can be made;\n"
	       "      or the --record file cannot be made,\n"
	       "  74  the output (or the --record file) could not be written",
};

/* How a failed VM set-up step maps to an exit status. */
static int setup_status(int err)
{
	switch (err) {
	case -ENOENT:
	case -ENODEV:
	case -ENXIO:
	case -EACCES:
	case -EPERM:
	case -ENOTTY:
	case -EOPNOTSUPP:
		return GCTL_EXIT_UNAVAILABLE;
	case -EINVAL:
	case -EEXIST:
	case -ERANGE:
	case -ENOSPC:
		return GCTL_EXIT_USAGE;
	case -ENOMEM:
		return GCTL_EXIT_OSERR;
	default:
		return GCTL_EXIT_UNAVAILABLE;
	}
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
		return ret == -ENOEXEC || ret == -EFBIG ? GCTL_EXIT_DATAERR :
		       ret == -ENOMEM ? GCTL_EXIT_OSERR : GCTL_EXIT_NOINPUT;
	}
	if (info->format == GCTL_IMAGE_ELF && a->load_addr_set) {
		gctl_err(CMD, "--load-addr: %s is an ELF: its segments say "
			 "where it goes", a->image);
		return GCTL_EXIT_USAGE;
	}
	return 0;
}

static int arm_timeout(double secs)
{
	struct itimerspec its = { 0 };
	int fd;

	if (secs <= 0)
		return -1;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return -1;
	its.it_value.tv_sec = (time_t)secs;
	its.it_value.tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9);
	if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
		its.it_value.tv_nsec = 1;
	timerfd_settime(fd, 0, &its, NULL);
	return fd;
}

/* The writer's first failed write (sink.h): wake the event loop. */
static void output_failed(void *arg)
{
	uint64_t one = 1;

	if (write((int)(intptr_t)arg, &one, sizeof(one)) < 0) {
		/* the counter is full: the loop is woken already */
	}
}

/*
 * An eventfd that becomes readable when the writer on standard output
 * fails (a closed pipe, a full disk), or -1 (no writer of that kind).
 */
static int watch_output(const struct gctl_sink *sink)
{
	int fd;

	if (!sink->ops->on_write_error)
		return -1;
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fd >= 0)
		sink->ops->on_write_error(sink->ctx, output_failed,
					  (void *)(intptr_t)fd);
	return fd;
}

/*
 * Wait for the vCPUs, answering signals, the timeout, a failed output
 * (the VM is stopped: nobody sees what it does any more), step commands
 * and the dashboard and the control server's clients.  Returns the
 * number of signals taken.
 */
static unsigned int event_loop(struct gctl_vmm *vmm, struct gctl_step *step,
			       struct gctl_dash *dash,
			       struct gctl_ctl_server *srv, int sig_fd,
			       int timer_fd, int out_err_fd)
{
	unsigned int signals = 0;

	for (;;) {
		/* One drain of the event fd per turn, here (vmm.h). */
		enum gctl_vmm_state state = gctl_vmm_state(vmm);
		struct pollfd pfd[5 + GCTL_DASH_MAX_FDS + GCTL_CTL_MAX_CLIENTS + 2];
		nfds_t n = 0, fixed;
		int in_fd, srv_n = 0;

		if (step)
			gctl_step_update(step, state);
		if (srv)
			gctl_ctl_server_update(srv);
		if (state == GCTL_VMM_DONE)
			return signals;
		/* Step commands may have changed it. */
		pfd[n++] = (struct pollfd){ .fd = gctl_vmm_event_fd(vmm),
					    .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
		if (timer_fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = timer_fd,
						    .events = POLLIN };
		if (out_err_fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = out_err_fd,
						    .events = POLLIN };
		in_fd = step ? gctl_step_poll_fd(step, state) : -1;
		if (in_fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = in_fd,
						    .events = POLLIN };
		if (dash)
			n += gctl_dash_fds(dash, pfd + n);
		fixed = n;
		if (srv)
			srv_n = gctl_ctl_server_pollfds(srv, pfd + n,
							(int)(ARRAY_SIZE(pfd) - n));
		n += (nfds_t)srv_n;

		/* An idle client of the control socket may be due to go. */
		if (poll(pfd, n, srv ? gctl_ctl_server_timeout_ms(srv) : -1) < 0)
			continue;
		if (dash)
			gctl_dash_dispatch(dash, pfd, (unsigned int)fixed);
		for (nfds_t i = 1; i < fixed; i++) {
			struct signalfd_siginfo si;
			uint64_t ticks;

			if (!pfd[i].revents)
				continue;
			if (pfd[i].fd == sig_fd &&
			    read(sig_fd, &si, sizeof(si)) == sizeof(si)) {
				/* A second signal: stop waiting for the VM. */
				if (signals++)
					gctl_vmm_kill(vmm, GCTL_STOP_USER);
				else
					gctl_vmm_stop(vmm, GCTL_STOP_USER);
			} else if (pfd[i].fd == timer_fd &&
				   read(timer_fd, &ticks, sizeof(ticks)) > 0) {
				gctl_vmm_stop(vmm, GCTL_STOP_TIMEOUT);
			} else if (pfd[i].fd == out_err_fd &&
				   read(out_err_fd, &ticks, sizeof(ticks)) > 0) {
				gctl_vmm_stop(vmm, GCTL_STOP_USER);
			} else if (pfd[i].fd == in_fd) {
				gctl_step_read(step, gctl_vmm_state(vmm));
			}
		}
		if (srv)
			gctl_ctl_server_events(srv, pfd + fixed, srv_n);
	}
}

/* Close every fd but 0, 1, 2 and those in keep (a detached VM must not
 * hold its starter's pipes, or whatever waits on them waits forever). */
static void close_other_fds(int *keep, int n)
{
	unsigned int lo = 3;

	/* Few fds: a plain insertion sort. */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			int t = keep[j];

			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	for (int i = 0; i < n; i++) {
		if (keep[i] < (int)lo)
			continue;
		if ((unsigned int)keep[i] > lo)
			close_range(lo, (unsigned int)keep[i] - 1, 0);
		lo = (unsigned int)keep[i] + 1;
	}
	close_range(lo, ~0u, 0);
}

/*
 * Fork the detached VM process, which takes the listening socket.  In the
 * parent, wait for its word and return what run returns (the child goes
 * on: *ready_fd is where it says how the start went).  Returns -1 in the
 * child.
 */
static int detach(const struct gctl_rundir *rd, const char *name,
		  struct gctl_rundir_claim *claim, int *ready_fd)
{
	char err[PATH_MAX + 128];
	int fds[2], status;
	unsigned char code;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC)) {
		gctl_err(CMD, "pipe: %s", strerror(errno));
		gctl_rundir_release(claim);
		return GCTL_EXIT_OSERR;
	}
	pid = fork();
	if (pid < 0) {
		gctl_err(CMD, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		gctl_rundir_release(claim);
		return GCTL_EXIT_OSERR;
	}
	if (!pid) {
		int keep[] = { claim->fd, claim->status_fd, fds[1], rd->fd };

		close(fds[0]);
		close_other_fds(keep, 4);
		/* No terminal's signals (Ctrl-C at the starter's shell). */
		setsid();
		*ready_fd = fds[1];
		return -1;
	}
	/* The child owns the socket now (not to be removed from here). */
	gctl_rundir_forget(claim);
	close(fds[1]);
	do
		n = read(fds[0], &code, 1);
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n == 1 && code == 0)
		return 0;
	/* It failed and ends (or ended): collect it. */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n == 1)
		return code;
	gctl_err(CMD, "%s: the VM's process ended before the VM ran (%s %d)",
		 name, WIFSIGNALED(status) ? "signal" : "exit status",
		 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	/* It could not clean up after itself: its socket is stale now. */
	if (gctl_rundir_clean_stale(rd, name, err, sizeof(err)) == 1)
		gctl_rundir_reap(rd, name);
	return GCTL_EXIT_SOFTWARE;
}

/* Tell the starter how the start went, once. */
static void report_ready(int *ready_fd, int code)
{
	unsigned char c = (unsigned char)code;

	if (*ready_fd < 0)
		return;
	if (write(*ready_fd, &c, 1) != 1) {
		/* the starter is gone: nobody to tell */
	}
	close(*ready_fd);
	*ready_fd = -1;
}

/* The detached VM runs: its stdio leaves the starter's terminal, for
 * the log (runlog.h: bounded, whoever writes). */
static int daemon_stdio(struct gctl_runlog *runlog)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int ret;

	if (null < 0 || dup2(null, STDIN_FILENO) < 0) {
		ret = -errno;
		if (null >= 0)
			close(null);
		return ret;
	}
	close(null);
	ret = gctl_runlog_start(runlog);
	if (ret)
		return ret;
	/* Not keeping a directory busy; paths it needs are absolute. */
	if (chdir("/")) {
		/* harmless: it stays where it was */
	}
	return 0;
}

/*
 * A detached start failed after stdio went to the log: standard error
 * goes back to the starter's, and what the log got is written there.
 */
static void replay_log(int starter_err, struct gctl_runlog *runlog)
{
	int log_fd = gctl_runlog_fd(runlog);
	char buf[4096];
	off_t off = 0;
	ssize_t n;

	gctl_runlog_sync(runlog);
	if (dup2(starter_err, STDERR_FILENO) < 0)
		return;
	while ((n = pread(log_fd, buf, sizeof(buf), off)) > 0) {
		if (write(STDERR_FILENO, buf, (size_t)n) != n)
			return;
		off += n;
	}
}

/* --kernel's defaults: the PL011 at 0x9000000 with its interrupt. */
static void kernel_config(struct run_args *a)
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

static int dump_dtb(struct run_args *a)
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
		return size == -ENOEXEC ? GCTL_EXIT_DATAERR : GCTL_EXIT_NOINPUT;
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

/*
 * The UART's input: a file, standard input, or (with a terminal there and
 * nothing said) the terminal in raw mode, Ctrl-] to quit.  Returns the fd
 * or -1 for none; *raw says the terminal's mode must come back.
 */
static int uart_input(struct run_args *a, struct termios *saved, bool *raw)
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

static int run_main(int argc, char **argv)
{
	struct run_args a = {
		.cfg = {
			.ram_base = GH_SIM_RAM_BASE,
			.ram_size = GH_SIM_RAM_SIZE,
			.nr_vcpus = 1,
			.stuck = 500,
		},
		.backend = "sim",
	};
	struct gctl_rundir_claim claim = { .fd = -1 };
	struct gctl_sink sink = { 0 }, async_sink = { 0 }, rec_sink = { 0 };
	struct gctl_sink filter_sink = { 0 }, vmm_sink;
	struct gctl_ctl_server *srv = NULL;
	struct gctl_step *step = NULL;
	struct gctl_stats *stats = NULL;
	struct gctl_run_dash *dash = NULL;
	struct gh_backend *be = NULL;
	struct gctl_vmm *vmm = NULL;
	struct gctl_image_info info;
	struct gctl_summary summary;
	int ret, out_err, sig_fd = -1, timer_fd = -1, ready_fd = -1;
	int out_err_fd = -1;
	int starter_err = -1;
	struct gctl_runlog *runlog = NULL;
	unsigned int signals;
	char err[PATH_MAX + 256], log[PATH_MAX];
	struct gctl_rundir rd = { .fd = -1 };
	uint64_t idle_ns = 0;
	char image[PATH_MAX];
	uint64_t entry;
	struct termios term_saved;
	bool term_raw = false;

	a.cfg.uart_input_fd = -1;
	gctl_parse_args("gunyahctl run", &run_argp, argc, argv, &a);
	if (a.boot.kernel)
		kernel_config(&a);
	if (a.dump_dtb)
		return dump_dtb(&a);
	if (gctl_vmm_config_check(&a.cfg, err, sizeof(err))) {
		gctl_err(CMD, "%s", err);
		return GCTL_EXIT_USAGE;
	}
	if (a.load_addr_set &&
	    (a.load_addr < a.cfg.ram_base ||
	     a.load_addr - a.cfg.ram_base >= a.cfg.ram_size)) {
		gctl_err(CMD, "--load-addr %#" PRIx64 " is not in guest RAM [%#"
			 PRIx64 ", %#" PRIx64 ")", a.load_addr, a.cfg.ram_base,
			 a.cfg.ram_base + a.cfg.ram_size);
		return GCTL_EXIT_USAGE;
	}

	if (a.name) {
		const char *idle = getenv("GUNYAHCTL_IDLE_TIMEOUT");
		double idle_s = CTL_IDLE_DEFAULT_S;

		if (idle && *idle && gctl_parse_seconds(idle, 0.01, 86400, &idle_s)) {
			gctl_err(CMD, "GUNYAHCTL_IDLE_TIMEOUT=%s: want seconds, "
				 "from 0.01 to 86400", idle);
			return GCTL_EXIT_USAGE;
		}
		idle_ns = (uint64_t)(idle_s * 1e9);
		ret = gctl_rundir_open(true, &rd, err, sizeof(err));
		if (!ret)
			ret = gctl_rundir_claim(&rd, a.name, &claim, err,
						sizeof(err));
		if (ret) {
			gctl_err(CMD, "--name %s: %s", a.name, err);
			gctl_rundir_close(&rd);
			/* A name in use, or no room for its files. */
			return ret == -EADDRINUSE || ret == -ENAMETOOLONG ||
					       ret == -ENOSPC || ret == -EDQUOT ||
					       ret == -EFBIG ?
				       GCTL_EXIT_CANTCREAT :
				       ret == -EPERM ? GCTL_EXIT_NOPERM :
						       GCTL_EXIT_OSERR;
		}
		/* The VM's description keeps the image whatever the cwd. */
		if (!realpath(a.image, image))
			snprintf(image, sizeof(image), "%s", a.image);
	}
	if (a.detach) {
		ret = detach(&rd, a.name, &claim, &ready_fd);
		if (ret >= 0) {
			gctl_rundir_close(&rd);
			return ret; /* the parent */
		}
		gctl_rundir_file(&rd, a.name, "log", log, sizeof(log));
		ret = gctl_runlog_open(&rd, a.name, a.log_size ? a.log_size :
				       GCTL_RUNLOG_MAX_DEFAULT, &runlog);
		if (ret) {
			gctl_err(CMD, "%s: %s", log, strerror(-ret));
			ret = GCTL_EXIT_CANTCREAT;
			goto out;
		}
		/* Exits are for attach; the log keeps the console (through
		 * standard output, once it goes to the log). */
		a.quiet = true;
	}

	/*
	 * Before any thread exists, so that every thread inherits the mask:
	 * this thread takes the signals from a signalfd, so nothing runs in
	 * a handler, and no thread takes the dashboard's SIGWINCH from it.
	 */
	sig_fd = gctl_stop_signalfd(true);
	if (sig_fd < 0) {
		gctl_err(CMD, "signalfd: %s", strerror(errno));
		ret = GCTL_EXIT_OSERR;
		goto out;
	}

	ret = gctl_backend_open(CMD, a.backend, a.abi, &be, NULL);
	if (ret)
		goto out;
	check_flavour_options(&a, gh_backend_abi(be), " (the device's)");
	if (a.dashboard) {
		ret = gctl_stats_new(a.cfg.nr_vcpus, &stats);
		if (!ret)
			gctl_stats_sink(stats, &sink);
	} else {
		ret = a.json ? gctl_out_json_new(STDOUT_FILENO, a.quiet, &sink) :
			       gctl_out_text_new(STDOUT_FILENO, a.quiet, &sink);
	}
	if (ret) {
		gctl_err(CMD, "%s", strerror(-ret));
		ret = GCTL_EXIT_OSERR;
		goto out;
	}
	/* Detached, the output is the log: a full log does not stop it. */
	if (!a.detach)
		out_err_fd = watch_output(&sink);
	vmm_sink = sink;
	if (a.filtered) {
		ret = gctl_filter_sink_new(&a.filter, &sink, &filter_sink);
		if (ret) {
			gctl_err(CMD, "%s", strerror(-ret));
			ret = GCTL_EXIT_OSERR;
			goto out;
		}
		vmm_sink = filter_sink;
	}
	if (a.name) {
		struct gctl_ctl_info ci = {
			.rd = &rd,
			.name = a.name,
			.backend = gh_backend_name(be),
			.image = image,
			.log = a.detach ? log : NULL,
			.runlog = runlog,
			.nr_vcpus = a.cfg.nr_vcpus,
			.idle_ns = idle_ns,
		};

		ret = gctl_ctl_server_new(&claim, &ci, &srv);
		if (ret) {
			gctl_err(CMD, "%s", strerror(-ret));
			ret = GCTL_EXIT_OSERR;
			goto out;
		}
		gctl_ctl_server_tee(srv, a.filtered ? &filter_sink : &sink,
				    &vmm_sink);
	}
	if (a.record) {
		ret = gctl_rec_sink_open(a.record, &vmm_sink, &rec_sink);
		if (ret) {
			gctl_err(CMD, "--record %s: %s", a.record, strerror(-ret));
			ret = GCTL_EXIT_CANTCREAT;
			goto out;
		}
		vmm_sink = rec_sink;
	}
	/*
	 * Exit records leave the vCPU threads through a writer thread, which
	 * formats, counts and serves them (sink_async.h); --quiet alone has
	 * nothing to do per exit.
	 */
	if (!a.quiet || a.dashboard || a.name || a.record) {
		ret = gctl_sink_async_new(&vmm_sink, &async_sink);
		if (ret) {
			gctl_err(CMD, "%s", strerror(-ret));
			ret = GCTL_EXIT_OSERR;
			goto out;
		}
		vmm_sink = async_sink;
	}
	if (a.boot.kernel) {
		a.cfg.uart_input_fd = uart_input(&a, &term_saved, &term_raw);
		if (a.cfg.uart_input_fd == -2) {
			ret = GCTL_EXIT_NOINPUT;
			goto out;
		}
	}
	ret = gctl_vmm_create(be, &a.cfg, &vmm_sink, &vmm, err, sizeof(err));
	if (ret) {
		if (gh_backend_is_sim(be))
			gctl_err(CMD, "backend sim: %s", err);
		else
			gctl_err(CMD, "backend %s (%s): %s", gh_backend_name(be),
				 gctl_device_path(), err);
		ret = setup_status(ret);
		goto out;
	}
	if (a.boot.kernel) {
		struct gctl_boot_info binfo;

		ret = gctl_boot_load(gctl_vmm_vm(vmm), &a.boot, &binfo, err,
				     sizeof(err));
		if (ret) {
			gctl_err(CMD, "%s", err);
			ret = ret == -ENOEXEC ? GCTL_EXIT_DATAERR :
			      ret == -EFBIG ? GCTL_EXIT_USAGE :
			      ret == -ENOMEM ? GCTL_EXIT_OSERR : GCTL_EXIT_NOINPUT;
			goto out;
		}
		info.entry = binfo.entry;
	} else {
		ret = load_image(vmm, &a, &info);
		if (ret)
			goto out;
	}
	entry = a.entry_set ? a.entry : info.entry;
	if (!gh_abi_has(gh_backend_abi(be), GH_ABI_BOOT_CONTEXT) &&
	    !a.boot.kernel) {
		ret = place_dtb(vmm, &a.cfg);
		if (ret)
			goto out;
	}
	if (a.record) {
		struct gctl_rec_config rc;

		gctl_rec_config_init(&rc, &a.cfg, gh_backend_name(be), a.image,
				     info.format == GCTL_IMAGE_ELF,
				     a.load_addr_set ? a.load_addr :
						       a.cfg.ram_base, entry);
		ret = gctl_rec_sink_begin(&rec_sink, &rc);
		if (ret) {
			gctl_err(CMD, "--record %s: %s", a.record, strerror(-ret));
			ret = GCTL_EXIT_IOERR;
			goto out;
		}
	}

	/*
	 * The dashboard has keys of its own for stepping; detached, nothing
	 * reads stdin: --step only starts it paused.
	 */
	if (a.cfg.step && !a.dashboard && !a.detach) {
		ret = gctl_step_new(vmm, &vmm_sink, STDIN_FILENO, a.cfg.step, &step);
		if (ret) {
			gctl_err(CMD, "%s", strerror(-ret));
			ret = GCTL_EXIT_OSERR;
			goto out;
		}
	}
	if (a.dashboard) {
		struct gctl_run_dash_opts dopts = {
			.vm = a.image,
			.backend = gh_backend_name(be),
			.interval_ms = a.interval_ms,
			.step = a.cfg.step,
		};

		ret = gctl_run_dash_new(vmm, stats, &dopts, &dash, err,
					sizeof(err));
		if (ret) {
			gctl_err(CMD, "--dashboard: %s", err);
			ret = ret == -ENOTTY ? GCTL_EXIT_USAGE : GCTL_EXIT_OSERR;
			goto out;
		}
	}
	timer_fd = arm_timeout(a.timeout);

	/*
	 * Detached, what the vCPUs say goes to the log from their first
	 * instruction on (not to the starter's terminal, by a race); should
	 * the start fail, the starter is shown it all the same.
	 */
	if (ready_fd >= 0) {
		starter_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
		ret = starter_err < 0 ? -errno : daemon_stdio(runlog);
		if (ret) {
			gctl_err(CMD, "detaching: %s", strerror(-ret));
			ret = GCTL_EXIT_OSERR;
			goto out;
		}
	}
	ret = gctl_vmm_start(vmm, entry, err, sizeof(err));
	if (ret)
		gctl_err(CMD, "%s", err);
	if (!gctl_vmm_started(vmm)) {
		ret = GCTL_EXIT_SOFTWARE;
		goto out;
	}
	if (srv)
		gctl_ctl_server_start(srv, vmm);
	if (!ret && ready_fd >= 0) {
		report_ready(&ready_fd, 0);
		close(starter_err);
		starter_err = -1;
	}
	signals = event_loop(vmm, step, dash ? gctl_run_dash_view(dash) : NULL,
			     srv, sig_fd, timer_fd, out_err_fd);
	ret = gctl_vmm_finish(vmm, &summary);
	out_err = sink.ops->flush(sink.ctx);
	if (!out_err && a.record) {
		out_err = rec_sink.ops->flush(rec_sink.ctx);
		if (out_err)
			gctl_err(CMD, "--record %s: %s", a.record,
				 strerror(-out_err));
	}
	/* A signal or q means leave now; else the final state stays up. */
	if (dash && !out_err)
		out_err = gctl_run_dash_end(dash, &summary,
					    !a.exit_on_stop && !signals, sig_fd);
	if (out_err) {
		gctl_err(CMD, "writing the output: %s", strerror(-out_err));
		ret = EX_IOERR;
	}
	if (srv)
		gctl_ctl_server_finish(srv, &summary);

out:
	/* The terminal first: whatever went wrong is then readable. */
	gctl_run_dash_free(dash);
	if (term_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &term_saved);

	/*
	 * A detached start that failed: the starter hears it (the message
	 * is out already), and the name is left with nothing to collect.
	 */
	if (ready_fd >= 0) {
		if (starter_err >= 0)
			replay_log(starter_err, runlog);
		gctl_rundir_reap(&rd, a.name);
	}
	report_ready(&ready_fd, ret ? ret : GCTL_EXIT_SOFTWARE);
	if (starter_err >= 0)
		close(starter_err);
	gctl_step_free(step);
	gctl_vmm_destroy(vmm);
	if (a.cfg.uart_input_fd > STDIN_FILENO)
		close(a.cfg.uart_input_fd);
	gctl_sink_destroy(&async_sink); /* before what it passes on to */
	gctl_sink_destroy(&rec_sink);
	gctl_sink_destroy(&filter_sink);
	gctl_ctl_server_free(srv);
	gctl_rundir_release(&claim);
	gctl_rundir_close(&rd);
	gctl_sink_destroy(&sink);
	gctl_stats_free(stats);
	gh_backend_close(be);
	if (timer_fd >= 0)
		close(timer_fd);
	if (out_err_fd >= 0) /* after the writer, which may still write it */
		close(out_err_fd);
	if (sig_fd >= 0)
		close(sig_fd);
	gctl_runlog_close(runlog); /* last: it takes what stderr still says */
	return ret;
}

const struct gctl_cmd gctl_cmd_run = {
	.name = "run",
	.doc = "run a guest image and show every vCPU exit",
	.main = run_main,
};
