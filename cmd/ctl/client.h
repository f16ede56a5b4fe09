/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The client side of a named VM's control socket (ctl.h): find the VM,
 * connect, send requests, read replies and stream lines with a timeout.
 * The admin commands (list, status, pause, ...) are built on it.
 *
 * Functions taking cmd print their errors ("gunyahctl: CMD: NAME: why")
 * and return an exit status (enum gctl_exit); 0 is success.
 */
#ifndef GCTL_CTL_CLIENT_H
#define GCTL_CTL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <argp.h>

#include <json-c/json.h>

/* How long a plain request waits for its reply. */
#define GCTL_CTL_TIMEOUT_MS 5000

struct gctl_ctl_conn;

/*
 * Connect to NAME's VM.  A VM that is gone is explained (it exited, with
 * its status; its process died, and its stale socket is removed) and
 * GCTL_EXIT_NOINPUT returned, as for no VM of that name at all.
 */
int gctl_ctl_open(const char *cmd, const char *name,
		  struct gctl_ctl_conn **out);
/*
 * The same for a caller that looks again itself (list): a socket that is
 * stale or gone is GCTL_EXIT_NOINPUT without a word, left as it is.
 */
int gctl_ctl_open_live(const char *cmd, const char *name,
		       struct gctl_ctl_conn **out);
void gctl_ctl_close(struct gctl_ctl_conn *c);

/* The connection's fd, to poll for what gctl_ctl_read would read. */
int gctl_ctl_fd(const struct gctl_ctl_conn *c);

/* The runtime directory the VM was found in (held open). */
struct gctl_rundir;
const struct gctl_rundir *gctl_ctl_dir(const struct gctl_ctl_conn *c);

/* A readable fd (a signalfd) that ends any wait with -EINTR; -1: none. */
void gctl_ctl_set_sig_fd(struct gctl_ctl_conn *c, int fd);
/*
 * From now on gctl_ctl_read returns exit records unparsed: 1 with *out
 * NULL, the text in gctl_ctl_line() (for a client that only passes them
 * on: parsing is most of its work when a VM floods it).
 */
void gctl_ctl_pass_exits(struct gctl_ctl_conn *c, bool on);

/* For watchers: the VM closing the connection (it ended) is no error,
 * and gctl_ctl_call says nothing of it (GCTL_EXIT_NOINPUT all the same). */
void gctl_ctl_set_quiet_end(struct gctl_ctl_conn *c);

/*
 * Send {"v":1,"id":N,"cmd":req, args...} (args consumed, may be NULL).
 * 0 or -errno.  A VM that closed the connection is no error here: what it
 * said before (a refusal), or the end, is for the next read.
 */
int gctl_ctl_send(struct gctl_ctl_conn *c, const char *req, json_object *args);

/*
 * The next line from the VM (timeout_ms < 0: no limit): 1 with the
 * object in *out (the caller puts it) and its text in gctl_ctl_line();
 * 0 at the end of the connection; -ETIMEDOUT, -EINTR (the sig fd),
 * -EPROTO (not a JSON object, or too long), or -errno.
 */
int gctl_ctl_read(struct gctl_ctl_conn *c, int timeout_ms, json_object **out);
const char *gctl_ctl_line(const struct gctl_ctl_conn *c);
/* Is a whole line waiting already (gctl_ctl_read will not block)? */
bool gctl_ctl_pending(const struct gctl_ctl_conn *c);

/*
 * NAME has no live socket but a status file: 1 with its exit object in
 * *st (the caller puts it); else 0.  Quiet.  A stale socket is cleaned
 * first (its VM then has a status file: result "died").
 */
int gctl_ctl_exited(const char *name, json_object **st);

/* A reply or a stream line?  Replies have "ok". */
bool gctl_ctl_is_reply(json_object *o);

/* For an {"ok":false} reply: print its error, return its exit status. */
int gctl_ctl_reply_err(const char *cmd, const char *name, json_object *reply);
/* For a failed gctl_ctl_read or send (ret <= 0): the same. */
int gctl_ctl_read_err(const char *cmd, const char *name, int ret);

/*
 * Send a request and read its reply, skipping stream lines: 0 with an
 * ok reply in *reply (the caller puts it), or an exit status.
 */
int gctl_ctl_call(const char *cmd, const char *name, struct gctl_ctl_conn *c,
		  const char *req, json_object *args, int timeout_ms,
		  json_object **reply);

/* gctl_ctl_open, gctl_ctl_call, gctl_ctl_close: one request to NAME. */
int gctl_ctl_request(const char *cmd, const char *name, const char *req,
		     json_object *args, json_object **reply);

/*
 * A reply or status object without the protocol's own keys (v, id, ok):
 * what the commands print with --json.  A new object.
 */
json_object *gctl_ctl_payload(json_object *reply);

/* Text: "1.5s", "2m03s", "1h02m", "3d04h". */
void gctl_fmt_duration(uint64_t ns, char *buf, size_t len);

#endif /* GCTL_CTL_CLIENT_H */
