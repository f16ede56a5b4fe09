// SPDX-License-Identifier: GPL-2.0-only
/*
 * What every sink shares (sink.h): the ops other than exit(), each taken
 * by the first sink down a decorator chain that states it.
 */
#include "engine/sink.h"
#include "gunyahctl.h"

/*
 * s leaves the op NULL: the sink it wraps, once s has passed on what it
 * holds, or NULL when s is a writer (the op's default then applies).
 */
static const struct gctl_sink *next(const struct gctl_sink *s)
{
	if (s->next && s->ops->barrier)
		s->ops->barrier(s->ctx);
	return s->next;
}

void gctl_sink_console(const struct gctl_sink *s, const char *buf, size_t len)
{
	if (s->ops->console)
		s->ops->console(s->ctx, buf, len);
	else if ((s = next(s)))
		gctl_sink_console(s, buf, len);
}

void gctl_sink_regs(const struct gctl_sink *s, unsigned int vcpu,
		    const struct gh_sim_regs *regs)
{
	if (s->ops->regs)
		s->ops->regs(s->ctx, vcpu, regs);
	else if ((s = next(s)))
		gctl_sink_regs(s, vcpu, regs);
}

void gctl_sink_memory(const struct gctl_sink *s, uint64_t addr,
		      const void *buf, size_t len)
{
	if (s->ops->memory)
		s->ops->memory(s->ctx, addr, buf, len);
	else if ((s = next(s)))
		gctl_sink_memory(s, addr, buf, len);
}

void gctl_sink_summary(const struct gctl_sink *s, const struct gctl_summary *sum)
{
	if (s->ops->summary)
		s->ops->summary(s->ctx, sum);
	else if ((s = next(s)))
		gctl_sink_summary(s, sum);
}

void gctl_sink_crash(const struct gctl_sink *s, const struct gh_sim_crash *c)
{
	if (s->ops->crash)
		s->ops->crash(s->ctx, c);
	else if ((s = next(s)))
		gctl_sink_crash(s, c);
}

void gctl_sink_message(const struct gctl_sink *s, const struct gctl_message *m)
{
	const struct gctl_sink *inner;

	if (s->ops->message)
		s->ops->message(s->ctx, m);
	else if ((inner = next(s)))
		gctl_sink_message(inner, m);
	else
		gctl_err("run", "%s", m->text);
}

int gctl_sink_flush(const struct gctl_sink *s)
{
	if (s->ops->flush)
		return s->ops->flush(s->ctx);
	s = next(s);
	return s ? gctl_sink_flush(s) : 0;
}
