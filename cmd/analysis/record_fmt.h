/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bits of the record format the writer and the reader share (their
 * meaning is gunyahctl-record(5)): field tags and the EXIT head byte.
 */
#ifndef GCTL_RECORD_FMT_H
#define GCTL_RECORD_FMT_H

#include "engine/sink.h"

#define REC_MAGIC_LEN 6
#define REC_PREAMBLE_LEN 8 /* magic, major, minor */

/* The EXIT record's head byte. */
#define HEAD_KIND_MASK 0x07
#define HEAD_RESUME_SHIFT 3
#define HEAD_RESUME_MASK 0x38
#define HEAD_VCPU 0x40	   /* a vCPU number follows (else the previous) */
#define HEAD_SEQ_GAP 0x80  /* a gap in seq follows (else previous + 1) */

/* The writer stores gctl_exit_kind(): the numbers are the same. */
enum rec_kind {
	KIND_MMIO_READ = 0,
	KIND_MMIO_WRITE = 1,
	KIND_PAGE_FAULT = 2,
	KIND_STATUS = 3,
	KIND_OTHER = 4, /* the raw exit reason follows */
};
_Static_assert(GCTL_TK_MMIO_READ == 0 && GCTL_TK_MMIO_WRITE == 1 &&
	       GCTL_TK_PAGE_FAULT == 2 && GCTL_TK_STATUS == 3 &&
	       GCTL_TK_UNKNOWN == 4,
	       "the record's exit kinds are gctl_exit_kind()'s numbers");

enum rec_resume {
	RESUME_NONE = 0,
	RESUME_HANDLED = 1,
	RESUME_FAULT = 2,
	RESUME_RETRY = 3,
	RESUME_OTHER = 7, /* the raw value follows, zigzag */
};

/* CONFIG fields: varint tag, varint length, bytes. */
enum rec_config_tag {
	CFG_TOOL = 1,
	CFG_BACKEND = 2,
	CFG_IMAGE = 3,
	CFG_SHA256 = 4,
	CFG_IMAGE_ELF = 5,
	CFG_LOAD_ADDR = 6,
	CFG_ENTRY = 7,
	CFG_RAM_BASE = 8,
	CFG_RAM_SIZE = 9,
	CFG_VCPUS = 10,
	CFG_UART = 11,
	CFG_MMIO = 12,	   /* addr, size, name */
	CFG_PF_REGION = 13, /* addr, size */
	CFG_PF_POLICY = 14,
	CFG_START = 15,
	CFG_FAULT = 16,
	CFG_DTB = 17,	   /* where the generated device tree went (minor 1+) */
	CFG_ATTACH = 18,   /* empty: made by attach --record (minor 2+) */
};

/* SUMMARY fields, the same way. */
enum rec_summary_tag {
	SUM_WALL_NS = 1,
	SUM_TOTAL = 2,	/* exits, mmio_read, mmio_write, page_fault, status,
			 * unknown */
	SUM_VCPU = 3,	/* vcpu, then the six counts */
	SUM_CONSOLE = 4,
	SUM_RESULT = 5,
	SUM_EXIT_CODE = 6,
};

#endif /* GCTL_RECORD_FMT_H */
