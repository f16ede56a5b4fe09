// SPDX-License-Identifier: GPL-2.0-only
/* --filter on attach and step (view_filter.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "common.h"
#include "ctl/view_filter.h"
#include "gunyahctl.h"
#include "output/json_rec.h"
#include "output/outbuf.h"

void gctl_view_filter_arg(struct gctl_view_filter *v, const char *cmd,
			  const char *arg)
{
	char err[256];

	if (gctl_filter_parse(arg, &v->f, err, sizeof(err)))
		gctl_usage_err(cmd, "--filter %s", err);
	v->on = true;
}

bool gctl_view_filter_exit(struct gctl_view_filter *v, json_object *rec)
{
	struct gctl_exit_record r;

	v->exits++;
	if (!v->on)
		return true;
	/* a record we cannot read is shown: the filter hides nothing it
	 * has not matched */
	if (!rec || gctl_json_to_exit(rec, &r) || gctl_filter_match(&v->f, &r)) {
		v->shown++;
		return true;
	}
	return false;
}

int gctl_view_filter_end(const struct gctl_view_filter *v, bool json, int fd)
{
	struct gctl_outbuf *ob;
	json_object *o;
	int ret;

	if (!v->on)
		return 0;
	ob = malloc(sizeof(*ob));
	if (!ob)
		return -ENOMEM;
	gctl_outbuf_init(ob, fd);
	if (json) {
		o = json_object_new_object();
		json_object_object_add(o, "event", json_object_new_string("filter"));
		json_object_object_add(o, "expr", json_object_new_string(v->f.text));
		json_object_object_add(o, "exits",
				       json_object_new_int64((int64_t)v->exits));
		json_object_object_add(o, "shown",
				       json_object_new_int64((int64_t)v->shown));
		gctl_outbuf_puts(ob, json_object_to_json_string_ext(o,
							GCTL_JSON_PLAIN));
		gctl_outbuf_puts(ob, "\n");
		json_object_put(o);
	} else {
		gctl_outbuf_printf(ob, "filter %s: %" PRIu64 " of %" PRIu64
				   " exits shown\n", v->f.text, v->shown,
				   v->exits);
	}
	ret = gctl_outbuf_flush(ob);
	free(ob);
	return ret;
}
