// SPDX-License-Identifier: GPL-2.0-only
/* What every sink shares (sink.h). */
#include "engine/sink.h"
#include "gunyahctl.h"

void gctl_sink_message(const struct gctl_sink *s, const struct gctl_message *m)
{
	if (s->ops && s->ops->message)
		s->ops->message(s->ctx, m);
	else
		gctl_err("run", "%s", m->text);
}
