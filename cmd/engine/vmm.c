// SPDX-License-Identifier: GPL-2.0-only
/*
 * The run engine (see vmm.h for the contract).
 *
 * One lock, vmm->lock, orders everything that matters: the pause/step
 * state, the global exit sequence number, the MMIO policy state (scripted
 * reads, the console line, page mappings) and every call into the sink.
 * A vCPU thread takes it once per exit.  Counters are atomics outside it,
 * so a dashboard can read them without slowing the vCPUs.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "gunyahctl.h"
#include "engine/hist.h"
#include "engine/pl011.h"
#include "engine/vmm.h"

#define CONSOLE_LINE_MAX 256

struct vcpu_counters {
	atomic_uint_fast64_t exits, mmio_read, mmio_write, page_fault, status,
		unknown;
};

struct vcpu_thread {
	struct gctl_vmm *vmm;
	unsigned int id;
	struct gh_vcpu *vcpu;
	pthread_t thread;
	bool thread_started;
	atomic_int state; /* enum gctl_vcpu_state */
	struct vcpu_counters cnt;
	/* Page-fault retry: the page this vCPU last had mapped for it. */
	bool pf_last_valid;
	uint64_t pf_last_page;
	bool failed; /* ends GCTL_VCPU_FAILED: a page fault or a RUN error */
	uint64_t t_resume; /* when it last went back to RUN */
	/* the host's handling time, per kind: written by this thread only */
	struct gctl_hist host[GCTL_TK__COUNT];
	/* cfg.stuck: the run of identical exits this vCPU is in */
	struct gctl_exit_record last;
	uint64_t streak;
	bool streak_pc_valid;
	uint64_t streak_pc;
};

struct gctl_vmm {
	struct gctl_vmm_config cfg;
	struct gh_backend *be;
	struct gh_vm *vm;
	struct gctl_sink sink;
	size_t page_size;
	unsigned int nr_vcpus;
	struct vcpu_thread vcpus[GCTL_MAX_VCPUS];
	int event_fd;
	atomic_uint last_vcpu;
	/* Set once vCPU threads may run: from then on, engine messages go
	 * through the sink, in order with the exits (before, stderr). */
	atomic_bool msg_to_sink;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* lock: vmm->lock */
	bool threads_started;
	unsigned int nr_live;
	bool paused;
	uint64_t budget;	/* exits to let through while paused */
	bool stop_requested;	/* gctl_vmm_stop called */
	bool stopping;		/* VM stopped: nothing waits any more */
	bool killed;		/* threads end without running again */
	enum gctl_stop_reason stop_reason;
	uint64_t seq;
	unsigned int script_pos[GCTL_MAX_SCRIPTS];
	bool have_status;
	uint32_t status;
	struct gunyah_vm_exit_info exit_info;
	char console[CONSOLE_LINE_MAX];
	size_t console_len;
	uint64_t console_since_ns; /* when the partial line began */
	uint64_t console_bytes;
	uint64_t t0_ns, t_end_ns;

	/* cfg.pl011: the UART, its irqfd, the thread feeding its input. */
	struct gctl_pl011 pl011;
	bool pl011_ready;
	int uart_irq_fd;
	int input_quit_fd;
	pthread_t input_thread;
	bool input_started;
	/* cfg.console_pipe: the pipe feeding it, written by the control
	 * server (attach --console); -1 when not made. */
	int console_rfd, console_wfd;
};

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static bool in_range(uint64_t addr, uint64_t base, uint64_t size)
{
	return addr >= base && addr - base < size;
}

/* ---- configuration ---------------------------------------------------- */

static int cfg_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int cfg_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Every MMIO-ish range the config names, for the overlap checks. */
struct named_range {
	uint64_t addr, size;
	char what[64];
};

static unsigned int cfg_ranges(const struct gctl_vmm_config *cfg,
			       struct named_range *r)
{
	unsigned int n = 0;

	if (cfg->uart_set) {
		r[n] = (struct named_range){ cfg->uart_addr, GCTL_UART_SIZE, "" };
		snprintf(r[n++].what, sizeof(r->what), "--uart %#" PRIx64,
			 cfg->uart_addr);
	}
	for (unsigned int i = 0; i < cfg->nr_regions; i++) {
		const struct gctl_mmio_region *m = &cfg->regions[i];

		r[n] = (struct named_range){ m->addr, m->size, "" };
		snprintf(r[n++].what, sizeof(r->what), "--mmio %#" PRIx64
			 ":%#" PRIx64 "%s%s", m->addr, m->size,
			 m->name[0] ? ":" : "", m->name);
	}
	for (unsigned int i = 0; i < cfg->nr_pf_regions; i++) {
		const struct gctl_range *p = &cfg->pf_regions[i];

		r[n] = (struct named_range){ p->addr, p->size, "" };
		snprintf(r[n++].what, sizeof(r->what),
			 "--pf-region %#" PRIx64 ":%#" PRIx64, p->addr, p->size);
	}
	return n;
}

int gctl_vmm_config_check(const struct gctl_vmm_config *cfg, char *err,
			  size_t errlen)
{
	struct named_range r[1 + GCTL_MAX_MMIO_REGIONS + GCTL_MAX_PF_REGIONS];
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t rb = cfg->ram_base, rs = cfg->ram_size;
	unsigned int n;

	if (!rs)
		return cfg_err(err, errlen, "--mem: guest RAM cannot be empty");
	if (rs % page)
		return cfg_err(err, errlen,
			       "--mem: %#" PRIx64 " is not a multiple of the page size (%" PRIu64 ")",
			       rs, page);
	if (rb % page)
		return cfg_err(err, errlen,
			       "--ram-base: %#" PRIx64 " is not page-aligned (%" PRIu64 ")",
			       rb, page);
	if (rb + rs < rb)
		return cfg_err(err, errlen,
			       "--ram-base %#" PRIx64 " + --mem %#" PRIx64 " wraps around",
			       rb, rs);
	if (!cfg->nr_vcpus || cfg->nr_vcpus > GCTL_MAX_VCPUS)
		return cfg_err(err, errlen, "--vcpus: %u: want 1 to %d",
			       cfg->nr_vcpus, GCTL_MAX_VCPUS);

	for (unsigned int i = 0; i < cfg->nr_regions; i++) {
		const struct gctl_mmio_region *m = &cfg->regions[i];

		if (!m->size)
			return cfg_err(err, errlen,
				       "--mmio %#" PRIx64 ":0: size cannot be 0",
				       m->addr);
		if (m->addr + m->size < m->addr)
			return cfg_err(err, errlen,
				       "--mmio %#" PRIx64 ":%#" PRIx64 ": wraps around",
				       m->addr, m->size);
	}
	/* Its registers sit at fixed offsets from a 4 KiB boundary. */
	if (cfg->uart_set && cfg->uart_addr % GCTL_UART_SIZE)
		return cfg_err(err, errlen, "--uart %#" PRIx64 ": not aligned "
			       "to its 4 KiB region (%#llx)", cfg->uart_addr,
			       GCTL_UART_SIZE);
	if (cfg->uart_set && cfg->uart_addr + GCTL_UART_SIZE < cfg->uart_addr)
		return cfg_err(err, errlen, "--uart %#" PRIx64 ": wraps around",
			       cfg->uart_addr);
	for (unsigned int i = 0; i < cfg->nr_pf_regions; i++) {
		const struct gctl_range *p = &cfg->pf_regions[i];

		if (!p->size || p->size % page || p->addr % page ||
		    p->addr + p->size < p->addr)
			return cfg_err(err, errlen,
				       "--pf-region %#" PRIx64 ":%#" PRIx64
				       ": want a page-aligned, non-empty range",
				       p->addr, p->size);
	}

	n = cfg_ranges(cfg, r);
	for (unsigned int i = 0; i < n; i++) {
		if (overlap(r[i].addr, r[i].size, rb, rs))
			return cfg_err(err, errlen,
				       "%s overlaps guest RAM [%#" PRIx64 ", %#" PRIx64 ")",
				       r[i].what, rb, rb + rs);
		for (unsigned int j = 0; j < i; j++)
			if (overlap(r[i].addr, r[i].size, r[j].addr, r[j].size))
				return cfg_err(err, errlen, "%s overlaps %s",
					       r[i].what, r[j].what);
	}
	for (unsigned int i = 0; i < cfg->nr_faults; i++)
		if (in_range(cfg->faults[i], rb, rs))
			return cfg_err(err, errlen,
				       "--fault %#" PRIx64 " is in guest RAM: only MMIO accesses can fault",
				       cfg->faults[i]);
	for (unsigned int i = 0; i < cfg->nr_scripts; i++)
		if (in_range(cfg->scripts[i].addr, rb, rs))
			return cfg_err(err, errlen,
				       "--mmio-read %#" PRIx64 " is in guest RAM: reads there never exit",
				       cfg->scripts[i].addr);
	return 0;
}

/* ---- signals ------------------------------------------------------------- */

static void kick_handler(int sig)
{
	(void)sig; /* its only job is to make RUN return EINTR */
}

static int install_kick_handler(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: RUN must return EINTR */
	return sigaction(SIGUSR1, &sa, NULL) ? -errno : 0;
}

/*
 * vCPU threads take only what must never be blocked, and the kick.  On the
 * sim the kick stays blocked outside RUN and is declared as the vCPU's kick
 * signal (GH_SIM_VCPU_SET_KICK_SIGNALS), so RUN need not switch the signal
 * mask twice a call; a kernel driver only sees signals that are unblocked.
 */
static void vcpu_thread_sigmask(struct gh_vcpu *vcpu)
{
	static const int allowed[] = { SIGPIPE, SIGSEGV, SIGBUS, SIGFPE,
				       SIGILL, SIGTRAP, SIGABRT };
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
		sigaddset(&set, allowed[i]);
	if (gh_vcpu_set_kick_signals(vcpu, 1ull << (SIGUSR1 - 1)))
		sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

static void notify(struct gctl_vmm *vmm)
{
	uint64_t one = 1;

	if (write(vmm->event_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is saturated, the reader is woken */
	}
}

/* Get every vCPU but self out of RUN.  Caller holds vmm->lock. */
static void kick_locked(struct gctl_vmm *vmm, const struct vcpu_thread *self)
{
	for (unsigned int i = 0; i < vmm->nr_vcpus; i++) {
		struct vcpu_thread *vt = &vmm->vcpus[i];
		int st = atomic_load(&vt->state);

		if (vt == self || !vt->thread_started ||
		    st == GCTL_VCPU_DONE || st == GCTL_VCPU_FAILED)
			continue;
		gh_vcpu_set_immediate_exit(vt->vcpu, true);
		pthread_kill(vt->thread, SIGUSR1);
	}
}

/* ---- the MMIO and page-fault policy ---------------------------------- */

static const char *region_of(const struct gctl_vmm *vmm, uint64_t addr)
{
	const struct gctl_vmm_config *cfg = &vmm->cfg;

	if (cfg->uart_set && in_range(addr, cfg->uart_addr, GCTL_UART_SIZE))
		return "uart";
	for (unsigned int i = 0; i < cfg->nr_regions; i++)
		if (in_range(addr, cfg->regions[i].addr, cfg->regions[i].size))
			return cfg->regions[i].name[0] ? cfg->regions[i].name :
							 NULL;
	return NULL;
}

static bool is_faulted(const struct gctl_vmm *vmm, uint64_t addr,
		       uint32_t len)
{
	for (unsigned int i = 0; i < vmm->cfg.nr_faults; i++)
		if (overlap(addr, len ? len : 1, vmm->cfg.faults[i], 1))
			return true;
	return false;
}

/* The value a read at addr returns.  Caller holds vmm->lock. */
static uint64_t read_value_locked(struct gctl_vmm *vmm, uint64_t addr)
{
	const struct gctl_vmm_config *cfg = &vmm->cfg;

	for (unsigned int i = 0; i < cfg->nr_scripts; i++) {
		const struct gctl_mmio_script *s = &cfg->scripts[i];
		unsigned int *pos = &vmm->script_pos[i];

		if (s->addr != addr)
			continue;
		if (*pos + 1 < s->nr_values)
			return s->values[(*pos)++];
		return s->values[s->nr_values - 1];
	}
	if (cfg->uart_set && addr == cfg->uart_addr + GCTL_UART_FR)
		return GCTL_UART_FR_IDLE;
	return 0;
}

static void console_flush_locked(struct gctl_vmm *vmm)
{
	if (!vmm->console_len)
		return;
	gctl_sink_console(&vmm->sink, vmm->console, vmm->console_len);
	vmm->console_len = 0;
}

static void console_put_locked(struct gctl_vmm *vmm, char c)
{
	vmm->console[vmm->console_len++] = c;
	vmm->console_bytes++;
	if (c == '\n' || vmm->console_len == sizeof(vmm->console)) {
		console_flush_locked(vmm);
	} else if (vmm->console_len == 1 && vmm->cfg.pl011) {
		/* A prompt or an echo may stay partial: the loop times it. */
		vmm->console_since_ns = gctl_now_ns();
		notify(vmm);
	}
}

int gctl_vmm_console_due_ms(struct gctl_vmm *vmm)
{
	uint64_t due, now = gctl_now_ns();
	int ms = -1;

	if (!vmm->cfg.pl011)
		return -1;
	pthread_mutex_lock(&vmm->lock);
	if (vmm->console_len) {
		due = vmm->console_since_ns + GCTL_CONSOLE_PARTIAL_MS * 1000000ull;
		if (now >= due)
			console_flush_locked(vmm);
		else
			ms = (int)((due - now + 999999) / 1000000);
	}
	pthread_mutex_unlock(&vmm->lock);
	return ms;
}

static void handle_mmio_locked(struct vcpu_thread *vt,
			       struct gctl_exit_record *rec, bool *console)
{
	struct gctl_vmm *vmm = vt->vmm;
	struct gunyah_vcpu_run *run = vt->vcpu->run;
	uint32_t len = run->mmio.len > 8 ? 8 : run->mmio.len;
	uint64_t addr = run->mmio.phys_addr, data = 0;

	rec->mmio.phys_addr = addr;
	rec->mmio.len = run->mmio.len;
	rec->mmio.is_write = run->mmio.is_write;
	rec->region = region_of(vmm, addr);
	*console = false;

	if (run->mmio.is_write) {
		memcpy(&data, run->mmio.data, len);
		atomic_fetch_add(&vt->cnt.mmio_write, 1);
	} else {
		atomic_fetch_add(&vt->cnt.mmio_read, 1);
	}
	if (vmm->cfg.oracle) {
		rec->mmio.data = data;
		return;
	}

	if (is_faulted(vmm, addr, len)) {
		run->mmio.resume_action = GUNYAH_VCPU_RESUME_FAULT;
		rec->resume = GUNYAH_VCPU_RESUME_FAULT;
		rec->mmio.data = run->mmio.is_write ? data : 0;
		return;
	}
	if (!run->mmio.is_write) {
		data = read_value_locked(vmm, addr);
		if (len < 8)
			data &= (1ull << (8 * len)) - 1;
		memcpy(run->mmio.data, &data, sizeof(run->mmio.data));
	} else if (vmm->cfg.uart_set &&
		   addr == vmm->cfg.uart_addr + GCTL_UART_DR) {
		*console = true;
	}
	if (vmm->pl011_ready && in_range(addr, vmm->cfg.uart_addr, GCTL_UART_SIZE)) {
		char c;

		if (!run->mmio.is_write) {
			data = gctl_pl011_read(&vmm->pl011, addr - vmm->cfg.uart_addr);
			if (len < 8)
				data &= (1ull << (8 * len)) - 1;
			memcpy(run->mmio.data, &data, sizeof(run->mmio.data));
		} else {
			*console = gctl_pl011_write(&vmm->pl011,
						    addr - vmm->cfg.uart_addr,
						    data, &c);
		}
	}
	run->mmio.resume_action = GUNYAH_VCPU_RESUME_HANDLED;
	rec->resume = GUNYAH_VCPU_RESUME_HANDLED;
	rec->mmio.data = data;
}

/* The oracle's answer to an MMIO exit, into the run page. */
static void answer_mmio(struct gunyah_vcpu_run *run,
			struct gctl_exit_record *rec)
{
	uint32_t len = run->mmio.len > 8 ? 8 : run->mmio.len;
	uint64_t data = rec->mmio.data;

	if (!run->mmio.is_write) {
		if (len < 8)
			data &= (1ull << (8 * len)) - 1;
		memcpy(run->mmio.data, &data, sizeof(run->mmio.data));
		rec->mmio.data = data;
	}
	run->mmio.resume_action = (uint32_t)rec->resume;
}

/* A zero page at addr's page.  0, or -1 with a message in msg. */
static int map_zero_page_locked(struct vcpu_thread *vt, uint64_t addr,
				char *msg, size_t msglen)
{
	struct gctl_vmm *vmm = vt->vmm;
	uint64_t page = addr & ~((uint64_t)vmm->page_size - 1);
	int ret;

	if (vt->pf_last_valid && vt->pf_last_page == page) {
		snprintf(msg, msglen,
			 "vcpu%u: page fault at " GCTL_ADDR
			 " again after mapping a page there", vt->id, addr);
		return -1;
	}
	ret = gh_vm_add_memory(vmm->vm, page, vmm->page_size, NULL);
	/* Another vCPU may have mapped the same page just now. */
	if (ret && ret != -EEXIST) {
		snprintf(msg, msglen,
			 "vcpu%u: page fault at " GCTL_ADDR
			 ": cannot map a page there: %s",
			 vt->id, addr, strerror(-ret));
		return -1;
	}
	vt->pf_last_valid = true;
	vt->pf_last_page = page;
	return 0;
}

/* Returns a stop reason, and a message to print in msg. */
static enum gctl_stop_reason
handle_page_fault_locked(struct vcpu_thread *vt, struct gctl_exit_record *rec,
			 char *msg, size_t msglen)
{
	struct gctl_vmm *vmm = vt->vmm;
	struct gunyah_vcpu_run *run = vt->vcpu->run;
	uint64_t addr = run->page_fault.phys_addr;

	rec->page_fault.phys_addr = addr;
	rec->page_fault.attempt = run->page_fault.attempt;
	rec->region = region_of(vmm, addr);
	atomic_fetch_add(&vt->cnt.page_fault, 1);
	if (vmm->cfg.oracle)
		return GCTL_STOP_NONE;

	switch (vmm->cfg.pf_policy) {
	case GCTL_PF_FAULT:
		run->page_fault.resume_action = GUNYAH_VCPU_RESUME_FAULT;
		rec->resume = GUNYAH_VCPU_RESUME_FAULT;
		return GCTL_STOP_NONE;
	case GCTL_PF_RETRY:
		if (map_zero_page_locked(vt, addr, msg, msglen))
			break;
		run->page_fault.resume_action = GUNYAH_VCPU_RESUME_RETRY;
		rec->resume = GUNYAH_VCPU_RESUME_RETRY;
		return GCTL_STOP_NONE;
	case GCTL_PF_FAIL:
	default:
		snprintf(msg, msglen,
			 "vcpu%u: page fault at " GCTL_ADDR
			 ": no memory there (--on-page-fault=retry maps a zero page)",
			 vt->id, addr);
		break;
	}
	/*
	 * Not resumed: the guest is not touched.  This vCPU runs again only
	 * once the VM is stopped (wait_runnable), to collect its STATUS
	 * exit; the answer it hands back then is RETRY, which only replays
	 * the access, and a stopped VM replays nothing.  (FAULT here gave
	 * the guest a data abort before the stop: "VM crashed".)
	 */
	vt->failed = true;
	run->page_fault.resume_action = GUNYAH_VCPU_RESUME_RETRY;
	rec->resume = GCTL_RESUME_NONE;
	return GCTL_STOP_VCPU_FAILED;
}

/*
 * The engine has just paused (a step ended, or gctl_vmm_pause): get the
 * other vCPUs out of RUN, show what is buffered, tell the event fd.
 */
static void stopped_locked(struct gctl_vmm *vmm, const struct vcpu_thread *self)
{
	kick_locked(vmm, self);
	console_flush_locked(vmm);
	gctl_sink_flush(&vmm->sink);
	notify(vmm);
}

/*
 * The vCPU is out of RUN and waits (paused).  Whoever waits for that (to
 * read its registers) is told.  Caller holds vmm->lock.
 */
static void set_waiting_locked(struct vcpu_thread *vt, enum gctl_vcpu_state st)
{
	if (atomic_exchange(&vt->state, st) != (int)st)
		pthread_cond_broadcast(&vt->vmm->cond);
}

/*
 * The first STATUS exit of a crashed VM: why it crashed, where the backend
 * can say (the sim), goes out first.  Caller holds vmm->lock.
 */
static void report_crash_locked(struct gctl_vmm *vmm)
{
	struct gh_sim_crash c;

	if (!gh_vm_get_crash(vmm->vm, &c)) {
		console_flush_locked(vmm);
		gctl_sink_crash(&vmm->sink, &c);
	}
}

/*
 * The oracle answers (replay).  The VM's STATUS exit is shown to it too.
 * Caller holds vmm->lock.
 */
static enum gctl_stop_reason oracle_locked(struct vcpu_thread *vt,
					   struct gctl_exit_record *rec,
					   char *msg, size_t msglen)
{
	const struct gctl_vmm_oracle *o = vt->vmm->cfg.oracle;
	struct gunyah_vcpu_run *run = vt->vcpu->run;
	enum gctl_stop_reason stop = o->answer(o->ctx, rec, msg, msglen);

	if (rec->reason == GUNYAH_VCPU_EXIT_MMIO) {
		answer_mmio(run, rec);
	} else if (rec->reason == GUNYAH_VCPU_EXIT_PAGE_FAULT) {
		if (rec->resume == GUNYAH_VCPU_RESUME_RETRY &&
		    map_zero_page_locked(vt, rec->page_fault.phys_addr, msg,
					 msglen)) {
			vt->failed = true;
			rec->resume = GUNYAH_VCPU_RESUME_FAULT;
			stop = GCTL_STOP_VCPU_FAILED;
		}
		run->page_fault.resume_action = (uint32_t)rec->resume;
	}
	return stop;
}

/* The same exit as the vCPU's last: what the guest asked and got. */
static bool same_exit(const struct gctl_exit_record *a,
		      const struct gctl_exit_record *b)
{
	if (a->reason != b->reason || a->resume != b->resume)
		return false;
	switch (a->reason) {
	case GUNYAH_VCPU_EXIT_MMIO:
		return a->mmio.phys_addr == b->mmio.phys_addr &&
		       a->mmio.len == b->mmio.len &&
		       a->mmio.is_write == b->mmio.is_write &&
		       a->mmio.data == b->mmio.data;
	case GUNYAH_VCPU_EXIT_PAGE_FAULT:
		return a->page_fault.phys_addr == b->page_fault.phys_addr;
	default:
		return false; /* a status exit ends the vCPU: never a run */
	}
}

/*
 * Count identical exits in a row (vmm.h, cfg.stuck); on the nth, mark
 * the record and say so in msg.  The PC is read twice a run (the 2nd and
 * the nth exit), between RUNs, where the backend can.  Returns the stop
 * --on-stuck asks for.  Caller holds vmm->lock.
 */
static enum gctl_stop_reason stuck_locked(struct vcpu_thread *vt,
					  struct gctl_exit_record *rec,
					  char *msg, size_t msglen)
{
	const struct gctl_vmm_config *cfg = &vt->vmm->cfg;
	struct gh_sim_regs regs;
	char what[128];

	if (vt->streak && same_exit(&vt->last, rec)) {
		vt->streak++;
	} else {
		vt->streak = 1;
		vt->last = *rec;
	}
	if (vt->streak == 2)
		vt->streak_pc_valid = !gh_vcpu_get_regs(vt->vcpu, &regs) &&
				      (vt->streak_pc = regs.pc, true);
	if (vt->streak != cfg->stuck)
		return GCTL_STOP_NONE;
	if (vt->streak_pc_valid) {
		if (gh_vcpu_get_regs(vt->vcpu, &regs) || regs.pc != vt->streak_pc) {
			/* the same access from elsewhere: progress, count anew */
			vt->streak = 1;
			return GCTL_STOP_NONE;
		}
		rec->have_pc = true;
		rec->stuck_pc = regs.pc;
	}
	rec->stuck = vt->streak;
	if (rec->reason == GUNYAH_VCPU_EXIT_MMIO)
		snprintf(what, sizeof(what), "mmio %s %#" PRIx64 " len=%u",
			 rec->mmio.is_write ? "write" : "read",
			 rec->mmio.phys_addr, rec->mmio.len);
	else
		snprintf(what, sizeof(what), "page_fault %#" PRIx64,
			 rec->page_fault.phys_addr);
	if (rec->resume != GCTL_RESUME_NONE)
		snprintf(what + strlen(what), sizeof(what) - strlen(what),
			 " resume=%s", gh_resume_action_str((uint32_t)rec->resume));
	if (rec->have_pc)
		snprintf(what + strlen(what), sizeof(what) - strlen(what),
			 " at pc %#" PRIx64, rec->stuck_pc);
	snprintf(msg, msglen, "vcpu%u: stuck: %" PRIu64 " times in a row: %s%s",
		 vt->id, vt->streak, what, cfg->stuck_stop ?
		 " (--on-stuck=stop: stopping the VM)" : "");
	return cfg->stuck_stop ? GCTL_STOP_STUCK : GCTL_STOP_NONE;
}

/*
 * An engine message (sink.h): once vCPUs may run, through the sink, in
 * order with the exits; before, there are no exits yet: standard error.
 */
static void engine_message(struct gctl_vmm *vmm, unsigned int vcpu,
			   const char *text)
{
	struct gctl_message m = { .vcpu = vcpu, .text = text };

	if (!atomic_load(&vmm->msg_to_sink)) {
		gctl_err("run", "%s", text);
		return;
	}
	gctl_sink_message(&vmm->sink, &m);
}

/*
 * One exit, taken at t_ns (since the VM started; t_abs on the clock):
 * hold it while paused, then number it, answer it and report it.  Returns
 * true when the thread is done (a STATUS exit).
 */
static bool handle_exit(struct vcpu_thread *vt, uint64_t t_ns, uint64_t t_abs)
{
	struct gctl_vmm *vmm = vt->vmm;
	struct gunyah_vcpu_run *run = vt->vcpu->run;
	struct gctl_exit_record rec = {
		.vcpu = vt->id,
		.t_ns = t_ns,
		.reason = run->exit_reason,
		.resume = GCTL_RESUME_NONE,
	};
	enum gctl_stop_reason stop = GCTL_STOP_NONE;
	bool done = false, now_paused = false, console = false;
	char msg[256] = "";

	bool held = false;

	if (vmm->cfg.timing)
		rec.guest_ns = t_abs - vt->t_resume;
	pthread_mutex_lock(&vmm->lock);
	while (vmm->paused && !vmm->budget && !vmm->stopping &&
	       !vmm->killed) {
		set_waiting_locked(vt, GCTL_VCPU_HELD);
		pthread_cond_wait(&vmm->cond, &vmm->lock);
		held = true;
	}
	/* Time held by a pause is nobody's handling time. */
	if (held)
		t_abs = gctl_now_ns();
	if (vmm->paused && vmm->budget && --vmm->budget == 0)
		now_paused = true;
	rec.seq = ++vmm->seq;
	atomic_store(&vmm->last_vcpu, vt->id);

	switch (rec.reason) {
	case GUNYAH_VCPU_EXIT_MMIO:
		handle_mmio_locked(vt, &rec, &console);
		break;
	case GUNYAH_VCPU_EXIT_PAGE_FAULT:
		stop = handle_page_fault_locked(vt, &rec, msg, sizeof(msg));
		break;
	case GUNYAH_VCPU_EXIT_STATUS:
		rec.status.status = run->status.status;
		rec.status.exit_info = run->status.exit_info;
		if (!vmm->have_status &&
		    run->status.status == GUNYAH_VM_STATUS_CRASHED)
			report_crash_locked(vmm);
		if (!vmm->have_status) {
			vmm->have_status = true;
			vmm->status = run->status.status;
			vmm->exit_info = run->status.exit_info;
		}
		atomic_fetch_add(&vt->cnt.status, 1);
		done = true;
		break;
	default:
		atomic_fetch_add(&vt->cnt.unknown, 1);
		break;
	}
	atomic_fetch_add(&vt->cnt.exits, 1);
	if (vmm->cfg.oracle && !stop)
		stop = oracle_locked(vt, &rec, msg, sizeof(msg));
	if (vmm->cfg.stuck && !stop && !msg[0])
		stop = stuck_locked(vt, &rec, msg, sizeof(msg));
	/* The answer is ready: the vCPU goes back to RUN now. */
	vt->t_resume = gctl_now_ns();
	rec.host_ns = vt->t_resume - t_abs;
	gctl_hist_add(&vt->host[gctl_exit_kind(&rec)], rec.host_ns);

	/* What the guest said before the VM went down comes first. */
	if (rec.reason == GUNYAH_VCPU_EXIT_STATUS)
		console_flush_locked(vmm);
	gctl_sink_exit(&vmm->sink, &rec);
	if (console)
		console_put_locked(vmm, (char)rec.mmio.data);
	if (msg[0])
		engine_message(vmm, vt->id, msg);
	if (vmm->cfg.max_exits && rec.seq == vmm->cfg.max_exits && !stop)
		stop = GCTL_STOP_MAX_EXITS;
	if (now_paused)
		stopped_locked(vmm, vt);
	pthread_mutex_unlock(&vmm->lock);

	if (stop)
		gctl_vmm_stop(vmm, stop);
	return done;
}

/* Wait until this vCPU may run.  False: the thread must end. */
static bool wait_runnable(struct vcpu_thread *vt)
{
	struct gctl_vmm *vmm = vt->vmm;
	bool ok;

	pthread_mutex_lock(&vmm->lock);
	/* A failed vCPU (page fault, fail) waits for the stop it asked for. */
	while (((vmm->paused && !vmm->budget) || vt->failed) &&
	       !vmm->stopping && !vmm->killed) {
		set_waiting_locked(vt, GCTL_VCPU_WAIT);
		pthread_cond_wait(&vmm->cond, &vmm->lock);
	}
	ok = !vmm->killed;
	if (ok && vmm->cfg.timing && atomic_load(&vt->state) != GCTL_VCPU_RUN)
		vt->t_resume = gctl_now_ns(); /* it waited: not the guest's time */
	if (ok) {
		/* Cleared under the lock: a pause from now on sets it again. */
		gh_vcpu_set_immediate_exit(vt->vcpu, false);
		atomic_store(&vt->state, GCTL_VCPU_RUN);
	}
	pthread_mutex_unlock(&vmm->lock);
	return ok;
}

static void *vcpu_main(void *data)
{
	struct vcpu_thread *vt = data;
	struct gctl_vmm *vmm = vt->vmm;
	uint64_t t;
	int ret;

	vcpu_thread_sigmask(vt->vcpu);
	vt->t_resume = gctl_now_ns();
	while (wait_runnable(vt)) {
		ret = __gh_vcpu_run(vt->vcpu);
		if (ret == -EINTR)
			continue;
		if (ret < 0) {
			char msg[128];

			snprintf(msg, sizeof(msg), "vcpu%u: GUNYAH_VCPU_RUN: %s",
				 vt->id, strerror(-ret));
			engine_message(vmm, vt->id, msg);
			vt->failed = true;
			gctl_vmm_stop(vmm, GCTL_STOP_VCPU_FAILED);
			break;
		}
		t = gctl_now_ns();
		if (handle_exit(vt, t - vmm->t0_ns, t))
			break;
	}

	pthread_mutex_lock(&vmm->lock);
	atomic_store(&vt->state, vt->failed ? GCTL_VCPU_FAILED : GCTL_VCPU_DONE);
	if (--vmm->nr_live == 0) {
		vmm->t_end_ns = gctl_now_ns();
		notify(vmm);
	}
	pthread_mutex_unlock(&vmm->lock);
	return NULL;
}

/* ---- life ---------------------------------------------------------------- */

/* The sim's word: "vcpuN: ..." says which vCPU it is about. */
static void sim_log(void *ctx, const char *msg)
{
	unsigned int vcpu = GCTL_MSG_NO_VCPU, n;
	char text[512];

	if (sscanf(msg, "vcpu%u:", &n) == 1 && n < GCTL_MAX_VCPUS)
		vcpu = n;
	snprintf(text, sizeof(text), "sim: %s", msg);
	engine_message(ctx, vcpu, text);
}

/*
 * A UART with no input of its own takes it from a pipe the control server
 * writes (gctl_vmm_console_input): the input thread reads it as any other.
 */
static int console_pipe(struct gctl_vmm *vmm, char *err, size_t errlen)
{
	int p[2];

	if (!vmm->cfg.console_pipe || vmm->cfg.uart_input_fd >= 0)
		return 0;
	if (pipe2(p, O_CLOEXEC)) {
		snprintf(err, errlen, "the console's pipe: %s", strerror(errno));
		return -errno;
	}
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	vmm->console_rfd = vmm->cfg.uart_input_fd = p[0];
	vmm->console_wfd = p[1];
	vmm->cfg.uart_escape = false;
	return 0;
}

/* The guest's RAM, and the --pf-region ranges that are not there yet. */
static int map_memory(struct gh_vm *vm, const struct gctl_vmm_config *cfg,
		      char *err, size_t errlen)
{
	int ret = gh_vm_add_memory(vm, cfg->ram_base, cfg->ram_size, NULL);

	if (ret) {
		snprintf(err, errlen,
			 "cannot map %#" PRIx64 " bytes of RAM at %#" PRIx64 ": %s",
			 cfg->ram_size, cfg->ram_base, strerror(-ret));
		return ret;
	}
	for (unsigned int i = 0; i < cfg->nr_pf_regions; i++) {
		ret = gh_vm_add_pf_region(vm, cfg->pf_regions[i].addr,
					  cfg->pf_regions[i].size);
		if (ret) {
			snprintf(err, errlen, "--pf-region %#" PRIx64 ": %s",
				 cfg->pf_regions[i].addr,
				 ret == -ENOTTY ? "needs the sim backend" :
						  strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int gctl_vmm_create(struct gh_backend *be, const struct gctl_vmm_config *cfg,
		    const struct gctl_sink *sink, struct gctl_vmm **out,
		    char *err, size_t errlen)
{
	struct gctl_vmm *vmm;
	int ret;

	vmm = calloc(1, sizeof(*vmm));
	if (!vmm) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	vmm->event_fd = -1;
	vmm->uart_irq_fd = vmm->input_quit_fd = -1;
	vmm->console_rfd = vmm->console_wfd = -1;
	vmm->cfg = *cfg;
	vmm->be = be;
	vmm->sink = *sink;
	vmm->page_size = (size_t)sysconf(_SC_PAGESIZE);
	vmm->paused = cfg->step > 0 || cfg->paused;
	vmm->budget = cfg->step;
	pthread_mutex_init(&vmm->lock, NULL);
	pthread_cond_init(&vmm->cond, NULL);
	vmm->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (vmm->event_fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "eventfd: %s", strerror(-ret));
		goto err_free;
	}
	ret = install_kick_handler();
	if (ret) {
		snprintf(err, errlen, "sigaction: %s", strerror(-ret));
		goto err_free;
	}
	if (gh_backend_is_sim(be))
		gh_backend_set_log(be, sim_log, vmm);

	ret = gh_vm_create(be, &vmm->vm);
	if (ret) {
		snprintf(err, errlen, "cannot create a VM: %s", strerror(-ret));
		goto err_free;
	}
	if (cfg->lenient) {
		ret = gh_vm_set_lenient(vmm->vm, true);
		if (ret) {
			snprintf(err, errlen, "--lenient: %s", ret == -ENOTTY ?
				 "needs the sim backend" : strerror(-ret));
			goto err_free;
		}
	}
	ret = map_memory(vmm->vm, cfg, err, errlen);
	if (ret)
		goto err_free;
	for (unsigned int i = 0; i < cfg->nr_vcpus; i++) {
		struct vcpu_thread *vt = &vmm->vcpus[i];

		vt->vmm = vmm;
		vt->id = i;
		atomic_init(&vt->state, GCTL_VCPU_NEW);
		ret = gh_vcpu_add(vmm->vm, i, &vt->vcpu);
		if (ret) {
			snprintf(err, errlen, "cannot add vCPU %u: %s", i,
				 strerror(-ret));
			goto err_free;
		}
		vmm->nr_vcpus++;
	}
	if (cfg->pl011) {
		/* LEVEL: the PL011's line is level-high (the device tree
		 * says so); signals before the guest acknowledges coalesce
		 * into the one assertion a held line is. */
		vmm->uart_irq_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		ret = vmm->uart_irq_fd < 0 ? -errno :
		      gh_vm_irqfd(vmm->vm, true, vmm->uart_irq_fd,
				  cfg->uart_spi, GUNYAH_IRQFD_FLAGS_LEVEL);
		if (ret) {
			snprintf(err, errlen, "the UART's irqfd (SPI %u): %s",
				 cfg->uart_spi, strerror(-ret));
			goto err_free;
		}
		gctl_pl011_init(&vmm->pl011, vmm->uart_irq_fd);
		vmm->pl011_ready = true;
		ret = console_pipe(vmm, err, errlen);
		if (ret)
			goto err_free;
	}
	*out = vmm;
	return 0;

err_free:
	gctl_vmm_destroy(vmm);
	return ret;
}

long gctl_vmm_console_input(struct gctl_vmm *vmm, const void *buf, size_t len)
{
	ssize_t n;

	if (vmm->console_wfd < 0)
		return -ENODEV;
	n = write(vmm->console_wfd, buf, len);
	return n < 0 ? -errno : n;
}

struct gh_vm *gctl_vmm_vm(struct gctl_vmm *vmm)
{
	return vmm->vm;
}

/* ---- the UART's input ---------------------------------------------------- */

#define UART_ESCAPE 0x1d /* Ctrl-] */

static void *input_main(void *data)
{
	struct gctl_vmm *vmm = data;
	struct pollfd p[2] = {
		{ .fd = vmm->cfg.uart_input_fd, .events = POLLIN },
		{ .fd = vmm->input_quit_fd, .events = POLLIN },
	};
	uint8_t buf[256];

	for (;;) {
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		n = read(p[0].fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break; /* end of input: the guest reads no more */
		for (ssize_t i = 0; i < n; i++) {
			if (vmm->cfg.uart_escape && buf[i] == UART_ESCAPE) {
				gctl_vmm_stop(vmm, GCTL_STOP_USER);
				return NULL;
			}
			if (!gctl_pl011_input(&vmm->pl011, buf[i]))
				return NULL;
		}
	}
	return NULL;
}

static int input_start(struct gctl_vmm *vmm, char *err, size_t errlen)
{
	int ret;

	vmm->input_quit_fd = eventfd(0, EFD_CLOEXEC);
	if (vmm->input_quit_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return -errno;
	}
	ret = pthread_create(&vmm->input_thread, NULL, input_main, vmm);
	if (ret) {
		snprintf(err, errlen, "cannot create the input thread: %s",
			 strerror(ret));
		return -ret;
	}
	vmm->input_started = true;
	return 0;
}

static void input_stop(struct gctl_vmm *vmm)
{
	uint64_t one = 1;

	if (vmm->pl011_ready)
		gctl_pl011_close(&vmm->pl011);
	if (vmm->input_started) {
		if (write(vmm->input_quit_fd, &one, sizeof(one)) != sizeof(one))
			pthread_cancel(vmm->input_thread);
		pthread_join(vmm->input_thread, NULL);
		vmm->input_started = false;
	}
	if (vmm->input_quit_fd >= 0) {
		close(vmm->input_quit_fd);
		vmm->input_quit_fd = -1;
	}
}

int gctl_vmm_start(struct gctl_vmm *vmm, uint64_t entry, char *err,
		   size_t errlen)
{
	sigset_t all, old;
	int ret, start_ret;

	ret = gh_vm_set_boot_reg(vmm->vm, REG_SET_PC, 0, entry);
	if (ret) {
		snprintf(err, errlen, "cannot set the entry point %#" PRIx64 ": %s",
			 entry, strerror(-ret));
		return ret;
	}

	vmm->t0_ns = gctl_now_ns();
	start_ret = gh_vm_start(vmm->vm);
	if (start_ret)
		snprintf(err, errlen, "cannot start the VM: %s",
			 strerror(-start_ret));

	atomic_store(&vmm->msg_to_sink, true);
	/* Threads start with everything blocked, then open what they take. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_mutex_lock(&vmm->lock);
	for (unsigned int i = 0; i < vmm->nr_vcpus; i++) {
		struct vcpu_thread *vt = &vmm->vcpus[i];

		ret = pthread_create(&vt->thread, NULL, vcpu_main, vt);
		if (ret) {
			snprintf(err, errlen, "cannot create a vCPU thread: %s",
				 strerror(ret));
			ret = -ret;
			break;
		}
		vt->thread_started = true;
		vmm->nr_live++;
	}
	vmm->threads_started = vmm->nr_live > 0;
	pthread_mutex_unlock(&vmm->lock);
	if (!ret && vmm->pl011_ready && vmm->cfg.uart_input_fd >= 0)
		ret = input_start(vmm, err, errlen);
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	if (ret) {
		/* Some threads may run: stop them, the caller finishes. */
		gctl_vmm_kill(vmm, GCTL_STOP_VCPU_FAILED);
		return ret;
	}
	return start_ret;
}

bool gctl_vmm_started(const struct gctl_vmm *vmm)
{
	return vmm->threads_started;
}

int gctl_vmm_event_fd(const struct gctl_vmm *vmm)
{
	return vmm->event_fd;
}

enum gctl_vmm_state gctl_vmm_state(struct gctl_vmm *vmm)
{
	uint64_t v;

	while (read(vmm->event_fd, &v, sizeof(v)) > 0)
		;
	return gctl_vmm_peek_state(vmm);
}

enum gctl_vmm_state gctl_vmm_peek_state(struct gctl_vmm *vmm)
{
	enum gctl_vmm_state st;

	pthread_mutex_lock(&vmm->lock);
	if (!vmm->nr_live)
		st = GCTL_VMM_DONE;
	else if (vmm->paused && !vmm->budget && !vmm->stopping &&
		 !vmm->killed)
		st = GCTL_VMM_PAUSED;
	else
		st = GCTL_VMM_RUNNING;
	pthread_mutex_unlock(&vmm->lock);
	return st;
}

void gctl_vmm_pause(struct gctl_vmm *vmm)
{
	pthread_mutex_lock(&vmm->lock);
	if (!vmm->paused || vmm->budget) {
		vmm->paused = true;
		vmm->budget = 0;
		stopped_locked(vmm, NULL);
	}
	pthread_mutex_unlock(&vmm->lock);
}

void gctl_vmm_resume(struct gctl_vmm *vmm)
{
	pthread_mutex_lock(&vmm->lock);
	vmm->paused = false;
	vmm->budget = 0;
	pthread_cond_broadcast(&vmm->cond);
	pthread_mutex_unlock(&vmm->lock);
}

void gctl_vmm_step(struct gctl_vmm *vmm, uint64_t n)
{
	pthread_mutex_lock(&vmm->lock);
	if (vmm->paused && n) {
		vmm->budget += n;
		pthread_cond_broadcast(&vmm->cond);
	}
	pthread_mutex_unlock(&vmm->lock);
}

void gctl_vmm_kill(struct gctl_vmm *vmm, enum gctl_stop_reason why)
{
	pthread_mutex_lock(&vmm->lock);
	if (!vmm->stop_reason)
		vmm->stop_reason = why;
	vmm->stopping = true;
	vmm->killed = true;
	kick_locked(vmm, NULL);
	pthread_cond_broadcast(&vmm->cond);
	pthread_mutex_unlock(&vmm->lock);
}

void gctl_vmm_stop(struct gctl_vmm *vmm, enum gctl_stop_reason why)
{
	bool first;
	int ret;

	pthread_mutex_lock(&vmm->lock);
	if (!vmm->stop_reason)
		vmm->stop_reason = why;
	first = !vmm->stop_requested;
	vmm->stop_requested = true;
	pthread_mutex_unlock(&vmm->lock);
	if (!first)
		return;

	/*
	 * The VM's owner stops it: every vCPU then reports the STATUS exit.
	 * -EINVAL: it was not running (exited already, or never started),
	 * and the STATUS exits come all the same.  Stopped first, released
	 * after: a paused guest makes no progress on its way down.
	 */
	ret = gh_vm_force_stop(vmm->vm);
	if (ret == -ENOTTY || ret == -EOPNOTSUPP) {
		gctl_vmm_kill(vmm, why);
		return;
	}
	pthread_mutex_lock(&vmm->lock);
	vmm->stopping = true;
	pthread_cond_broadcast(&vmm->cond);
	pthread_mutex_unlock(&vmm->lock);
}

int gctl_vmm_poweroff(struct gctl_vmm *vmm)
{
	/* What the guest's PSCI SYSTEM_OFF gives: a 4-byte reason of 0. */
	int ret = gh_vm_exit(vmm->vm, GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF, 0, 4);

	if (ret)
		return ret;
	/* As after a forced stop: held exits go, nothing waits any more. */
	pthread_mutex_lock(&vmm->lock);
	vmm->stopping = true;
	pthread_cond_broadcast(&vmm->cond);
	pthread_mutex_unlock(&vmm->lock);
	return 0;
}

unsigned int gctl_vmm_nr_vcpus(const struct gctl_vmm *vmm)
{
	return vmm->nr_vcpus;
}

void gctl_vmm_host_timing(const struct gctl_vmm *vmm,
			  struct gctl_timing out[GCTL_TK__COUNT])
{
	struct gctl_hist_acc *acc = malloc(sizeof(*acc));

	memset(out, 0, GCTL_TK__COUNT * sizeof(*out));
	if (!acc)
		return;
	for (unsigned int k = 0; k < GCTL_TK__COUNT; k++) {
		memset(acc, 0, sizeof(*acc));
		for (unsigned int i = 0; i < vmm->nr_vcpus; i++)
			gctl_hist_acc_add(acc, &vmm->vcpus[i].host[k]);
		gctl_hist_timing(acc, &out[k]);
	}
	free(acc);
}

void gctl_vmm_counters(const struct gctl_vmm *vmm, unsigned int vcpu,
		       struct gctl_counters *out)
{
	const struct vcpu_counters *c;

	memset(out, 0, sizeof(*out));
	if (vcpu >= vmm->nr_vcpus)
		return;
	c = &vmm->vcpus[vcpu].cnt;
	out->exits = atomic_load(&c->exits);
	out->mmio_read = atomic_load(&c->mmio_read);
	out->mmio_write = atomic_load(&c->mmio_write);
	out->page_fault = atomic_load(&c->page_fault);
	out->status = atomic_load(&c->status);
	out->unknown = atomic_load(&c->unknown);
}

enum gctl_vcpu_state gctl_vmm_vcpu_state(const struct gctl_vmm *vmm,
					 unsigned int vcpu)
{
	if (vcpu >= vmm->nr_vcpus)
		return GCTL_VCPU_NEW;
	return (enum gctl_vcpu_state)atomic_load(&vmm->vcpus[vcpu].state);
}

static const char *const vmm_state_names[] = {
	[GCTL_VMM_RUNNING] = "running",
	[GCTL_VMM_PAUSED] = "paused",
	[GCTL_VMM_DONE] = "done",
};

const char *gctl_vmm_state_str(enum gctl_vmm_state st)
{
	return (unsigned int)st < ARRAY_SIZE(vmm_state_names) ?
		       vmm_state_names[st] : "?";
}

int gctl_vmm_state_parse(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(vmm_state_names); i++)
		if (!strcmp(name, vmm_state_names[i]))
			return (int)i;
	return -1;
}

const char *gctl_vcpu_state_str(enum gctl_vcpu_state s)
{
	static const char *const names[] = {
		[GCTL_VCPU_NEW] = "new",     [GCTL_VCPU_RUN] = "run",
		[GCTL_VCPU_HELD] = "held",   [GCTL_VCPU_WAIT] = "wait",
		[GCTL_VCPU_DONE] = "done",   [GCTL_VCPU_FAILED] = "failed",
	};

	if ((unsigned int)s < ARRAY_SIZE(names))
		return names[s];
	return "unknown";
}

int gctl_vmm_hyp_stats(const struct gctl_vmm *vmm, unsigned int vcpu,
		       struct gh_sim_vcpu_stats *st)
{
	if (vcpu >= vmm->nr_vcpus)
		return -ENOENT;
	return gh_vcpu_get_stats(vmm->vcpus[vcpu].vcpu, st);
}

unsigned int gctl_vmm_last_vcpu(const struct gctl_vmm *vmm)
{
	return atomic_load(&vmm->last_vcpu);
}

int gctl_vmm_regs(struct gctl_vmm *vmm, unsigned int vcpu,
		  struct gh_sim_regs *regs)
{
	struct vcpu_thread *vt;
	struct timespec deadline;
	int ret;

	if (vcpu >= vmm->nr_vcpus)
		return -ENOENT;
	vt = &vmm->vcpus[vcpu];

	/*
	 * Registers are readable between runs only (the sim says EBUSY).
	 * Paused, a kicked vCPU leaves RUN within a time slice: wait for
	 * that, a second at most.
	 */
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 1;
	pthread_mutex_lock(&vmm->lock);
	while (vmm->paused && !vmm->budget &&
	       atomic_load(&vt->state) == GCTL_VCPU_RUN &&
	       pthread_cond_timedwait(&vmm->cond, &vmm->lock, &deadline) !=
		       ETIMEDOUT)
		;
	ret = gh_vcpu_get_regs(vt->vcpu, regs);
	pthread_mutex_unlock(&vmm->lock);
	return ret;
}

int gctl_vmm_read_mem(struct gctl_vmm *vmm, uint64_t addr, void *buf,
		      size_t len)
{
	int ret;

	/* The region table changes under page-fault retries: lock. */
	pthread_mutex_lock(&vmm->lock);
	ret = gh_vm_read_mem(vmm->vm, addr, buf, len);
	pthread_mutex_unlock(&vmm->lock);
	return ret;
}

/* ---- the end ---------------------------------------------------------- */

/* The exit status for how the VM ended (gunyahctl-run(1), EXIT STATUS). */
static int result(const struct gctl_vmm *vmm, const char **name)
{
	enum gctl_stop_reason why = vmm->stop_reason;
	uint32_t code;

	if (why == GCTL_STOP_VCPU_FAILED) {
		*name = "vcpu_failed";
		return GCTL_EXIT_VCPU_FAILED;
	}
	if (why == GCTL_STOP_STUCK) {
		*name = "stuck";
		return GCTL_EXIT_STUCK;
	}
	if (vmm->have_status) {
		switch (vmm->status) {
		case GUNYAH_VM_STATUS_LOAD_FAILED:
			*name = "load_failed";
			return GCTL_EXIT_LOAD_FAILED;
		case GUNYAH_VM_STATUS_EXITED:
			break;
		default:
			*name = "crashed";
			return GCTL_EXIT_CRASHED;
		}
		switch (vmm->exit_info.type) {
		case GUNYAH_VM_EXIT_TYPE_PSCI_POWER_OFF:
			*name = "poweroff";
			return GCTL_EXIT_OK;
		case GUNYAH_VM_EXIT_TYPE_VM_EXIT:
			code = (uint32_t)(gh_exit_info_reason(&vmm->exit_info) &
					  GUNYAH_VM_EXIT_REASON_CODE_MASK) >>
			       GUNYAH_VM_EXIT_REASON_CODE_SHIFT;
			*name = code == GUNYAH_VM_EXIT_CODE_NORMAL ? "exited" :
								     "crashed";
			return code == GUNYAH_VM_EXIT_CODE_NORMAL ?
				       GCTL_EXIT_OK : GCTL_EXIT_CRASHED;
		case GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET:
		case GUNYAH_VM_EXIT_TYPE_PSCI_SYSTEM_RESET2:
			*name = "reset";
			return GCTL_EXIT_RESET;
		case GUNYAH_VM_EXIT_TYPE_VM_STOP_FORCED:
			break; /* why it was forced decides, below */
		default:
			*name = "crashed";
			return GCTL_EXIT_CRASHED;
		}
	}
	switch (why) {
	case GCTL_STOP_TIMEOUT:
		*name = "timeout";
		return GCTL_EXIT_TIMEOUT;
	case GCTL_STOP_USER:
	case GCTL_STOP_MAX_EXITS:
		*name = "stopped";
		return GCTL_EXIT_STOPPED;
	default:
		/* Forced by someone else, or no STATUS exit at all. */
		*name = vmm->have_status ? "stopped" : "no_status";
		return vmm->have_status ? GCTL_EXIT_STOPPED : GCTL_EXIT_SOFTWARE;
	}
}

int gctl_vmm_finish(struct gctl_vmm *vmm, struct gctl_summary *s)
{
	memset(s, 0, sizeof(*s));
	for (unsigned int i = 0; i < vmm->nr_vcpus; i++) {
		struct vcpu_thread *vt = &vmm->vcpus[i];

		if (vt->thread_started) {
			pthread_join(vt->thread, NULL);
			vt->thread_started = false;
		}
	}

	input_stop(vmm);
	pthread_mutex_lock(&vmm->lock);
	console_flush_locked(vmm);
	s->nr_vcpus = vmm->nr_vcpus;
	for (unsigned int i = 0; i < vmm->nr_vcpus; i++) {
		gctl_vmm_counters(vmm, i, &s->vcpu[i]);
		gctl_counters_add(&s->total, &s->vcpu[i]);
	}
	if (!vmm->t_end_ns)
		vmm->t_end_ns = gctl_now_ns();
	s->wall_ns = vmm->t0_ns ? vmm->t_end_ns - vmm->t0_ns : 0;
	s->console_bytes = vmm->console_bytes;
	s->have_status = vmm->have_status;
	s->status = vmm->status;
	s->exit_info = vmm->exit_info;
	s->exit_code = result(vmm, &s->result);
	gctl_vmm_host_timing(vmm, s->host);
	gctl_sink_summary(&vmm->sink, s);
	gctl_sink_flush(&vmm->sink);
	pthread_mutex_unlock(&vmm->lock);
	return s->exit_code;
}

void gctl_vmm_destroy(struct gctl_vmm *vmm)
{
	if (!vmm)
		return;
	if (vmm->threads_started) {
		/* Never leave threads behind: stop and join them. */
		gctl_vmm_kill(vmm, GCTL_STOP_USER);
		for (unsigned int i = 0; i < vmm->nr_vcpus; i++)
			if (vmm->vcpus[i].thread_started)
				pthread_join(vmm->vcpus[i].thread, NULL);
	}
	input_stop(vmm);
	for (unsigned int i = 0; i < vmm->nr_vcpus; i++)
		gh_vcpu_destroy(vmm->vcpus[i].vcpu);
	if (vmm->vm)
		gh_vm_destroy(vmm->vm);
	if (vmm->pl011_ready)
		gctl_pl011_destroy(&vmm->pl011);
	if (vmm->uart_irq_fd >= 0)
		close(vmm->uart_irq_fd);
	if (vmm->console_rfd >= 0)
		close(vmm->console_rfd);
	if (vmm->console_wfd >= 0)
		close(vmm->console_wfd);
	if (vmm->be && gh_backend_is_sim(vmm->be))
		gh_backend_set_log(vmm->be, NULL, NULL);
	if (vmm->event_fd >= 0)
		close(vmm->event_fd);
	pthread_cond_destroy(&vmm->cond);
	pthread_mutex_destroy(&vmm->lock);
	free(vmm);
}
