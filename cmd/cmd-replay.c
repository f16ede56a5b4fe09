// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyahctl replay FILE [IMAGE]: run a recorded guest again on the sim,
 * answering its exits from the record and checking each one against it
 * (analysis/replay.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common.h"
#include "analysis/record.h"
#include "analysis/replay.h"
#include "ctl/args.h"
#include "gunyahctl.h"
#include "engine/image.h"
#include "engine/dtb_place.h"
#include "engine/vmm.h"

#define CMD "replay"
#define DEFAULT_TIMEOUT_S 10.0

static const struct argp replay_argp = {
	.doc = "Run the guest recorded in FILE (by run --record) again on the "
	       "sim, with the recorded VM configuration, answering every MMIO "
	       "read and page fault as the record does, and check each exit "
	       "(kind, address, length, direction, data written; in order per "
	       "vCPU) against it.  IMAGE replaces the recorded image (the "
	       "record keeps its path and SHA-256).\v"
	       "Exit status:\n"
	       "  0   every exit matched the record\n"
	       "  1   the run diverged: the first divergent exit is named\n"
	       "  64  bad options, 65 FILE is not a record (or malformed, or\n"
	       "      has a gap: records attach --record lost),\n"
	       "  66  FILE or the image missing, 69 no sim, 70 internal error,\n"
	       "  71  system error, 74 the output could not be written,\n"
	       "  76  a record of a later format version",
};

/* Wait for the engine, a signal or the timeout.  True if timed out. */
static bool wait_done(struct gctl_vmm *vmm, int sig_fd, int timer_fd)
{
	bool timed_out = false;
	unsigned int signals = 0;

	while (gctl_vmm_state(vmm) != GCTL_VMM_DONE) {
		struct pollfd pfd[3] = {
			{ .fd = gctl_vmm_event_fd(vmm), .events = POLLIN },
			{ .fd = sig_fd, .events = POLLIN },
			{ .fd = timer_fd, .events = POLLIN },
		};
		struct signalfd_siginfo si;
		uint64_t ticks;

		if (poll(pfd, 3, -1) < 0)
			continue;
		if (pfd[1].revents && read(sig_fd, &si, sizeof(si)) > 0) {
			if (signals++)
				gctl_vmm_kill(vmm, GCTL_STOP_USER);
			else
				gctl_vmm_stop(vmm, GCTL_STOP_USER);
		}
		if (pfd[2].revents && read(timer_fd, &ticks, sizeof(ticks)) > 0) {
			timed_out = true;
			gctl_vmm_stop(vmm, GCTL_STOP_TIMEOUT);
		}
	}
	return timed_out;
}

static void null_exit(void *ctx, const struct gctl_exit_record *r)
{
	(void)ctx;
	(void)r;
}

/* The verdict is all replay prints: the exits are the record's. */
static const struct gctl_sink_ops null_ops = {
	.exit = null_exit, /* and nothing else (sink.h) */
};

static void print_result(const struct gctl_ctl_args *a,
			 const struct gctl_replay_result *res)
{
	if (a->json) {
		json_object *o = json_object_new_object(), *d;

		json_object_object_add(o, "file", json_object_new_string(a->name));
		json_object_object_add(o, "match", json_object_new_boolean(res->match));
		json_object_object_add(o, "recorded", json_object_new_uint64(res->recorded));
		json_object_object_add(o, "checked", json_object_new_uint64(res->checked));
		if (res->match) {
			d = NULL;
		} else {
			d = json_object_new_object();
			json_object_object_add(d, "seq", json_object_new_uint64(res->seq));
			json_object_object_add(d, "vcpu", json_object_new_uint64(res->vcpu));
			json_object_object_add(d, "nth", json_object_new_uint64(res->nth));
			json_object_object_add(d, "expected",
					       json_object_new_string(res->expected));
			json_object_object_add(d, "got", json_object_new_string(res->got));
		}
		json_object_object_add(o, "divergence", d);
		printf("%s\n", json_object_to_json_string_ext(o, GCTL_JSON_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else if (res->match) {
		printf("%s: %" PRIu64 " exits replayed, every one as recorded\n",
		       a->name, res->checked);
	} else {
		printf("%s: diverges at exit #%" PRIu64 " (vcpu%u's exit %"
		       PRIu64 "): expected %s, got %s\n", a->name, res->seq,
		       res->vcpu, res->nth, res->expected, res->got);
	}
}

/* Load the image, warn if it is not the recorded one, and the recorded
 * device tree.  Exit status. */
static int load(struct gctl_vmm *vmm, const struct gctl_rec_config *c,
		const char *image)
{
	struct gctl_image_opts opts = { .load_addr = c->load_addr };
	struct gctl_image_info info;
	uint8_t sha[GCTL_SHA256_LEN];
	char err[256];
	int ret;

	ret = gctl_image_load_file(gctl_vmm_vm(vmm), image, &opts, &info, err,
				   sizeof(err));
	if (ret) {
		gctl_err(CMD, "%s: %s", image, err);
		return gctl_exit_of(ret, GCTL_FAILED_INPUT);
	}
	if (c->have_sha256 && !gctl_sha256_file(image, sha) &&
	    memcmp(sha, c->sha256, sizeof(sha)))
		gctl_note(CMD, "%s is not the recorded image (its SHA-256 "
			 "differs): exits may diverge", image);
	if (c->dtb_addr) {
		struct gctl_dtb_placed at;

		/* the same bytes where the run put them: x0 and RAM as recorded */
		ret = gctl_dtb_place(gctl_vmm_vm(vmm), &c->vm, NULL, c->dtb_addr,
				     &at, err, sizeof(err));
		if (ret) {
			gctl_err(CMD, "the recorded device tree: %s", err);
			return GCTL_EXIT_DATAERR;
		}
	}
	return 0;
}

/* --timeout, or ten times the recorded run, at least the default. */
static double replay_timeout(const struct gctl_ctl_args *a,
			     const struct gctl_replay *rp)
{
	double t = 10.0 * (double)gctl_replay_recorded_ns(rp) / 1e9;

	if (a->timeout)
		return a->timeout;
	return t < DEFAULT_TIMEOUT_S ? DEFAULT_TIMEOUT_S : t;
}

/* The recorded VM on the sim, answered by the replay, its image loaded. */
static int replay_vm(const struct gctl_ctl_args *a, struct gctl_replay *rp,
		     const struct gctl_rec_config *c,
		     const struct gctl_sink *sink, struct gh_backend **be,
		     struct gctl_vmm **vmm)
{
	struct gctl_vmm_config cfg = c->vm;
	char err[PATH_MAX + 256];
	int ret;

	cfg.oracle = gctl_replay_oracle(rp);
	cfg.timing = false;
	if (gctl_vmm_config_check(&cfg, err, sizeof(err))) {
		gctl_err(CMD, "%s: the recorded VM: %s", a->name, err);
		return GCTL_EXIT_DATAERR;
	}
	ret = gctl_backend_open(CMD, "sim", NULL, be, NULL);
	if (ret)
		return ret;
	ret = gctl_vmm_create(*be, &cfg, sink, vmm, err, sizeof(err));
	if (ret) {
		gctl_err(CMD, "backend sim: %s", err);
		return GCTL_EXIT_SOFTWARE;
	}
	return load(*vmm, c, a->arg ? a->arg : c->image);
}

int gctl_cmd_replay(int argc, char **argv)
{
	struct gctl_ctl_args a = {
		.cmd = CMD,
		.json_doc = "the verdict as one JSON object",
		.timeout_doc = "give up after SEC seconds (default 10, or ten "
			       "times the recorded run's time if longer): a "
			       "guest that stops exiting diverges",
		.args_doc = "FILE [IMAGE]",
		.extra = true,
	};
	struct gctl_rec_reader *rd = NULL;
	struct gctl_replay *rp = NULL;
	struct gctl_sink sink = { .ops = &null_ops };
	struct gctl_replay_result res;
	const struct gctl_rec_config *c;
	struct gctl_summary summary;
	struct gh_backend *be = NULL;
	struct gctl_vmm *vmm = NULL;
	int ret, sig_fd = -1, timer_fd = -1;
	bool timed_out;
	char err[PATH_MAX + 256];

	gctl_ctl_parse_args(&a, &replay_argp, argc, argv, NULL);
	ret = gctl_rec_open(a.name, &rd, err, sizeof(err));
	if (!ret)
		ret = gctl_replay_new(rd, &rp, err, sizeof(err));
	if (ret) {
		gctl_err(CMD, "%s: %s", a.name, err);
		ret = gctl_exit_of(ret, GCTL_FAILED_INPUT);
		goto out;
	}
	c = gctl_rec_config(rd);
	sig_fd = gctl_stop_signalfd(false);
	if (sig_fd < 0) {
		gctl_err(CMD, "signalfd: %s", strerror(errno));
		ret = GCTL_EXIT_OSERR;
		goto out;
	}
	ret = replay_vm(&a, rp, c, &sink, &be, &vmm);
	if (ret)
		goto out;
	timer_fd = gctl_timer_once(replay_timeout(&a, rp));
	if (timer_fd < 0) {
		gctl_err(CMD, "timerfd: %s", strerror(errno));
		ret = GCTL_EXIT_OSERR;
		goto out;
	}
	ret = gctl_vmm_start(vmm, c->entry, err, sizeof(err));
	if (ret)
		gctl_err(CMD, "%s", err);
	if (!gctl_vmm_started(vmm)) {
		ret = GCTL_EXIT_SOFTWARE;
		goto out;
	}
	timed_out = wait_done(vmm, sig_fd, timer_fd);
	gctl_vmm_finish(vmm, &summary);
	gctl_replay_result(rp, timed_out, &res);
	print_result(&a, &res);
	ret = gctl_stdout_check(CMD);
	if (!ret)
		ret = res.match ? GCTL_EXIT_OK : GCTL_EXIT_FAILURE;
out:
	gctl_vmm_destroy(vmm);
	gh_backend_close(be);
	gctl_replay_free(rp);
	gctl_rec_close(rd);
	if (timer_fd >= 0)
		close(timer_fd);
	if (sig_fd >= 0)
		close(sig_fd);
	return ret;
}
