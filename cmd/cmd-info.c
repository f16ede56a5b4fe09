// SPDX-License-Identifier: GPL-2.0-only
/*
 * gunyahctl info: what this gunyahctl would drive, before it drives it.
 * The run-page size is asked of the backend the way a VMM asks it (a VM
 * and one vCPU function, then GUNYAH_VCPU_MMAP_SIZE), so a broken or
 * missing backend shows here first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "backend_args.h"
#include "common.h"
#include "ctl/args.h"
#include "gunyahctl.h"
#include "output/json_rec.h"

#define CMD "info"

static error_t parse_opt(int key, char *arg, struct argp_state *state);

static const struct argp info_argp = {
	.doc = "Show the backend, the device, page and run-page sizes, the "
	       "ABI flavour with its constants and ioctl numbers, the "
	       "backend's limits and the default guest RAM.\v"
	       "The run-page size comes from the backend itself: info creates "
	       "a VM with one vCPU and asks GUNYAH_VCPU_MMAP_SIZE.  On the dev "
	       "backend the ABI flavour is the one the device answers, unless "
	       "--abi says (see gunyahctl-probe(1) for how it is asked).  With "
	       "--backend dev, a device that is missing or cannot be opened "
	       "ends info with status 69.",
	.children = gctl_backend_children,
	.parser = parse_opt,
};

struct info {
	const char *backend;
	const char *dev_path;
	bool dev_exists;
	bool dev_accessible;
	int dev_errno;		/* why not, when either is false */
	long page_size;
	size_t run_page_size;
	const struct gh_abi_flavour *abi;
	struct gctl_abi_choice choice;
	struct gh_limits lim;
};

/* Its input is the child's, a struct gctl_backend_args: pass it on. */
static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	if (key != ARGP_KEY_INIT)
		return ARGP_ERR_UNKNOWN;
	state->child_inputs[0] = state->input;
	return 0;
}

/* Exists and opens read-write: what a VMM needs of the device node. */
static void probe_device(struct info *in)
{
	struct stat st;
	int fd;

	in->dev_exists = !stat(in->dev_path, &st);
	if (!in->dev_exists) {
		in->dev_errno = errno;
		return;
	}
	fd = open(in->dev_path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		in->dev_errno = errno;
		return;
	}
	close(fd);
	in->dev_accessible = true;
}

/* GUNYAH_VCPU_MMAP_SIZE needs a vCPU fd, so make a VM with vCPU 0. */
static int probe_run_page(struct gh_backend *be, size_t *size,
			  const char **what)
{
	struct gh_vcpu *vcpu = NULL;
	struct gh_vm *vm = NULL;
	int ret;

	*what = "creating a VM";
	ret = gh_vm_create(be, &vm);
	if (ret)
		return ret;
	*what = "adding vCPU 0";
	ret = gh_vcpu_add(vm, 0, &vcpu);
	if (ret)
		goto out;
	*size = vcpu->run_size;
	gh_vcpu_destroy(vcpu);
out:
	gh_vm_destroy(vm);
	return ret;
}

static void print_limit(const char *label, unsigned int v, const char *unit)
{
	if (v)
		printf("  %-20s %u%s\n", label, v, unit);
	else
		printf("  %-20s set by the hypervisor\n", label);
}

static void print_text(const struct info *in)
{
	printf("%-22s %s\n", "backend", in->backend);
	printf("%-22s %s", "device", in->dev_path);
	if (in->dev_accessible)
		printf(" (accessible)\n");
	else
		printf(" (%s: %s)\n", in->dev_exists ? "not accessible" :
		       "missing", strerror(in->dev_errno));
	printf("%-22s %ld\n", "page size", in->page_size);
	printf("%-22s %zu\n", "run page size", in->run_page_size);
	printf("%-22s %s (%s)\n", "ABI flavour", in->abi->name,
	       in->choice.source);
	if (in->choice.detect.how)
		printf("  %-20s %s\n", "how", in->choice.detect.how);
	printf("  %-20s %s\n", "page-fault exits",
	       gh_abi_has(in->abi, GH_ABI_PAGE_FAULT) ? "yes" : "no");
	printf("  %-20s %s\n", "boot context",
	       gh_abi_has(in->abi, GH_ABI_BOOT_CONTEXT) ? "yes" :
	       "no (libgunyah's boot stub)");
	printf("  %-20s %u\n", "fn max arg size", GUNYAH_FN_MAX_ARG_SIZE);
	printf("  %-20s %u\n", "max exit reason size",
	       GUNYAH_VM_MAX_EXIT_REASON_SIZE);
	printf("  %-20s %zu\n", "vcpu run struct size",
	       sizeof(struct gunyah_vcpu_run));
	printf("ioctls\n");
	for (int op = 0; op < GH_OP__COUNT; op++)
		if (in->abi->request[op])
			printf("  %-28s 0x%08lx\n", in->abi->request_name[op],
			       in->abi->request[op]);
	printf("limits\n");
	print_limit("max vCPUs", in->lim.max_vcpus, "");
	print_limit("max memory regions", in->lim.max_mem_regions, "");
	print_limit("max page-fault areas", in->lim.max_pf_regions, "");
	print_limit("time slice", in->lim.slice_us, " us");
	print_limit("IPA size", in->lim.ipa_bits, " bits");
	printf("%-22s 0x%llx, %llu bytes (%llu MiB)\n", "default RAM",
	       (unsigned long long)in->lim.ram_base,
	       (unsigned long long)in->lim.ram_size,
	       (unsigned long long)(in->lim.ram_size >> 20));
}

/* json-c's add takes ownership even when it fails; NULL values are null. */
static void add(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static json_object *limit(unsigned int v)
{
	return v ? json_object_new_int64(v) : NULL;
}

static json_object *json_info(const struct info *in)
{
	json_object *o = json_object_new_object();
	json_object *dev = json_object_new_object();
	json_object *abi = json_object_new_object();
	json_object *ioctls = json_object_new_object();
	json_object *lim = json_object_new_object();
	json_object *ram = json_object_new_object();

	if (!o || !dev || !abi || !ioctls || !lim || !ram) {
		json_object_put(o);
		json_object_put(dev);
		json_object_put(abi);
		json_object_put(ioctls);
		json_object_put(lim);
		json_object_put(ram);
		return NULL;
	}

	add(o, "version", json_object_new_string(GUNYAHCTL_VERSION));
	add(o, "backend", json_object_new_string(in->backend));

	add(dev, "path", json_object_new_string(in->dev_path));
	add(dev, "exists", json_object_new_boolean(in->dev_exists));
	add(dev, "accessible", json_object_new_boolean(in->dev_accessible));
	add(dev, "error", in->dev_accessible ? NULL :
	    json_object_new_string(strerror(in->dev_errno)));
	add(o, "device", dev);

	add(o, "page_size", json_object_new_int64(in->page_size));
	add(o, "run_page_size", json_object_new_int64((int64_t)in->run_page_size));

	add(abi, "flavour", json_object_new_string(in->abi->name));
	add(abi, "source", json_object_new_string(in->choice.source));
	add(abi, "how", in->choice.detect.how ?
	    json_object_new_string(in->choice.detect.how) : NULL);
	add(abi, "page_fault",
	    json_object_new_boolean(gh_abi_has(in->abi, GH_ABI_PAGE_FAULT)));
	add(abi, "boot_context",
	    json_object_new_boolean(gh_abi_has(in->abi, GH_ABI_BOOT_CONTEXT)));
	add(abi, "fn_max_arg_size", json_object_new_int64(GUNYAH_FN_MAX_ARG_SIZE));
	add(abi, "vm_max_exit_reason_size",
	    json_object_new_int64(GUNYAH_VM_MAX_EXIT_REASON_SIZE));
	add(abi, "vcpu_run_size",
	    json_object_new_int64(sizeof(struct gunyah_vcpu_run)));
	for (int op = 0; op < GH_OP__COUNT; op++)
		if (in->abi->request[op])
			add(ioctls, in->abi->request_name[op],
			    json_object_new_int64((int64_t)in->abi->request[op]));
	add(abi, "ioctls", ioctls);
	add(o, "abi", abi);

	add(lim, "max_vcpus", limit(in->lim.max_vcpus));
	add(lim, "max_mem_regions", limit(in->lim.max_mem_regions));
	add(lim, "max_pf_regions", limit(in->lim.max_pf_regions));
	add(lim, "slice_us", limit(in->lim.slice_us));
	add(lim, "ipa_bits", limit(in->lim.ipa_bits));
	add(o, "limits", lim);

	add(ram, "base", gctl_json_addr(in->lim.ram_base));
	add(ram, "size", json_object_new_int64((int64_t)in->lim.ram_size));
	add(o, "ram", ram);
	return o;
}

static int print_json(const struct info *in)
{
	return gctl_json_print(json_info(in));
}

int gctl_cmd_info(int argc, char **argv)
{
	struct gctl_ctl_args ca = {
		.cmd = CMD,
		.json_doc = "Print one JSON object",
		.no_name = true,
	};
	struct gctl_backend_args a = { .cmd = CMD, .backend = "sim" };
	struct info in = { 0 };
	struct gh_backend *be = NULL;
	const char *what;
	int ret;

	gctl_ctl_parse_args(&ca, &info_argp, argc, argv, &a);

	in.dev_path = gctl_device_path();
	probe_device(&in);
	if (!strcmp(a.backend, "dev") && !in.dev_accessible) {
		gctl_err(CMD, "%s: %s", in.dev_path, strerror(in.dev_errno));
		return GCTL_EXIT_UNAVAILABLE;
	}

	ret = gctl_backend_open(CMD, a.backend, a.abi, &be, &in.choice);
	if (ret)
		return ret;
	in.backend = gh_backend_name(be);
	in.abi = gh_backend_abi(be);
	in.page_size = sysconf(_SC_PAGESIZE);
	gh_backend_limits(be, &in.lim);

	ret = probe_run_page(be, &in.run_page_size, &what);
	if (ret) {
		/* A device that opens but does not speak Gunyah is unusable;
		 * the simulator failing is our bug. */
		if (gh_backend_is_sim(be)) {
			gctl_err(CMD, "sim: %s: %s", what, strerror(-ret));
			ret = GCTL_EXIT_SOFTWARE;
		} else {
			gctl_err(CMD, "%s: %s: %s", in.dev_path, what,
				 strerror(-ret));
			ret = GCTL_EXIT_UNAVAILABLE;
		}
		goto out;
	}

	if (ca.json)
		ret = print_json(&in);
	else
		print_text(&in);
	if (!ret && fflush(stdout))
		ret = -errno;
	if (ret) {
		gctl_err(CMD, "writing the output: %s", strerror(-ret));
		ret = GCTL_EXIT_IOERR;
		goto out;
	}
	ret = GCTL_EXIT_OK;
out:
	gh_backend_close(be);
	return ret;
}
