// SPDX-License-Identifier: GPL-2.0-only
/*
 * attach --dashboard (attach_dash.h).  Three connections to the VM: one
 * for requests (snapshot, pause, resume), one that waits for the end (its
 * reply, the exit object with the final snapshot, ends the view), and,
 * while a step is under way, one for the step (its reply may take long:
 * the view never waits for it).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dash/attach_source.h"
#include "ctl/client.h"
#include "dash/dashboard.h"
#include "gunyahctl.h"
#include "output/json_rec.h"
#include "ctl/snapshot_json.h"

#define CMD "attach"
/* A snapshot or control request waits no longer: the view must go on. */
#define REQ_TIMEOUT_MS 2000

struct attach_dash {
	const char *name;
	struct gctl_ctl_conn *req;
	struct gctl_ctl_conn *waiter;
	struct gctl_ctl_conn *stepper; /* a step under way, or NULL */
	struct gctl_stats_snap *last;  /* the last snapshot the VM sent */
	bool have_last;
	bool req_gone;		       /* the request connection ended */
	bool ended;		       /* the VM ended: last is final */
	int exit_code;
	char result[16];
};

static void ad_snapshot(void *ctx, struct gctl_stats_snap *snap)
{
	struct attach_dash *ad = ctx;
	json_object *reply, *o;

	if (!ad->ended && !ad->req_gone &&
	    !gctl_ctl_call(CMD, ad->name, ad->req, "snapshot", NULL,
			   REQ_TIMEOUT_MS, &reply)) {
		o = json_object_object_get(reply, "snapshot");
		if (o && !gctl_stats_snap_from_json(o, ad->last))
			ad->have_last = true;
		json_object_put(reply);
	} else if (!ad->ended) {
		/* Gone (it ends: the waiter says how) or slow: keep the last. */
		ad->req_gone = true;
	}
	if (ad->have_last)
		memcpy(snap, ad->last, sizeof(*snap));
	else
		memset(snap, 0, sizeof(*snap));
	if (ad->ended) {
		snap->done = true;
		snap->run_state = GCTL_VMM_DONE;
		snprintf(snap->result, sizeof(snap->result), "%s", ad->result);
		snap->exit_code = ad->exit_code;
	}
}

static void control(struct attach_dash *ad, const char *req)
{
	json_object *reply;

	if (ad->ended || ad->req_gone)
		return;
	if (!gctl_ctl_call(CMD, ad->name, ad->req, req, NULL, REQ_TIMEOUT_MS,
			   &reply))
		json_object_put(reply);
}

static void ad_pause(void *ctx)
{
	control(ctx, "pause");
}

static void ad_resume(void *ctx)
{
	control(ctx, "resume");
}

/* A step on a connection of its own: its exits are not shown here (the
 * snapshots show them), its reply is awaited in the loop. */
static void ad_step(void *ctx, uint64_t n)
{
	struct attach_dash *ad = ctx;
	json_object *args;

	if (ad->ended || ad->stepper ||
	    gctl_ctl_open(CMD, ad->name, &ad->stepper))
		return;
	gctl_ctl_set_quiet_end(ad->stepper);
	args = json_object_new_object();
	json_object_object_add(args, "n", json_object_new_int64((int64_t)n));
	if (gctl_ctl_send(ad->stepper, "step", args)) {
		gctl_ctl_close(ad->stepper);
		ad->stepper = NULL;
	}
}

static const struct gctl_dash_ops attach_dash_ops = {
	.snapshot = ad_snapshot,
	.pause = ad_pause,
	.resume = ad_resume,
	.step = ad_step,
	/* No stop: q leaves the view, and the VM runs on. */
};

/* The step's lines, up to its reply (or the end): then it is over. */
static void step_read(struct attach_dash *ad)
{
	json_object *o;
	int ret;

	while ((ret = gctl_ctl_read(ad->stepper, 0, &o)) > 0) {
		bool reply = gctl_ctl_is_reply(o);

		json_object_put(o);
		if (reply)
			break;
	}
	if (ret != -ETIMEDOUT) {
		gctl_ctl_close(ad->stepper);
		ad->stepper = NULL;
	}
}

/*
 * The waiter's reply: how the VM ended, and its final snapshot.  False
 * while it has not come.  The connection ending without one: the VM's
 * process died (status 70).
 */
static bool end_read(struct attach_dash *ad)
{
	json_object *o, *snap;
	const char *result;
	uint64_t code;
	int ret;

	do {
		ret = gctl_ctl_read(ad->waiter, 0, &o);
		if (ret == -ETIMEDOUT)
			return false;
		if (ret <= 0) {
			ad->exit_code = GCTL_EXIT_SOFTWARE;
			snprintf(ad->result, sizeof(ad->result), "died");
			ad->ended = true;
			return true;
		}
		if (gctl_ctl_is_reply(o))
			break;
		json_object_put(o);
	} while (1);
	result = gctl_json_get_str(o, "result");
	snprintf(ad->result, sizeof(ad->result), "%s", result ? result : "?");
	ad->exit_code = gctl_json_get_u64(o, "exit_code", &code) && code < 256 ?
				(int)code : GCTL_EXIT_PROTOCOL;
	snap = json_object_object_get(o, "snapshot");
	if (snap && !gctl_stats_snap_from_json(snap, ad->last))
		ad->have_last = true;
	json_object_put(o);
	ad->ended = true;
	return true;
}

int gctl_attach_dash(const struct gctl_attach_dash_opts *opts)
{
	struct gctl_dash_opts dopts = {
		.interval_ms = opts->interval_ms,
		.step = 1,
		.title = "gunyahctl attach",
	};
	struct attach_dash ad = { .name = opts->name };
	struct gctl_dash *d = NULL;
	json_object *args, *reply;
	char err[256];
	int ret, sig_fd = -1;

	ad.last = calloc(1, sizeof(*ad.last));
	if (!ad.last) {
		gctl_err(CMD, "%s", strerror(ENOMEM));
		return GCTL_EXIT_OSERR;
	}
	ret = gctl_ctl_open(CMD, ad.name, &ad.req);
	if (!ret)
		ret = gctl_ctl_open(CMD, ad.name, &ad.waiter);
	if (ret)
		goto out;
	gctl_ctl_set_quiet_end(ad.req);
	/* A first snapshot before the terminal is taken: errors stay plain. */
	ret = gctl_ctl_call(CMD, ad.name, ad.req, "snapshot", NULL,
			    GCTL_CTL_TIMEOUT_MS, &reply);
	if (ret)
		goto out;
	json_object_put(reply);
	args = json_object_new_object();
	json_object_object_add(args, "snapshot", json_object_new_boolean(true));
	ret = gctl_ctl_send(ad.waiter, "wait", args);
	if (ret) {
		ret = gctl_ctl_read_err(CMD, ad.name, ret);
		goto out;
	}
	sig_fd = gctl_stop_signalfd(false);
	if (sig_fd < 0) {
		gctl_err(CMD, "signalfd: %s", strerror(errno));
		ret = GCTL_EXIT_OSERR;
		goto out;
	}
	ret = gctl_dash_new(&attach_dash_ops, &ad, &dopts, &d, err, sizeof(err));
	if (ret) {
		gctl_err(CMD, "--dashboard: %s", err);
		ret = gctl_exit_of(ret, GCTL_FAILED_SYSTEM);
		goto out;
	}

	ret = 0;
	for (;;) {
		struct pollfd pfd[GCTL_DASH_MAX_FDS + 3];
		unsigned int dn = gctl_dash_fds(d, pfd), n = dn;

		pfd[n++] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = gctl_ctl_fd(ad.waiter),
					    .events = POLLIN };
		if (ad.stepper)
			pfd[n++] = (struct pollfd){ .fd = gctl_ctl_fd(ad.stepper),
						    .events = POLLIN };
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			gctl_err(CMD, "poll: %s", strerror(errno));
			ret = GCTL_EXIT_OSERR;
			break;
		}
		gctl_dash_dispatch(d, pfd, dn);
		if (gctl_dash_quitting(d) || pfd[dn].revents)
			break; /* detached: the VM runs on */
		if (ad.stepper && n > dn + 2 && pfd[dn + 2].revents)
			step_read(&ad);
		if (pfd[dn + 1].revents && end_read(&ad)) {
			/* The final state, until a key (or a signal). */
			gctl_dash_finish(d, true, sig_fd);
			ret = ad.exit_code;
			break;
		}
	}
	gctl_dash_free(d);
	d = NULL;
	if (ad.ended)
		printf("%s: %s, exit status %d\n", ad.name, ad.result,
		       ad.exit_code);

out:
	gctl_dash_free(d);
	gctl_ctl_close(ad.stepper);
	gctl_ctl_close(ad.waiter);
	gctl_ctl_close(ad.req);
	free(ad.last);
	if (sig_fd >= 0)
		close(sig_fd);
	return ret;
}
