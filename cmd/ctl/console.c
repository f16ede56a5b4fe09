// SPDX-License-Identifier: GPL-2.0-only
/*
 * attach --console (console.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common.h"
#include "ctl/client.h"
#include "ctl/console.h"
#include "ctl/proto.h"
#include "gunyahctl.h"
#include "output/json_rec.h"

#define ESCAPE 0x1d	  /* Ctrl-], as run's terminal console */
#define BUSY_RETRY_MS 20  /* the guest has not read the last input yet */

struct console {
	const char *cmd, *name;
	struct gctl_ctl_conn *c;
	int sig_fd;
	bool tty;		/* standard input is a terminal, raw */
	struct termios saved;
	char in[GCTL_CTL_CONSOLE_MAX];
	size_t in_len;		/* bytes sent and not answered, or to resend */
	bool in_flight;		/* a console-input request awaits its reply */
	bool retry;		/* busy: send in[] again after BUSY_RETRY_MS */
	bool in_done;		/* no more input: its end, or the VM takes none */
	bool detach;		/* Ctrl-] or a signal */
	int end_code;		/* the VM's exit status, from its summary */
};

static int raw_mode(struct console *k)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &k->saved))
		return -errno;
	t = k->saved;
	t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR |
				 IGNCR | ICRNL | IXON);
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t))
		return -errno;
	k->tty = true;
	return 0;
}

static int send_input(struct console *k)
{
	char hex[2 * GCTL_CTL_CONSOLE_MAX + 1];
	json_object *args = json_object_new_object();

	for (size_t i = 0; i < k->in_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)k->in[i]);
	hex[2 * k->in_len] = '\0';
	json_object_object_add(args, "hex", json_object_new_string(hex));
	k->retry = false;
	k->in_flight = gctl_ctl_send(k->c, "console-input", args) == 0;
	return k->in_flight ? 0 : -1;
}

/* Standard input is readable: a chunk for the VM, its end, or Ctrl-]. */
static void read_input(struct console *k)
{
	ssize_t n = read(STDIN_FILENO, k->in, sizeof(k->in));
	char *esc;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		k->in_done = true;
		return;
	}
	esc = k->tty ? memchr(k->in, ESCAPE, (size_t)n) : NULL;
	if (esc) {
		n = esc - k->in;
		k->detach = true;
	}
	k->in_len = (size_t)n;
	if (n && send_input(k))
		k->in_done = true;
}

/* One line from the VM: a reply to our input, or a line of its stream. */
static void on_line(struct console *k, json_object *rec)
{
	const char *event, *code, *text;
	struct gctl_summary s;
	uint64_t n;

	if (gctl_ctl_is_reply(rec)) {
		k->in_flight = false;
		code = gctl_json_get_str(rec, "code");
		if (json_object_get_boolean(json_object_object_get(rec, "ok"))) {
			k->in_len = 0;
		} else if (code && !strcmp(code, "busy")) {
			k->retry = true;
		} else {
			gctl_ctl_reply_err(k->cmd, k->name, rec);
			k->in_done = true;
		}
		return;
	}
	event = gctl_json_get_str(rec, "event");
	if (!event)
		return;
	if (!strcmp(event, "console") && (text = gctl_json_get_str(rec, "text"))) {
		fputs(text, stdout);
		fflush(stdout);
	} else if (!strcmp(event, "summary") && !gctl_json_to_summary(rec, &s)) {
		k->end_code = s.exit_code;
	} else if (!strcmp(event, "lost") && gctl_json_get_u64(rec, "records", &n)) {
		/* A raw terminal's line ends with "\r\n" of its own. */
		fflush(stdout);
		fprintf(stderr, "gunyahctl: %s: %s: %" PRIu64 " console lines "
			"lost: this client did not keep up%s\n", k->cmd,
			k->name, n, k->tty ? "\r" : "");
	}
}

/* Until the VM ends (its status), or a detach (0). */
static int loop(struct console *k)
{
	json_object *rec;
	int ret;

	while (!k->detach) {
		bool want_in = !k->in_done && !k->in_flight && !k->in_len;
		struct pollfd p[3] = {
			{ .fd = gctl_ctl_fd(k->c), .events = POLLIN },
			{ .fd = k->sig_fd, .events = POLLIN },
			{ .fd = want_in ? STDIN_FILENO : -1, .events = POLLIN },
		};

		if (!gctl_ctl_pending(k->c) &&
		    poll(p, 3, k->retry ? BUSY_RETRY_MS : -1) < 0 && errno != EINTR)
			return GCTL_EXIT_OSERR;
		if (p[1].revents)
			return 0;
		if (k->retry && !k->in_flight && send_input(k))
			k->in_done = true;
		if (p[2].revents)
			read_input(k);
		while (p[0].revents || gctl_ctl_pending(k->c)) {
			p[0].revents = 0;
			ret = gctl_ctl_read(k->c, 0, &rec);
			if (ret == -ETIMEDOUT)
				break;
			if (ret <= 0)
				return k->end_code >= 0 ? k->end_code :
				       gctl_ctl_read_err(k->cmd, k->name, ret);
			if (rec)
				on_line(k, rec);
			json_object_put(rec);
		}
	}
	return 0;
}

int gctl_attach_console(const char *cmd, const char *name)
{
	struct console k = { .cmd = cmd, .name = name, .end_code = -1 };
	json_object *args, *rec;
	int ret;

	k.sig_fd = gctl_stop_signalfd(false);
	if (k.sig_fd < 0) {
		gctl_err(cmd, "signalfd: %s", strerror(errno));
		return GCTL_EXIT_OSERR;
	}
	ret = gctl_ctl_open(cmd, name, &k.c);
	if (ret)
		goto out;
	gctl_ctl_set_sig_fd(k.c, k.sig_fd);
	args = json_object_new_object(); /* the call takes it */
	json_object_object_add(args, "exits", json_object_new_boolean(false));
	ret = gctl_ctl_call(cmd, name, k.c, "attach", args, GCTL_CTL_TIMEOUT_MS,
			    &rec);
	if (ret)
		goto out;
	json_object_put(rec);
	if (isatty(STDIN_FILENO) && raw_mode(&k) == 0)
		fprintf(stderr, "gunyahctl: %s: %s's console; Ctrl-] detaches "
			"(the VM runs on)\r\n", cmd, name);
	ret = loop(&k);
out:
	if (k.tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &k.saved);
	fflush(stdout);
	gctl_ctl_close(k.c);
	close(k.sig_fd);
	return ret;
}
