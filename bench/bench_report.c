// SPDX-License-Identifier: GPL-2.0-only
/*
 * The results as a table for people and as JSON for scripts.  A target
 * is judged on medians (for a ratio, the median of each round's ratio):
 * one lucky run must not make a pass.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "bench.h"

static const struct bench_result *find(const struct bench_report *rep,
				       const char *name)
{
	for (unsigned int i = 0; i < rep->nr_results; i++)
		if (!strcmp(rep->results[i].c->name, name))
			return &rep->results[i];
	return NULL;
}

static const char *human(double v, char *buf, size_t len)
{
	if (v >= 1e9)
		snprintf(buf, len, "%.2f G", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, len, "%.2f M", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, len, "%.1f k", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
	return buf;
}

static void print_header(const struct bench_report *rep, FILE *out)
{
	char ver[32];

	fprintf(out,
		"gunyah-bench: %ld CPU%s online, Unicorn %s, CLOCK_MONOTONIC; "
		"%u warm-up + %u timed runs per case, interleaved%s\n\n",
		rep->cpus, rep->cpus == 1 ? "" : "s",
		bench_unicorn_version(ver, sizeof(ver)), rep->warmup, rep->reps,
		rep->scale != 1 ? " (work scaled)" : "");
}

static void print_cases(const struct bench_report *rep, FILE *out)
{
	char med[16], best[16];

	fprintf(out, "%-19s %10s %10s  %-7s  %s\n", "case", "median", "best",
		"unit", "what");
	for (unsigned int i = 0; i < rep->nr_results; i++) {
		const struct bench_result *r = &rep->results[i];

		fprintf(out, "%-19s %10s %10s  %-7s  %s\n", r->c->name,
			human(r->rate_median, med, sizeof(med)),
			human(r->rate_best, best, sizeof(best)), r->c->unit,
			r->c->what);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * The ratio of two cases: the median of the ratios of each round's runs
 * (measured seconds apart, so they share the machine's mood), and the
 * ratio of the two best runs.
 */
static bool ratio_values(const struct bench_report *rep,
			 const struct bench_ratio *q, double *median,
			 double *best)
{
	const struct bench_result *a = find(rep, q->num), *b = find(rep, q->den);
	double r[BENCH_MAX_REPS];
	unsigned int n;

	if (!a || !b)
		return false;
	n = a->nr < b->nr ? a->nr : b->nr;
	for (unsigned int i = 0; i < n; i++)
		r[i] = ((double)a->work / (double)a->ns[i]) /
		       ((double)b->work / (double)b->ns[i]);
	qsort(r, n, sizeof(r[0]), cmp_double);
	*median = n % 2 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
	*best = a->rate_best / b->rate_best;
	return true;
}

static const unsigned int scale_n[] = { 2, 4, 8 };
#define NR_SCALE (sizeof(scale_n) / sizeof(scale_n[0]))

/* Median rate of PREFIX.n over that of PREFIX.1; false if not measured. */
static bool speedup(const struct bench_report *rep, const char *prefix,
		    unsigned int n, double *out)
{
	const struct bench_result *one, *many;
	char name[64];

	snprintf(name, sizeof(name), "%s.1", prefix);
	one = find(rep, name);
	snprintf(name, sizeof(name), "%s.%u", prefix, n);
	many = find(rep, name);
	if (!one || !many)
		return false;
	*out = many->rate_median / one->rate_median;
	return true;
}

static void print_scaling(const struct bench_report *rep, FILE *out)
{
	bool any = false;

	for (unsigned int i = 0; i < rep->nr_scaling; i++) {
		const struct bench_scaling *sc = &rep->scaling[i];
		char cell[NR_SCALE][16];
		bool have = false;
		double x;

		for (unsigned int j = 0; j < NR_SCALE; j++) {
			snprintf(cell[j], sizeof(cell[j]), "-");
			if (speedup(rep, sc->prefix, scale_n[j], &x)) {
				snprintf(cell[j], sizeof(cell[j]), "%.2fx", x);
				have = true;
			}
		}
		if (!have)
			continue;
		if (!any)
			fprintf(out, "\n%-64s %8s %8s %8s\n",
				"scaling (total rate at N / at 1, medians)",
				"N=2", "N=4", "N=8");
		any = true;
		fprintf(out, "%-64s %8s %8s %8s\n", sc->what, cell[0], cell[1],
			cell[2]);
	}
	if (any)
		fprintf(out, "(%ld CPUs online; the host row is what this machine "
			"gives N busy threads right now)\n", rep->cpus);
}

int bench_print(const struct bench_report *rep, FILE *out)
{
	char med[16], best[16], floor[16];
	int missed = 0;
	bool any;

	print_header(rep, out);
	print_cases(rep, out);

	any = false;
	for (unsigned int i = 0; i < rep->nr_ratios; i++) {
		const struct bench_ratio *q = &rep->ratios[i];
		double m, b;

		if (!ratio_values(rep, q, &m, &b))
			continue;
		if (!any)
			fprintf(out, "\n%-64s %8s %8s  %s\n",
				"ratio of rates (median: of each round's)", "median", "best",
				"target");
		any = true;
		fprintf(out, "%-64s %7.1f%% %7.1f%%", q->what, 100 * m, 100 * b);
		if (q->target > 0) {
			fprintf(out, "  >= %.0f%%  %s", 100 * q->target,
				m >= q->target ? "ok" : "MISS");
			missed += m < q->target;
		}
		fputc('\n', out);
	}

	for (unsigned int i = 0; i < rep->nr_floors; i++) {
		const struct bench_floor *f = &rep->floors[i];
		const struct bench_result *r = find(rep, f->name);

		if (!r)
			continue;
		fprintf(out, "%-64s %8s %8s  >= %s  %s\n", f->what,
			human(r->rate_median, med, sizeof(med)),
			human(r->rate_best, best, sizeof(best)),
			human(f->min_rate, floor, sizeof(floor)),
			r->rate_median >= f->min_rate ? "ok" : "MISS");
		missed += r->rate_median < f->min_rate;
	}
	print_scaling(rep, out);
	if (missed)
		fprintf(out, "%d target%s missed (judged on medians)\n", missed,
			missed == 1 ? "" : "s");
	return missed;
}

static json_object *case_json(const struct bench_result *r)
{
	json_object *o = json_object_new_object(), *runs = json_object_new_array();

	for (unsigned int i = 0; i < r->nr; i++)
		json_object_array_add(runs, json_object_new_int64((int64_t)r->ns[i]));
	json_object_object_add(o, "name", json_object_new_string(r->c->name));
	json_object_object_add(o, "what", json_object_new_string(r->c->what));
	json_object_object_add(o, "unit", json_object_new_string(r->c->unit));
	json_object_object_add(o, "vcpus", json_object_new_int((int)r->c->vcpus));
	json_object_object_add(o, "work", json_object_new_int64((int64_t)r->work));
	json_object_object_add(o, "runs_ns", runs);
	json_object_object_add(o, "min_ns", json_object_new_int64((int64_t)r->min_ns));
	json_object_object_add(o, "median_ns",
			       json_object_new_int64((int64_t)r->median_ns));
	json_object_object_add(o, "rate_median", json_object_new_double(r->rate_median));
	json_object_object_add(o, "rate_best", json_object_new_double(r->rate_best));
	return o;
}

static json_object *scaling_json(const struct bench_report *rep)
{
	json_object *arr = json_object_new_array();

	for (unsigned int i = 0; i < rep->nr_scaling; i++) {
		const struct bench_scaling *sc = &rep->scaling[i];
		json_object *o = json_object_new_object(),
			    *sp = json_object_new_object();
		char key[8];
		double x;

		for (unsigned int j = 0; j < NR_SCALE; j++) {
			if (!speedup(rep, sc->prefix, scale_n[j], &x))
				continue;
			snprintf(key, sizeof(key), "%u", scale_n[j]);
			json_object_object_add(sp, key, json_object_new_double(x));
		}
		json_object_object_add(o, "what", json_object_new_string(sc->what));
		json_object_object_add(o, "cases", json_object_new_string(sc->prefix));
		json_object_object_add(o, "speedup", sp);
		json_object_array_add(arr, o);
	}
	return arr;
}

int bench_write_json(const struct bench_report *rep, const char *path,
		     char *err)
{
	json_object *root = json_object_new_object(), *host, *cases, *ratios,
		    *floors;
	struct utsname uts;
	char ver[32];
	int missed = 0, ret;

	host = json_object_new_object();
	json_object_object_add(host, "cpus_online", json_object_new_int64(rep->cpus));
	if (!uname(&uts))
		json_object_object_add(host, "machine",
				       json_object_new_string(uts.machine));
	json_object_object_add(host, "unicorn",
			       json_object_new_string(bench_unicorn_version(ver, sizeof(ver))));
	json_object_object_add(host, "clock", json_object_new_string("CLOCK_MONOTONIC"));
	json_object_object_add(root, "host", host);
	json_object_object_add(root, "reps", json_object_new_int((int)rep->reps));
	json_object_object_add(root, "warmup", json_object_new_int((int)rep->warmup));
	json_object_object_add(root, "scale", json_object_new_double(rep->scale));

	cases = json_object_new_array();
	for (unsigned int i = 0; i < rep->nr_results; i++)
		json_object_array_add(cases, case_json(&rep->results[i]));
	json_object_object_add(root, "cases", cases);

	ratios = json_object_new_array();
	for (unsigned int i = 0; i < rep->nr_ratios; i++) {
		const struct bench_ratio *q = &rep->ratios[i];
		json_object *o;
		double m, b;

		if (!ratio_values(rep, q, &m, &b))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "what", json_object_new_string(q->what));
		json_object_object_add(o, "num", json_object_new_string(q->num));
		json_object_object_add(o, "den", json_object_new_string(q->den));
		json_object_object_add(o, "median", json_object_new_double(m));
		json_object_object_add(o, "best", json_object_new_double(b));
		if (q->target > 0) {
			json_object_object_add(o, "target", json_object_new_double(q->target));
			json_object_object_add(o, "met", json_object_new_boolean(m >= q->target));
			missed += m < q->target;
		}
		json_object_array_add(ratios, o);
	}
	json_object_object_add(root, "ratios", ratios);

	floors = json_object_new_array();
	for (unsigned int i = 0; i < rep->nr_floors; i++) {
		const struct bench_floor *f = &rep->floors[i];
		const struct bench_result *r = find(rep, f->name);
		json_object *o;

		if (!r)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "what", json_object_new_string(f->what));
		json_object_object_add(o, "case", json_object_new_string(f->name));
		json_object_object_add(o, "min_rate", json_object_new_double(f->min_rate));
		json_object_object_add(o, "rate_median",
				       json_object_new_double(r->rate_median));
		json_object_object_add(o, "met",
				       json_object_new_boolean(r->rate_median >= f->min_rate));
		missed += r->rate_median < f->min_rate;
		json_object_array_add(floors, o);
	}
	json_object_object_add(root, "floors", floors);
	json_object_object_add(root, "scaling", scaling_json(rep));
	json_object_object_add(root, "targets_missed", json_object_new_int(missed));

	ret = json_object_to_file_ext(path, root, JSON_C_TO_STRING_PRETTY);
	json_object_put(root);
	if (ret) {
		snprintf(err, BENCH_ERR_LEN, "%s", json_util_get_last_err());
		return -1;
	}
	return missed;
}
