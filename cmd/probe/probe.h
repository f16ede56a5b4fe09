/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gunyahctl probe: what this machine offers a Gunyah VMM, gathered once
 * (gather.c) and then shown as text or JSON (cmd-probe.c).  Nothing here
 * runs a guest: a VM is created, given vCPU 0 and closed again.
 */
#ifndef GCTL_PROBE_H
#define GCTL_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "gunyah.h"

#define PROBE_MAX_SYS 8
#define PROBE_MAX_TRIES (GH_ABI_MAX_TRIES + 4)

/* One /sys/hypervisor file that exists, e.g. type = "gunyah". */
struct probe_sys {
	const char *name;	/* relative to the directory: "type" */
	char value[64];
};

struct probe {
	/* /sys/hypervisor */
	const char *sys_dir;
	bool sys_present;
	unsigned int nr_sys;
	struct probe_sys sys[PROBE_MAX_SYS];

	/* the device node */
	const char *dev_path;
	bool dev_exists;
	bool dev_is_chr;
	mode_t dev_mode;
	uid_t dev_uid;
	gid_t dev_gid;
	int stat_err;		/* errno of stat, or 0 */
	int open_err;		/* errno of open(O_RDWR), or 0 */

	/* the flavour and how it was decided */
	struct gh_abi_detect detect;

	/* the requests tried after it, with vCPU 0 of a fresh VM */
	unsigned int nr_tries;
	struct gh_abi_try tries[PROBE_MAX_TRIES];
	long run_page_size;	/* GUNYAH_VCPU_MMAP_SIZE, or -errno */

	bool usable;
	char verdict[256];	/* one sentence */
};

void probe_gather(struct probe *p, const char *sys_dir, const char *dev_path);
/* "EINVAL" for EINVAL, or "errno N". */
const char *probe_errno_name(int err, char buf[24]);

#endif /* GCTL_PROBE_H */
