/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The values of run's options that have a grammar of their own:
 *   --mmio ADDR:SIZE[:NAME], --pf-region ADDR:SIZE, --mmio-read ADDR=V[,V...]
 * Numbers as gctl_parse_u64 / gctl_parse_size take them.  Nothing here
 * prints or exits, so tests/fuzz/fuzz_opts.c can feed it anything: a
 * failure is -EINVAL (or -ERANGE, -E2BIG: argument too long) and the
 * reason in err, to follow "OPTION ARG: ".
 */
#ifndef GCTL_OPTS_H
#define GCTL_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/vmm.h"

/* ADDR:SIZE[:NAME]; name NULL where no name is allowed (--pf-region). */
int gctl_opt_region(const char *arg, uint64_t *addr, uint64_t *size,
		    char name[GCTL_REGION_NAME_MAX], char *err, size_t errlen);

/* ADDR=VALUE[,VALUE...] */
int gctl_opt_script(const char *arg, struct gctl_mmio_script *s, char *err,
		    size_t errlen);

/* A region name: 1 to GCTL_REGION_NAME_MAX - 1 of [A-Za-z0-9_.-]. */
bool gctl_opt_valid_name(const char *s);

#endif /* GCTL_OPTS_H */
