/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Live exit statistics: the model behind the dashboard (dashboard.h) and
 * anything else that shows counters of a running VM.
 *
 * A struct gctl_stats is fed exit records, console lines and messages
 * (from vCPU threads, through the sink gctl_stats_sink() makes), and
 * hands out snapshots: plain structs with no pointers, so a snapshot can
 * as well come from another process, and everything a view derives from
 * one (rates, a reset baseline, the top addresses, the recent events, an
 * event as text) is a pure function of snapshots, below.
 *
 * Cost to the vCPU threads: one uncontended mutex and bounded work per
 * record (counters, an open-addressing table of MMIO addresses, a slot
 * in a ring); no allocation, no formatting, no I/O.  A snapshot holds the
 * mutex for one copy of fixed-size arrays and sorts after letting go.
 *
 * What is kept:
 *   - exits per vCPU and kind (struct gctl_counters), console bytes;
 *   - per (vCPU, MMIO address): reads and writes, and the region name,
 *     for up to GCTL_STATS_MAX_ADDRS pairs (more are counted as "other");
 *   - the last GCTL_STATS_RING exits of each vCPU (so a view focused on
 *     one finds its exits among those of busier vCPUs);
 *   - the last GCTL_STATS_RING events of each kind but MMIO (so a filter
 *     by kind still finds the rare ones among millions of MMIO exits);
 *     MMIO exits are only in the vCPUs' rings, which saves a copy of
 *     the bulk of them.  gctl_stats_recent() looks in both.
 */
#ifndef GCTL_STATS_H
#define GCTL_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/run_state.h"
#include "engine/sink.h"

#define GCTL_STATS_MAX_ADDRS 768  /* (vCPU, address) pairs tracked */
#define GCTL_STATS_RING 32	  /* recent events kept per kind */
#define GCTL_STATS_TEXT_MAX 96	  /* a console line or message, with NUL */
#define GCTL_STATS_NAME_MAX 32	  /* a region name, with NUL */
#define GCTL_STATS_MAX_REGIONS 48 /* distinct region names; index 0 = none */
#define GCTL_STATS_STATE_MAX 12	  /* a vCPU state word, with NUL */
#define GCTL_STATS_NO_VCPU UINT32_MAX /* console lines, messages */
#define GCTL_STATS_ANY_VCPU (UINT32_MAX - 1) /* an address several touched */

enum gctl_stats_kind {
	GCTL_EV_MMIO,
	GCTL_EV_PAGE_FAULT,
	GCTL_EV_STATUS,
	GCTL_EV_UNKNOWN,  /* an exit reason the ABI does not define */
	GCTL_EV_CONSOLE,  /* a line the guest wrote to its UART */
	GCTL_EV_MESSAGE,  /* a diagnostic of gunyahctl's (stderr) */
	GCTL_EV__COUNT,
};

#define GCTL_EV_ALL ((1u << GCTL_EV__COUNT) - 1)

struct gctl_stats_event {
	uint64_t order;	 /* 1, 2, ...: over every kind, in arrival order */
	uint64_t seq;	 /* the exit's seq (sink.h); 0 for text events */
	uint64_t t_ns;	 /* since the VM started: the exit's time, or when a
			  * text event came */
	uint32_t kind;	 /* enum gctl_stats_kind */
	uint32_t vcpu;	 /* or GCTL_STATS_NO_VCPU */
	uint32_t reason; /* GUNYAH_VCPU_EXIT_* */
	int32_t resume;	 /* GUNYAH_VCPU_RESUME_* or GCTL_RESUME_NONE */
	uint8_t region;	 /* index into gctl_stats_snap.regions; 0 none */
	union {
		struct gctl_exit_mmio mmio;
		struct gctl_exit_status status;
		struct gctl_exit_page_fault page_fault;
		char text[GCTL_STATS_TEXT_MAX]; /* printable, no newline */
	};
};

struct gctl_stats_addr {
	uint64_t addr;
	uint64_t reads, writes;
	uint32_t vcpu;	/* or GCTL_STATS_ANY_VCPU once aggregated */
	uint8_t region; /* index into gctl_stats_snap.regions; 0 none */
};

struct gctl_stats_vcpu {
	struct gctl_counters cnt;
	bool have_last;
	struct gctl_stats_event last; /* its last exit */
	unsigned int nr_events;	      /* its last exits, oldest first */
	struct gctl_stats_event events[GCTL_STATS_RING];
	/* Filled by the snapshot's source, not by gctl_stats_snapshot: */
	char state[GCTL_STATS_STATE_MAX]; /* running, idle, off, paused... */
	bool have_hyp;			  /* the hypervisor's counts (sim) */
	struct gh_sim_vcpu_stats hyp;
};

struct gctl_stats_snap {
	uint64_t t_ns;	    /* when taken, CLOCK_MONOTONIC: for rates */
	uint64_t uptime_ns; /* since the VM started (or, before its first
			     * exit, the stats did); at the end, the run's */
	uint64_t order;	    /* events so far */
	unsigned int nr_vcpus;
	struct gctl_counters total;
	struct gctl_stats_vcpu vcpu[GCTL_MAX_VCPUS];
	uint64_t console_bytes;

	unsigned int nr_regions; /* names [1, nr_regions) are used */
	char regions[GCTL_STATS_MAX_REGIONS][GCTL_STATS_NAME_MAX];

	unsigned int nr_addrs;	 /* sorted by (vcpu, addr) */
	struct gctl_stats_addr addrs[GCTL_STATS_MAX_ADDRS];
	uint64_t other_reads, other_writes; /* pairs beyond the table */

	/* Each kind's last events, oldest first (none for GCTL_EV_MMIO). */
	unsigned int nr_events[GCTL_EV__COUNT];
	struct gctl_stats_event events[GCTL_EV__COUNT][GCTL_STATS_RING];

	/* How the run ended (gctl_stats_summary), once it has. */
	bool done;
	char result[16];
	int exit_code;

	/* Filled by the snapshot's source, not by gctl_stats_snapshot: */
	struct gctl_timing host[GCTL_TK__COUNT]; /* since the VM started */
	char vm[64];	   /* what runs: an image, a VM name */
	char backend[16];  /* sim, dev */
	enum gctl_vmm_state run_state;
};

struct gctl_stats;

/* 0, or -ENOMEM.  nr_vcpus at most GCTL_MAX_VCPUS. */
int gctl_stats_new(unsigned int nr_vcpus, struct gctl_stats **out);
void gctl_stats_free(struct gctl_stats *st);

/* Feeding, from any thread. */
void gctl_stats_exit(struct gctl_stats *st, const struct gctl_exit_record *rec);
void gctl_stats_console(struct gctl_stats *st, const char *buf, size_t len);
void gctl_stats_message(struct gctl_stats *st, const char *buf, size_t len);
void gctl_stats_summary(struct gctl_stats *st, const struct gctl_summary *s);
/*
 * Write to fd the engine messages that came through the sink
 * (gctl_stats_sink), as standard error would have shown them: the
 * dashboard has them as events, the terminal gets them once it is back.
 * 0 or -errno.
 */
int gctl_stats_said(struct gctl_stats *st, int fd);

/*
 * A sink (sink.h) that feeds st: exits, console and summary.  It does not
 * own st; destroying it leaves st alone.
 */
void gctl_stats_sink(struct gctl_stats *st, struct gctl_sink *out);

/* Fill out (the source's fields are left empty). */
void gctl_stats_snapshot(struct gctl_stats *st, struct gctl_stats_snap *out);

/* ---- derived from snapshots: pure functions ---------------------------- */

struct gctl_stats_rates {
	double total;			/* exits/s */
	double vcpu[GCTL_MAX_VCPUS];
};

/* Exits per second between two snapshots of the same source (0s if the
 * interval is empty or the counts went back). */
void gctl_stats_rates(const struct gctl_stats_snap *prev,
		      const struct gctl_stats_snap *cur,
		      struct gctl_stats_rates *out);

/*
 * Take a baseline off: counts become counts since base was taken, and
 * only events newer than base remain.  Last exits and the source's
 * fields stay.  For a "reset" that costs the counting side nothing.
 */
void gctl_stats_sub(struct gctl_stats_snap *cur,
		    const struct gctl_stats_snap *base);

/*
 * The MMIO addresses of vcpu (or, for GCTL_STATS_ANY_VCPU, of all vCPUs
 * added up per address), busiest first.  out has room for
 * GCTL_STATS_MAX_ADDRS; returns how many it holds.
 */
unsigned int gctl_stats_top_addrs(const struct gctl_stats_snap *s,
				  uint32_t vcpu, struct gctl_stats_addr *out);

/*
 * The last max events whose kind is in kinds (a mask of 1 << kind) and,
 * unless vcpu is GCTL_STATS_ANY_VCPU, of that vCPU (text events, which
 * belong to none, always pass), oldest first.  Returns how many.
 */
unsigned int gctl_stats_recent(const struct gctl_stats_snap *s,
			       unsigned int kinds, uint32_t vcpu,
			       const struct gctl_stats_event **out,
			       unsigned int max);

/*
 * An event as one line: an exit as the text writer words it
 * (output/exit_fmt.h), without the vCPU and seq the caller has; a
 * console line or message as "console TEXT", "message TEXT".
 */
void gctl_stats_event_str(const struct gctl_stats_snap *s,
			  const struct gctl_stats_event *e, char *buf,
			  size_t len);

const char *gctl_stats_kind_str(enum gctl_stats_kind kind);
/* The region name of an index, or NULL for none. */
const char *gctl_stats_region(const struct gctl_stats_snap *s,
			      unsigned int idx);

#endif /* GCTL_STATS_H */
