// SPDX-License-Identifier: GPL-2.0-only
/* The client side of the control socket (ctl_client.h). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "ctl/proto.h"
#include "ctl/client.h"
#include "gunyahctl.h"
#include "output/json_rec.h"
#include "ctl/rundir.h"

struct gctl_ctl_conn {
	int fd;
	int sig_fd;
	bool quiet_end; /* the VM's end is no error: say nothing */
	char timeout_msg[256]; /* what a call's timeout says, if not "" */
	bool pass_exits; /* exit records as text only (gctl_ctl_pass_exits) */
	int64_t next_id;
	struct gctl_rundir rd;
	/* bytes read and not yet returned: buf[off, off + len) */
	char *buf;
	size_t off, len, cap;
	char *line; /* the last line returned, NUL-terminated */
	size_t line_cap;
};

/* How every exit record starts, and nothing else the VM sends: json-c
 * and json_mmio.c both write "seq" first (gunyahctl-json(7)). */
#define EXIT_PREFIX "{\"seq\":"

static uint64_t now_ms(void)
{
	return gctl_now_ns() / 1000000;
}

/* Why NAME has no live socket, said once; always GCTL_EXIT_NOINPUT. */
static int not_running(const char *cmd, const struct gctl_rundir *rd,
		       const char *name, bool was_stale)
{
	json_object *st = NULL;
	const char *result;
	uint64_t code;

	if (was_stale) {
		gctl_err(cmd, "%s: the VM's process is gone (killed?): its "
			 "stale socket is removed", name);
		return GCTL_EXIT_NOINPUT;
	}
	if (rd && !gctl_rundir_read_status(rd, name, &st)) {
		result = gctl_json_get_str(st, "result");
		if (result && !strcmp(result, "died"))
			gctl_err(cmd, "%s: not running: its process died without "
				 "an exit status (killed?)", name);
		else if (result && gctl_json_get_u64(st, "exit_code", &code))
			gctl_err(cmd, "%s: not running: it ended (%s, exit "
				 "status %" PRIu64 ")", name, result, code);
		else
			gctl_err(cmd, "%s: not running: it ended", name);
		json_object_put(st);
		return GCTL_EXIT_NOINPUT;
	}
	gctl_err(cmd, "%s: no such VM", name);
	return GCTL_EXIT_NOINPUT;
}

/* Its process died, and NAME.status could not say so: err says why. */
static int died_unrecorded(const char *cmd, const char *name, const char *err)
{
	gctl_err(cmd, "%s: the VM's process died and its exit record could "
		 "not be written: %s", name, err);
	return GCTL_EXIT_SOFTWARE;
}

/* live_only: no live socket is GCTL_EXIT_NOINPUT, unsaid and uncleaned. */
static int ctl_open(const char *cmd, const char *name, bool live_only,
		    struct gctl_ctl_conn **out)
{
	char err[PATH_MAX + 128], sock[PATH_MAX];
	struct gctl_ctl_conn *c;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	int fd = -1, ret;

	if (!gctl_vm_name_valid(name)) {
		gctl_err(cmd, "%s: not a VM name (1 to %d letters, digits, '_', "
			 "'-' or '.', not starting with '-' or '.')", name,
			 GCTL_VM_NAME_MAX);
		return GCTL_EXIT_USAGE;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		gctl_err(cmd, "%s", strerror(ENOMEM));
		return GCTL_EXIT_OSERR;
	}
	c->fd = -1;
	c->rd.fd = -1;
	c->sig_fd = -1;
	c->next_id = 1;
	ret = gctl_rundir_open(false, &c->rd, err, sizeof(err));
	if (ret == -ENOENT) {
		ret = not_running(cmd, NULL, name, false);
		goto fail;
	}
	if (ret) {
		gctl_err(cmd, "%s", err);
		ret = gctl_exit_of(ret, GCTL_FAILED_SYSTEM);
		goto fail;
	}
	gctl_rundir_file(&c->rd, name, "sock", sock, sizeof(sock));
	ret = gctl_rundir_probe(&c->rd, name, &fd);
	if (live_only && (ret == GCTL_PROBE_STALE || ret == GCTL_PROBE_ABSENT)) {
		ret = GCTL_EXIT_NOINPUT;
		goto fail;
	}
	switch (ret) {
	case GCTL_PROBE_ALIVE:
		break;
	case GCTL_PROBE_STALE:
		/* Under the lock it is looked at again: maybe a new run. */
		ret = gctl_rundir_clean_stale(&c->rd, name, err, sizeof(err));
		if (ret == 1) {
			ret = not_running(cmd, &c->rd, name, true);
			goto fail;
		}
		if (ret < 0 && ret != -ENOENT) {
			ret = died_unrecorded(cmd, name, err);
			goto fail;
		}
		ret = gctl_rundir_probe(&c->rd, name, &fd);
		if (ret == GCTL_PROBE_ALIVE)
			break;
		ret = not_running(cmd, &c->rd, name, false);
		goto fail;
	case GCTL_PROBE_ABSENT:
		ret = not_running(cmd, &c->rd, name, false);
		goto fail;
	case -EBUSY:
		gctl_err(cmd, "%s: the VM takes no more connections now", name);
		ret = GCTL_EXIT_TEMPFAIL;
		goto fail;
	default:
		gctl_err(cmd, "%s: %s: %s", name, sock, strerror(-ret));
		ret = gctl_exit_of(ret, GCTL_FAILED_SYSTEM);
		goto fail;
	}
	/* Talk only to a VM process of our own user. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) ||
	    cred.uid != geteuid()) {
		gctl_err(cmd, "%s: %s belongs to another user", name, sock);
		ret = GCTL_EXIT_NOPERM;
		goto fail;
	}
	c->fd = fd;
	*out = c;
	return 0;

fail:
	if (fd >= 0)
		close(fd);
	gctl_rundir_close(&c->rd);
	free(c);
	return ret;
}

int gctl_ctl_open(const char *cmd, const char *name,
		  struct gctl_ctl_conn **out)
{
	return ctl_open(cmd, name, false, out);
}

int gctl_ctl_open_live(const char *cmd, const char *name,
		       struct gctl_ctl_conn **out)
{
	return ctl_open(cmd, name, true, out);
}

void gctl_ctl_close(struct gctl_ctl_conn *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	gctl_rundir_close(&c->rd);
	free(c->buf);
	free(c->line);
	free(c);
}

int gctl_ctl_fd(const struct gctl_ctl_conn *c)
{
	return c->fd;
}

const struct gctl_rundir *gctl_ctl_dir(const struct gctl_ctl_conn *c)
{
	return &c->rd;
}

void gctl_ctl_pass_exits(struct gctl_ctl_conn *c, bool on)
{
	c->pass_exits = on;
}

void gctl_ctl_set_sig_fd(struct gctl_ctl_conn *c, int fd)
{
	c->sig_fd = fd;
}

void gctl_ctl_set_timeout_msg(struct gctl_ctl_conn *c, const char *msg)
{
	snprintf(c->timeout_msg, sizeof(c->timeout_msg), "%s", msg);
}

void gctl_ctl_set_quiet_end(struct gctl_ctl_conn *c)
{
	c->quiet_end = true;
}

int gctl_ctl_send(struct gctl_ctl_conn *c, const char *req, json_object *args)
{
	json_object *o = json_object_new_object();
	const char *s;
	size_t len, off = 0;
	int ret = 0;

	json_object_object_add(o, "v", json_object_new_int(GCTL_CTL_VERSION));
	json_object_object_add(o, "id", json_object_new_int64(c->next_id++));
	json_object_object_add(o, "cmd", json_object_new_string(req));
	if (args) {
		json_object_object_foreach(args, key, val)
			json_object_object_add(o, key, json_object_get(val));
		json_object_put(args);
	}
	s = json_object_to_json_string_ext(o, GCTL_JSON_PLAIN);
	len = strlen(s);
	while (off <= len) {
		/* The newline is sent from a byte of its own. */
		const char *p = off < len ? s + off : "\n";
		size_t n = off < len ? len - off : 1;
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		/*
		 * Closed before it read the request: it may have said why
		 * first (busy, denied), and the read that follows says it.
		 */
		if (w < 0 && (errno == EPIPE || errno == ECONNRESET))
			break;
		if (w < 0) {
			ret = -errno;
			break;
		}
		off += (size_t)w;
	}
	json_object_put(o);
	return ret;
}

/* A complete line in buf?  Moved to c->line. */
static int take_line(struct gctl_ctl_conn *c, json_object **out)
{
	char *start, *nl;
	size_t len;
	json_object *o;

	if (!c->len)
		return 0; /* and buf may be NULL yet */
	start = c->buf + c->off;
	nl = memchr(start, '\n', c->len);
	if (!nl)
		return 0;
	len = (size_t)(nl - start);
	if (len + 1 > c->line_cap) {
		char *p = realloc(c->line, len + 1);

		if (!p)
			return -ENOMEM;
		c->line = p;
		c->line_cap = len + 1;
	}
	memcpy(c->line, start, len);
	c->line[len] = 0;
	c->off += len + 1;
	c->len -= len + 1;
	if (c->pass_exits && !strncmp(c->line, EXIT_PREFIX, strlen(EXIT_PREFIX))) {
		*out = NULL;
		return 1;
	}
	o = json_tokener_parse(c->line);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -EPROTO;
	}
	*out = o;
	return 1;
}

int gctl_ctl_read(struct gctl_ctl_conn *c, int timeout_ms, json_object **out)
{
	uint64_t deadline = timeout_ms >= 0 ? now_ms() + (uint64_t)timeout_ms : 0;

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = c->fd, .events = POLLIN },
			{ .fd = c->sig_fd, .events = POLLIN },
		};
		int ret, wait_ms = -1;
		ssize_t n;

		ret = take_line(c, out);
		if (ret)
			return ret;
		if (c->len >= GCTL_CTL_LINE_MAX)
			return -EPROTO;
		if (timeout_ms >= 0) {
			uint64_t now = now_ms();

			wait_ms = now >= deadline ? 0 : (int)(deadline - now);
		}
		/* A timeout of 0 still takes what is there already. */
		ret = poll(pfd, c->sig_fd >= 0 ? 2 : 1, wait_ms);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (pfd[1].revents)
			return -EINTR;
		if (!ret && timeout_ms >= 0 && now_ms() >= deadline)
			return -ETIMEDOUT;
		if (!pfd[0].revents)
			continue;

		/* Room to read into: compact, then grow. */
		if (c->off && c->off + c->len == c->cap) {
			memmove(c->buf, c->buf + c->off, c->len);
			c->off = 0;
		}
		if (c->off + c->len == c->cap) {
			size_t cap = c->cap ? 2 * c->cap : 65536;
			char *p = realloc(c->buf, cap);

			if (!p)
				return -ENOMEM;
			c->buf = p;
			c->cap = cap;
		}
		n = recv(c->fd, c->buf + c->off + c->len,
			 c->cap - c->off - c->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == ECONNRESET ? 0 : -errno;
		if (!n)
			return 0;
		c->len += (size_t)n;
	}
}

const char *gctl_ctl_line(const struct gctl_ctl_conn *c)
{
	return c->line ? c->line : "";
}

bool gctl_ctl_pending(const struct gctl_ctl_conn *c)
{
	return c->len && memchr(c->buf + c->off, '\n', c->len);
}

int gctl_ctl_exited(const char *name, json_object **st)
{
	char err[PATH_MAX + 128];
	struct gctl_rundir rd;
	int ret = 0;

	if (!gctl_vm_name_valid(name) ||
	    gctl_rundir_open(false, &rd, err, sizeof(err)))
		return 0;
	ret = gctl_rundir_probe(&rd, name, NULL);
	/* Its process died: cleaning says so in a status file. */
	if (ret == GCTL_PROBE_STALE &&
	    gctl_rundir_clean_stale(&rd, name, err, sizeof(err)) == 1)
		ret = GCTL_PROBE_ABSENT;
	ret = ret == GCTL_PROBE_ABSENT && !gctl_rundir_read_status(&rd, name, st);
	gctl_rundir_close(&rd);
	return ret;
}

bool gctl_ctl_is_reply(json_object *o)
{
	return json_object_object_get_ex(o, "ok", NULL);
}

int gctl_ctl_reply_err(const char *cmd, const char *name, json_object *reply)
{
	const char *msg = gctl_json_get_str(reply, "error");
	const char *code = gctl_json_get_str(reply, "code");

	gctl_err(cmd, "%s: %s", name, msg ? msg : "the VM says no");
	if (!code)
		return GCTL_EXIT_PROTOCOL;
	if (!strcmp(code, "unsupported") || !strcmp(code, "state"))
		return GCTL_EXIT_UNAVAILABLE;
	if (!strcmp(code, "denied"))
		return GCTL_EXIT_NOPERM;
	if (!strcmp(code, "busy"))
		return GCTL_EXIT_TEMPFAIL;
	return GCTL_EXIT_PROTOCOL; /* request, version: we spoke wrong */
}

int gctl_ctl_read_err(const char *cmd, const char *name, int ret)
{
	switch (ret) {
	case 0:
		gctl_err(cmd, "%s: the VM's process closed the connection "
			 "without a reply (it ended?)", name);
		return GCTL_EXIT_NOINPUT;
	case -ETIMEDOUT:
		gctl_err(cmd, "%s: no reply in time", name);
		return GCTL_EXIT_TEMPFAIL;
	case -EPROTO:
		gctl_err(cmd, "%s: the VM sent something that is not a JSON "
			 "object on a line", name);
		return GCTL_EXIT_PROTOCOL;
	case -EINTR:
		return GCTL_EXIT_OK; /* a signal: the caller decides */
	default:
		gctl_err(cmd, "%s: %s", name, strerror(-ret));
		return GCTL_EXIT_OSERR;
	}
}

int gctl_ctl_call(const char *cmd, const char *name, struct gctl_ctl_conn *c,
		  const char *req, json_object *args, int timeout_ms,
		  json_object **reply)
{
	uint64_t deadline = now_ms() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms);
	json_object *o = NULL;
	int ret;

	ret = gctl_ctl_send(c, req, args);
	if (ret) {
		gctl_err(cmd, "%s: sending the request: %s", name, strerror(-ret));
		return GCTL_EXIT_OSERR;
	}
	for (;;) {
		int left = -1;

		if (timeout_ms >= 0) {
			uint64_t now = now_ms();

			left = now >= deadline ? 0 : (int)(deadline - now);
		}
		ret = gctl_ctl_read(c, left, &o);
		if (!ret && c->quiet_end)
			return GCTL_EXIT_NOINPUT;
		if (ret == -ETIMEDOUT && c->timeout_msg[0]) {
			gctl_err(cmd, "%s: %s", name, c->timeout_msg);
			return GCTL_EXIT_TEMPFAIL;
		}
		if (ret <= 0)
			return gctl_ctl_read_err(cmd, name, ret);
		if (gctl_ctl_is_reply(o))
			break;
		json_object_put(o); /* a stream line of another request */
	}
	if (!json_object_get_boolean(json_object_object_get(o, "ok"))) {
		ret = gctl_ctl_reply_err(cmd, name, o);
		json_object_put(o);
		return ret;
	}
	*reply = o;
	return 0;
}

int gctl_ctl_request(const char *cmd, const char *name, const char *req,
		     json_object *args, json_object **reply)
{
	struct gctl_ctl_conn *c;
	int ret;

	ret = gctl_ctl_open(cmd, name, &c);
	if (ret) {
		json_object_put(args);
		return ret;
	}
	ret = gctl_ctl_call(cmd, name, c, req, args, GCTL_CTL_TIMEOUT_MS, reply);
	gctl_ctl_close(c);
	return ret;
}

json_object *gctl_ctl_payload(json_object *reply)
{
	json_object *o = json_object_new_object();

	json_object_object_foreach(reply, key, val) {
		if (!strcmp(key, "v") || !strcmp(key, "id") ||
		    !strcmp(key, "ok"))
			continue;
		json_object_object_add(o, key, json_object_get(val));
	}
	return o;
}

void gctl_fmt_duration(uint64_t ns, char *buf, size_t len)
{
	uint64_t s = ns / 1000000000ull;

	if (s < 60)
		snprintf(buf, len, "%.1fs", (double)ns / 1e9);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600,
			 s / 60 % 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400,
			 s / 3600 % 24);
}
