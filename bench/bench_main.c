// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyah-bench: run every case once to warm up, then --reps times more,
 * one repetition of every case after another (interleaved, so a machine
 * that slows down part-way slows all cases alike), and report min and
 * median per case and the ratios between cases.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MMIO_WORK 1000000ull	    /* exits per run */
#define COMPUTE_WORK 100000000ull   /* loop iterations per run */
#define HOST_WORK 300000000ull

#define STACK_MMIO(n)                                                       \
	{ "mmio.stack." #n,                                                 \
	  "full stack, vCPUs: " #n "; guest stores, sim, seam, run loop, resume", \
	  "exits/s", bench_stack_mmio, n, MMIO_WORK }
#define HOST_SPIN(n)                                                        \
	{ "host.spin." #n, "host, threads: " #n "; plain C loop, no sharing", \
	  "loops/s", bench_host_spin, n, HOST_WORK }
#define STACK_COMPUTE(n)                                                    \
	{ "compute.stack." #n,                                              \
	  "full stack, vCPUs: " #n "; ALU loop, no exits, 5 ms time slices",  \
	  "insn/s", bench_stack_compute, n, COMPUTE_WORK }

static const struct bench_case cases[] = {
	{ "mmio.raw_unmapped",
	  "bare Unicorn: stop on unmapped store + no-op mem hook, PC += 4",
	  "exits/s", bench_raw_mmio_unmapped, 1, MMIO_WORK },
	{ "mmio.raw_mmio_map",
	  "bare Unicorn: uc_mmio_map write callback, stop at next block",
	  "exits/s", bench_raw_mmio_map, 1, MMIO_WORK },
	{ "mmio.raw_fast",
	  "bare Unicorn, fastest: uc_mmio_map, exact stop on the store, PC += 4",
	  "exits/s", bench_raw_mmio_fast, 1, MMIO_WORK },
	STACK_MMIO(1), STACK_MMIO(2), STACK_MMIO(4), STACK_MMIO(8),
	{ "mmio.sigmask.1",
	  "full stack, 1 vCPU, no kick signals: a mask switch every RUN",
	  "exits/s", bench_stack_mmio_sigmask, 1, MMIO_WORK },
	{ "compute.raw", "bare Unicorn: the same ALU loop, no hooks in it",
	  "insn/s", bench_raw_compute, 1, COMPUTE_WORK },
	{ "compute.raw_hooks",
	  "bare Unicorn + a block and a no-op mem hook (the sim's before issue 19)",
	  "insn/s", bench_raw_compute_hooks, 1, COMPUTE_WORK },
	STACK_COMPUTE(1), STACK_COMPUTE(2), STACK_COMPUTE(4), STACK_COMPUTE(8),
	HOST_SPIN(1), HOST_SPIN(2), HOST_SPIN(4), HOST_SPIN(8),
};

static const struct bench_ratio ratios[] = {
	{ "MMIO exits: full stack / bare Unicorn unmapped stop (baseline)",
	  "mmio.stack.1", "mmio.raw_unmapped", 0.40 },
	{ "MMIO exits: full stack / bare Unicorn uc_mmio_map (plainer)",
	  "mmio.stack.1", "mmio.raw_mmio_map", 0 },
	{ "MMIO exits: full stack / fastest bare Unicorn loop (issue 19)",
	  "mmio.stack.1", "mmio.raw_fast", 0.60 },
	{ "MMIO exits: without kick signals / with",
	  "mmio.sigmask.1", "mmio.stack.1", 0 },
	{ "compute: full stack / bare Unicorn, no hooks (issue 19: 0.8)",
	  "compute.stack.1", "compute.raw", 0.80 },
	{ "compute: bare Unicorn with a block + no-op mem hook / without",
	  "compute.raw_hooks", "compute.raw", 0 },
};

/* Total rate at N vCPUs (threads) over the rate at 1, for N = 2, 4, 8. */
static const struct bench_scaling scaling[] = {
	{ "host: plain C loop, N threads", "host.spin" },
	{ "full stack: MMIO exits, N vCPUs", "mmio.stack" },
	{ "full stack: ALU loop, N vCPUs", "compute.stack" },
};

static const struct bench_floor floors[] = {
	{ "MMIO exits/s, full stack, 1 vCPU", "mmio.stack.1", 1e6 },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct options {
	unsigned int reps;
	double scale;
	const char *json;
	const char *filter;
	const char *guest_dir;
	bool strict;
};

static const struct argp_option options[] = {
	{ "reps", 'r', "N", 0, "timed runs per case (default 7)", 0 },
	{ "scale", 's', "F", 0, "multiply every case's work by F (default 1)", 0 },
	{ "json", 'j', "FILE", 0, "also write the results to FILE", 0 },
	{ "filter", 'f', "WORD", 0, "only cases whose name contains WORD", 0 },
	{ "guest-dir", 'g', "DIR", 0,
	  "build directory holding tests/guests/*.bin (default build)", 0 },
	{ "strict", 'S', NULL, 0, "exit 1 if a target is missed", 0 },
	{ 0 }
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct options *o = state->input;
	char *end;

	switch (key) {
	case 'r':
		o->reps = (unsigned int)strtoul(arg, &end, 10);
		if (*end || o->reps < 1 || o->reps > BENCH_MAX_REPS)
			argp_error(state, "--reps: 1 to %d", BENCH_MAX_REPS);
		return 0;
	case 's':
		o->scale = strtod(arg, &end);
		if (*end || !(o->scale > 0 && o->scale <= 1000))
			argp_error(state, "--scale: a number in (0, 1000]");
		return 0;
	case 'j':
		o->json = arg;
		return 0;
	case 'f':
		o->filter = arg;
		return 0;
	case 'g':
		o->guest_dir = arg;
		return 0;
	case 'S':
		o->strict = true;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void summarise(struct bench_result *r)
{
	uint64_t sorted[BENCH_MAX_REPS];

	memcpy(sorted, r->ns, r->nr * sizeof(sorted[0]));
	qsort(sorted, r->nr, sizeof(sorted[0]), cmp_u64);
	r->min_ns = sorted[0];
	r->median_ns = r->nr % 2 ? sorted[r->nr / 2] :
				   (sorted[r->nr / 2 - 1] + sorted[r->nr / 2]) / 2;
	r->rate_median = (double)r->work * 1e9 / (double)r->median_ns;
	r->rate_best = (double)r->work * 1e9 / (double)r->min_ns;
}

/* What a child sends back through its pipe. */
struct child_result {
	int ret;
	struct bench_sample s;
	char err[BENCH_ERR_LEN];
};

/*
 * Each run in a child process of its own: a case then starts from the
 * same address space every time, not from whatever the cases before it
 * left (a bare Unicorn engine made after a few hundred others runs its
 * tight loops up to three times slower here, for no reason of its own).
 */
static int run_in_child(const struct bench_case *c,
			const struct bench_params *p, struct bench_sample *s,
			char *err)
{
	struct child_result cr = { .ret = -1 };
	int fds[2], status;
	ssize_t n = 0, got;
	pid_t pid;

	if (pipe(fds)) {
		snprintf(err, BENCH_ERR_LEN, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, BENCH_ERR_LEN, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		cr.ret = c->run(p, &cr.s, cr.err);
		if (write(fds[1], &cr, sizeof(cr)) != sizeof(cr))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	while (n < (ssize_t)sizeof(cr)) {
		got = read(fds[0], (char *)&cr + n, sizeof(cr) - (size_t)n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += got;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(cr)) {
		snprintf(err, BENCH_ERR_LEN, "the run died (status %#x)", status);
		return -1;
	}
	if (cr.ret)
		snprintf(err, BENCH_ERR_LEN, "%s", cr.err);
	*s = cr.s;
	return cr.ret;
}

/* One run of case r; the first (warm-up) is not recorded. */
static int run_once(const struct options *o, struct bench_result *r,
		    bool record)
{
	const struct bench_case *c = r->c;
	struct bench_params p = {
		.guest_dir = o->guest_dir,
		.vcpus = c->vcpus,
		.work = (uint64_t)((double)c->work * o->scale),
	};
	struct bench_sample s = { 0 };
	char err[BENCH_ERR_LEN] = "";

	if (p.work < c->vcpus)
		p.work = c->vcpus;
	if (run_in_child(c, &p, &s, err)) {
		fprintf(stderr, "gunyah-bench: %s: %s\n", c->name, err);
		return -1;
	}
	if (s.ns == 0)
		s.ns = 1;
	if (!record)
		return 0;
	if (r->nr && s.work != r->work) {
		fprintf(stderr, "gunyah-bench: %s: work changed between runs\n",
			c->name);
		return -1;
	}
	r->work = s.work;
	r->ns[r->nr++] = s.ns;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		options, parse_opt, NULL,
		"Benchmarks of libgunyah and the sim against bare Unicorn, "
		"measured in the same run.", NULL, NULL, NULL
	};
	struct options o = { .reps = 7, .scale = 1, .guest_dir = "build" };
	struct bench_result results[ARRAY_SIZE(cases)] = { 0 };
	struct bench_report rep = { 0 };
	unsigned int n = 0;
	int missed;

	argp_parse(&argp, argc, argv, 0, NULL, &o);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (!o.filter || strstr(cases[i].name, o.filter))
			results[n++].c = &cases[i];
	if (!n) {
		fprintf(stderr, "gunyah-bench: no case matches '%s'\n", o.filter);
		return 64;
	}

	for (unsigned int rep_i = 0; rep_i <= o.reps; rep_i++) {
		fprintf(stderr, "\rgunyah-bench: %s %u/%u ",
			rep_i ? "run" : "warm-up", rep_i, o.reps);
		for (unsigned int i = 0; i < n; i++)
			if (run_once(&o, &results[i], rep_i > 0))
				return 1;
	}
	fprintf(stderr, "\n");
	for (unsigned int i = 0; i < n; i++)
		summarise(&results[i]);

	rep = (struct bench_report){
		.reps = o.reps, .warmup = 1, .scale = o.scale,
		.cpus = sysconf(_SC_NPROCESSORS_ONLN),
		.results = results, .nr_results = n,
		.ratios = ratios, .nr_ratios = ARRAY_SIZE(ratios),
		.floors = floors, .nr_floors = ARRAY_SIZE(floors),
		.scaling = scaling, .nr_scaling = ARRAY_SIZE(scaling),
	};
	missed = bench_print(&rep, stdout);
	if (o.json) {
		char err[BENCH_ERR_LEN];

		if (bench_write_json(&rep, o.json, err) < 0) {
			fprintf(stderr, "gunyah-bench: %s: %s\n", o.json, err);
			return 1;
		}
	}
	return o.strict && missed ? 1 : 0;
}
