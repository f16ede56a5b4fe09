// SPDX-License-Identifier: GPL-2.0-only
/*
 * run's options (args.h).  Most options only store their value: the table
 * says how (a flag, a string, an address, a size, a count, one of a few
 * words) and where, and one interpreter does it.  Options that append to
 * a list or check more have a function of their own.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "ctl/rundir.h"
#include "ctl/runlog.h"
#include "dash/dashboard.h"
#include "engine/opts.h"
#include "gunyahctl.h"
#include "run/args.h"

#define CMD "run"

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
	OPT_NO_DTB,
	OPT_LOG_SIZE,
};

/* What an option does with its argument. */
enum run_act {
	RUN_HEADER,	/* a group's title, no option */
	RUN_TRUE,	/* a bool set */
	RUN_STR,	/* the argument itself */
	RUN_ADDR,	/* a guest address */
	RUN_SIZE,	/* a size, K/M/G suffixes */
	RUN_COUNT,	/* 1 to max; an optional argument left out is 1 */
	RUN_CHOICE,	/* the index of the argument in the "a|b|c" of o.arg */
	RUN_FN,		/* fn does it */
};

struct run_opt {
	struct argp_option o;
	enum run_act act;
	size_t off, size;	/* the field (AT) */
	size_t also;		/* SET(): a bool set too; 0: none */
	uint64_t max;		/* RUN_COUNT */
	void (*fn)(struct run_args *a, const char *arg);
};

#define AT(m) .off = offsetof(struct run_args, m), \
	      .size = sizeof(((struct run_args *)0)->m)
/* Offset plus one: 0 says none. */
#define SET(m) .also = offsetof(struct run_args, m) + 1

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

/* The index of s in "a|b|c", or a usage error naming them. */
static uint64_t parse_choice(const char *opt, const char *choices,
			     const char *s)
{
	char want[128] = "";
	const char *c = choices;

	for (uint64_t i = 0;; i++) {
		size_t n = strcspn(c, "|"), len = strlen(want);

		if (n == strlen(s) && !strncmp(c, s, n))
			return i;
		/* "a", "a, b", then "a, b or c" */
		snprintf(want + len, sizeof(want) - len, "%s%.*s",
			 !i ? "" : c[n] ? ", " : " or ", (int)n, c);
		if (!c[n])
			break;
		c += n + 1;
	}
	gctl_usage_err(CMD, "%s %s: want %s", opt, s, want);
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

static void opt_mmio(struct run_args *a, const char *arg)
{
	struct gctl_vmm_config *cfg = &a->cfg;
	struct gctl_mmio_region *r;

	if (cfg->nr_regions == GCTL_MAX_MMIO_REGIONS)
		gctl_usage_err(CMD, "--mmio: at most %d regions",
			       GCTL_MAX_MMIO_REGIONS);
	r = &cfg->regions[cfg->nr_regions++];
	parse_region("--mmio", arg, &r->addr, &r->size, r->name);
}

static void opt_pf_region(struct run_args *a, const char *arg)
{
	struct gctl_vmm_config *cfg = &a->cfg;
	struct gctl_range *r;

	if (cfg->nr_pf_regions == GCTL_MAX_PF_REGIONS)
		gctl_usage_err(CMD, "--pf-region: at most %d regions",
			       GCTL_MAX_PF_REGIONS);
	r = &cfg->pf_regions[cfg->nr_pf_regions++];
	parse_region("--pf-region", arg, &r->addr, &r->size, NULL);
}

/* The next script; an address already scripted is refused, not ignored. */
static void opt_mmio_read(struct run_args *a, const char *arg)
{
	struct gctl_vmm_config *cfg = &a->cfg;
	struct gctl_mmio_script *s;
	char err[160];
	int ret;

	if (cfg->nr_scripts == GCTL_MAX_SCRIPTS)
		gctl_usage_err(CMD, "--mmio-read: at most %d addresses",
			       GCTL_MAX_SCRIPTS);
	s = &cfg->scripts[cfg->nr_scripts];
	ret = gctl_opt_script(arg, s, err, sizeof(err));
	if (ret == -E2BIG)
		gctl_usage_err(CMD, "--mmio-read: %s", err);
	if (ret)
		gctl_usage_err(CMD, "--mmio-read %s: %s", arg, err);
	for (unsigned int i = 0; i < cfg->nr_scripts; i++)
		if (cfg->scripts[i].addr == s->addr)
			gctl_usage_err(CMD, "--mmio-read %s: %#" PRIx64
				       " already has values (one --mmio-read "
				       "per address)", arg, s->addr);
	cfg->nr_scripts++;
}

static void opt_fault(struct run_args *a, const char *arg)
{
	struct gctl_vmm_config *cfg = &a->cfg;

	if (cfg->nr_faults == GCTL_MAX_FAULTS)
		gctl_usage_err(CMD, "--fault: at most %d addresses",
			       GCTL_MAX_FAULTS);
	cfg->faults[cfg->nr_faults++] = parse_addr("--fault", arg);
}

static void opt_uart(struct run_args *a, const char *arg)
{
	if (a->cfg.uart_set)
		gctl_usage_err(CMD, "--uart: only one UART");
	a->cfg.uart_addr = parse_addr("--uart", arg);
	a->cfg.uart_set = true;
}

static void opt_json(struct run_args *a, const char *arg)
{
	(void)arg;
	a->json = true;
	gctl_err_json();
}

static void opt_abi(struct run_args *a, const char *arg)
{
	a->abi = gctl_abi_arg(CMD, arg);
}

static void opt_timeout(struct run_args *a, const char *arg)
{
	a->timeout = gctl_timeout_arg(CMD, arg);
}

static void opt_interval(struct run_args *a, const char *arg)
{
	a->interval_ms = gctl_dash_interval_arg(CMD, arg);
}

static void opt_name(struct run_args *a, const char *arg)
{
	if (!gctl_vm_name_valid(arg))
		gctl_usage_err(CMD, "--name %s: a name is 1 to %d letters, "
			       "digits, '_', '-' or '.', not starting "
			       "with '-' or '.'", arg, GCTL_VM_NAME_MAX);
	a->name = arg;
}

static void opt_stuck(struct run_args *a, const char *arg)
{
	if (gctl_parse_u64(arg, &a->cfg.stuck))
		gctl_usage_err(CMD, "--stuck %s: want a number (0: never)", arg);
}

static void opt_log_size(struct run_args *a, const char *arg)
{
	a->log_size = parse_sz("--log-size", arg);
	if (a->log_size < GCTL_RUNLOG_MAX_MIN || a->log_size > GCTL_RUNLOG_MAX_MAX)
		gctl_usage_err(CMD, "--log-size %s: want 64K to 1024G", arg);
}

static void opt_filter(struct run_args *a, const char *arg)
{
	char err[200];

	if (gctl_filter_parse(arg, &a->filter, err, sizeof(err)))
		gctl_usage_err(CMD, "--filter %s", err);
	a->filtered = true;
}

static const struct run_opt run_opts[] = {
	{ { NULL, 0, NULL, 0, "The VM:", 1 }, .act = RUN_HEADER },
	{ { "mem", 'm', "SIZE", 0,
	    "guest RAM size (default 128M; K, M, G suffixes)", 1 },
	  RUN_SIZE, AT(cfg.ram_size), SET(mem_set) },
	{ { "ram-base", OPT_RAM_BASE, "ADDR", 0,
	    "guest RAM base address (default 0x80000000)", 1 },
	  RUN_ADDR, AT(cfg.ram_base) },
	{ { "vcpus", 'c', "N", 0, "number of vCPUs (default 1); vCPU 0 boots, "
	    "the others wait for PSCI CPU_ON", 1 },
	  RUN_COUNT, AT(cfg.nr_vcpus), .max = GCTL_MAX_VCPUS },
	{ { "backend", 'b', "sim|dev", 0,
	    "the built-in simulator (default) or /dev/gunyah", 1 },
	  RUN_STR, AT(backend) },
	{ { "abi", OPT_ABI, "upstream|android", 0,
	    "the ABI flavour to speak (default: upstream on the sim; on dev, "
	    "the one the device answers)", 1 },
	  RUN_FN, .fn = opt_abi },
	{ { NULL, 0, NULL, 0, "The image:", 2 }, .act = RUN_HEADER },
	{ { "load-addr", OPT_LOAD_ADDR, "ADDR", 0,
	    "where a raw image goes (default the RAM base); an ELF goes where "
	    "its PT_LOAD segments say", 2 },
	  RUN_ADDR, AT(load_addr), SET(load_addr_set) },
	{ { "entry", 'e', "ADDR", 0,
	    "start vCPU 0 here (default the ELF entry, or the load address)",
	    2 },
	  RUN_ADDR, AT(entry), SET(entry_set) },
	{ { "no-dtb", OPT_NO_DTB, NULL, 0,
	    "give IMAGE no device tree (default: the generated one in the "
	    "highest free pages of RAM, x0 pointing at it); not with "
	    "--kernel or the android flavour", 2 },
	  RUN_TRUE, AT(no_dtb) },
	{ { NULL, 0, NULL, 0, "Devices and exit handling:", 3 }, .act = RUN_HEADER },
	{ { "mmio", OPT_MMIO, "ADDR:SIZE[:NAME]", 0,
	    "an MMIO region; exits in a named one show its name (repeatable)",
	    3 },
	  RUN_FN, .fn = opt_mmio },
	{ { "uart", OPT_UART, "ADDR", 0,
	    "a PL011 UART here: bytes the guest writes to its data register "
	    "are console output (a 4K region named uart)", 3 },
	  RUN_FN, .fn = opt_uart },
	{ { "mmio-read", OPT_MMIO_READ, "ADDR=VALUE[,VALUE...]", 0,
	    "reads at ADDR return the VALUEs in turn, the last one repeating "
	    "(repeatable; other reads return 0)", 3 },
	  RUN_FN, .fn = opt_mmio_read },
	{ { "fault", OPT_FAULT, "ADDR", 0,
	    "accesses to ADDR are answered FAULT: the guest takes a data "
	    "abort (repeatable)", 3 },
	  RUN_FN, .fn = opt_fault },
	{ { "pf-region", OPT_PF_REGION, "ADDR:SIZE", 0,
	    "(sim) guest memory that is not there yet: accesses give "
	    "page_fault exits (repeatable)", 3 },
	  RUN_FN, .fn = opt_pf_region },
	{ { "on-page-fault", OPT_ON_PF, "fail|retry|fault", 0,
	    "fail: stop the VM (default); retry: map a zero page and retry; "
	    "fault: the guest takes a data abort", 3 },
	  RUN_CHOICE, AT(cfg.pf_policy), SET(pf_policy_set) },
	{ { "lenient", OPT_LENIENT, NULL, 0,
	    "(sim) emulate MMIO accesses hardware gives no syndrome for "
	    "(writeback, pairs, exclusives) instead of a data abort", 3 },
	  RUN_TRUE, AT(cfg.lenient) },
	{ { NULL, 0, NULL, 0, "Running:", 4 }, .act = RUN_HEADER },
	{ { "kernel", OPT_KERNEL, "IMAGE", 0,
	    "boot a Linux kernel (an arm64 Image) instead of IMAGE: the kernel "
	    "booting rules, a generated device tree in x0, a PL011 console at "
	    "0x9000000 (--uart moves it) with its interrupt", 2 },
	  RUN_STR, AT(boot.kernel) },
	{ { "initrd", OPT_INITRD, "FILE", 0, "with --kernel: an initramfs", 2 },
	  RUN_STR, AT(boot.initrd) },
	{ { "cmdline", OPT_CMDLINE, "STRING", 0,
	    "with --kernel: the kernel command line (default: console=ttyAMA0)",
	    2 },
	  RUN_STR, AT(boot.fdt.bootargs) },
	{ { "dtb", OPT_DTB, "FILE", 0,
	    "with --kernel: boot with this device tree instead of the "
	    "generated one (its /chosen gets --cmdline and the initrd)", 2 },
	  RUN_STR, AT(boot.dtb) },
	{ { "dump-dtb", OPT_DUMP_DTB, "FILE", 0,
	    "with --kernel: write the device tree the VM would get to FILE and "
	    "exit", 2 },
	  RUN_STR, AT(dump_dtb) },
	{ { "uart-input", OPT_UART_INPUT, "FILE|-", 0,
	    "with --kernel: feed FILE (- : standard input) to the UART's "
	    "receive side (default with a terminal on standard input: the "
	    "terminal, raw; Ctrl-] quits)", 3 },
	  RUN_STR, AT(uart_input) },
	{ { "step", 's', "N", OPTION_ARG_OPTIONAL,
	    "stop after every exit (or every N exits) and read a command: "
	    "Enter/s next, c continue, r registers, m ADDR [LEN] memory, q quit",
	    4 },
	  RUN_COUNT, AT(cfg.step), .max = UINT32_MAX },
	{ { "max-exits", OPT_MAX_EXITS, "N", 0, "stop the VM after N exits", 4 },
	  RUN_COUNT, AT(cfg.max_exits), .max = UINT64_MAX },
	{ { "paused", OPT_PAUSED, NULL, 0,
	    "with --name: start paused before the first instruction (then "
	    "gunyahctl step or resume)", 4 },
	  RUN_TRUE, AT(cfg.paused) },
	{ { "stuck", OPT_STUCK, "N", 0,
	    "report a vCPU that takes the same exit at the same PC N times in "
	    "a row (default 500; 0: never)", 4 },
	  RUN_FN, .fn = opt_stuck },
	{ { "on-stuck", OPT_ON_STUCK, "report|stop", 0,
	    "report a stuck vCPU once (default), or also stop the VM (exit "
	    "status 8)", 4 },
	  RUN_CHOICE, AT(cfg.stuck_stop) },
	{ { "timeout", 't', "SEC", 0,
	    "force-stop the VM after SEC seconds (fractions allowed)", 4 },
	  RUN_FN, .fn = opt_timeout },
	{ { "name", OPT_NAME, "NAME", 0,
	    "name the VM: list, status, pause, step, stop, attach, wait... "
	    "reach it through its control socket", 4 },
	  RUN_FN, .fn = opt_name },
	{ { "detach", 'd', NULL, 0,
	    "with --name: run in the background, return once the VM runs "
	    "(console and errors go to a log)", 4 },
	  RUN_TRUE, AT(detach) },
	{ { "log-size", OPT_LOG_SIZE, "SIZE", 0,
	    "with --detach: the log's limit (default 4M, from 64K); past it "
	    "NAME.log becomes NAME.log.1 and a new one starts", 4 },
	  RUN_FN, .fn = opt_log_size },
	{ { NULL, 0, NULL, 0, "Output:", 5 }, .act = RUN_HEADER },
	{ { "json", 'j', NULL, 0,
	    "JSON Lines: one object per exit, then a summary object", 5 },
	  RUN_FN, .fn = opt_json },
	{ { "quiet", 'q', NULL, 0,
	    "no exit lines and no summary: only the guest console", 5 },
	  RUN_TRUE, AT(quiet) },
	{ { "dashboard", OPT_DASHBOARD, NULL, 0,
	    "a live full-screen view instead: vCPUs, exit counts and rates, "
	    "top MMIO addresses, recent events; keys q p s 0-9 f r ? (the "
	    "summary is printed when it ends)", 5 },
	  RUN_TRUE, AT(dashboard) },
	{ { "record", OPT_RECORD, "FILE", 0,
	    "also write every exit, its timing and its answer to FILE, for "
	    "report and replay (gunyahctl-record(5))", 5 },
	  RUN_STR, AT(record), SET(cfg.timing) },
	{ { "filter", OPT_FILTER, "EXPR", 0,
	    "print only the exits EXPR matches (gunyahctl(1), FILTERS); the "
	    "summary still counts every exit", 5 },
	  RUN_FN, .fn = opt_filter },
	{ { "interval", OPT_INTERVAL, "MS", 0,
	    "(dashboard) redraw every MS milliseconds (default 500)", 5 },
	  RUN_FN, .fn = opt_interval },
	{ { "exit-on-stop", OPT_EXIT_ON_STOP, NULL, 0,
	    "(dashboard) leave as soon as the VM stops, instead of showing its "
	    "final state until a key", 5 },
	  RUN_TRUE, AT(exit_on_stop) },
};

/* v into a field of size bytes (a bool, an unsigned int or enum, a u64). */
static void store(void *p, size_t size, uint64_t v)
{
	if (size == sizeof(bool))
		*(bool *)p = v;
	else if (size == sizeof(uint32_t))
		*(uint32_t *)p = (uint32_t)v;
	else
		*(uint64_t *)p = v;
}

static void run_opt_do(const struct run_opt *r, struct run_args *a,
		       const char *arg)
{
	char *base = (char *)a, opt[32];
	uint64_t v = 1;

	snprintf(opt, sizeof(opt), "--%s", r->o.name);
	switch (r->act) {
	case RUN_STR:
		*(const char **)(base + r->off) = arg;
		break;
	case RUN_FN:
		r->fn(a, arg);
		break;
	case RUN_ADDR:
		v = parse_addr(opt, arg);
		break;
	case RUN_SIZE:
		v = parse_sz(opt, arg);
		break;
	case RUN_COUNT:
		v = arg ? gctl_count_arg(CMD, opt, arg, r->max) : 1;
		break;
	case RUN_CHOICE:
		v = parse_choice(opt, r->o.arg, arg);
		break;
	case RUN_TRUE:
	case RUN_HEADER:
		break;
	}
	if (r->act != RUN_STR && r->act != RUN_FN)
		store(base + r->off, r->size, v);
	if (r->also)
		*(bool *)(base + r->also - 1) = true;
}

/*
 * The android flavour has no page-fault exit and no resume_action (to
 * answer FAULT with): options that need them are refused in one line.
 */
void gctl_run_check_flavour(const struct run_args *a,
			    const struct gh_abi_flavour *abi, const char *whose)
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

/* --kernel and what only goes with it. */
static void check_kernel(struct run_args *a)
{
	const struct gctl_boot *b = &a->boot;

	if (b->kernel && a->image)
		gctl_usage_err(CMD, "--kernel %s: not with IMAGE %s", b->kernel,
			       a->image);
	if (!b->kernel && (b->initrd || b->fdt.bootargs || b->dtb ||
			   a->dump_dtb || a->uart_input))
		gctl_usage_err(CMD, "--%s: only with --kernel",
			       b->initrd ? "initrd" :
			       b->fdt.bootargs ? "cmdline" :
			       b->dtb ? "dtb" :
			       a->dump_dtb ? "dump-dtb" : "uart-input");
	if (b->kernel && a->no_dtb)
		gctl_usage_err(CMD, "--no-dtb: not with --kernel, which boots "
			       "with a device tree");
	if (a->no_dtb && a->abi && !strcmp(a->abi, "android"))
		gctl_usage_err(CMD, "--no-dtb: the android flavour's resource "
			       "manager starts no VM without one");
	if (b->kernel && a->cfg.nr_vcpus > 1)
		gctl_usage_err(CMD, "--kernel: one vCPU only: each vCPU is its "
			       "own engine, whose exclusive monitor the others' "
			       "stores do not clear, so a guest's atomics are "
			       "not atomic across vCPUs (see gunyahctl-run(1))");
	if (b->kernel)
		a->image = b->kernel;
	if (!a->image)
		gctl_usage_err(CMD, "no IMAGE given (see 'gunyahctl run --help')");
}

/* --name, --detach, --paused, --step. */
static void check_control(const struct run_args *a)
{
	if (a->detach && !a->name)
		gctl_usage_err(CMD, "--detach needs --name: the name is how "
			       "you reach the VM");
	if (a->log_size && !a->detach)
		gctl_usage_err(CMD, "--log-size: only with --detach (the log "
			       "is a detached VM's)");
	/* Nothing else could let it go on. */
	if (a->cfg.paused && !a->name)
		gctl_usage_err(CMD, "--paused needs --name: 'gunyahctl "
			       "step' or 'resume' lets the VM go on");
	if (a->cfg.paused && a->cfg.step)
		gctl_usage_err(CMD, "--paused: not with --step (which "
			       "pauses after its first N exits)");
}

/* The output: a writer or the dashboard. */
static void check_output(const struct run_args *a)
{
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
			       a->interval_ms ? "interval" : "exit-on-stop");
	if (a->dashboard)
		gctl_dash_need_tty(CMD);
}

static void check_all(struct run_args *a)
{
	check_kernel(a);
	if (a->abi)
		gctl_run_check_flavour(a, gh_abi_by_name(a->abi), "");
	if (a->cfg.lenient && strcmp(a->backend, "sim"))
		gctl_usage_err(CMD, "--lenient: only the sim emulates; a "
			       "device faults what its hardware faults");
	check_control(a);
	check_output(a);
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct run_args *a = state->input;

	switch (key) {
	case ARGP_KEY_ARG:
		if (a->image)
			gctl_usage_err(CMD, "%s: only one IMAGE", arg);
		a->image = arg;
		return 0;
	case ARGP_KEY_END:
		check_all(a);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(run_opts); i++)
		if (run_opts[i].act != RUN_HEADER && run_opts[i].o.key == key) {
			run_opt_do(&run_opts[i], a, arg);
			return 0;
		}
	return ARGP_ERR_UNKNOWN;
}

static const char run_doc[] =
	"Create a VM, load IMAGE (a raw binary, or an AArch64 ELF) into "
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
	"  74  the output (or the --record file) could not be written";

void gctl_run_parse_args(struct run_args *a, int argc, char **argv)
{
	struct argp_option options[ARRAY_SIZE(run_opts) + 1] = { { 0 } };
	const struct argp argp = {
		.options = options,
		.parser = parse_opt,
		.args_doc = "IMAGE",
		.doc = run_doc,
	};

	for (size_t i = 0; i < ARRAY_SIZE(run_opts); i++)
		options[i] = run_opts[i].o;
	gctl_parse_args("gunyahctl run", &argp, argc, argv, a);
}
