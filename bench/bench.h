/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Benchmarks: each case is one timed run of a guest program, either on the
 * full stack (libgunyah's seam, the sim, a run loop answering exits) or on
 * bare Unicorn as the baseline.  Machines are noisy, so no figure stands
 * alone: the report gives ratios of cases measured in the same run, with
 * the cases' repetitions interleaved so drift hits all of them alike.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BENCH_MAX_REPS 64
#define BENCH_ERR_LEN 1024

/* Guest RAM, as the unit tests' fixtures have it. */
#define BENCH_RAM_SIZE (16ull << 20)
#define BENCH_MMIO_BASE 0x09000000ull
#define BENCH_MMIO_REPORT 0x09000100ull

/* What a case is asked to do. */
struct bench_params {
	const char *guest_dir;	/* where tests/guests/NAME.bin are */
	unsigned int vcpus;
	uint64_t work;		/* exits or loop iterations, over all vCPUs */
};

/* One timed run: how much was done in how long. */
struct bench_sample {
	uint64_t ns;
	uint64_t work;		/* in the case's unit: exits, instructions */
};

/* 0, or -1 with a reason in err. */
typedef int (*bench_fn)(const struct bench_params *p, struct bench_sample *s,
			char *err);

struct bench_case {
	const char *name;
	const char *what;	/* one line for the table */
	const char *unit;	/* "exits/s", "insn/s" */
	bench_fn run;
	unsigned int vcpus;
	uint64_t work;		/* at scale 1 */
};

/* A ratio num/den of two cases' rates, with an optional target. */
struct bench_ratio {
	const char *what;
	const char *num, *den;
	double target;		/* 0: informative */
};

/* An absolute floor for a case's rate. */
struct bench_floor {
	const char *what;
	const char *name;
	double min_rate;
};

/* Scaling of the cases PREFIX.1, PREFIX.2, PREFIX.4, PREFIX.8. */
struct bench_scaling {
	const char *what;
	const char *prefix;
};

/* What a case measured: work per run and the run times, in run order. */
struct bench_result {
	const struct bench_case *c;
	uint64_t work;
	unsigned int nr;
	uint64_t ns[BENCH_MAX_REPS];
	uint64_t min_ns, median_ns;
	double rate_median, rate_best; /* work per second */
};

struct bench_report {
	unsigned int reps, warmup;
	double scale;
	long cpus;
	const struct bench_result *results;
	unsigned int nr_results;
	const struct bench_ratio *ratios;
	unsigned int nr_ratios;
	const struct bench_floor *floors;
	unsigned int nr_floors;
	const struct bench_scaling *scaling;
	unsigned int nr_scaling;
};

/* bench_report.c: print the table; write the JSON.  Both return the
 * number of targets missed (JSON: or -1 if the file cannot be written). */
int bench_print(const struct bench_report *rep, FILE *out);
int bench_write_json(const struct bench_report *rep, const char *path,
		     char *err);

uint64_t bench_now_ns(void);
/* Read guest_dir/tests/guests/name.bin into buf (size bytes at most). */
int bench_load_guest(const char *guest_dir, const char *name, void *buf,
		     size_t size, char *err);
/* The host's value of smp_compute's checksum for vCPU id after n loops. */
uint64_t bench_alu_checksum(unsigned int id, uint64_t n);

/* bench_raw.c: bare Unicorn */
int bench_raw_mmio_unmapped(const struct bench_params *p,
			    struct bench_sample *s, char *err);
int bench_raw_mmio_map(const struct bench_params *p, struct bench_sample *s,
		       char *err);
int bench_raw_mmio_fast(const struct bench_params *p, struct bench_sample *s,
			char *err);
int bench_raw_compute(const struct bench_params *p, struct bench_sample *s,
		      char *err);
int bench_raw_compute_hooks(const struct bench_params *p,
			    struct bench_sample *s, char *err);
const char *bench_unicorn_version(char *buf, size_t len);

/* bench_host.c: the host's own parallelism, p->vcpus threads */
int bench_host_spin(const struct bench_params *p, struct bench_sample *s,
		    char *err);

/* bench_stack.c: libgunyah on the sim */
int bench_stack_mmio(const struct bench_params *p, struct bench_sample *s,
		     char *err);
int bench_stack_compute(const struct bench_params *p, struct bench_sample *s,
			char *err);
/* bench_stack_mmio without kick signals: a mask switch on every RUN */
int bench_stack_mmio_sigmask(const struct bench_params *p,
			     struct bench_sample *s, char *err);

#endif /* BENCH_H */
