// SPDX-License-Identifier: GPL-2.0-only
/* Stats snapshots as JSON and back (stats_json.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "output/json_rec.h"
#include "ctl/snapshot_json.h"

static void add(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static json_object *u64(uint64_t v)
{
	return json_object_new_int64((int64_t)v);
}

/* ---- out ---------------------------------------------------------------------- */

static json_object *counts_json(const struct gctl_counters *c)
{
	json_object *o = gctl_json_counts(c);

	add(o, "exits", u64(c->exits));
	return o;
}

static json_object *event_json(const struct gctl_stats_event *e)
{
	json_object *o = json_object_new_object();

	add(o, "order", u64(e->order));
	add(o, "seq", u64(e->seq));
	add(o, "t_ns", u64(e->t_ns));
	add(o, "kind", json_object_new_string(gctl_stats_kind_str(e->kind)));
	add(o, "vcpu", e->vcpu == GCTL_STATS_NO_VCPU ? NULL : u64(e->vcpu));
	add(o, "reason", u64(e->reason));
	add(o, "resume", json_object_new_int(e->resume));
	add(o, "region", json_object_new_int(e->region));
	switch (e->kind) {
	case GCTL_EV_MMIO:
		add(o, "mmio", gctl_json_mmio_obj(&e->mmio));
		break;
	case GCTL_EV_STATUS:
		add(o, "status", gctl_json_status(e->status.status,
						  &e->status.exit_info));
		break;
	case GCTL_EV_PAGE_FAULT:
		add(o, "page_fault", gctl_json_page_fault_obj(&e->page_fault));
		break;
	case GCTL_EV_CONSOLE:
	case GCTL_EV_MESSAGE:
		add(o, "text", json_object_new_string(e->text));
		break;
	default:
		break;
	}
	return o;
}

static json_object *events_json(const struct gctl_stats_event *ev,
				unsigned int n)
{
	json_object *a = json_object_new_array();

	for (unsigned int i = 0; i < n; i++)
		json_object_array_add(a, event_json(&ev[i]));
	return a;
}

static json_object *hyp_json(const struct gh_sim_vcpu_stats *h)
{
	json_object *o = json_object_new_object();

	add(o, "state", u64(h->state));
	add(o, "ready", u64(h->ready));
	add(o, "expects_wakeup", u64(h->expects_wakeup));
	add(o, "powered_off", u64(h->powered_off));
	add(o, "blocked", u64(h->blocked));
	add(o, "retry", u64(h->retry));
	add(o, "unknown", u64(h->unknown));
	add(o, "mmio", u64(h->mmio));
	add(o, "page_fault", u64(h->page_fault));
	add(o, "psci", u64(h->psci));
	add(o, "wakeups", u64(h->wakeups));
	add(o, "instructions", u64(h->instructions));
	return o;
}

json_object *gctl_stats_snap_json(const struct gctl_stats_snap *s)
{
	json_object *o = json_object_new_object(), *a, *k;

	add(o, "t_ns", u64(s->t_ns));
	add(o, "uptime_ns", u64(s->uptime_ns));
	add(o, "order", u64(s->order));
	add(o, "vm", json_object_new_string(s->vm));
	add(o, "backend", json_object_new_string(s->backend));
	add(o, "run_state", json_object_new_string(gctl_vmm_state_str(s->run_state)));
	add(o, "console_bytes", u64(s->console_bytes));
	add(o, "host_ns", gctl_json_host_times(s->host));

	a = json_object_new_array();
	for (unsigned int i = 0; i < s->nr_vcpus; i++) {
		const struct gctl_stats_vcpu *v = &s->vcpu[i];

		k = json_object_new_object();
		add(k, "vcpu", u64(i));
		add(k, "state", json_object_new_string(v->state));
		add(k, "counts", counts_json(&v->cnt));
		add(k, "hyp", v->have_hyp ? hyp_json(&v->hyp) : NULL);
		add(k, "events", events_json(v->events, v->nr_events));
		json_object_array_add(a, k);
	}
	add(o, "vcpus", a);

	/* Index 0 is "no region": names from 1 on. */
	a = json_object_new_array();
	for (unsigned int i = 1; i < s->nr_regions; i++)
		json_object_array_add(a, json_object_new_string(s->regions[i]));
	add(o, "regions", a);

	a = json_object_new_array();
	for (unsigned int i = 0; i < s->nr_addrs; i++) {
		const struct gctl_stats_addr *ad = &s->addrs[i];

		k = json_object_new_object();
		add(k, "addr", gctl_json_addr(ad->addr));
		add(k, "vcpu", u64(ad->vcpu));
		add(k, "reads", u64(ad->reads));
		add(k, "writes", u64(ad->writes));
		add(k, "region", json_object_new_int(ad->region));
		json_object_array_add(a, k);
	}
	add(o, "addrs", a);
	add(o, "other_reads", u64(s->other_reads));
	add(o, "other_writes", u64(s->other_writes));

	k = json_object_new_object();
	for (unsigned int kind = 0; kind < GCTL_EV__COUNT; kind++)
		if (s->nr_events[kind])
			add(k, gctl_stats_kind_str(kind),
			    events_json(s->events[kind], s->nr_events[kind]));
	add(o, "events", k);

	add(o, "done", json_object_new_boolean(s->done));
	add(o, "result", s->done ? json_object_new_string(s->result) : NULL);
	add(o, "exit_code", s->done ? json_object_new_int(s->exit_code) : NULL);
	return o;
}

/* ---- in ------------------------------------------------------------------------ */

static bool get_u32(json_object *o, const char *key, uint32_t *v)
{
	uint64_t x;

	if (!gctl_json_get_u64(o, key, &x) || x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

static bool get_int(json_object *o, const char *key, int *v)
{
	json_object *k = gctl_json_get(o, key, json_type_int);

	if (!k)
		return false;
	*v = json_object_get_int(k);
	return true;
}

static bool get_str(json_object *o, const char *key, char *buf, size_t len)
{
	const char *s = gctl_json_get_str(o, key);

	if (!s)
		return false;
	snprintf(buf, len, "%s", s);
	return true;
}

static int kind_from(const char *name)
{
	for (int k = 0; k < GCTL_EV__COUNT; k++)
		if (!strcmp(gctl_stats_kind_str(k), name))
			return k;
	return -1;
}

static int event_from(json_object *o, struct gctl_stats_event *e)
{
	const char *kind = gctl_json_get_str(o, "kind");
	json_object *k;
	uint32_t region;
	int resume;

	memset(e, 0, sizeof(*e));
	if (!kind || kind_from(kind) < 0 || !gctl_json_get_u64(o, "order", &e->order) ||
	    !gctl_json_get_u64(o, "seq", &e->seq) ||
	    !gctl_json_get_u64(o, "t_ns", &e->t_ns) ||
	    !get_u32(o, "reason", &e->reason) || !get_int(o, "resume", &resume) ||
	    !get_u32(o, "region", &region) || region >= GCTL_STATS_MAX_REGIONS)
		return -EINVAL;
	e->kind = (uint32_t)kind_from(kind);
	e->resume = resume;
	e->region = (uint8_t)region;
	if (!get_u32(o, "vcpu", &e->vcpu))
		e->vcpu = GCTL_STATS_NO_VCPU;
	switch (e->kind) {
	case GCTL_EV_MMIO:
		k = gctl_json_get(o, "mmio", json_type_object);
		if (!k || !gctl_json_get_hex(k, "phys_addr", &e->mmio.phys_addr) ||
		    !gctl_json_get_hex(k, "data", &e->mmio.data) ||
		    !get_u32(k, "len", &e->mmio.len) ||
		    !gctl_json_get(k, "is_write", json_type_boolean))
			return -EINVAL;
		e->mmio.is_write = json_object_get_boolean(
			json_object_object_get(k, "is_write"));
		return 0;
	case GCTL_EV_STATUS:
		k = gctl_json_get(o, "status", json_type_object);
		return k ? gctl_json_to_status(k, &e->status.status,
					       &e->status.exit_info) : -EINVAL;
	case GCTL_EV_PAGE_FAULT:
		k = gctl_json_get(o, "page_fault", json_type_object);
		if (!k || !gctl_json_get_hex(k, "phys_addr", &e->page_fault.phys_addr) ||
		    !get_int(k, "attempt", &e->page_fault.attempt))
			return -EINVAL;
		return 0;
	case GCTL_EV_CONSOLE:
	case GCTL_EV_MESSAGE:
		return get_str(o, "text", e->text, sizeof(e->text)) ? 0 : -EINVAL;
	default:
		return 0;
	}
}

/*
 * Each element of the array a, at most max of them, through one(e, i,
 * arg); their number in *n.  -EINVAL: not an array, too long, or an
 * element one() refused.
 */
static int array_each(json_object *a, size_t max, unsigned int *n,
		      int (*one)(json_object *e, size_t i, void *arg),
		      void *arg)
{
	size_t len;

	if (!a || !json_object_is_type(a, json_type_array))
		return -EINVAL;
	len = json_object_array_length(a);
	if (len > max)
		return -EINVAL;
	*n = (unsigned int)len;
	for (size_t i = 0; i < len; i++)
		if (one(json_object_array_get_idx(a, i), i, arg))
			return -EINVAL;
	return 0;
}

static int event_one(json_object *e, size_t i, void *ev)
{
	return event_from(e, &((struct gctl_stats_event *)ev)[i]);
}

/* Up to max events into ev; their number in *n. */
static int events_from(json_object *a, struct gctl_stats_event *ev,
		       unsigned int *n, unsigned int max)
{
	return array_each(a, max, n, event_one, ev);
}

static int counts_from(json_object *o, struct gctl_counters *c)
{
	uint64_t exits;

	if (!o || gctl_json_to_counts(o, c) || !gctl_json_get_u64(o, "exits", &exits))
		return -EINVAL;
	c->exits = exits;
	return 0;
}

static bool get_hyp(json_object *o, const char *key, __u64 *v)
{
	uint64_t x;

	if (!gctl_json_get_u64(o, key, &x))
		return false;
	*v = x;
	return true;
}

static int hyp_from(json_object *o, struct gh_sim_vcpu_stats *h)
{
	uint64_t state;

	memset(h, 0, sizeof(*h));
	if (!gctl_json_get_u64(o, "state", &state) ||
	    !get_hyp(o, "ready", &h->ready) ||
	    !get_hyp(o, "expects_wakeup", &h->expects_wakeup) ||
	    !get_hyp(o, "powered_off", &h->powered_off) ||
	    !get_hyp(o, "blocked", &h->blocked) ||
	    !get_hyp(o, "retry", &h->retry) ||
	    !get_hyp(o, "unknown", &h->unknown) ||
	    !get_hyp(o, "mmio", &h->mmio) ||
	    !get_hyp(o, "page_fault", &h->page_fault) ||
	    !get_hyp(o, "psci", &h->psci) ||
	    !get_hyp(o, "wakeups", &h->wakeups) ||
	    !get_hyp(o, "instructions", &h->instructions))
		return -EINVAL;
	h->state = (uint32_t)state;
	return 0;
}

/* An element of the "vcpus" array; the totals over them. */
static int vcpu_one(json_object *e, size_t i, void *snap)
{
	struct gctl_stats_snap *s = snap;
	struct gctl_stats_vcpu *v = &s->vcpu[i];
	json_object *h;

	if (!get_str(e, "state", v->state, sizeof(v->state)) ||
	    counts_from(gctl_json_get(e, "counts", json_type_object), &v->cnt) ||
	    events_from(gctl_json_get(e, "events", json_type_array),
			v->events, &v->nr_events, GCTL_STATS_RING))
		return -EINVAL;
	v->have_last = v->nr_events > 0;
	if (v->have_last)
		v->last = v->events[v->nr_events - 1];
	h = gctl_json_get(e, "hyp", json_type_object);
	if (h) {
		if (hyp_from(h, &v->hyp))
			return -EINVAL;
		v->have_hyp = true;
	}
	gctl_counters_add(&s->total, &v->cnt);
	return 0;
}

/* An element of the "regions" array: the names after region 0, which
 * has none. */
static int region_one(json_object *r, size_t i, void *snap)
{
	struct gctl_stats_snap *s = snap;

	if (!json_object_is_type(r, json_type_string))
		return -EINVAL;
	snprintf(s->regions[i + 1], sizeof(s->regions[i + 1]), "%s",
		 json_object_get_string(r));
	return 0;
}

/* An element of the "addrs" array, after the regions they name. */
static int addr_one(json_object *e, size_t i, void *snap)
{
	struct gctl_stats_snap *s = snap;
	struct gctl_stats_addr *ad = &s->addrs[i];
	uint32_t region;

	if (!gctl_json_get_hex(e, "addr", &ad->addr) ||
	    !get_u32(e, "vcpu", &ad->vcpu) ||
	    !gctl_json_get_u64(e, "reads", &ad->reads) ||
	    !gctl_json_get_u64(e, "writes", &ad->writes) ||
	    !get_u32(e, "region", &region) || region >= s->nr_regions)
		return -EINVAL;
	ad->region = (uint8_t)region;
	return 0;
}

/* The "regions" array: region 0 has no name, and is not in it. */
static int regions_from(json_object *a, struct gctl_stats_snap *s)
{
	if (array_each(a, GCTL_STATS_MAX_REGIONS - 1, &s->nr_regions,
		       region_one, s))
		return -EINVAL;
	s->nr_regions++;
	return 0;
}

int gctl_stats_snap_from_json(json_object *o, struct gctl_stats_snap *s)
{
	char state[16];
	int run_state;
	json_object *k;

	memset(s, 0, sizeof(*s));
	if (!gctl_json_get_u64(o, "t_ns", &s->t_ns) ||
	    !gctl_json_get_u64(o, "uptime_ns", &s->uptime_ns) ||
	    !gctl_json_get_u64(o, "order", &s->order) ||
	    !gctl_json_get_u64(o, "console_bytes", &s->console_bytes) ||
	    !get_str(o, "vm", s->vm, sizeof(s->vm)) ||
	    !get_str(o, "backend", s->backend, sizeof(s->backend)) ||
	    !get_str(o, "run_state", state, sizeof(state)) ||
	    (run_state = gctl_vmm_state_parse(state)) < 0)
		return -EINVAL;
	s->run_state = (enum gctl_vmm_state)run_state;
	if (array_each(gctl_json_get(o, "vcpus", json_type_array),
		       GCTL_MAX_VCPUS, &s->nr_vcpus, vcpu_one, s) ||
	    regions_from(gctl_json_get(o, "regions", json_type_array), s) ||
	    array_each(gctl_json_get(o, "addrs", json_type_array),
		       GCTL_STATS_MAX_ADDRS, &s->nr_addrs, addr_one, s))
		return -EINVAL;
	if (!gctl_json_get_u64(o, "other_reads", &s->other_reads) ||
	    !gctl_json_get_u64(o, "other_writes", &s->other_writes))
		return -EINVAL;

	k = gctl_json_get(o, "events", json_type_object);
	if (!k)
		return -EINVAL;
	for (unsigned int kind = 0; kind < GCTL_EV__COUNT; kind++) {
		json_object *e;

		if (json_object_object_get_ex(k, gctl_stats_kind_str(kind), &e) &&
		    events_from(e, s->events[kind], &s->nr_events[kind],
				GCTL_STATS_RING))
			return -EINVAL;
	}

	k = gctl_json_get(o, "host_ns", json_type_object);
	if (!k || gctl_json_to_host_times(k, s->host))
		return -EINVAL;

	k = gctl_json_get(o, "done", json_type_boolean);
	if (!k)
		return -EINVAL;
	s->done = json_object_get_boolean(k);
	if (s->done && (!get_str(o, "result", s->result, sizeof(s->result)) ||
			!get_int(o, "exit_code", &s->exit_code)))
		return -EINVAL;
	return 0;
}
