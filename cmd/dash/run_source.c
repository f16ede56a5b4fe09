// SPDX-License-Identifier: GPL-2.0-only
/* run --dashboard: the engine as a dashboard source (run_dash.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dash/run_source.h"
#include "engine/sink.h"

struct gctl_run_dash {
	struct gctl_vmm *vmm;
	struct gctl_stats *stats;
	struct gctl_dash *dash;
	char vm[64];
	char backend[16];
	bool no_hyp; /* the backend has no hypervisor view: stop asking */
};

/* The engine's view of a vCPU, refined by the hypervisor's where known. */
static const char *vcpu_state(struct gctl_vmm *vmm, unsigned int i,
			      struct gctl_stats_vcpu *v, bool *no_hyp)
{
	enum gctl_vcpu_state es = gctl_vmm_vcpu_state(vmm, i);

	if (!*no_hyp) {
		int ret = gctl_vmm_hyp_stats(vmm, i, &v->hyp);

		v->have_hyp = !ret;
		*no_hyp = ret == -ENOTTY || ret == -EOPNOTSUPP;
	}
	switch (es) {
	case GCTL_VCPU_NEW:
		return "new";
	case GCTL_VCPU_RUN:
		if (!v->have_hyp)
			return "running";
		switch (v->hyp.state) {
		case GH_SIM_VCPU_NOT_STARTED:
			return "new";
		case GH_SIM_VCPU_RUNNING:
			return "running";
		case GH_SIM_VCPU_IDLE:
			return "idle";
		case GH_SIM_VCPU_OFF:
			return "off";
		case GH_SIM_VCPU_STOPPED:
			return "stopped";
		default:
			return "running";
		}
	case GCTL_VCPU_HELD:
	case GCTL_VCPU_WAIT:
		return "paused";
	case GCTL_VCPU_DONE:
		return "stopped";
	case GCTL_VCPU_FAILED:
		return "failed";
	}
	return "?";
}

void gctl_vmm_snap_fill(struct gctl_vmm *vmm, struct gctl_stats_snap *s,
			bool *no_hyp)
{
	/* Peeked, not drained: the caller's loop owns the event fd. */
	enum gctl_vmm_state st = gctl_vmm_peek_state(vmm);

	s->run_state = st;
	for (unsigned int i = 0; i < s->nr_vcpus; i++)
		snprintf(s->vcpu[i].state, sizeof(s->vcpu[i].state), "%s",
			 vcpu_state(vmm, i, &s->vcpu[i], no_hyp));
	gctl_vmm_host_timing(vmm, s->host);
}

static void rd_snapshot(void *ctx, struct gctl_stats_snap *s)
{
	struct gctl_run_dash *rd = ctx;

	gctl_stats_snapshot(rd->stats, s);
	snprintf(s->vm, sizeof(s->vm), "%s", rd->vm);
	snprintf(s->backend, sizeof(s->backend), "%s", rd->backend);
	gctl_vmm_snap_fill(rd->vmm, s, &rd->no_hyp);
}

static void rd_pause(void *ctx)
{
	gctl_vmm_pause(((struct gctl_run_dash *)ctx)->vmm);
}

static void rd_resume(void *ctx)
{
	gctl_vmm_resume(((struct gctl_run_dash *)ctx)->vmm);
}

static void rd_step(void *ctx, uint64_t n)
{
	gctl_vmm_step(((struct gctl_run_dash *)ctx)->vmm, n);
}

static void rd_stop(void *ctx, bool force)
{
	struct gctl_run_dash *rd = ctx;

	if (force)
		gctl_vmm_kill(rd->vmm, GCTL_STOP_USER);
	else
		gctl_vmm_stop(rd->vmm, GCTL_STOP_USER);
}

static void rd_message(void *ctx, const char *line, size_t len)
{
	gctl_stats_message(((struct gctl_run_dash *)ctx)->stats, line, len);
}

static const struct gctl_dash_ops run_dash_ops = {
	.snapshot = rd_snapshot,
	.pause = rd_pause,
	.resume = rd_resume,
	.step = rd_step,
	.stop = rd_stop,
	.message = rd_message,
};

int gctl_run_dash_new(struct gctl_vmm *vmm, struct gctl_stats *stats,
		      const struct gctl_run_dash_opts *opts,
		      struct gctl_run_dash **out, char *err, size_t errlen)
{
	struct gctl_dash_opts dopts = {
		.interval_ms = opts->interval_ms,
		.step = opts->step,
		.title = "gunyahctl run",
	};
	struct gctl_run_dash *rd = calloc(1, sizeof(*rd));
	const char *base;
	int ret;

	if (!rd) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	rd->vmm = vmm;
	rd->stats = stats;
	base = strrchr(opts->vm, '/');
	snprintf(rd->vm, sizeof(rd->vm), "%s", base ? base + 1 : opts->vm);
	snprintf(rd->backend, sizeof(rd->backend), "%s", opts->backend);
	ret = gctl_dash_new(&run_dash_ops, rd, &dopts, &rd->dash, err, errlen);
	if (ret) {
		free(rd);
		return ret;
	}
	*out = rd;
	return 0;
}

struct gctl_dash *gctl_run_dash_view(struct gctl_run_dash *rd)
{
	return rd->dash;
}

void gctl_run_dash_free(struct gctl_run_dash *rd)
{
	if (!rd)
		return;
	gctl_dash_free(rd->dash);
	free(rd);
}

int gctl_run_dash_end(struct gctl_run_dash *rd, const struct gctl_summary *s,
		      bool wait, int fd)
{
	struct gctl_sink text;
	int ret;

	gctl_dash_finish(rd->dash, wait, fd);
	gctl_dash_free(rd->dash);
	rd->dash = NULL;

	/* Left on the terminal once the screen is gone: the engine's
	 * messages on stderr (not to be missed), the text summary. */
	gctl_stats_said(rd->stats, STDERR_FILENO);
	ret = gctl_out_text_new(STDOUT_FILENO, false, &text);
	if (ret)
		return ret;
	gctl_sink_summary(&text, s);
	ret = gctl_sink_flush(&text);
	gctl_sink_destroy(&text);
	return ret;
}
