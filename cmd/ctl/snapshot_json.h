/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A stats snapshot (stats.h) as JSON and back: how a named VM's process
 * hands its dashboard model to a view in another process (the control
 * protocol's "snapshot" request, gunyahctl attach --dashboard).  The
 * shape is gunyahctl-json(7)'s snapshot object: only what is used
 * (vCPUs, events, addresses, regions there are) goes over the wire.
 */
#ifndef GCTL_STATS_JSON_H
#define GCTL_STATS_JSON_H

#include <json-c/json.h>

#include "dash/stats.h"

/* A new object. */
json_object *gctl_stats_snap_json(const struct gctl_stats_snap *s);

/* Fill s (all of it) from o.  0, or -EINVAL if o is not a snapshot. */
int gctl_stats_snap_from_json(json_object *o, struct gctl_stats_snap *s);

#endif /* GCTL_STATS_JSON_H */
