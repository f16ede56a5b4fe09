// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyahctl probe: does this machine offer what a Gunyah VMM needs, and if
 * not, why not: /sys/hypervisor, the device node and who may open it, the
 * ABI flavour that answers and how that was decided, the run-page size,
 * and every request tried with its result in words.  Exit 0 when usable,
 * 69 when not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common.h"
#include "ctl/args.h"
#include "gunyahctl.h"
#include "output/json_rec.h"
#include "probe/probe.h"

#define CMD "probe"

static const struct argp probe_argp = {
	.doc = "Say whether this machine can run Gunyah VMs, and if not why: "
	       "/sys/hypervisor, the device node and its permissions, the ABI "
	       "flavour that answers and how it was decided, the run-page "
	       "size, and each request tried with its errno in words.\v"
	       "No guest runs: a VM is created, given vCPU 0 and closed.  "
	       "$GUNYAHCTL_DEVICE names another device node.  Exit status 0 "
	       "when usable, 69 when not.",
};

static const char *sys_dir(void)
{
	const char *d = getenv("GUNYAHCTL_SYS_HYPERVISOR");

	return d && *d ? d : "/sys/hypervisor";
}

/* ---- text ------------------------------------------------------------- */

static void print_try(const struct gh_abi_try *t)
{
	char name[24];

	if (t->result >= 0)
		printf("  %-28s %-11s -> %ld: %s\n", t->request_name, t->on,
		       t->result, t->meaning);
	else
		printf("  %-28s %-11s -> %s: %s\n", t->request_name, t->on,
		       probe_errno_name((int)-t->result, name), t->meaning);
}

static void print_text(const struct probe *p)
{
	char name[24];

	printf("%-14s %s: %s\n", "hypervisor", p->sys_dir,
	       p->sys_present ? (p->nr_sys ? "" : "present, nothing known in it") :
	       "absent");
	for (unsigned int i = 0; i < p->nr_sys; i++)
		printf("  %-20s %s\n", p->sys[i].name, p->sys[i].value);
	printf("%-14s %s: ", "device", p->dev_path);
	if (!p->dev_exists)
		printf("missing (%s)\n", strerror(p->stat_err));
	else
		printf("%s, mode %04o, uid %u gid %u; %s\n",
		       p->dev_is_chr ? "character device" : "not a character device",
		       (unsigned int)p->dev_mode, (unsigned int)p->dev_uid,
		       (unsigned int)p->dev_gid,
		       p->open_err ? "this user cannot open it" :
				     "this user can open it read-write");
	if (p->open_err)
		printf("  %-20s %s: %s\n", "open", probe_errno_name(p->open_err, name),
		       gh_errno_meaning(0, p->open_err));
	if (p->detect.nr_tries || p->detect.how) {
		printf("%-14s %s", "ABI flavour",
		       p->detect.abi ? p->detect.abi->name : "none");
		if (p->detect.variant)
			printf(" (%s)", p->detect.variant);
		printf("\n  %-20s %s\n", "decided by", p->detect.how);
	}
	if (p->run_page_size >= 0)
		printf("%-14s %ld\n", "run page size", p->run_page_size);
	if (p->detect.nr_tries + p->nr_tries)
		printf("requests tried\n");
	for (unsigned int i = 0; i < p->detect.nr_tries; i++)
		print_try(&p->detect.tries[i]);
	for (unsigned int i = 0; i < p->nr_tries; i++)
		print_try(&p->tries[i]);
	printf("%-14s %s\n", "verdict", p->verdict);
}

/* ---- JSON ------------------------------------------------------------- */

static void add(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *try_obj(const struct gh_abi_try *t)
{
	json_object *o = json_object_new_object();
	char num[24], name[24];

	snprintf(num, sizeof(num), "0x%08lx", t->request);
	add(o, "request", json_object_new_string(t->request_name));
	add(o, "number", json_object_new_string(num));
	add(o, "on", json_object_new_string(t->on));
	add(o, "result", t->result >= 0 ? json_object_new_int64(t->result) : NULL);
	add(o, "errno", t->result < 0 ?
	    json_object_new_string(probe_errno_name((int)-t->result, name)) : NULL);
	add(o, "meaning", json_object_new_string(t->meaning));
	return o;
}

static json_object *json_probe(const struct probe *p)
{
	json_object *o = json_object_new_object();
	json_object *hyp = json_object_new_object();
	json_object *files = json_object_new_object();
	json_object *dev = json_object_new_object();
	json_object *abi = json_object_new_object();
	json_object *tries = json_object_new_array();
	char mode[8], name[24];

	add(hyp, "path", json_object_new_string(p->sys_dir));
	add(hyp, "present", json_object_new_boolean(p->sys_present));
	for (unsigned int i = 0; i < p->nr_sys; i++)
		add(files, p->sys[i].name, json_object_new_string(p->sys[i].value));
	add(hyp, "files", files);
	add(o, "hypervisor", hyp);

	snprintf(mode, sizeof(mode), "%04o", (unsigned int)p->dev_mode);
	add(dev, "path", json_object_new_string(p->dev_path));
	add(dev, "exists", json_object_new_boolean(p->dev_exists));
	add(dev, "char_device", json_object_new_boolean(p->dev_is_chr));
	add(dev, "mode", p->dev_exists ? json_object_new_string(mode) : NULL);
	add(dev, "uid", p->dev_exists ? json_object_new_int64(p->dev_uid) : NULL);
	add(dev, "gid", p->dev_exists ? json_object_new_int64(p->dev_gid) : NULL);
	add(dev, "openable", json_object_new_boolean(p->dev_exists && !p->open_err));
	add(dev, "error", p->stat_err || p->open_err ? json_object_new_string(
		probe_errno_name(p->stat_err ? p->stat_err : p->open_err, name)) :
		NULL);
	add(dev, "meaning", p->open_err ?
	    json_object_new_string(gh_errno_meaning(0, p->open_err)) : NULL);
	add(o, "device", dev);

	add(abi, "flavour", p->detect.abi ?
	    json_object_new_string(p->detect.abi->name) : NULL);
	add(abi, "variant", str_or_null(p->detect.variant));
	add(abi, "how", str_or_null(p->detect.how));
	add(o, "abi", abi);
	add(o, "run_page_size", p->run_page_size >= 0 ?
	    json_object_new_int64(p->run_page_size) : NULL);
	for (unsigned int i = 0; i < p->detect.nr_tries; i++)
		json_object_array_add(tries, try_obj(&p->detect.tries[i]));
	for (unsigned int i = 0; i < p->nr_tries; i++)
		json_object_array_add(tries, try_obj(&p->tries[i]));
	add(o, "requests", tries);
	add(o, "usable", json_object_new_boolean(p->usable));
	add(o, "verdict", json_object_new_string(p->verdict));
	return o;
}

int gctl_cmd_probe(int argc, char **argv)
{
	struct gctl_ctl_args a = {
		.cmd = CMD,
		.json_doc = "Print one JSON object",
		.no_name = true,
	};
	struct probe *p;
	int ret = 0;

	gctl_ctl_parse_args(&a, &probe_argp, argc, argv, NULL);
	p = malloc(sizeof(*p));
	if (!p) {
		gctl_err(CMD, "%s", strerror(ENOMEM));
		return GCTL_EXIT_OSERR;
	}
	probe_gather(p, sys_dir(), gctl_device_path());
	if (a.json) {
		ret = gctl_json_print(json_probe(p));
	} else {
		print_text(p);
	}
	if (fflush(stdout))
		ret = -errno;
	if (ret) {
		gctl_err(CMD, "writing the output: %s", strerror(-ret));
		free(p);
		return GCTL_EXIT_IOERR;
	}
	ret = p->usable ? GCTL_EXIT_OK : GCTL_EXIT_UNAVAILABLE;
	free(p);
	return ret;
}
