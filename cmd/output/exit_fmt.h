/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How an exit record reads, written once for every writer: run's and
 * attach's text lines (text.c), the dashboard's event lines (dash/), and
 * the resume names the JSON records carry (json.c, json_mmio.c).
 *
 *   mmio write 0x09000000 len=4 data=0x00000041 [uart]
 *   mmio read 0x09000018 len=4 data=0x00000090 resume=fault
 *   page_fault 0x90000000 attempt=0 resume=retry
 *   status exited type=vm_exit(4) reason=0x00000002 code=psci_system_off
 *   unknown exit_reason=9
 *
 * Addresses are 0x and at least eight hex digits; data has two digits per
 * byte of the access.  A resume action other than "handled" is shown
 * for MMIO, always for a page fault.
 */
#ifndef GCTL_EXIT_FMT_H
#define GCTL_EXIT_FMT_H

#include <stddef.h>

#include "engine/sink.h"

/* Room for any line gctl_exit_str writes, NUL included. */
#define GCTL_EXIT_STR_MAX 320

/* "handled", "fault", ... or "none" for GCTL_RESUME_NONE. */
const char *gctl_resume_str(int resume);

/*
 * r as one line without the "vcpuN #SEQ " its writer puts first and
 * without a newline, into buf (len bytes, NUL included, cut short if need
 * be).  Returns the length written.
 */
size_t gctl_exit_str(const struct gctl_exit_record *r, char *buf, size_t len);

#endif /* GCTL_EXIT_FMT_H */
