/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The run engine: one VM, its RAM, and one thread per vCPU running the
 * GUNYAH_VCPU_RUN loop through libgunyah, answering every exit by a fixed
 * policy and reporting it to a sink (sink.h).
 *
 *   gctl_vmm_config_check(&cfg, ...)       options that cannot work
 *   gctl_vmm_create(be, &cfg, &sink, &vmm) VM, RAM, vCPU functions
 *   gctl_image_load(gctl_vmm_vm(vmm), ...) the image (image.h)
 *   gctl_vmm_start(vmm, entry)             VM_START, vCPU threads
 *   ... poll gctl_vmm_event_fd(), use the controls below ...
 *   gctl_vmm_finish(vmm, &summary)         join, count, exit status
 *   gctl_vmm_destroy(vmm)
 *
 * The MMIO policy, in order:
 *   - an access touching a --fault address is answered FAULT (the guest
 *     takes a synchronous data abort);
 *   - a read at a --mmio-read address returns its scripted values in turn
 *     (the last one repeats);
 *   - the --uart region is a PL011: a write to its data register (offset
 *     0) is a console byte, a read of its flag register (0x18) says
 *     "transmit FIFO empty, receive FIFO empty" (0x90); with cfg.pl011,
 *     the whole PL011 of pl011.h answers instead;
 *   - any other read returns 0; writes are accepted.
 *   Every access is reported, with the name of the region it hit.
 * Page faults follow cfg.pf_policy: fail (report, then stop the VM and
 * end with GCTL_EXIT_VCPU_FAILED), retry (map a zero page there, RETRY),
 * or fault (FAULT: the guest takes the abort).
 *
 * Threads and signals: the vCPU threads block every signal but SIGPIPE
 * and the synchronous faults, and SIGUSR1 where the backend needs it
 * unblocked to see it (on the sim it stays blocked and is declared the
 * vCPU's kick signal, which spares RUN two signal-mask switches).  SIGUSR1
 * gets a handler that does nothing, installed without SA_RESTART, so a
 * signal ends a RUN with EINTR within one time slice: that is how a
 * running vCPU is kicked (with immediate_exit set first, so a kick that
 * lands between two RUNs is not lost).  The caller keeps SIGINT/SIGTERM blocked and handles them in its
 * own thread (run.c uses a signalfd): nothing happens in a handler.
 *
 * Controls (any thread but a vCPU thread, unless said otherwise):
 *   pause   every vCPU leaves RUN and waits; an exit already taken is
 *           held, unreported, until the vCPU may go on;
 *   step n  while paused: let n more exits through, then pause again;
 *   resume  free-run;
 *   stop    forced stop (gh_vm_force_stop: every vCPU then reports the
 *           VM's STATUS exit, exit type forced_stop); where the backend
 *           has no forced stop, as kill;
 *   kill    immediate_exit + kick every vCPU, threads end without a
 *           STATUS exit;
 *   poweroff  the VM exits as from a host power-off (gh_vm_exit: exit
 *           type poweroff, so the run ends with status 0); -ENOTTY
 *           where the backend cannot, and nothing happens.
 * Paused means no vCPU is inside RUN (after at most one time slice), so
 * registers can be read.
 */
#ifndef GCTL_VMM_H
#define GCTL_VMM_H

#include <stdbool.h>
#include <stdint.h>

#include "gunyah.h"
#include "engine/run_state.h"
#include "engine/sink.h"

#define GCTL_MAX_MMIO_REGIONS 32
#define GCTL_MAX_SCRIPTS 64
#define GCTL_SCRIPT_MAX_VALUES 32
#define GCTL_MAX_FAULTS 32
#define GCTL_MAX_PF_REGIONS 8
#define GCTL_REGION_NAME_MAX 32
#define GCTL_UART_SIZE 0x1000ull
#define GCTL_UART_DR 0x00
#define GCTL_UART_FR 0x18
#define GCTL_UART_FR_IDLE 0x90 /* TXFE | RXFE */

struct gctl_mmio_region {
	uint64_t addr, size;
	char name[GCTL_REGION_NAME_MAX]; /* "" for none */
};

/* --mmio-read ADDR=V1[,V2...]: reads at addr return V1, V2, ..., Vn, Vn... */
struct gctl_mmio_script {
	uint64_t addr;
	unsigned int nr_values;
	uint64_t values[GCTL_SCRIPT_MAX_VALUES];
};

struct gctl_range {
	uint64_t addr, size;
};

enum gctl_pf_policy {
	GCTL_PF_FAIL,
	GCTL_PF_RETRY,
	GCTL_PF_FAULT,
};

/* Why gunyahctl stopped the VM (the first reason given wins). */
enum gctl_stop_reason {
	GCTL_STOP_NONE = 0,
	GCTL_STOP_USER,	       /* q, Ctrl-C, SIGTERM */
	GCTL_STOP_TIMEOUT,     /* --timeout */
	GCTL_STOP_MAX_EXITS,   /* --max-exits */
	GCTL_STOP_VCPU_FAILED, /* a page fault under --on-page-fault=fail,
				* or a RUN error */
	GCTL_STOP_STUCK,       /* --on-stuck=stop */
};

/*
 * Answers from elsewhere (replay): called for every exit, in report order,
 * under the engine's lock, in place of the MMIO and page-fault policy.
 * rec holds what the vCPU asked (MMIO: address, length, direction, data
 * written; page fault: address, attempt; status).  For an MMIO or page
 * fault exit, set rec->resume and, for a read, rec->mmio.data; a page
 * fault answered RETRY gets a zero page mapped, as --on-page-fault=retry
 * does.  Returns GCTL_STOP_NONE, or why the engine should stop the VM
 * (with a message in msg, printed, if not left empty).
 */
struct gctl_vmm_oracle {
	enum gctl_stop_reason (*answer)(void *ctx, struct gctl_exit_record *rec,
					char *msg, size_t msglen);
	void *ctx;
};

struct gctl_vmm_config {
	uint64_t ram_base;
	uint64_t ram_size;
	unsigned int nr_vcpus;

	bool uart_set;
	uint64_t uart_addr; /* a GCTL_UART_SIZE region named "uart" */
	/*
	 * The whole PL011 (pl011.h) at uart_addr instead of the console
	 * stub: receive FIFO, interrupt registers, IDs; its interrupt is SPI
	 * uart_spi, raised through an irqfd.  uart_input_fd (-1: none) feeds
	 * its receive side; with uart_escape, Ctrl-] there stops the VM.
	 */
	bool pl011;
	unsigned int uart_spi;
	int uart_input_fd;
	bool uart_escape;

	unsigned int nr_regions;
	struct gctl_mmio_region regions[GCTL_MAX_MMIO_REGIONS];
	unsigned int nr_scripts;
	struct gctl_mmio_script scripts[GCTL_MAX_SCRIPTS];
	unsigned int nr_faults;
	uint64_t faults[GCTL_MAX_FAULTS];
	unsigned int nr_pf_regions;
	struct gctl_range pf_regions[GCTL_MAX_PF_REGIONS]; /* sim only */
	enum gctl_pf_policy pf_policy;

	bool lenient;	    /* sim: emulate no-syndrome MMIO (GH_SIM_VM_SET_LENIENT) */

	uint64_t max_exits; /* stop after this many; 0: no limit */
	uint64_t step;	    /* start paused, let this many through; 0: run */
	bool paused;	    /* start paused before the first instruction
			     * (no exit let through: step or resume it) */
	/* Measure each exit's guest and host time (sink.h): a clock read
	 * more per exit. */
	bool timing;
	const struct gctl_vmm_oracle *oracle; /* NULL: the policy above */
	/*
	 * Stuck exits: a vCPU taking the same exit (reason, address,
	 * direction, data, answer) at the same PC this many times in a row
	 * is reported once (the exit record's stuck, and a message); 0: not
	 * watched.  The PC is compared where the backend gives registers
	 * (the sim), else the exit alone decides.  stuck_stop: then stop the
	 * VM (result "stuck", GCTL_EXIT_STUCK).
	 */
	uint64_t stuck;
	bool stuck_stop;
};


/* What one vCPU thread is doing, for a dashboard. */
enum gctl_vcpu_state {
	GCTL_VCPU_NEW,	   /* thread not started */
	GCTL_VCPU_RUN,	   /* inside GUNYAH_VCPU_RUN */
	GCTL_VCPU_HELD,	   /* has an exit, waiting to report it (paused) */
	GCTL_VCPU_WAIT,	   /* between runs, paused */
	GCTL_VCPU_DONE,	   /* reported the VM's STATUS exit, or stopped */
	GCTL_VCPU_FAILED,  /* ended on an error */
};

struct gctl_vmm;

/*
 * Check a configuration before anything is created: sizes, alignment,
 * overlaps of RAM, MMIO regions, the UART and page-fault regions.
 * 0, or -EINVAL with a one-line reason in err.
 */
int gctl_vmm_config_check(const struct gctl_vmm_config *cfg, char *err,
			  size_t errlen);

/*
 * Create the VM: RAM at cfg->ram_base, the page-fault regions, and
 * cfg->nr_vcpus vCPU functions.  The config is copied; the sink is used
 * until gctl_vmm_destroy.  On failure, -errno and a reason in err
 * ("RAM at 0x80000000: Cannot allocate memory").
 */
int gctl_vmm_create(struct gh_backend *be, const struct gctl_vmm_config *cfg,
		    const struct gctl_sink *sink, struct gctl_vmm **out,
		    char *err, size_t errlen);
void gctl_vmm_destroy(struct gctl_vmm *vmm);

/* The VM, for loading an image before gctl_vmm_start. */
struct gh_vm *gctl_vmm_vm(struct gctl_vmm *vmm);

/*
 * Set the boot PC, start the VM and the vCPU threads.  A failure of
 * GUNYAH_VM_START itself is returned (-errno, reason in err) with the
 * threads started all the same: each then reports the VM's STATUS exit
 * (load_failed), so the caller waits for them as after a success.  Any
 * other failure (< 0, no threads) needs no waiting.
 */
int gctl_vmm_start(struct gctl_vmm *vmm, uint64_t entry, char *err,
		   size_t errlen);
/* True if gctl_vmm_start started threads that need gctl_vmm_finish. */
bool gctl_vmm_started(const struct gctl_vmm *vmm);

/*
 * Readable when the state may have changed (paused, done); read it with
 * gctl_vmm_state, which also drains it.
 */
int gctl_vmm_event_fd(const struct gctl_vmm *vmm);
enum gctl_vmm_state gctl_vmm_state(struct gctl_vmm *vmm);
/*
 * The state, leaving the event fd alone: for code called from inside an
 * event loop that drains it itself (one drain per turn, or a wake-up is
 * lost).
 */
enum gctl_vmm_state gctl_vmm_peek_state(struct gctl_vmm *vmm);

void gctl_vmm_pause(struct gctl_vmm *vmm);
void gctl_vmm_resume(struct gctl_vmm *vmm);
void gctl_vmm_step(struct gctl_vmm *vmm, uint64_t n);
/* Also from a vCPU thread. */
void gctl_vmm_stop(struct gctl_vmm *vmm, enum gctl_stop_reason why);
void gctl_vmm_kill(struct gctl_vmm *vmm, enum gctl_stop_reason why);
/* 0, or -errno from the backend (-EINVAL: the VM is not running). */
int gctl_vmm_poweroff(struct gctl_vmm *vmm);

/* Per-vCPU counters and state: lock-free, any thread, any time. */
unsigned int gctl_vmm_nr_vcpus(const struct gctl_vmm *vmm);
void gctl_vmm_counters(const struct gctl_vmm *vmm, unsigned int vcpu,
		       struct gctl_counters *out);
enum gctl_vcpu_state gctl_vmm_vcpu_state(const struct gctl_vmm *vmm,
					 unsigned int vcpu);
const char *gctl_vcpu_state_str(enum gctl_vcpu_state s);
/*
 * The hypervisor's view of a vCPU (sim backend: state and counts, lock-free
 * and fine while the vCPU is inside RUN).  -ENOTTY on other backends.
 */
int gctl_vmm_hyp_stats(const struct gctl_vmm *vmm, unsigned int vcpu,
		       struct gh_sim_vcpu_stats *st);
/* The vCPU of the last reported exit (0 before any). */
unsigned int gctl_vmm_last_vcpu(const struct gctl_vmm *vmm);

/*
 * Step mode's inspection, while paused: registers (sim backend; -ENOTTY
 * elsewhere; waits up to a second for a kicked vCPU to leave RUN, else
 * -EBUSY) and guest memory (RAM mapped by this process, else what the
 * backend can read).  -errno on failure.
 */
int gctl_vmm_regs(struct gctl_vmm *vmm, unsigned int vcpu,
		  struct gh_sim_regs *regs);
int gctl_vmm_read_mem(struct gctl_vmm *vmm, uint64_t addr, void *buf,
		      size_t len);

/*
 * Wait for every vCPU thread (after GCTL_VMM_DONE, or after stop/kill),
 * flush the console, fill the summary and report it to the sink.
 * Returns the exit status (enum gctl_exit).
 */
int gctl_vmm_finish(struct gctl_vmm *vmm, struct gctl_summary *s);

#endif /* GCTL_VMM_H */
