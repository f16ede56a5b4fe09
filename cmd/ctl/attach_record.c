// SPDX-License-Identifier: GPL-2.0-only
/*
 * attach --record (attach_record.h): the stream's JSON records decoded
 * and fed to run --record's writer, with nothing behind it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/record.h"
#include "analysis/record_fmt.h"
#include "ctl/attach_record.h"
#include "gunyahctl.h"
#include "output/json_rec.h"

struct gctl_attach_rec {
	struct gctl_sink rec;
	const char *path;
};

/* Behind the writer: nothing (attach prints on its own). */
static void null_exit(void *ctx, const struct gctl_exit_record *r)
{
	(void)ctx, (void)r;
}

/* Not NULL, which would print it on standard error. */
static void null_message(void *ctx, const struct gctl_message *m)
{
	(void)ctx, (void)m;
}

static const struct gctl_sink_ops null_ops = {
	.exit = null_exit,
	.message = null_message,
};

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/*
 * The VM's CONFIG payload from the hex of the "config" reply, with the
 * attach field after it (a field may come in any order).  NULL if not hex.
 */
static uint8_t *config_payload(const char *hex, size_t *len)
{
	size_t n = strlen(hex), i;
	uint8_t *p;

	if (n % 2)
		return NULL;
	p = malloc(n / 2 + 2);
	if (!p)
		return NULL;
	for (i = 0; i < n / 2; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(p);
			return NULL;
		}
		p[i] = (uint8_t)(hi << 4 | lo);
	}
	p[i++] = CFG_ATTACH; /* tag, then length 0 */
	p[i++] = 0;
	*len = i;
	return p;
}

/* The "config" request: the payload, or an exit status. */
static int ask_config(const char *cmd, const char *name,
		      struct gctl_ctl_conn *c, uint8_t **p, size_t *len)
{
	json_object *reply;
	const char *hex;
	int ret = gctl_ctl_call(cmd, name, c, "config", NULL,
				GCTL_CTL_TIMEOUT_MS, &reply);

	if (ret)
		return ret;
	hex = gctl_json_get_str(reply, "record_config");
	*p = hex ? config_payload(hex, len) : NULL;
	json_object_put(reply);
	if (!*p) {
		gctl_err(cmd, "%s: its configuration makes no sense", name);
		return GCTL_EXIT_PROTOCOL;
	}
	return 0;
}

int gctl_attach_rec_open(const char *cmd, const char *name,
			 struct gctl_ctl_conn *c, const char *path,
			 struct gctl_attach_rec **out)
{
	static const struct gctl_sink null_sink = { .ops = &null_ops };
	struct gctl_attach_rec *ar;
	uint8_t *p;
	size_t len;
	int ret = ask_config(cmd, name, c, &p, &len);

	if (ret)
		return ret;
	ar = calloc(1, sizeof(*ar));
	if (!ar) {
		free(p);
		gctl_err(cmd, "%s", strerror(ENOMEM));
		return GCTL_EXIT_OSERR;
	}
	ar->path = path;
	ret = gctl_rec_sink_open(path, &null_sink, &ar->rec);
	if (ret) {
		gctl_err(cmd, "--record %s: %s", path, strerror(-ret));
		free(p);
		free(ar);
		return GCTL_EXIT_CANTCREAT;
	}
	ret = gctl_rec_sink_begin_raw(&ar->rec, p, len);
	free(p);
	*out = ar;
	if (ret) {
		gctl_err(cmd, "--record %s: %s", path, strerror(-ret));
		return GCTL_EXIT_IOERR;
	}
	return 0;
}

void gctl_attach_rec_line(struct gctl_attach_rec *ar, json_object *rec)
{
	const char *event = gctl_json_get_str(rec, "event");
	struct gctl_exit_record r;
	struct gctl_summary s;
	uint64_t n;

	if (!event) {
		if (!gctl_json_to_exit(rec, &r))
			gctl_sink_exit(&ar->rec, &r);
	} else if (!strcmp(event, "summary")) {
		if (!gctl_json_to_summary(rec, &s))
			gctl_sink_summary(&ar->rec, &s);
	} else if (!strcmp(event, "lost") && gctl_json_get_u64(rec, "records", &n)) {
		gctl_rec_sink_gap(&ar->rec, n);
	}
}

int gctl_attach_rec_close(const char *cmd, struct gctl_attach_rec *ar)
{
	int ret;

	if (!ar)
		return 0;
	ret = gctl_sink_flush(&ar->rec);
	gctl_sink_destroy(&ar->rec);
	if (ret)
		gctl_err(cmd, "--record %s: %s", ar->path, strerror(-ret));
	free(ar);
	return ret ? GCTL_EXIT_IOERR : 0;
}
