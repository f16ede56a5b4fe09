// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control server of a named VM (ctl_server.h, ctl.h).
 *
 * Locking: srv->lock covers what the vCPU threads touch: each client's
 * subscription (sub, step_left, step_taken) and output queue.  The
 * engine calls the tee sink with its own lock held, so the order is
 * engine lock, then srv->lock: the loop never calls into the engine
 * while it holds srv->lock.  Everything else is the loop's alone.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common.h"
#include "ctl/proto.h"
#include "ctl/server.h"
#include "gunyahctl.h"
#include "output/json_rec.h"
#include "dash/run_source.h"
#include "dash/stats.h"
#include "ctl/snapshot_json.h"

/* How long the end waits for clients to take what is queued for them. */
#define DRAIN_MS 2000
/* Replies may go past GCTL_CTL_OUT_MAX (they are never dropped), up to
 * this: a client that sends requests and never reads is let go. */
#define OUT_HARD_MAX (4 * 1024 * 1024)
#define STEP_MAX 1000000000ull
/*
 * A step is let through STEP_CHUNK exits at a time, the next chunk once
 * the client has taken most of the last one's records: its stream waits
 * for the client (the VM is paused meanwhile) and never loses a record.
 */
#define STEP_CHUNK 256
/* The busiest MMIO addresses a stat reply names. */
#define STAT_TOP 8

enum sub {
	SUB_NONE,
	SUB_ATTACH, /* everything, until the end */
	SUB_EVENTS, /* attach with "exits": false: all but the exits */
	SUB_STEP,   /* step_left more exits, and console lines */
};

/* What the tee hands the clients. */
enum rec_kind {
	REC_EXIT,
	REC_CONSOLE,
	REC_SUMMARY,
	REC_MESSAGE, /* rare, and why things went wrong: never dropped */
};

struct client {
	int fd; /* -1: a free slot */
	/* the loop's */
	size_t in_len;
	char in[GCTL_CTL_REQ_MAX];
	bool attached;
	bool step_pending;
	uint64_t step_given; /* exits let through so far: in chunks */
	json_object *step_id;
	bool wait_pending;
	bool wait_snapshot; /* the wait reply carries the final snapshot */
	json_object *wait_id;
	bool eof;     /* the client sends no more (it may still read) */
	bool closing; /* read no more; close once the queue is out */
	uint64_t idle_since_ns; /* its last request (or its connect) */
	bool asked;		/* it has sent a whole request */
	/* srv->lock */
	enum sub sub;
	uint64_t step_left, step_taken;
	uint64_t lost;
	char *out;
	size_t out_off, out_len, out_cap;
};

struct gctl_ctl_server {
	struct gctl_rundir_claim claim;
	struct gctl_rundir rd; /* its own fd: the claim's dir_fd */
	char *name, *backend, *image, *log;
	char *rec_config; /* the CONFIG record's payload in hex, or NULL */
	struct gctl_runlog *runlog; /* the log's writer, or NULL */
	unsigned int nr_vcpus;
	pid_t pid;
	struct gctl_vmm *vmm; /* set by start: requests are served */
	uint64_t t0_ns;
	int wake_fd;
	bool finished;
	struct gctl_sink local;
	uint64_t idle_ns; /* an idle client is let go after this; 0: never */
	int poll_map[GCTL_CTL_MAX_CLIENTS + 2];
	/* The dashboard's model of the VM (stats.h), fed by the tee. */
	struct gctl_stats *stats;
	struct gctl_json_mmio *mmio_fmt; /* the tee's: exit() only */
	bool no_hyp;

	pthread_mutex_t lock;
	atomic_uint nr_subs; /* clients with sub != SUB_NONE */
	struct client clients[GCTL_CTL_MAX_CLIENTS];
};

static void add(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static void wake(struct gctl_ctl_server *srv)
{
	uint64_t one = 1;

	if (write(srv->wake_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is saturated, the loop is woken */
	}
}

/* ---- output queues --------------------------------------------------- */

/* Room for need more bytes in c's queue, up to max in all.  Locked. */
static bool make_room_locked(struct client *c, size_t need, size_t max)
{
	size_t cap;
	char *p;

	if (c->out_len + need > max)
		return false;
	if (c->out_off + c->out_len + need <= c->out_cap)
		return true;
	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, c->out_len);
		c->out_off = 0;
		if (c->out_len + need <= c->out_cap)
			return true;
	}
	cap = c->out_cap ? c->out_cap : 4096;
	while (cap < c->out_len + need)
		cap *= 2;
	p = realloc(c->out, cap);
	if (!p)
		return false;
	c->out = p;
	c->out_cap = cap;
	return true;
}

static void put_locked(struct client *c, const char *s, size_t len)
{
	memcpy(c->out + c->out_off + c->out_len, s, len);
	c->out_len += len;
	c->out[c->out_off + c->out_len++] = '\n';
}

/*
 * A stream line: dropped (and counted) when the client's queue is full.
 * Before the first line that fits after a loss, a "lost" event says how
 * many went.  A line that must go (the summary: how the VM ended) goes
 * past the limit, as replies do.  True if the queue was empty (the loop
 * must be woken).
 */
static bool queue_stream_locked(struct client *c, const char *s, size_t len,
				bool must)
{
	size_t max = must ? OUT_HARD_MAX : GCTL_CTL_OUT_MAX;
	bool was_empty = !c->out_len;

	if (c->lost) {
		json_object *o = json_object_new_object();
		const char *n;
		size_t nlen;

		add(o, "event", json_object_new_string("lost"));
		add(o, "records", json_object_new_int64((int64_t)c->lost));
		n = json_object_to_json_string_ext(o, GCTL_JSON_PLAIN);
		nlen = strlen(n);
		if (make_room_locked(c, nlen + 1 + len + 1, max)) {
			put_locked(c, n, nlen);
			c->lost = 0;
		}
		json_object_put(o);
	}
	if (c->lost || !make_room_locked(c, len + 1, max)) {
		c->lost++;
		return false;
	}
	put_locked(c, s, len);
	return was_empty;
}

/* A reply: never dropped; a client far behind is closed instead. */
static void queue_reply(struct gctl_ctl_server *srv, struct client *c,
			json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, GCTL_JSON_PLAIN);
	size_t len = strlen(s);

	pthread_mutex_lock(&srv->lock);
	if (make_room_locked(c, len + 1, OUT_HARD_MAX))
		put_locked(c, s, len);
	else
		c->closing = true;
	pthread_mutex_unlock(&srv->lock);
	json_object_put(o);
}

static json_object *reply_new(json_object *id, bool ok)
{
	json_object *o = json_object_new_object();

	add(o, "v", json_object_new_int(GCTL_CTL_VERSION));
	if (id)
		add(o, "id", json_object_get(id));
	add(o, "ok", json_object_new_boolean(ok));
	return o;
}

/* Reply ok with body's keys (body is consumed; NULL for none). */
static void reply_ok(struct gctl_ctl_server *srv, struct client *c,
		     json_object *id, json_object *body)
{
	json_object *o = reply_new(id, true);

	if (body) {
		json_object_object_foreach(body, key, val)
			add(o, key, json_object_get(val));
		json_object_put(body);
	}
	queue_reply(srv, c, o);
}

/*
 * An error reply: a message for people, a code for scripts (gunyahctl-
 * json(7)): "request" (malformed, unknown, too long), "version",
 * "state" (not now: not paused, ...), "unsupported" (not by this
 * backend), "denied", "busy".
 */
static void reply_err(struct gctl_ctl_server *srv, struct client *c,
		      json_object *id, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void reply_err(struct gctl_ctl_server *srv, struct client *c,
		      json_object *id, const char *code, const char *fmt, ...)
{
	json_object *o = reply_new(id, false);
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	add(o, "error", json_object_new_string(msg));
	add(o, "code", json_object_new_string(code));
	queue_reply(srv, c, o);
}

/* An error to a connection we do not keep: one try, then close. */
static void refuse(int fd, const char *code, const char *msg)
{
	json_object *o = reply_new(NULL, false);
	const char *s;

	add(o, "error", json_object_new_string(msg));
	add(o, "code", json_object_new_string(code));
	s = json_object_to_json_string_ext(o, GCTL_JSON_PLAIN);
	if (send(fd, s, strlen(s), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
		(void)!send(fd, "\n", 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	json_object_put(o);
	close(fd);
}

/* ---- the tee sink (vCPU threads) --------------------------------------- */

/* One line (no '\n') to every subscriber that wants it. */
static void broadcast_line(struct gctl_ctl_server *srv, const char *s,
			   size_t len, enum rec_kind kind)
{
	bool woke = false;

	pthread_mutex_lock(&srv->lock);
	for (unsigned int i = 0; i < GCTL_CTL_MAX_CLIENTS; i++) {
		struct client *c = &srv->clients[i];

		/* Not c->fd: the loop's alone.  A subscriber has one. */
		if (c->sub == SUB_NONE ||
		    (c->sub == SUB_EVENTS && kind == REC_EXIT))
			continue;
		if (c->sub == SUB_STEP) {
			/* Exactly the exits of the step; its console too. */
			if (kind == REC_SUMMARY || kind == REC_MESSAGE ||
			    (kind == REC_EXIT && !c->step_left))
				continue;
			if (kind == REC_EXIT) {
				c->step_left--;
				c->step_taken++;
			}
		}
		/* A step's records are never dropped (its chunks bound them). */
		woke |= queue_stream_locked(c, s, len, kind == REC_SUMMARY ||
						      kind == REC_MESSAGE ||
						      c->sub == SUB_STEP);
	}
	pthread_mutex_unlock(&srv->lock);
	if (woke)
		wake(srv);
}

static void broadcast(struct gctl_ctl_server *srv, json_object *o,
		      enum rec_kind kind)
{
	const char *s = json_object_to_json_string_ext(o, GCTL_JSON_PLAIN);

	broadcast_line(srv, s, strlen(s), kind);
	json_object_put(o);
}

static void tee_exit(void *ctx, const struct gctl_exit_record *rec)
{
	struct gctl_ctl_server *srv = ctx;
	char line[GCTL_JSON_MMIO_MAX];
	size_t n;

	gctl_sink_exit(&srv->local, rec);
	gctl_stats_exit(srv->stats, rec);
	/* Nobody listening (the common case): no JSON is built at all. */
	if (!atomic_load(&srv->nr_subs))
		return;
	/* MMIO exits, the flood, as run --json writes them (exit() calls
	 * come one at a time: the formatter is ours alone here). */
	n = gctl_json_mmio_line(srv->mmio_fmt, rec, line, sizeof(line));
	if (n)
		broadcast_line(srv, line, n - 1, REC_EXIT);
	else
		broadcast(srv, gctl_json_exit(rec), REC_EXIT);
}

static void tee_console(void *ctx, const char *buf, size_t len)
{
	struct gctl_ctl_server *srv = ctx;

	gctl_sink_console(&srv->local, buf, len);
	gctl_stats_console(srv->stats, buf, len);
	if (atomic_load(&srv->nr_subs))
		broadcast(srv, gctl_json_console(buf, len), REC_CONSOLE);
}

static void tee_summary(void *ctx, const struct gctl_summary *s)
{
	struct gctl_ctl_server *srv = ctx;

	gctl_sink_summary(&srv->local, s);
	gctl_stats_summary(srv->stats, s);
	if (atomic_load(&srv->nr_subs))
		broadcast(srv, gctl_json_summary(s), REC_SUMMARY);
}

/* Its own output, the dashboard's events, and attachers, in place. */
static void tee_message(void *ctx, const struct gctl_message *m)
{
	struct gctl_ctl_server *srv = ctx;

	gctl_sink_message(&srv->local, m);
	gctl_stats_message(srv->stats, m->text, strlen(m->text));
	if (atomic_load(&srv->nr_subs))
		broadcast(srv, gctl_json_message(m), REC_MESSAGE);
}

/*
 * Step answers, crashes (attachers see the crashed STATUS exit) and
 * flushes are the local output's alone: they pass through (sink.h).
 * No destroy: the server owns the tee, the caller owns local.
 */
static const struct gctl_sink_ops tee_ops = {
	.exit = tee_exit,
	.console = tee_console,
	.summary = tee_summary,
	.message = tee_message,
};

void gctl_ctl_server_tee(struct gctl_ctl_server *srv,
			 const struct gctl_sink *local, struct gctl_sink *out)
{
	srv->local = *local;
	*out = (struct gctl_sink){ .ops = &tee_ops, .ctx = srv,
				    .next = &srv->local };
}

/* ---- what a VM says about itself --------------------------------------- */

/* The model's snapshot with this VM's own fields: NULL if out of memory. */
static struct gctl_stats_snap *snapshot(struct gctl_ctl_server *srv)
{
	struct gctl_stats_snap *snap = malloc(sizeof(*snap));

	if (!snap)
		return NULL;
	gctl_stats_snapshot(srv->stats, snap);
	snprintf(snap->vm, sizeof(snap->vm), "%s", srv->name);
	snprintf(snap->backend, sizeof(snap->backend), "%s", srv->backend);
	gctl_vmm_snap_fill(srv->vmm, snap, &srv->no_hyp);
	return snap;
}

/* The busiest MMIO addresses over all vCPUs, as the dashboard ranks them. */
static json_object *top_mmio(const struct gctl_stats_snap *snap)
{
	struct gctl_stats_addr *top = malloc(GCTL_STATS_MAX_ADDRS * sizeof(*top));
	json_object *a = json_object_new_array();
	unsigned int n;

	if (!top)
		return a;
	n = gctl_stats_top_addrs(snap, GCTL_STATS_ANY_VCPU, top);
	for (unsigned int i = 0; i < n && i < STAT_TOP; i++) {
		json_object *o = json_object_new_object();
		const char *region = gctl_stats_region(snap, top[i].region);

		add(o, "addr", gctl_json_addr(top[i].addr));
		add(o, "reads", json_object_new_int64((int64_t)top[i].reads));
		add(o, "writes", json_object_new_int64((int64_t)top[i].writes));
		add(o, "region", str_or_null(region));
		json_object_array_add(a, o);
	}
	free(top);
	return a;
}

static void totals(const struct gctl_ctl_server *srv, struct gctl_counters *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned int i = 0; i < gctl_vmm_nr_vcpus(srv->vmm); i++) {
		struct gctl_counters c;

		gctl_vmm_counters(srv->vmm, i, &c);
		gctl_counters_add(t, &c);
	}
}

/* Clients attached, and clients waiting for the VM's end. */
static void count_clients(const struct gctl_ctl_server *srv,
			  unsigned int *attached, unsigned int *waiting)
{
	*attached = *waiting = 0;
	for (unsigned int i = 0; i < GCTL_CTL_MAX_CLIENTS; i++) {
		const struct client *c = &srv->clients[i];

		*attached += c->fd >= 0 && c->attached;
		*waiting += c->fd >= 0 && c->wait_pending;
	}
}

/* The keys every description of the VM starts with. */
static json_object *ident(const struct gctl_ctl_server *srv)
{
	json_object *o = json_object_new_object();

	add(o, "name", json_object_new_string(srv->name));
	add(o, "pid", json_object_new_int64(srv->pid));
	add(o, "backend", json_object_new_string(srv->backend));
	add(o, "image", json_object_new_string(srv->image));
	add(o, "vcpus", json_object_new_int((int)srv->nr_vcpus));
	return o;
}

/* What the log could not take: how much, and why (nothing: no keys). */
static void add_log_loss(struct gctl_ctl_server *srv, json_object *o)
{
	struct gctl_runlog_state st;

	if (!srv->runlog)
		return;
	gctl_runlog_state(srv->runlog, &st);
	if (!st.lost)
		return;
	add(o, "log_lost", json_object_new_int64((int64_t)st.lost));
	add(o, "log_error", json_object_new_string(strerror(st.error)));
}

static json_object *status_body(struct gctl_ctl_server *srv)
{
	json_object *o = ident(srv);
	unsigned int attached, waiting;
	struct gctl_counters t;

	totals(srv, &t);
	count_clients(srv, &attached, &waiting);
	add(o, "state", json_object_new_string(
				gctl_vmm_state_str(gctl_vmm_peek_state(srv->vmm))));
	add(o, "uptime_ns", json_object_new_int64((int64_t)(gctl_now_ns() - srv->t0_ns)));
	add(o, "exits", json_object_new_int64((int64_t)t.exits));
	add(o, "attached", json_object_new_int((int)attached));
	add(o, "waiting", json_object_new_int((int)waiting));
	add(o, "socket", json_object_new_string(srv->claim.sock));
	add(o, "log", str_or_null(srv->log));
	add_log_loss(srv, o);
	return o;
}

static json_object *stat_body(struct gctl_ctl_server *srv)
{
	unsigned int n = gctl_vmm_nr_vcpus(srv->vmm);
	uint64_t up = gctl_now_ns() - srv->t0_ns;
	json_object *o = json_object_new_object(), *vcpus;
	struct gctl_stats_snap *snap = snapshot(srv);
	struct gctl_counters t = { 0 };

	/*
	 * Every number from one snapshot of the dashboard's model, taken
	 * under its lock: the counts and the busiest addresses then agree
	 * (the engine's own counters run a few exits ahead of the model,
	 * which is fed after they are bumped).  Only without a snapshot (out
	 * of memory) the engine's counters, one read of each vCPU's.
	 */
	vcpus = json_object_new_array();
	for (unsigned int i = 0; i < n; i++) {
		json_object *v = json_object_new_object();
		struct gctl_counters c;

		if (snap && i < snap->nr_vcpus)
			c = snap->vcpu[i].cnt;
		else
			gctl_vmm_counters(srv->vmm, i, &c);
		gctl_counters_add(&t, &c);
		add(v, "vcpu", json_object_new_int((int)i));
		add(v, "state", snap ? json_object_new_string(snap->vcpu[i].state) :
				       NULL);
		add(v, "thread", json_object_new_string(
					 gctl_vcpu_state_str(gctl_vmm_vcpu_state(srv->vmm, i))));
		add(v, "exits", json_object_new_int64((int64_t)c.exits));
		add(v, "counts", gctl_json_counts(&c));
		json_object_array_add(vcpus, v);
	}
	add(o, "name", json_object_new_string(srv->name));
	add(o, "state", json_object_new_string(
				gctl_vmm_state_str(gctl_vmm_peek_state(srv->vmm))));
	add(o, "uptime_ns", json_object_new_int64((int64_t)up));
	add(o, "exits", json_object_new_int64((int64_t)t.exits));
	add(o, "exits_per_s",
	    gctl_json_rate(up ? (double)t.exits * 1e9 / (double)up : 0.0));
	add(o, "counts", gctl_json_counts(&t));
	if (snap) {
		add(o, "host_ns", gctl_json_host_times(snap->host));
	} else {
		struct gctl_timing host[GCTL_TK__COUNT];

		gctl_vmm_host_timing(srv->vmm, host);
		add(o, "host_ns", gctl_json_host_times(host));
	}
	add(o, "vcpus", vcpus);
	add(o, "mmio_top", snap ? top_mmio(snap) : json_object_new_array());
	free(snap);
	return o;
}

/* How the VM ended: the wait reply and NAME.status. */
static json_object *exit_body(struct gctl_ctl_server *srv,
			      const struct gctl_summary *s)
{
	json_object *o = ident(srv);

	add(o, "result", json_object_new_string(s->result));
	add(o, "exit_code", json_object_new_int(s->exit_code));
	add(o, "wall_ns", json_object_new_int64((int64_t)s->wall_ns));
	add(o, "exits", json_object_new_int64((int64_t)s->total.exits));
	if (s->have_status)
		add(o, "status", gctl_json_status(s->status, &s->exit_info));
	add_log_loss(srv, o);
	return o;
}

/* ---- requests ---------------------------------------------------------- */

struct request {
	struct gctl_ctl_server *srv;
	struct client *c;
	json_object *id; /* borrowed from the request object; may be NULL */
	json_object *req;
};

static void set_sub(struct gctl_ctl_server *srv, struct client *c,
		    enum sub sub, uint64_t n)
{
	pthread_mutex_lock(&srv->lock);
	if (c->sub == SUB_NONE && sub != SUB_NONE)
		atomic_fetch_add(&srv->nr_subs, 1);
	else if (c->sub != SUB_NONE && sub == SUB_NONE)
		atomic_fetch_sub(&srv->nr_subs, 1);
	c->sub = sub;
	c->step_left = n;
	c->step_taken = 0;
	pthread_mutex_unlock(&srv->lock);
}

static void do_status(struct request *r)
{
	reply_ok(r->srv, r->c, r->id, status_body(r->srv));
}

static void do_stat(struct request *r)
{
	reply_ok(r->srv, r->c, r->id, stat_body(r->srv));
}

static json_object *state_body(struct gctl_ctl_server *srv)
{
	json_object *o = json_object_new_object();

	add(o, "state", json_object_new_string(
				gctl_vmm_state_str(gctl_vmm_peek_state(srv->vmm))));
	return o;
}

static void do_snapshot(struct request *r)
{
	struct gctl_stats_snap *snap = snapshot(r->srv);
	json_object *body;

	if (!snap) {
		reply_err(r->srv, r->c, r->id, "busy", "out of memory");
		return;
	}
	body = json_object_new_object();
	add(body, "snapshot", gctl_stats_snap_json(snap));
	free(snap);
	reply_ok(r->srv, r->c, r->id, body);
}

/* What attach --record writes as its CONFIG record (json(7)). */
static void do_config(struct request *r)
{
	json_object *body;

	if (!r->srv->rec_config) {
		reply_err(r->srv, r->c, r->id, "unsupported",
			  "this VM has no record configuration");
		return;
	}
	body = json_object_new_object();
	add(body, "record_config", json_object_new_string(r->srv->rec_config));
	reply_ok(r->srv, r->c, r->id, body);
}

void gctl_ctl_server_set_config(struct gctl_ctl_server *srv,
				const uint8_t *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *s = malloc(2 * len + 1);

	if (!s)
		return; /* then config says "unsupported" */
	for (size_t i = 0; i < len; i++) {
		s[2 * i] = hex[p[i] >> 4];
		s[2 * i + 1] = hex[p[i] & 15];
	}
	s[2 * len] = '\0';
	free(srv->rec_config);
	srv->rec_config = s;
}

static void do_pause(struct request *r)
{
	gctl_vmm_pause(r->srv->vmm);
	reply_ok(r->srv, r->c, r->id, state_body(r->srv));
}

static void do_resume(struct request *r)
{
	gctl_vmm_resume(r->srv->vmm);
	reply_ok(r->srv, r->c, r->id, state_body(r->srv));
}

static void do_step(struct request *r)
{
	struct gctl_ctl_server *srv = r->srv;
	uint64_t n = 1;
	json_object *k;

	if (json_object_object_get_ex(r->req, "n", &k)) {
		int64_t v = json_object_get_int64(k);

		if (!json_object_is_type(k, json_type_int) || v < 1 ||
		    (uint64_t)v > STEP_MAX) {
			reply_err(srv, r->c, r->id, "request",
				  "\"n\": want a number from 1 to %llu",
				  (unsigned long long)STEP_MAX);
			return;
		}
		n = (uint64_t)v;
	}
	if (r->c->attached || r->c->step_pending) {
		reply_err(srv, r->c, r->id, "state", "this connection is %s: step on "
			  "another", r->c->attached ? "attached" : "stepping");
		return;
	}
	if (gctl_vmm_peek_state(srv->vmm) != GCTL_VMM_PAUSED) {
		reply_err(srv, r->c, r->id, "state", "not paused (pause it first)");
		return;
	}
	/* Listening first: paused, nothing is reported until the step. */
	set_sub(srv, r->c, SUB_STEP, n);
	r->c->step_pending = true;
	r->c->step_id = r->id ? json_object_get(r->id) : NULL;
	r->c->step_given = n < STEP_CHUNK ? n : STEP_CHUNK;
	gctl_vmm_step(srv->vmm, r->c->step_given);
}

/*
 * "exits": false leaves the exit records out: a console's echo must not
 * queue behind (and be dropped with) a flood of exits nobody shows.
 */
static void do_attach(struct request *r)
{
	json_object *k;
	bool exits = true;

	if (json_object_object_get_ex(r->req, "exits", &k)) {
		if (!json_object_is_type(k, json_type_boolean)) {
			reply_err(r->srv, r->c, r->id, "request",
				  "\"exits\": want true or false");
			return;
		}
		exits = json_object_get_boolean(k);
	}
	if (r->c->attached || r->c->step_pending) {
		reply_err(r->srv, r->c, r->id, "state", "this connection is %s already",
			  r->c->attached ? "attached" : "stepping");
		return;
	}
	/* The reply, then the stream: under the lock in this order. */
	reply_ok(r->srv, r->c, r->id, status_body(r->srv));
	r->c->attached = true;
	set_sub(r->srv, r->c, exits ? SUB_ATTACH : SUB_EVENTS, 0);
}

static void owe_exit(struct request *r)
{
	if (r->c->wait_pending) {
		reply_err(r->srv, r->c, r->id, "state",
			  "this connection waits already: wait on another");
		return;
	}
	r->c->wait_pending = true;
	r->c->wait_id = r->id ? json_object_get(r->id) : NULL;
}

static void do_wait(struct request *r)
{
	json_object *k;

	if (json_object_object_get_ex(r->req, "snapshot", &k)) {
		if (!json_object_is_type(k, json_type_boolean)) {
			reply_err(r->srv, r->c, r->id, "request",
				  "\"snapshot\": want true or false");
			return;
		}
		r->c->wait_snapshot = json_object_get_boolean(k);
	}
	owe_exit(r);
}

static void do_stop(struct request *r)
{
	bool force = false;
	json_object *k;
	int ret;

	if (json_object_object_get_ex(r->req, "force", &k)) {
		if (!json_object_is_type(k, json_type_boolean)) {
			reply_err(r->srv, r->c, r->id, "request", "\"force\": want true or false");
			return;
		}
		force = json_object_get_boolean(k);
	}
	if (r->c->wait_pending) {
		reply_err(r->srv, r->c, r->id, "state",
			  "this connection waits already: stop on another");
		return;
	}
	if (force) {
		gctl_vmm_stop(r->srv->vmm, GCTL_STOP_USER);
	} else {
		ret = gctl_vmm_poweroff(r->srv->vmm);
		if (ret == -ENOTTY || ret == -EOPNOTSUPP) {
			reply_err(r->srv, r->c, r->id, "unsupported", "power-off request: not "
				  "supported by this backend, use --force");
			return;
		}
		/* -EINVAL: on its way down already; the end comes all the same. */
		if (ret && ret != -EINVAL) {
			reply_err(r->srv, r->c, r->id, "state", "power-off request: %s",
				  strerror(-ret));
			return;
		}
	}
	/* The reply comes with the end, as wait's. */
	owe_exit(r);
}

/* The bytes of a hex string (two digits each) into buf: how many, or -1. */
static long unhex(const char *hex, uint8_t *buf, size_t size)
{
	size_t n = strlen(hex) / 2;

	if (strlen(hex) % 2 || n > size)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned int v;

		if (!isxdigit((unsigned char)hex[2 * i]) ||
		    !isxdigit((unsigned char)hex[2 * i + 1]) ||
		    sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		buf[i] = (uint8_t)v;
	}
	return (long)n;
}

/* attach --console's typing: {"hex": "..."} for the UART's receive side. */
static void do_console_input(struct request *r)
{
	const char *hex = gctl_json_get_str(r->req, "hex");
	uint8_t buf[GCTL_CTL_CONSOLE_MAX];
	json_object *body;
	long n, ret;

	n = hex ? unhex(hex, buf, sizeof(buf)) : -1;
	if (n < 0) {
		reply_err(r->srv, r->c, r->id, "request", "\"hex\": want up to "
			  "%d bytes as pairs of hex digits", GCTL_CTL_CONSOLE_MAX);
		return;
	}
	ret = gctl_vmm_console_input(r->srv->vmm, buf, (size_t)n);
	if (ret == -ENODEV) {
		reply_err(r->srv, r->c, r->id, "unsupported", "this VM's console "
			  "takes no input (a PL011 with no --uart-input: run "
			  "--kernel)");
		return;
	}
	if (ret == -EAGAIN) {
		reply_err(r->srv, r->c, r->id, "busy", "the guest has not read "
			  "the console input sent before");
		return;
	}
	if (ret < 0) {
		reply_err(r->srv, r->c, r->id, "state", "console input: %s",
			  strerror((int)-ret));
		return;
	}
	body = json_object_new_object();
	add(body, "bytes", json_object_new_int64(ret));
	reply_ok(r->srv, r->c, r->id, body);
}

static const struct {
	const char *name;
	void (*fn)(struct request *r);
} commands[] = {
	{ "status", do_status }, { "stat", do_stat },
	{ "pause", do_pause },	 { "resume", do_resume },
	{ "step", do_step },	 { "stop", do_stop },
	{ "attach", do_attach }, { "wait", do_wait },
	{ "snapshot", do_snapshot }, { "console-input", do_console_input },
	{ "config", do_config },
};

static void handle_line(struct gctl_ctl_server *srv, struct client *c,
			const char *line, size_t len)
{
	struct request r = { .srv = srv, .c = c };
	json_tokener *tok;
	json_object *k;
	const char *cmd;
	size_t end;

	tok = json_tokener_new();
	if (!tok) {
		reply_err(srv, c, NULL, "request", "out of memory");
		return;
	}
	r.req = json_tokener_parse_ex(tok, line, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (json_tokener_get_error(tok) != json_tokener_success)
		r.req = NULL;
	json_tokener_free(tok);
	/* Nothing but white space may follow the object. */
	while (r.req && end < len && strchr(" \t\r", line[end]))
		end++;
	if (!r.req || end != len || !json_object_is_type(r.req, json_type_object)) {
		reply_err(srv, c, NULL, "request", "not a JSON object on one line");
		goto out;
	}
	json_object_object_get_ex(r.req, "id", &r.id);
	if (!json_object_object_get_ex(r.req, "v", &k) ||
	    !json_object_is_type(k, json_type_int)) {
		reply_err(srv, c, r.id, "version", "no protocol version (\"v\":%d)",
			  GCTL_CTL_VERSION);
		goto out;
	}
	if (json_object_get_int64(k) != GCTL_CTL_VERSION) {
		reply_err(srv, c, r.id, "version", "protocol version %" PRId64 " not "
			  "supported: this VM speaks version %d",
			  json_object_get_int64(k), GCTL_CTL_VERSION);
		goto out;
	}
	cmd = gctl_json_get_str(r.req, "cmd");
	if (!cmd) {
		reply_err(srv, c, r.id, "request", "no \"cmd\"");
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(cmd, commands[i].name)) {
			commands[i].fn(&r);
			goto out;
		}
	reply_err(srv, c, r.id, "request", "unknown command \"%.64s\"", cmd);
out:
	json_object_put(r.req);
}

/* ---- connections --------------------------------------------------------- */

static void close_client(struct gctl_ctl_server *srv, struct client *c)
{
	/* A step whose owner is gone stops here, paused. */
	if (c->step_pending && srv->vmm && !srv->finished)
		gctl_vmm_pause(srv->vmm);
	set_sub(srv, c, SUB_NONE, 0);
	pthread_mutex_lock(&srv->lock);
	free(c->out);
	c->out = NULL;
	c->out_off = c->out_len = c->out_cap = 0;
	c->lost = 0;
	pthread_mutex_unlock(&srv->lock);
	close(c->fd);
	json_object_put(c->step_id);
	json_object_put(c->wait_id);
	c->step_id = c->wait_id = NULL;
	c->step_pending = c->wait_pending = c->attached = false;
	c->wait_snapshot = false;
	c->eof = c->closing = false;
	c->asked = false;
	c->in_len = 0;
	c->fd = -1;
}

static void accept_clients(struct gctl_ctl_server *srv)
{
	for (;;) {
		struct ucred cred = { .uid = (uid_t)-1 };
		socklen_t clen = sizeof(cred);
		struct client *c = NULL;
		char msg[128];
		int fd;

		fd = accept4(srv->claim.fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return; /* EAGAIN, or an aborted connection */
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) ||
		    cred.uid != geteuid()) {
			snprintf(msg, sizeof(msg), "permission denied: uid %u "
				 "may not control this VM (uid %u's)",
				 (unsigned)cred.uid, (unsigned)geteuid());
			refuse(fd, "denied", msg);
			continue;
		}
		for (unsigned int i = 0; i < GCTL_CTL_MAX_CLIENTS && !c; i++)
			if (srv->clients[i].fd < 0)
				c = &srv->clients[i];
		if (!c) {
			snprintf(msg, sizeof(msg), "too many connections (%d)",
				 GCTL_CTL_MAX_CLIENTS);
			refuse(fd, "busy", msg);
			continue;
		}
		c->fd = fd;
		c->idle_since_ns = gctl_now_ns();
	}
}

/*
 * Back-pressure: a client whose replies pile up (it sends requests and
 * does not read) is served no further, and not read either, until they
 * have drained below GCTL_CTL_OUT_MAX; its requests wait in the socket.
 */
static bool backed_up(struct gctl_ctl_server *srv, struct client *c)
{
	bool ret;

	pthread_mutex_lock(&srv->lock);
	ret = c->out_len >= GCTL_CTL_OUT_MAX;
	pthread_mutex_unlock(&srv->lock);
	return ret;
}

/* A whole request read and not yet served? */
static bool line_waiting(const struct client *c)
{
	return c->in_len && memchr(c->in, '\n', c->in_len);
}

/* Serve the requests read, as long as the client takes its replies. */
static void serve_lines(struct gctl_ctl_server *srv, struct client *c)
{
	char *nl;

	while (!c->closing && c->fd >= 0 && !backed_up(srv, c) &&
	       (nl = memchr(c->in, '\n', c->in_len))) {
		size_t len = (size_t)(nl - c->in);

		c->idle_since_ns = gctl_now_ns();
		c->asked = true;
		if (len)
			handle_line(srv, c, c->in, len);
		c->in_len -= len + 1;
		memmove(c->in, nl + 1, c->in_len);
	}
	if (!c->closing && c->in_len == sizeof(c->in) && !line_waiting(c)) {
		reply_err(srv, c, NULL, "request", "request too long (more than "
			  "%d bytes with its newline)", GCTL_CTL_REQ_MAX);
		c->closing = true;
	}
}

static void read_client(struct gctl_ctl_server *srv, struct client *c)
{
	serve_lines(srv, c);
	while (!c->closing && !c->eof && c->fd >= 0 && !line_waiting(c) &&
	       !backed_up(srv, c)) {
		ssize_t n;

		n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
			 MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			close_client(srv, c);
			return;
		}
		if (!n) {
			/*
			 * It sends no more, but may still read: a script's
			 * "send, shut down, read the reply".  Gone for good
			 * is POLLHUP, or a failed send.
			 */
			c->eof = true;
			return;
		}
		c->in_len += (size_t)n;
		serve_lines(srv, c);
	}
}

/* Send what is queued, as far as the socket takes it. */
static void flush_client(struct gctl_ctl_server *srv, struct client *c)
{
	bool dead = false;

	pthread_mutex_lock(&srv->lock);
	while (c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			dead = errno != EAGAIN && errno != EWOULDBLOCK;
			break;
		}
		c->out_off += (size_t)n;
		c->out_len -= (size_t)n;
	}
	if (!c->out_len)
		c->out_off = 0;
	pthread_mutex_unlock(&srv->lock);
	if (dead)
		close_client(srv, c);
}

static bool has_output(struct gctl_ctl_server *srv, struct client *c)
{
	bool ret;

	pthread_mutex_lock(&srv->lock);
	ret = c->out_len > 0;
	pthread_mutex_unlock(&srv->lock);
	return ret;
}

/* Nothing more to read from it, nothing owed to it, nothing queued. */
static bool done_with(struct gctl_ctl_server *srv, struct client *c)
{
	if (!c->closing && !(c->eof && !c->attached && !c->step_pending &&
			     !c->wait_pending && !line_waiting(c)))
		return false;
	return !has_output(srv, c);
}

/*
 * A client that holds a slot for nothing: connected and silent, or half
 * a request sent and no more, and owed nothing.  (One that has asked
 * before may take its time between requests: stat --watch.)
 */
static bool idle(const struct client *c)
{
	return c->fd >= 0 && !c->closing && !c->attached && !c->step_pending &&
	       !c->wait_pending && !line_waiting(c) && (!c->asked || c->in_len);
}

static void expire_idle(struct gctl_ctl_server *srv)
{
	uint64_t now = gctl_now_ns();

	if (!srv->idle_ns)
		return;
	for (int i = 0; i < GCTL_CTL_MAX_CLIENTS; i++) {
		struct client *c = &srv->clients[i];

		if (!idle(c) || now - c->idle_since_ns < srv->idle_ns)
			continue;
		reply_err(srv, c, NULL, "idle", "no request in %.0f s: "
			  "connection closed", (double)srv->idle_ns / 1e9);
		c->closing = true;
		flush_client(srv, c);
		if (c->fd >= 0 && done_with(srv, c))
			close_client(srv, c);
	}
}

int gctl_ctl_server_timeout_ms(struct gctl_ctl_server *srv)
{
	uint64_t now = gctl_now_ns(), next = UINT64_MAX;

	if (!srv->idle_ns)
		return -1;
	for (int i = 0; i < GCTL_CTL_MAX_CLIENTS; i++) {
		const struct client *c = &srv->clients[i];
		uint64_t at = c->idle_since_ns + srv->idle_ns;

		if (idle(c) && at < next)
			next = at;
	}
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)((next - now + 999999) / 1000000);
}

int gctl_ctl_server_pollfds(struct gctl_ctl_server *srv, struct pollfd *pfd,
			    int max)
{
	int n = 0;

	if (max < 2)
		return 0;
	if (srv->vmm && !srv->finished) {
		srv->poll_map[n] = -1;
		pfd[n++] = (struct pollfd){ .fd = srv->claim.fd, .events = POLLIN };
	}
	srv->poll_map[n] = -1;
	pfd[n++] = (struct pollfd){ .fd = srv->wake_fd, .events = POLLIN };
	for (int i = 0; i < GCTL_CTL_MAX_CLIENTS && n < max; i++) {
		struct client *c = &srv->clients[i];
		short ev = 0;

		if (c->fd < 0)
			continue;
		/* Not while its requests wait for its replies to drain. */
		if (!c->closing && !c->eof && !line_waiting(c) &&
		    !backed_up(srv, c))
			ev |= POLLIN;
		if (has_output(srv, c))
			ev |= POLLOUT;
		srv->poll_map[n] = i;
		pfd[n++] = (struct pollfd){ .fd = c->fd, .events = ev };
	}
	return n;
}

void gctl_ctl_server_events(struct gctl_ctl_server *srv,
			    const struct pollfd *pfd, int n)
{
	for (int i = 0; i < n; i++) {
		struct client *c;
		uint64_t v;

		if (!pfd[i].revents)
			continue;
		if (srv->poll_map[i] < 0) {
			if (pfd[i].fd == srv->wake_fd)
				while (read(srv->wake_fd, &v, sizeof(v)) > 0)
					;
			else
				accept_clients(srv);
			continue;
		}
		c = &srv->clients[srv->poll_map[i]];
		if (c->fd != pfd[i].fd)
			continue; /* closed and reused in this round */
		/*
		 * Both ways shut: nobody is there to read a reply, and what
		 * it asked and we did not read yet is not done (a client
		 * that gave up waiting, as stop does after its timeout).
		 */
		if (pfd[i].revents & (POLLHUP | POLLERR)) {
			close_client(srv, c);
			continue;
		}
		if (pfd[i].revents & POLLIN)
			read_client(srv, c);
	}
	/* Replies made in this round, and streams: out as far as they go. */
	for (int i = 0; i < GCTL_CTL_MAX_CLIENTS; i++) {
		struct client *c = &srv->clients[i];

		if (c->fd < 0)
			continue;
		flush_client(srv, c);
		/* Room again: the requests that waited for it (until the
		 * socket takes no more, or none is left). */
		while (c->fd >= 0 && !c->closing && line_waiting(c) &&
		       !backed_up(srv, c)) {
			serve_lines(srv, c);
			flush_client(srv, c);
		}
		if (c->fd >= 0 && done_with(srv, c))
			close_client(srv, c);
	}
	expire_idle(srv);
}

void gctl_ctl_server_update(struct gctl_ctl_server *srv)
{
	if (!srv->vmm)
		return;
	for (int i = 0; i < GCTL_CTL_MAX_CLIENTS; i++) {
		struct client *c = &srv->clients[i];
		enum gctl_vmm_state st;
		uint64_t left, taken;
		json_object *body;
		size_t queued;

		if (c->fd < 0 || !c->step_pending)
			continue;
		/*
		 * step_left first, the state after: the state waits for the
		 * engine's lock, so an exit seen counted here has finished
		 * its report (and its console line) by then.
		 */
		pthread_mutex_lock(&srv->lock);
		left = c->step_left;
		pthread_mutex_unlock(&srv->lock);
		st = gctl_vmm_peek_state(srv->vmm);
		if (left && st == GCTL_VMM_RUNNING)
			continue;
		pthread_mutex_lock(&srv->lock);
		taken = c->step_taken;
		queued = c->out_len;
		pthread_mutex_unlock(&srv->lock);
		/*
		 * Paused at the end of a chunk (not by a pause: that leaves
		 * exits of the chunk untaken): the next one, once the client
		 * has read most of what is queued (its POLLOUT brings us back).
		 */
		if (left && st == GCTL_VMM_PAUSED && taken == c->step_given) {
			uint64_t chunk = left < STEP_CHUNK ? left : STEP_CHUNK;

			if (queued > GCTL_CTL_OUT_MAX / 2)
				continue;
			c->step_given += chunk;
			gctl_vmm_step(srv->vmm, chunk);
			continue;
		}
		set_sub(srv, c, SUB_NONE, 0);
		body = json_object_new_object();
		add(body, "exits", json_object_new_int64((int64_t)taken));
		add(body, "state", json_object_new_string(gctl_vmm_state_str(st)));
		reply_ok(srv, c, c->step_id, body);
		json_object_put(c->step_id);
		c->step_id = NULL;
		c->step_pending = false;
		flush_client(srv, c);
	}
}

/* ---- life ------------------------------------------------------------------ */

int gctl_ctl_server_new(struct gctl_rundir_claim *claim,
			const struct gctl_ctl_info *info,
			struct gctl_ctl_server **out)
{
	struct gctl_ctl_server *srv = calloc(1, sizeof(*srv));
	int ret;

	if (!srv)
		return -ENOMEM;
	pthread_mutex_init(&srv->lock, NULL);
	atomic_init(&srv->nr_subs, 0);
	for (int i = 0; i < GCTL_CTL_MAX_CLIENTS; i++)
		srv->clients[i].fd = -1;
	srv->rd.fd = -1;
	srv->claim.fd = -1;
	srv->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ret = gctl_rundir_dup(info->rd, &srv->rd);
	srv->name = strdup(info->name);
	srv->backend = strdup(info->backend);
	srv->image = strdup(info->image);
	srv->log = info->log ? strdup(info->log) : NULL;
	srv->runlog = info->runlog;
	srv->mmio_fmt = gctl_json_mmio_new();
	if (srv->wake_fd < 0 || ret || !srv->name || !srv->backend ||
	    !srv->image || (info->log && !srv->log) || !srv->mmio_fmt) {
		ret = srv->wake_fd < 0 ? -errno : ret ? ret : -ENOMEM;
		gctl_ctl_server_free(srv);
		return ret;
	}
	srv->nr_vcpus = info->nr_vcpus;
	srv->idle_ns = info->idle_ns;
	srv->pid = getpid();
	ret = gctl_stats_new(info->nr_vcpus, &srv->stats);
	if (ret) {
		srv->claim.fd = -1;
		gctl_ctl_server_free(srv);
		return ret;
	}
	srv->claim = *claim;
	srv->claim.dir_fd = srv->rd.fd;
	claim->fd = -1;
	*out = srv;
	return 0;
}

void gctl_ctl_server_start(struct gctl_ctl_server *srv, struct gctl_vmm *vmm)
{
	srv->t0_ns = gctl_now_ns();
	srv->vmm = vmm;
}

void gctl_ctl_server_finish(struct gctl_ctl_server *srv,
			    const struct gctl_summary *s)
{
	json_object *body;
	uint64_t deadline;
	int ret;

	/* What went to the log so far is in it, or counted lost. */
	if (srv->runlog)
		gctl_runlog_sync(srv->runlog);
	body = exit_body(srv, s);
	/* The status first: once the socket is gone, wait reads it.  If
	 * it cannot be written, the socket stays: the name then reads as
	 * a VM that died (its record lost), never as no VM at all. */
	ret = gctl_rundir_claim_status(&srv->claim, body);
	if (ret) {
		gctl_err("run", "%s/%s.status: the exit record cannot be "
			 "written: %s", srv->rd.path, srv->name, strerror(-ret));
		gctl_rundir_forget(&srv->claim);
	} else {
		gctl_rundir_release(&srv->claim);
	}
	srv->finished = true;

	for (int i = 0; i < GCTL_CTL_MAX_CLIENTS; i++) {
		struct client *c = &srv->clients[i];

		if (c->fd < 0)
			continue;
		if (c->wait_pending && c->wait_snapshot) {
			struct gctl_stats_snap *snap = snapshot(srv);
			json_object *b = json_object_new_object();

			json_object_object_foreach(body, key, val)
				add(b, key, json_object_get(val));
			if (snap)
				add(b, "snapshot", gctl_stats_snap_json(snap));
			free(snap);
			reply_ok(srv, c, c->wait_id, b);
		} else if (c->wait_pending) {
			reply_ok(srv, c, c->wait_id, json_object_get(body));
		}
		if (c->step_pending) {
			json_object *b = json_object_new_object();

			add(b, "exits", json_object_new_int64((int64_t)c->step_taken));
			add(b, "state", json_object_new_string("done"));
			reply_ok(srv, c, c->step_id, b);
		}
		c->wait_pending = c->step_pending = false;
		set_sub(srv, c, SUB_NONE, 0);
		c->closing = true;
	}
	json_object_put(body);

	/* A client that does not read in time loses the rest. */
	deadline = gctl_now_ns() + DRAIN_MS * 1000000ull;
	for (;;) {
		struct pollfd pfd[GCTL_CTL_MAX_CLIENTS];
		uint64_t now = gctl_now_ns();
		nfds_t n = 0;

		for (int i = 0; i < GCTL_CTL_MAX_CLIENTS; i++) {
			struct client *c = &srv->clients[i];

			if (c->fd < 0)
				continue;
			flush_client(srv, c);
			if (c->fd < 0)
				continue;
			if (!has_output(srv, c)) {
				close_client(srv, c);
				continue;
			}
			pfd[n++] = (struct pollfd){ .fd = c->fd, .events = POLLOUT };
		}
		if (!n || now >= deadline)
			break;
		if (poll(pfd, n, (int)((deadline - now) / 1000000ull) + 1) < 0 &&
		    errno != EINTR)
			break;
	}
	for (int i = 0; i < GCTL_CTL_MAX_CLIENTS; i++)
		if (srv->clients[i].fd >= 0)
			close_client(srv, &srv->clients[i]);
}

void gctl_ctl_server_free(struct gctl_ctl_server *srv)
{
	if (!srv)
		return;
	srv->finished = true;
	for (int i = 0; i < GCTL_CTL_MAX_CLIENTS; i++)
		if (srv->clients[i].fd >= 0)
			close_client(srv, &srv->clients[i]);
	gctl_rundir_release(&srv->claim);
	gctl_rundir_close(&srv->rd);
	if (srv->wake_fd >= 0)
		close(srv->wake_fd);
	pthread_mutex_destroy(&srv->lock);
	gctl_stats_free(srv->stats);
	gctl_json_mmio_free(srv->mmio_fmt);
	free(srv->name);
	free(srv->backend);
	free(srv->image);
	free(srv->rec_config);
	free(srv->log);
	free(srv);
}
