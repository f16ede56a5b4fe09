// SPDX-License-Identifier: GPL-2.0-only
/*
 * What report reads: a record, or the JSON Lines of run --json (whose
 * exits have no times: the table then shows counts only).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analysis/report.h"

struct gctl_report_input {
	struct gctl_rec_reader *rec;
	char result[32];
	/* JSON: the last region name seen per record (interned by report) */
};

void gctl_report_input_free(struct gctl_report_input *in)
{
	if (!in)
		return;
	gctl_rec_close(in->rec);
	free(in);
}

static int read_record(struct gctl_report *r, const char *path,
		       struct gctl_report_source *src,
		       struct gctl_report_input *in, char *err, size_t errlen)
{
	const struct gctl_rec_config *cfg;
	struct gctl_rec_item it;
	int ret;

	ret = gctl_rec_open(path, &in->rec, err, errlen);
	if (ret)
		return ret;
	cfg = gctl_rec_config(in->rec);
	src->format = "record";
	src->cfg = cfg;
	src->have_times = !cfg->attach; /* attach's times are zero */
	while ((ret = gctl_rec_next(in->rec, &it, err, errlen)) > 0) {
		if (it.kind == GCTL_REC_ITEM_GAP) {
			src->gaps++;
			src->lost += it.gap_lost;
			continue;
		}
		if (it.kind == GCTL_REC_ITEM_SUMMARY) {
			src->have_summary = true;
			src->wall_ns = it.summary.wall_ns;
			src->summary = it.summary.total;
			snprintf(in->result, sizeof(in->result), "%s",
				 it.summary.result);
			src->result = in->result;
			continue;
		}
		if (it.exit.reason == GUNYAH_VCPU_EXIT_MMIO)
			it.exit.region = gctl_rec_region(cfg, it.exit.mmio.phys_addr);
		else if (it.exit.reason == GUNYAH_VCPU_EXIT_PAGE_FAULT)
			it.exit.region = gctl_rec_region(cfg,
							 it.exit.page_fault.phys_addr);
		ret = gctl_report_add(r, &it.exit);
		if (ret) {
			snprintf(err, errlen, "%s", strerror(-ret));
			return ret;
		}
	}
	src->truncated = gctl_rec_truncated(in->rec);
	return ret;
}

static uint64_t num(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (json_object_is_type(v, json_type_string))
		return strtoull(json_object_get_string(v), NULL, 0);
	return (uint64_t)json_object_get_int64(v);
}

static json_object *sub(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* One exit object of run --json into e.  The region: it keeps it. */
static void json_exit(json_object *o, struct gctl_exit_record *e, bool *times)
{
	const char *kind = json_object_get_string(sub(o, "exit"));
	json_object *m;

	memset(e, 0, sizeof(*e));
	e->seq = num(o, "seq");
	e->vcpu = (unsigned int)num(o, "vcpu");
	e->t_ns = num(o, "t_ns");
	if (sub(o, "host_ns")) {
		*times = true;
		e->host_ns = num(o, "host_ns");
		e->guest_ns = num(o, "guest_ns");
	}
	if (!kind) {
		e->reason = UINT32_MAX;
	} else if (!strcmp(kind, "mmio") && (m = sub(o, "mmio"))) {
		e->reason = GUNYAH_VCPU_EXIT_MMIO;
		e->mmio.phys_addr = num(m, "phys_addr");
		e->mmio.len = (uint32_t)num(m, "len");
		e->mmio.is_write = json_object_get_boolean(sub(m, "is_write"));
	} else if (!strcmp(kind, "page_fault") && (m = sub(o, "page_fault"))) {
		e->reason = GUNYAH_VCPU_EXIT_PAGE_FAULT;
		e->page_fault.phys_addr = num(m, "phys_addr");
	} else if (!strcmp(kind, "status")) {
		e->reason = GUNYAH_VCPU_EXIT_STATUS;
	} else {
		e->reason = UINT32_MAX;
	}
	e->region = json_object_get_string(sub(o, "region"));
}

static void json_summary(json_object *o, struct gctl_report_source *src,
			 struct gctl_report_input *in)
{
	json_object *c = sub(o, "counts");

	src->have_summary = true;
	src->wall_ns = num(o, "wall_ns");
	snprintf(in->result, sizeof(in->result), "%s",
		 json_object_get_string(sub(o, "result")) ?: "");
	src->result = in->result;
	src->summary.exits = num(o, "exits");
	if (c) {
		src->summary.mmio_read = num(c, "mmio_read");
		src->summary.mmio_write = num(c, "mmio_write");
		src->summary.page_fault = num(c, "page_fault");
		src->summary.status = num(c, "status");
		src->summary.unknown = num(c, "unknown");
	}
}

static int read_json(struct gctl_report *r, FILE *f,
		     struct gctl_report_source *src,
		     struct gctl_report_input *in, char *err, size_t errlen)
{
	json_tokener *tok = json_tokener_new();
	char *line = NULL;
	size_t cap = 0;
	uint64_t nr = 0;
	ssize_t len;
	int ret = 0;

	if (!tok)
		return -ENOMEM;
	src->format = "json";
	while ((len = getline(&line, &cap, f)) > 0) {
		struct gctl_exit_record e;
		json_object *o;

		nr++;
		json_tokener_reset(tok);
		o = json_tokener_parse_ex(tok, line, (int)len);
		if (!o || !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			/* The last line cut short: the run was killed. */
			if (line[len - 1] != '\n') {
				src->truncated = true;
				break;
			}
			snprintf(err, errlen, "line %" PRIu64 ": not a JSON object",
				 nr);
			ret = -EBADMSG;
			break;
		}
		if (sub(o, "exit")) {
			json_exit(o, &e, &src->have_times);
			ret = gctl_report_add(r, &e);
		} else if (json_object_get_string(sub(o, "event")) &&
			   !strcmp(json_object_get_string(sub(o, "event")),
				   "summary")) {
			json_summary(o, src, in);
		}
		json_object_put(o);
		if (ret) {
			snprintf(err, errlen, "%s", strerror(-ret));
			break;
		}
	}
	free(line);
	json_tokener_free(tok);
	return ret;
}

int gctl_report_read(struct gctl_report *r, const char *path,
		     struct gctl_report_source *src,
		     struct gctl_report_input **keep, char *err, size_t errlen)
{
	struct gctl_report_input *in = calloc(1, sizeof(*in));
	char magic[sizeof(GCTL_REC_MAGIC) - 1];
	FILE *f;
	int ret;

	if (!in)
		return -ENOMEM;
	*keep = in;
	memset(src, 0, sizeof(*src));
	src->file = path;
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s", strerror(errno));
		return ret;
	}
	if (fread(magic, 1, sizeof(magic), f) == sizeof(magic) &&
	    !memcmp(magic, GCTL_REC_MAGIC, sizeof(magic))) {
		fclose(f);
		return read_record(r, path, src, in, err, errlen);
	}
	rewind(f);
	if (fread(magic, 1, 1, f) != 1 || magic[0] != '{') {
		fclose(f);
		snprintf(err, errlen, "neither a record nor run --json output");
		return -EBADMSG;
	}
	rewind(f);
	ret = read_json(r, f, src, in, err, errlen);
	fclose(f);
	return ret;
}
