// SPDX-License-Identifier: GPL-2.0-only
/*
 * Records of gunyahctl-json(7) read back into the structs the writers
 * take (json_rec.h).  The reverse of out_json.c: a key out_json.c writes
 * is read here, and a record that does not parse is refused whole.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine/hist.h"
#include "output/json_rec.h"

/* The member key of o, when it has that type (else NULL). */
json_object *gctl_json_get(json_object *o, const char *key, json_type type)
{
	json_object *k;

	if (!json_object_object_get_ex(o, key, &k) ||
	    !json_object_is_type(k, type))
		return NULL;
	return k;
}

bool gctl_json_get_u64(json_object *o, const char *key, uint64_t *v)
{
	json_object *k = gctl_json_get(o, key, json_type_int);
	int64_t i;

	if (!k)
		return false;
	i = json_object_get_int64(k);
	if (i < 0)
		return false;
	*v = (uint64_t)i;
	return true;
}

/* "0x..." strings: addresses, data, reasons. */
bool gctl_json_get_hex(json_object *o, const char *key, uint64_t *v)
{
	const char *s = gctl_json_get_str(o, key);
	char *end;

	if (!s || strncmp(s, "0x", 2) || !s[2])
		return false;
	errno = 0;
	*v = strtoull(s + 2, &end, 16);
	return !errno && !*end;
}

const char *gctl_json_get_str(json_object *o, const char *key)
{
	json_object *k = gctl_json_get(o, key, json_type_string);

	return k ? json_object_get_string(k) : NULL;
}

static bool get_bool(json_object *o, const char *key, bool *v)
{
	json_object *k = gctl_json_get(o, key, json_type_boolean);

	if (!k)
		return false;
	*v = json_object_get_boolean(k);
	return true;
}

static int resume_from(json_object *o, int *resume)
{
	const char *s = gctl_json_get_str(o, "resume");
	int v;

	if (!s)
		return -EINVAL;
	if (!strcmp(s, "none")) {
		*resume = GCTL_RESUME_NONE;
		return 0;
	}
	v = gh_resume_action_from_str(s);
	if (v < 0)
		return -EINVAL;
	*resume = v;
	return 0;
}

int gctl_json_to_status(json_object *o, uint32_t *status,
			struct gunyah_vm_exit_info *ei)
{
	json_object *info = gctl_json_get(o, "exit_info", json_type_object);
	const char *state = gctl_json_get_str(o, "state");
	uint64_t type, size, reason;
	bool found = false;

	if (!info || !state || !gctl_json_get_u64(info, "type_code", &type) ||
	    !gctl_json_get_u64(info, "reason_size", &size) ||
	    !gctl_json_get_hex(info, "reason", &reason) || type > UINT16_MAX)
		return -EINVAL;
	/* The VM statuses are few and small: find the name's number. */
	for (uint32_t v = 0; v < 16 && !found; v++)
		if (!strcmp(gh_vm_status_str(v), state)) {
			*status = v;
			found = true;
		}
	if (!found)
		return -EINVAL;
	memset(ei, 0, sizeof(*ei));
	ei->type = (uint16_t)type;
	ei->reason_size = (uint32_t)(size > UINT32_MAX ? UINT32_MAX : size);
	for (unsigned int i = 0; i < GUNYAH_VM_MAX_EXIT_REASON_SIZE; i++)
		ei->reason[i] = (uint8_t)(reason >> (8 * i));
	return 0;
}

int gctl_json_to_exit(json_object *o, struct gctl_exit_record *r)
{
	const char *exit = gctl_json_get_str(o, "exit");
	uint64_t seq, vcpu, t_ns, v;
	json_object *k;
	int reason;

	memset(r, 0, sizeof(*r));
	r->resume = GCTL_RESUME_NONE;
	if (!exit || !gctl_json_get_u64(o, "seq", &seq) ||
	    !gctl_json_get_u64(o, "vcpu", &vcpu) ||
	    !gctl_json_get_u64(o, "t_ns", &t_ns) || vcpu >= GCTL_MAX_VCPUS)
		return -EINVAL;
	r->seq = seq;
	r->vcpu = (unsigned int)vcpu;
	r->t_ns = t_ns;
	r->region = gctl_json_get_str(o, "region");

	if ((k = gctl_json_get(o, "unknown", json_type_object))) {
		if (!gctl_json_get_u64(k, "exit_reason", &v) || v > UINT32_MAX)
			return -EINVAL;
		r->reason = (uint32_t)v;
		return 0;
	}
	reason = gh_exit_reason_from_str(exit);
	if (reason < 0)
		return -EINVAL;
	r->reason = (uint32_t)reason;
	switch (r->reason) {
	case GUNYAH_VCPU_EXIT_MMIO:
		k = gctl_json_get(o, "mmio", json_type_object);
		if (!k || !gctl_json_get_hex(k, "phys_addr", &r->mmio.phys_addr) ||
		    !gctl_json_get_u64(k, "len", &v) ||
		    !get_bool(k, "is_write", &r->mmio.is_write) ||
		    !gctl_json_get_hex(k, "data", &r->mmio.data) ||
		    v > UINT32_MAX)
			return -EINVAL;
		r->mmio.len = (uint32_t)v;
		return resume_from(o, &r->resume);
	case GUNYAH_VCPU_EXIT_PAGE_FAULT: {
		json_object *a;

		k = gctl_json_get(o, "page_fault", json_type_object);
		if (!k ||
		    !gctl_json_get_hex(k, "phys_addr", &r->page_fault.phys_addr) ||
		    !json_object_object_get_ex(k, "attempt", &a) ||
		    !json_object_is_type(a, json_type_int))
			return -EINVAL;
		r->page_fault.attempt = json_object_get_int(a);
		return resume_from(o, &r->resume);
	}
	case GUNYAH_VCPU_EXIT_STATUS:
		k = gctl_json_get(o, "status", json_type_object);
		if (!k)
			return -EINVAL;
		return gctl_json_to_status(k, &r->status.status,
					   &r->status.exit_info);
	default:
		/* A name the table knows that carries no fields. */
		return 0;
	}
}

int gctl_json_to_counts(json_object *o, struct gctl_counters *c)
{
	memset(c, 0, sizeof(*c));
	if (!gctl_json_get_u64(o, "mmio_read", &c->mmio_read) ||
	    !gctl_json_get_u64(o, "mmio_write", &c->mmio_write) ||
	    !gctl_json_get_u64(o, "page_fault", &c->page_fault) ||
	    !gctl_json_get_u64(o, "status", &c->status) ||
	    !gctl_json_get_u64(o, "unknown", &c->unknown))
		return -EINVAL;
	return 0;
}

int gctl_json_to_host_times(json_object *o, struct gctl_timing t[GCTL_TK__COUNT])
{
	memset(t, 0, GCTL_TK__COUNT * sizeof(*t));
	for (unsigned int k = 0; k < GCTL_TK__COUNT; k++) {
		json_object *e = gctl_json_get(o, gctl_timing_kind_str(k),
					      json_type_object);

		if (!e || !gctl_json_get_u64(e, "exits", &t[k].n) ||
		    !gctl_json_get_u64(e, "total", &t[k].sum_ns) ||
		    !gctl_json_get_u64(e, "p99", &t[k].p99_ns) ||
		    !gctl_json_get_u64(e, "max", &t[k].max_ns))
			return -EINVAL;
	}
	return 0;
}

int gctl_json_to_summary(json_object *o, struct gctl_summary *s)
{
	json_object *counts = gctl_json_get(o, "counts", json_type_object);
	json_object *vcpus, *status, *code, *host;
	uint64_t v;
	size_t n;

	memset(s, 0, sizeof(*s));
	s->result = gctl_json_get_str(o, "result");
	if (!s->result || !counts ||
	    !json_object_object_get_ex(o, "exit_code", &code) ||
	    !json_object_is_type(code, json_type_int) ||
	    !gctl_json_get_u64(o, "wall_ns", &s->wall_ns) ||
	    !gctl_json_get_u64(o, "exits", &v) ||
	    gctl_json_to_counts(counts, &s->total) ||
	    !json_object_object_get_ex(o, "vcpus", &vcpus) ||
	    !json_object_is_type(vcpus, json_type_array))
		return -EINVAL;
	s->exit_code = json_object_get_int(code);
	s->total.exits = v;
	n = json_object_array_length(vcpus);
	if (n > GCTL_MAX_VCPUS)
		return -EINVAL;
	s->nr_vcpus = (unsigned int)n;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(vcpus, i);
		json_object *c = e ? gctl_json_get(e, "counts", json_type_object) : NULL;

		if (!c || gctl_json_to_counts(c, &s->vcpu[i]) ||
		    !gctl_json_get_u64(e, "exits", &s->vcpu[i].exits))
			return -EINVAL;
	}
	if (gctl_json_get_u64(o, "console_bytes", &v))
		s->console_bytes = v;
	/* optional: a VM of an older gunyahctl has none */
	host = gctl_json_get(o, "host_ns", json_type_object);
	if (host && gctl_json_to_host_times(host, s->host))
		return -EINVAL;
	status = gctl_json_get(o, "status", json_type_object);
	if (status) {
		if (gctl_json_to_status(status, &s->status, &s->exit_info))
			return -EINVAL;
		s->have_status = true;
	}
	return 0;
}
