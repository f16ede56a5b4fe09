// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyahctl run: init, work and exit over one context.  init parses the
 * options (run/args.c), claims the name, detaches (run/detach.c), builds
 * the sink chain (a writer, output/, or the dashboard's statistics; a
 * filter; the control server's tee; a record; the writer thread), the VM
 * (engine/vmm.c, its guest from run/vm.c), step mode and the dashboard;
 * work starts the VM and waits in the event loop (run/loop.c); exit
 * tears it all down in the one order that is safe.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "analysis/record.h"
#include "ctl/rundir.h"
#include "ctl/server.h"
#include "dash/run_source.h"
#include "dash/stats.h"
#include "engine/opts.h"
#include "engine/sink.h"
#include "engine/sink_async.h"
#include "engine/stepper.h"
#include "engine/vmm.h"
#include "gunyahctl.h"
#include "run/args.h"
#include "ctl/runlog.h"
#include "run/detach.h"
#include "run/loop.h"
#include "run/vm.h"

#define CMD "run"
/* A control-socket client that asks nothing for this long is let go
 * (GUNYAHCTL_IDLE_TIMEOUT): its slot is for others. */
#define CTL_IDLE_DEFAULT_S 30.0

/* Everything a run holds; fds -1 and pointers NULL while not held. */
struct run_ctx {
	struct run_args a;
	/* --name */
	struct gctl_rundir rd;
	struct gctl_rundir_claim claim;
	uint64_t idle_ns;
	char image[PATH_MAX];
	/* all said in init: --dump-dtb, or a --detach's starter */
	bool done;
	/* --detach: the child's pipe to the starter, the log, and the
	 * starter's standard error while the start may still fail */
	bool parent;
	int ready_fd, starter_err;
	struct gctl_runlog *runlog;
	char log[PATH_MAX];
	/* the sink chain: vmm_sink is its head, what the engine calls */
	struct gctl_sink sink, filter_sink, rec_sink, async_sink, vmm_sink;
	struct gctl_stats *stats;
	struct gctl_ctl_server *srv;
	/* the VM */
	struct gh_backend *be;
	struct gctl_vmm *vmm;
	struct gctl_image_info info;
	uint64_t entry;
	struct termios term_saved;
	bool term_raw;
	/* what the event loop answers */
	struct gctl_step *step;
	struct gctl_run_dash *dash;
	int sig_fd, timer_fd, out_err_fd;
};

static void run_ctx_init(struct run_ctx *c)
{
	*c = (struct run_ctx){
		.a = {
			.cfg = {
				.ram_base = GH_SIM_RAM_BASE,
				.ram_size = GH_SIM_RAM_SIZE,
				.nr_vcpus = 1,
				.stuck = 500,
				.uart_input_fd = -1,
			},
			.backend = "sim",
		},
		.rd = { .fd = -1 },
		.claim = { .fd = -1 },
		.ready_fd = -1,
		.starter_err = -1,
		.sig_fd = -1,
		.timer_fd = -1,
		.out_err_fd = -1,
	};
}

/* An -errno of a step that can only fail for want of memory or fds. */
static int oserr(int err)
{
	gctl_err(CMD, "%s", strerror(-err));
	return GCTL_EXIT_OSERR;
}

/* The options that need the VM's memory layout to be judged. */
static int check_layout(const struct run_args *a)
{
	char err[256];

	if (gctl_vmm_config_check(&a->cfg, err, sizeof(err))) {
		gctl_err(CMD, "%s", err);
		return GCTL_EXIT_USAGE;
	}
	if (a->load_addr_set &&
	    (a->load_addr < a->cfg.ram_base ||
	     a->load_addr - a->cfg.ram_base >= a->cfg.ram_size)) {
		gctl_err(CMD, "--load-addr %#" PRIx64 " is not in guest RAM [%#"
			 PRIx64 ", %#" PRIx64 ")", a->load_addr, a->cfg.ram_base,
			 a->cfg.ram_base + a->cfg.ram_size);
		return GCTL_EXIT_USAGE;
	}
	return 0;
}

/* --name: the idle timeout, the run directory and the name's socket. */
static int claim_name(struct run_ctx *c)
{
	const char *idle = getenv("GUNYAHCTL_IDLE_TIMEOUT");
	double idle_s = CTL_IDLE_DEFAULT_S;
	char err[PATH_MAX + 256];
	int ret;

	if (idle && *idle && gctl_parse_seconds(idle, 0.01, 86400, &idle_s)) {
		gctl_err(CMD, "GUNYAHCTL_IDLE_TIMEOUT=%s: want seconds, "
			 "from 0.01 to 86400", idle);
		return GCTL_EXIT_USAGE;
	}
	c->idle_ns = (uint64_t)(idle_s * 1e9);
	ret = gctl_rundir_open(true, &c->rd, err, sizeof(err));
	if (!ret)
		ret = gctl_rundir_claim(&c->rd, c->a.name, &c->claim, err,
					sizeof(err));
	if (ret) {
		gctl_err(CMD, "--name %s: %s", c->a.name, err);
		return gctl_exit_of(ret, GCTL_FAILED_SYSTEM);
	}
	/* The VM's description keeps the image whatever the cwd. */
	if (!realpath(c->a.image, c->image))
		snprintf(c->image, sizeof(c->image), "%s", c->a.image);
	return 0;
}

/* --detach: the parent waits for the child's word (c->parent); the
 * child goes on with the log as its output. */
static int detach(struct run_ctx *c)
{
	int ret = gctl_run_detach(&c->rd, c->a.name, &c->claim, &c->ready_fd);

	if (ret >= 0) {
		c->parent = c->done = true;
		return ret;
	}
	gctl_rundir_file(&c->rd, c->a.name, "log", c->log, sizeof(c->log));
	ret = gctl_runlog_open(&c->rd, c->a.name, c->a.log_size ? c->a.log_size :
			       GCTL_RUNLOG_MAX_DEFAULT, &c->runlog);
	if (ret) {
		gctl_err(CMD, "%s: %s", c->log, strerror(-ret));
		return GCTL_EXIT_CANTCREAT;
	}
	/* Exits are for attach; the log keeps the console (standard
	 * output, which goes to the log once the VM runs). */
	c->a.quiet = true;
	return 0;
}

/*
 * The sink chain, from the output up to what the engine calls: the
 * writer (or the dashboard's statistics), --filter, the control server's
 * tee, --record, and the writer thread, which formats, counts and serves
 * the records away from the vCPU threads (sink_async.h).  --quiet alone
 * has nothing to do per exit, and the dashboard alone only counts: ~120
 * instructions under a spin lock (stats.c), in the vCPU thread, so that
 * it needs no CPU of its own (bench/cost.sh: the record's hand-over and
 * the writer thread's counting came to as much, and on a busy machine
 * the writer's share came out of the vCPU's).  Torn down in sinks_free.
 */
static int sinks_new(struct run_ctx *c)
{
	struct run_args *a = &c->a;
	int ret;

	if (a->dashboard) {
		ret = gctl_stats_new(a->cfg.nr_vcpus, &c->stats);
		if (!ret)
			gctl_stats_sink(c->stats, &c->sink);
	} else {
		ret = a->json ? gctl_out_json_new(STDOUT_FILENO, a->quiet, &c->sink) :
				gctl_out_text_new(STDOUT_FILENO, a->quiet, &c->sink);
	}
	if (ret)
		return oserr(ret);
	/* Detached, the output is the log: a full log does not stop it. */
	if (!a->detach)
		c->out_err_fd = gctl_run_watch_output(&c->sink);
	c->vmm_sink = c->sink;
	if (a->filtered) {
		ret = gctl_filter_sink_new(&a->filter, &c->sink, &c->filter_sink);
		if (ret)
			return oserr(ret);
		c->vmm_sink = c->filter_sink;
	}
	if (a->name) {
		struct gctl_ctl_info ci = {
			.rd = &c->rd,
			.name = a->name,
			.backend = gh_backend_name(c->be),
			.image = c->image,
			.log = a->detach ? c->log : NULL,
			.runlog = c->runlog,
			.nr_vcpus = a->cfg.nr_vcpus,
			.idle_ns = c->idle_ns,
		};

		ret = gctl_ctl_server_new(&c->claim, &ci, &c->srv);
		if (ret)
			return oserr(ret);
		gctl_ctl_server_tee(c->srv, &c->vmm_sink, &c->vmm_sink);
	}
	if (a->record) {
		ret = gctl_rec_sink_open(a->record, &c->vmm_sink, &c->rec_sink);
		if (ret) {
			gctl_err(CMD, "--record %s: %s", a->record, strerror(-ret));
			return GCTL_EXIT_CANTCREAT;
		}
		c->vmm_sink = c->rec_sink;
	}
	if ((!a->quiet && !a->dashboard) || a->name || a->record) {
		ret = gctl_sink_async_new(&c->vmm_sink, &c->async_sink);
		if (ret)
			return oserr(ret);
		c->vmm_sink = c->async_sink;
	}
	return 0;
}

/* Head first: each link before what it passes on to. */
static void sinks_free(struct run_ctx *c)
{
	gctl_sink_destroy(&c->async_sink);
	gctl_sink_destroy(&c->rec_sink);
	gctl_sink_destroy(&c->filter_sink);
	gctl_ctl_server_free(c->srv);
	gctl_rundir_release(&c->claim);
	gctl_rundir_close(&c->rd);
	gctl_sink_destroy(&c->sink);
	gctl_stats_free(c->stats);
}

/*
 * --record's header: what the VM is, now that its image is loaded; a
 * named VM's too, for attach --record.
 */
static int record_begin(struct run_ctx *c)
{
	struct run_args *a = &c->a;
	struct gctl_rec_config rc;
	uint8_t *p;
	size_t len;
	int ret;

	gctl_rec_config_init(&rc, &a->cfg, gh_backend_name(c->be), a->image,
			     c->info.format == GCTL_IMAGE_ELF,
			     a->load_addr_set ? a->load_addr : a->cfg.ram_base,
			     c->entry);
	rc.dtb_addr = a->dtb_addr;
	if (c->srv && !gctl_rec_config_encode(&rc, &p, &len)) {
		gctl_ctl_server_set_config(c->srv, p, len);
		free(p);
	}
	if (!a->record)
		return 0;
	ret = gctl_rec_sink_begin(&c->rec_sink, &rc);
	if (ret) {
		gctl_err(CMD, "--record %s: %s", a->record, strerror(-ret));
		return GCTL_EXIT_IOERR;
	}
	return 0;
}

/* The VM: created on the backend, its guest loaded. */
static int vm_new(struct run_ctx *c)
{
	struct run_args *a = &c->a;
	char err[PATH_MAX + 256];
	int ret;

	if (a->boot.kernel) {
		a->cfg.uart_input_fd = gctl_run_uart_input(a, &c->term_saved,
							   &c->term_raw);
		if (a->cfg.uart_input_fd == -2)
			return GCTL_EXIT_NOINPUT;
		/* Nothing else types: a named VM's attach --console may. */
		a->cfg.console_pipe = a->name && a->cfg.uart_input_fd < 0;
	}
	ret = gctl_vmm_create(c->be, &a->cfg, &c->vmm_sink, &c->vmm, err,
			      sizeof(err));
	if (ret) {
		if (gh_backend_is_sim(c->be))
			gctl_err(CMD, "backend sim: %s", err);
		else
			gctl_err(CMD, "backend %s (%s): %s",
				 gh_backend_name(c->be), gctl_device_path(), err);
		return gctl_exit_of(ret, GCTL_FAILED_BACKEND);
	}
	ret = gctl_run_load(c->vmm, a, gh_backend_abi(c->be), &c->info,
			    &c->entry);
	if (!ret && (a->record || c->srv))
		ret = record_begin(c);
	return ret;
}

/*
 * Step mode and the dashboard.  The dashboard has keys of its own for
 * stepping; detached, nothing reads stdin: --step only starts it paused.
 */
static int controls_new(struct run_ctx *c)
{
	struct run_args *a = &c->a;
	char err[256];
	int ret;

	if (a->cfg.step && !a->dashboard && !a->detach) {
		ret = gctl_step_new(c->vmm, &c->vmm_sink, STDIN_FILENO,
				    a->cfg.step, &c->step);
		if (ret)
			return oserr(ret);
	}
	if (a->dashboard) {
		struct gctl_run_dash_opts dopts = {
			.vm = a->image,
			.backend = gh_backend_name(c->be),
			.interval_ms = a->interval_ms,
			.step = a->cfg.step,
		};

		ret = gctl_run_dash_new(c->vmm, c->stats, &dopts, &c->dash, err,
					sizeof(err));
		if (ret) {
			gctl_err(CMD, "--dashboard: %s", err);
			return gctl_exit_of(ret, GCTL_FAILED_SYSTEM);
		}
	}
	if (a->timeout > 0)
		c->timer_fd = gctl_timer_once(a->timeout);
	return 0;
}

/* Everything up to a VM ready to start; c->done: nothing to start
 * (--dump-dtb, a detach's starter), the status is the run's. */
static int run_init(struct run_ctx *c, int argc, char **argv)
{
	struct run_args *a = &c->a;
	int ret;

	gctl_run_parse_args(a, argc, argv);
	if (a->boot.kernel)
		gctl_run_kernel_config(a);
	if (a->dump_dtb) {
		c->done = true;
		return gctl_run_dump_dtb(a);
	}
	ret = check_layout(a);
	if (!ret && a->name)
		ret = claim_name(c);
	if (!ret && a->detach)
		ret = detach(c);
	if (ret || c->done)
		return ret;
	/*
	 * Before any thread exists, so that every thread inherits the mask:
	 * this thread takes the signals from a signalfd, so nothing runs in
	 * a handler, and no thread takes the dashboard's SIGWINCH from it.
	 */
	c->sig_fd = gctl_stop_signalfd(true);
	if (c->sig_fd < 0) {
		gctl_err(CMD, "signalfd: %s", strerror(errno));
		return GCTL_EXIT_OSERR;
	}
	ret = gctl_backend_open(CMD, a->backend, a->abi, &c->be, NULL);
	if (ret)
		return ret;
	gctl_run_check_flavour(a, gh_backend_abi(c->be), " (the device's)");
	ret = sinks_new(c);
	if (!ret)
		ret = vm_new(c);
	if (!ret)
		ret = controls_new(c);
	return ret;
}

/*
 * Detached, what the vCPUs say goes to the log from their first
 * instruction on (not to the starter's terminal, by a race); should
 * the start fail, the starter is shown it all the same.
 */
static int daemon_stdio(struct run_ctx *c)
{
	int ret;

	c->starter_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	ret = c->starter_err < 0 ? -errno : gctl_run_daemon_stdio(c->runlog);
	if (ret) {
		gctl_err(CMD, "detaching: %s", strerror(-ret));
		return GCTL_EXIT_OSERR;
	}
	return 0;
}

/* The outputs pushed out, the dashboard's last word: 0 or -errno. */
static int outputs_end(struct run_ctx *c, const struct gctl_summary *s,
		       unsigned int signals)
{
	int err = gctl_sink_flush(&c->sink);

	if (!err && c->a.record) {
		err = gctl_sink_flush(&c->rec_sink);
		if (err)
			gctl_err(CMD, "--record %s: %s", c->a.record,
				 strerror(-err));
	}
	/* A signal or q means leave now; else the final state stays up. */
	if (c->dash && !err)
		err = gctl_run_dash_end(c->dash, s,
					!c->a.exit_on_stop && !signals,
					c->sig_fd);
	return err;
}

/* Start the VM, wait for it to end, and say how it went. */
static int run_work(struct run_ctx *c)
{
	struct gctl_summary summary;
	char err[256];
	unsigned int signals;
	int ret, out_err;

	if (c->ready_fd >= 0) {
		ret = daemon_stdio(c);
		if (ret)
			return ret;
	}
	ret = gctl_vmm_start(c->vmm, c->entry, err, sizeof(err));
	if (ret)
		gctl_err(CMD, "%s", err);
	if (!gctl_vmm_started(c->vmm))
		return GCTL_EXIT_SOFTWARE;
	if (c->srv)
		gctl_ctl_server_start(c->srv, c->vmm);
	if (!ret && c->ready_fd >= 0) {
		gctl_run_report_ready(&c->ready_fd, 0);
		close(c->starter_err);
		c->starter_err = -1;
	}
	signals = gctl_run_event_loop(&(struct gctl_run_loop){
		.vmm = c->vmm,
		.step = c->step,
		.dash = c->dash ? gctl_run_dash_view(c->dash) : NULL,
		.srv = c->srv,
		.sig_fd = c->sig_fd,
		.timer_fd = c->timer_fd,
		.out_err_fd = c->out_err_fd,
	});
	ret = gctl_vmm_finish(c->vmm, &summary);
	out_err = outputs_end(c, &summary, signals);
	if (out_err) {
		gctl_err(CMD, "writing the output: %s", strerror(-out_err));
		ret = GCTL_EXIT_IOERR;
	}
	if (c->srv)
		gctl_ctl_server_finish(c->srv, &summary);
	return ret;
}

static void close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* Tear down what init made, in the order that is safe; returns ret. */
static int run_exit(struct run_ctx *c, int ret)
{
	/* The terminal first: whatever went wrong is then readable. */
	gctl_run_dash_free(c->dash);
	if (c->term_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &c->term_saved);
	/*
	 * A detached start that failed: the starter hears it (the message
	 * is out already), and the name is left with nothing to collect.
	 */
	if (c->ready_fd >= 0) {
		if (c->starter_err >= 0)
			gctl_run_replay_log(c->starter_err, c->runlog);
		gctl_rundir_reap(&c->rd, c->a.name);
	}
	gctl_run_report_ready(&c->ready_fd, ret ? ret : GCTL_EXIT_SOFTWARE);
	close_fd(c->starter_err);
	gctl_step_free(c->step);
	gctl_vmm_destroy(c->vmm);
	if (c->a.cfg.uart_input_fd > STDIN_FILENO)
		close(c->a.cfg.uart_input_fd);
	sinks_free(c);
	gh_backend_close(c->be);
	close_fd(c->timer_fd);
	close_fd(c->out_err_fd); /* after the writer, which may still write it */
	close_fd(c->sig_fd);
	gctl_runlog_close(c->runlog); /* last: it takes what stderr says */
	return ret;
}

int gctl_cmd_run(int argc, char **argv)
{
	struct run_ctx c;
	int ret;

	run_ctx_init(&c);
	ret = run_init(&c, argc, argv);
	/* --dump-dtb wrote the tree: nothing runs (run_init's status). */
	if (c.parent || c.a.dump_dtb) {
		gctl_rundir_close(&c.rd);
		return ret;
	}
	if (!ret && !c.done)
		ret = run_work(&c);
	return run_exit(&c, ret);
}
