/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the run engine (vmm.c) reports, and the interface of the writers
 * that show it (output/text.c, output/json.c, the dashboard's counts).
 *
 * The engine builds one struct gctl_exit_record per exit and hands it to
 * a sink.  Records are facts already decided: what the guest did and how
 * gunyahctl answered (resume), so a writer only formats.
 *
 * Threading: exit() and console() are called from vCPU threads, but the
 * engine makes them under its own lock, one at a time and in seq order.
 * regs(), memory(), summary() and flush() may come from the main thread at
 * any time, so each writer also serialises all its output with a mutex of
 * its own: lines never interleave whatever the caller.
 */
#ifndef GCTL_SINK_H
#define GCTL_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gunyah.h"

#define GCTL_MAX_VCPUS 64

/* No resume action: status exits, and exits gunyahctl does not resume. */
#define GCTL_RESUME_NONE (-1)

/* What an exit of each reason says: the exit record's and the dashboard
 * event's (stats.h) alike. */
struct gctl_exit_mmio {
	uint64_t phys_addr;
	uint32_t len;
	bool is_write;
	/* written data, or for a read the value returned to the guest;
	 * little-endian, len bytes valid */
	uint64_t data;
};

struct gctl_exit_status {
	uint32_t status; /* enum gunyah_vm_status */
	struct gunyah_vm_exit_info exit_info;
};

struct gctl_exit_page_fault {
	uint64_t phys_addr;
	int32_t attempt;
};

struct gctl_exit_record {
	uint64_t seq;	     /* 1, 2, ...: order of report, over all vCPUs */
	unsigned int vcpu;
	uint64_t t_ns;	     /* when RUN returned, since the VM started */
	uint32_t reason;     /* GUNYAH_VCPU_EXIT_*, possibly unknown */
	union {
		struct gctl_exit_mmio mmio;
		struct gctl_exit_status status;
		struct gctl_exit_page_fault page_fault;
	};
	int resume;	     /* GUNYAH_VCPU_RESUME_* or GCTL_RESUME_NONE */
	const char *region;  /* name of the --mmio/--uart region, or NULL */
	/* Measured only when the engine is asked to (gctl_vmm_config
	 * .timing), else 0: */
	uint64_t guest_ns;   /* the vCPU was in RUN this long before it */
	/* Always measured: */
	uint64_t host_ns;    /* gunyahctl took this long to answer it */
	/* Not 0: the vCPU took this very exit so many times in a row
	 * (gctl_vmm_config.stuck), reported once, on this record; stuck_pc
	 * its PC where have_pc. */
	uint64_t stuck;
	bool have_pc;
	uint64_t stuck_pc;
};

/* Exit counts of one vCPU (or of all, in gctl_summary.total). */
struct gctl_counters {
	uint64_t exits;
	uint64_t mmio_read;
	uint64_t mmio_write;
	uint64_t page_fault;
	uint64_t status;
	uint64_t unknown;
};

static inline void gctl_counters_add(struct gctl_counters *t,
				     const struct gctl_counters *c)
{
	t->exits += c->exits;
	t->mmio_read += c->mmio_read;
	t->mmio_write += c->mmio_write;
	t->page_fault += c->page_fault;
	t->status += c->status;
	t->unknown += c->unknown;
}

/*
 * The kinds of exit, as the counters, the host times (hist.h), --filter,
 * report and the recording (gunyahctl-record(5), whose numbers these
 * are) tell them apart.
 */
enum gctl_timing_kind {
	GCTL_TK_MMIO_READ,
	GCTL_TK_MMIO_WRITE,
	GCTL_TK_PAGE_FAULT,
	GCTL_TK_STATUS,
	GCTL_TK_UNKNOWN,
	GCTL_TK__COUNT,
};

static inline enum gctl_timing_kind
gctl_exit_kind(const struct gctl_exit_record *r)
{
	switch (r->reason) {
	case GUNYAH_VCPU_EXIT_MMIO:
		return r->mmio.is_write ? GCTL_TK_MMIO_WRITE : GCTL_TK_MMIO_READ;
	case GUNYAH_VCPU_EXIT_PAGE_FAULT:
		return GCTL_TK_PAGE_FAULT;
	case GUNYAH_VCPU_EXIT_STATUS:
		return GCTL_TK_STATUS;
	default:
		return GCTL_TK_UNKNOWN;
	}
}

struct gctl_timing {
	uint64_t n, sum_ns, max_ns, p99_ns; /* avg: sum_ns / n */
};

/*
 * A message of the engine's: a page fault nobody may answer, a stuck
 * vCPU, a failed GUNYAH_VCPU_RUN, what the backend says (the sim: "VM
 * crashed").  Carried as an event so that it comes out after the exits
 * reported before it, on every writer.
 */
#define GCTL_MSG_NO_VCPU UINT32_MAX
struct gctl_message {
	unsigned int vcpu; /* the vCPU it is about, or GCTL_MSG_NO_VCPU */
	const char *text;  /* one line, no newline, no "gunyahctl: run: " */
};

/* How a run ended. */
struct gctl_summary {
	uint64_t wall_ns;	/* VM start to the last vCPU thread's end */
	unsigned int nr_vcpus;
	struct gctl_counters vcpu[GCTL_MAX_VCPUS];
	struct gctl_counters total;
	uint64_t console_bytes;
	bool have_status;	/* a STATUS exit was seen */
	uint32_t status;	/* its enum gunyah_vm_status */
	struct gunyah_vm_exit_info exit_info;
	/* the host's handling time of each kind's exits, all vCPUs */
	struct gctl_timing host[GCTL_TK__COUNT];
	const char *result;	/* "poweroff", "reset", "timeout", ... */
	int exit_code;		/* enum gctl_exit */
	/* --filter: its expression (NULL: none) and the exits it let
	 * through; the counts above stay those of every exit. */
	const char *filter;
	uint64_t shown;
};

/*
 * A sink's operations.  Records are the hot path: every sink takes them
 * one at a time (exit), in runs (exits), or both, and callers hand them
 * over with gctl_sink_exit() and gctl_sink_exits(), inline.  Every other
 * op may be left NULL, and is called through the gctl_sink_*() functions
 * below, which know what NULL means: for a decorator, pass it on
 * unchanged (gctl_sink.next); for a writer, nothing to do (flush: 0;
 * message: standard error).
 */
struct gctl_sink_ops {
	void (*exit)(void *ctx, const struct gctl_exit_record *rec);
	/*
	 * n records, in order, in one call, so that a writer takes its lock
	 * once for all of them: the async queue's writer thread passes on
	 * what it finds this way.
	 */
	void (*exits)(void *ctx, const struct gctl_exit_record *const *recs,
		      size_t n);
	/* Guest console output, a line at a time (or what is left at end). */
	void (*console)(void *ctx, const char *buf, size_t len);
	/* Step mode's answers to "r" and "m". */
	void (*regs)(void *ctx, unsigned int vcpu,
		     const struct gh_sim_regs *regs);
	void (*memory)(void *ctx, uint64_t addr, const void *buf, size_t len);
	void (*summary)(void *ctx, const struct gctl_summary *s);
	/*
	 * The VM crashed with nowhere to take the exception (sim: VBAR_EL1
	 * 0, or the core failed): the details, reported by the engine under
	 * its lock just before that vCPU's STATUS exit.
	 */
	void (*crash)(void *ctx, const struct gh_sim_crash *c);
	/*
	 * An engine message, after every exit reported before it, from any
	 * thread.  Text writers push out those exits, then print it on
	 * standard error as "gunyahctl: run: TEXT"; the JSON writer adds an
	 * "event":"message" line too.
	 */
	void (*message)(void *ctx, const struct gctl_message *m);
	/*
	 * Push out what is buffered: the engine paused or stopped.  0, or
	 * -errno of the first write that failed since the writer began
	 * (output after a failed write is dropped).
	 */
	int (*flush)(void *ctx);
	/*
	 * Writers only, never passed on: have fn(arg) called once, from
	 * whichever thread writes, at the first write that fails, so the
	 * caller can stop a VM whose output is gone instead of running it
	 * for nobody.  fn must not block or call back into the sink.
	 */
	void (*on_write_error)(void *ctx, void (*fn)(void *arg), void *arg);
	void (*destroy)(void *ctx);	/* not passed on: each frees its own */
	/*
	 * Optional, for a decorator that holds records back (the async
	 * queue): have them passed on, before an op goes past it.
	 */
	void (*barrier)(void *ctx);
};

struct gctl_sink {
	const struct gctl_sink_ops *ops;
	void *ctx;
	/*
	 * A decorator's (filter, recorder, control-socket tee, async queue):
	 * the sink it wraps, where every op it leaves NULL goes, so that it
	 * states only the ops it changes.  NULL for a writer.
	 */
	const struct gctl_sink *next;
};

/*
 * The writers, on a file descriptor (outbuf.h says why not stdio).
 * quiet leaves out the per-exit records and the summary
 * (the guest console and errors still show).  0 or -ENOMEM.
 */
int gctl_out_text_new(int fd, bool quiet, struct gctl_sink *out);
int gctl_out_json_new(int fd, bool quiet, struct gctl_sink *out);

/* A record, or a run of them, to whichever of exit() and exits() s has. */
static inline void gctl_sink_exit(const struct gctl_sink *s,
				  const struct gctl_exit_record *rec)
{
	if (s->ops->exit)
		s->ops->exit(s->ctx, rec);
	else
		s->ops->exits(s->ctx, &rec, 1);
}

static inline void gctl_sink_exits(const struct gctl_sink *s,
				   const struct gctl_exit_record *const *recs,
				   size_t n)
{
	if (s->ops->exits) {
		s->ops->exits(s->ctx, recs, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		s->ops->exit(s->ctx, recs[i]);
}

/* The ops other than exit() and exits(), as sink.h's NULL rules say. */
void gctl_sink_console(const struct gctl_sink *s, const char *buf, size_t len);
void gctl_sink_regs(const struct gctl_sink *s, unsigned int vcpu,
		    const struct gh_sim_regs *regs);
void gctl_sink_memory(const struct gctl_sink *s, uint64_t addr,
		      const void *buf, size_t len);
void gctl_sink_summary(const struct gctl_sink *s, const struct gctl_summary *sum);
void gctl_sink_crash(const struct gctl_sink *s, const struct gh_sim_crash *c);
void gctl_sink_message(const struct gctl_sink *s, const struct gctl_message *m);
int gctl_sink_flush(const struct gctl_sink *s);

static inline void gctl_sink_destroy(struct gctl_sink *s)
{
	if (s->ops && s->ops->destroy)
		s->ops->destroy(s->ctx);
	s->ops = NULL;
	s->ctx = NULL;
}

#endif /* GCTL_SINK_H */
