// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyahctl explain: what a VM exit's type and reason word mean, for the
 * numbers found in a log, a bug report or struct gunyah_vm_exit_info.
 * Every name and description comes from libgunyah's tables.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "common.h"
#include "gunyahctl.h"
#include "output/json_rec.h"

#define CMD "explain"

enum { OPT_JSON = 'j', OPT_LIST = 'l' };

static error_t parse_opt(int key, char *arg, struct argp_state *state);

static const struct argp_option options[] = {
	{ "json", OPT_JSON, NULL, 0, "Print one JSON object", 0 },
	{ "list", OPT_LIST, NULL, 0,
	  "List every exit type and exit code instead", 0 },
	{ 0 },
};

static const struct argp explain_argp = {
	.args_doc = "TYPE [REASON]\n--list",
	.doc = "Explain a Gunyah VM exit: its type (exit_info.type) and its "
	       "32-bit reason word (exit_info.reason, little-endian).\v"
	       "TYPE is a number (decimal or 0x hex) or a name: "
	       "vm_exit, poweroff, restart, system_reset2, watchdog_bite, "
	       "hyp_error, async_ext_abort, forced_stop.  REASON is a "
	       "number up to 0xffffffff; bits and codes the ABI does not "
	       "define are shown, not rejected.",
	.options = options,
	.parser = parse_opt,
};

struct explain_args {
	bool json;
	bool list;
	const char *type_arg;
	const char *reason_arg;
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct explain_args *a = state->input;

	switch (key) {
	case OPT_JSON:
		a->json = true;
		gctl_err_json();
		return 0;
	case OPT_LIST:
		a->list = true;
		return 0;
	case ARGP_KEY_ARG:
		if (state->arg_num == 0)
			a->type_arg = arg;
		else if (state->arg_num == 1)
			a->reason_arg = arg;
		else
			gctl_usage_err(CMD, "%s: unexpected argument", arg);
		return 0;
	case ARGP_KEY_END:
		if (a->list && a->type_arg)
			gctl_usage_err(CMD, "--list takes no TYPE");
		if (!a->list && !a->type_arg)
			gctl_usage_err(CMD, "missing TYPE (see 'gunyahctl "
				       "explain --help')");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* A type is a name from the table or a number that fits exit_info.type. */
static int parse_type(const char *s, uint32_t *type)
{
	uint64_t v;
	int t;

	t = gh_exit_type_from_str(s);
	if (t >= 0) {
		*type = (uint32_t)t;
		return 0;
	}
	if (s[0] < '0' || s[0] > '9') {
		gctl_err(CMD, "%s: unknown exit type (see 'gunyahctl explain "
			 "--list')", s);
		return -EINVAL;
	}
	if (gctl_parse_u64(s, &v) || v > UINT16_MAX) {
		gctl_err(CMD, "%s: not an exit type (want a name or a number "
			 "up to 0xffff)", s);
		return -EINVAL;
	}
	*type = (uint32_t)v;
	return 0;
}

static int parse_reason(const char *s, uint32_t *reason)
{
	uint64_t v;
	int ret = gctl_parse_u64(s, &v);

	if (ret == -ERANGE || (!ret && v > UINT32_MAX)) {
		gctl_err(CMD, "%s: reason wider than 32 bits", s);
		return -ERANGE;
	}
	if (ret) {
		gctl_err(CMD, "%s: not a reason word (want a number up to "
			 "0xffffffff)", s);
		return ret;
	}
	*reason = (uint32_t)v;
	return 0;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static void print_text(uint32_t type, const struct gh_exit_reason *r)
{
	const char *desc = gh_exit_type_desc(type);

	printf("exit type %u: %s\n", type, gh_exit_type_str(type));
	printf("  %s\n", desc ? desc : "not a type the ABI defines");
	if (!r)
		return;
	printf("reason word 0x%08x\n", r->word);
	printf("  bit 0       restart requested: %s\n", yes_no(r->restart));
	printf("  bit 15      64-bit reason: %s\n", yes_no(r->reason_64bit));
	printf("  bits 23:16  exit code %u: %s", r->code, r->code_name);
	if (r->code_known)
		printf(" (%s)\n", gh_exit_code_desc(r->code));
	else
		printf(" (not a code the ABI defines)\n");
	if (r->unknown_bits)
		printf("  other bits  0x%08x: not defined by the ABI\n",
		       r->unknown_bits);
	else
		printf("  other bits  none set\n");
}

static json_object *hex32(uint32_t v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%08x", v);
	return json_object_new_string(buf);
}

/* json-c's add takes ownership even when it fails; NULL values are null. */
static void add(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static json_object *desc_or_null(const char *desc)
{
	return desc ? json_object_new_string(desc) : NULL;
}

static int print_json(uint32_t type, const struct gh_exit_reason *r)
{
	json_object *o = json_object_new_object();

	if (!o)
		return -ENOMEM;
	add(o, "type", json_object_new_string(gh_exit_type_str(type)));
	add(o, "type_code", json_object_new_int((int32_t)type));
	add(o, "description", desc_or_null(gh_exit_type_desc(type)));
	if (r) {
		add(o, "reason", hex32(r->word));
		add(o, "restart", json_object_new_boolean(r->restart));
		add(o, "reason_64bit",
		    json_object_new_boolean(r->reason_64bit));
		add(o, "code", json_object_new_int((int32_t)r->code));
		add(o, "code_name", json_object_new_string(r->code_name));
		add(o, "code_description",
		    desc_or_null(gh_exit_code_desc(r->code)));
		add(o, "unknown_bits", hex32(r->unknown_bits));
	}
	return gctl_json_print(o);
}

static void list_text(void)
{
	printf("exit types (exit_info.type):\n");
	for (unsigned int t = 0; t < gh_exit_type_count(); t++)
		printf("  %u  %-16s %s\n", t, gh_exit_type_str(t),
		       gh_exit_type_desc(t));
	printf("exit codes (reason bits 23:16):\n");
	for (unsigned int c = 0; c < gh_exit_code_count(); c++)
		printf("  %u  %-16s %s\n", c, gh_exit_code_str(c),
		       gh_exit_code_desc(c));
}

static json_object *list_entry(unsigned int v, const char *name,
			       const char *desc)
{
	json_object *e = json_object_new_object();

	if (e) {
		add(e, "code", json_object_new_int((int32_t)v));
		add(e, "name", json_object_new_string(name));
		add(e, "description", json_object_new_string(desc));
	}
	return e;
}

static int list_json(void)
{
	json_object *o = json_object_new_object();
	json_object *types = json_object_new_array();
	json_object *codes = json_object_new_array();

	if (!o || !types || !codes) {
		json_object_put(o);
		json_object_put(types);
		json_object_put(codes);
		return -ENOMEM;
	}
	for (unsigned int t = 0; t < gh_exit_type_count(); t++)
		json_object_array_add(types, list_entry(t, gh_exit_type_str(t),
							gh_exit_type_desc(t)));
	for (unsigned int c = 0; c < gh_exit_code_count(); c++)
		json_object_array_add(codes, list_entry(c, gh_exit_code_str(c),
							gh_exit_code_desc(c)));
	add(o, "types", types);
	add(o, "codes", codes);
	return gctl_json_print(o);
}

int gctl_cmd_explain(int argc, char **argv)
{
	struct explain_args a = { 0 };
	struct gh_exit_reason reason;
	uint32_t type, word;
	int ret;

	gctl_parse_args("gunyahctl " CMD, &explain_argp, argc, argv, &a);

	if (a.list) {
		if (a.json)
			ret = list_json();
		else {
			list_text();
			ret = 0;
		}
		goto out;
	}

	if (parse_type(a.type_arg, &type))
		return GCTL_EXIT_USAGE;
	if (a.reason_arg) {
		if (parse_reason(a.reason_arg, &word))
			return GCTL_EXIT_USAGE;
		gh_exit_reason_decode(word, &reason);
	}
	if (a.json)
		ret = print_json(type, a.reason_arg ? &reason : NULL);
	else {
		print_text(type, a.reason_arg ? &reason : NULL);
		ret = 0;
	}
out:
	if (!ret && fflush(stdout))
		ret = -errno;
	if (ret) {
		gctl_err(CMD, "writing the output: %s", strerror(-ret));
		return GCTL_EXIT_IOERR;
	}
	return GCTL_EXIT_OK;
}
