/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exit records on disk: run --record's file, read back by report and
 * replay.  The format is gunyahctl-record(5); in short:
 *
 *   magic "GEXREC" major minor
 *   then records: varint type, varint length, length bytes
 *     CONFIG   the VM's configuration and the image (first, once)
 *     EXIT     one exit, its timing and the answer gunyahctl gave
 *     SUMMARY  the run's summary (last; absent if the run was killed)
 *     GAP      records the writer never saw (attach --record lost them)
 *
 * Numbers are varints, exit fields deltas against the previous exit, so
 * an MMIO exit takes some 15 to 25 bytes.  A reader skips record types
 * and trailing fields it does not know (minor versions add them); a new
 * major version is refused.  A file cut short (the VM's process killed
 * mid-write) reads up to its last whole record.
 */
#ifndef GCTL_RECORD_H
#define GCTL_RECORD_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "sha256.h"
#include "engine/sink.h"
#include "engine/vmm.h"

#define GCTL_REC_MAGIC "GEXREC"
#define GCTL_REC_MAJOR 1
#define GCTL_REC_MINOR 2

enum gctl_rec_type {
	GCTL_REC_CONFIG = 1,
	GCTL_REC_EXIT = 2,
	GCTL_REC_SUMMARY = 3,
	GCTL_REC_GAP = 4,	/* minor 2+: records lost here (attach --record) */
};

/* What a record says about the VM and its image (the CONFIG record). */
struct gctl_rec_config {
	char tool[32];		/* "gunyahctl 0.1.0" */
	char backend[16];	/* "sim", "dev" */
	char image[PATH_MAX];	/* as given, made absolute when possible */
	bool have_sha256;
	uint8_t sha256[GCTL_SHA256_LEN];
	bool image_elf;
	uint64_t load_addr;	/* raw images */
	uint64_t entry;		/* vCPU 0 starts here */
	uint64_t start_unix_ns; /* when the VM started (CLOCK_REALTIME) */
	uint64_t dtb_addr;	/* the image run's device tree; 0: none */
	bool attach;		/* made by attach --record: times unknown */
	/* ram_base, ram_size, nr_vcpus, uart, regions, pf regions, faults,
	 * pf_policy; scripts, max_exits and step are not kept. */
	struct gctl_vmm_config vm;
};

/* The SUMMARY record: what gctl_summary counted. */
struct gctl_rec_summary {
	uint64_t wall_ns;
	unsigned int nr_vcpus;
	struct gctl_counters vcpu[GCTL_MAX_VCPUS];
	struct gctl_counters total;
	uint64_t console_bytes;
	char result[32];
	int exit_code;
};

/*
 * The writer: a sink that encodes what passes through it into the file
 * at path (created or truncated; its own buffer, 64 KiB writes) and hands
 * everything on to inner, which stays the caller's.  Put it behind the
 * asynchronous sink: it then runs on the writer thread, off the vCPUs'
 * path.  Its flush() returns the file's first write error, else inner's.
 * 0, or -errno from creating the file.
 */
int gctl_rec_sink_open(const char *path, const struct gctl_sink *inner,
		       struct gctl_sink *out);
/*
 * A CONFIG record for a run: the VM's configuration, the backend's name,
 * the image (its absolute path and SHA-256, if it can be read), where it
 * went and where vCPU 0 starts; the tool's version and the time now.
 */
void gctl_rec_config_init(struct gctl_rec_config *c,
			  const struct gctl_vmm_config *vm,
			  const char *backend, const char *image, bool elf,
			  uint64_t load_addr, uint64_t entry);
/*
 * The CONFIG record: call once, before the first exit (before the vCPUs
 * start).  0, or -errno of the write.
 */
int gctl_rec_sink_begin(struct gctl_sink *rec, const struct gctl_rec_config *c);
/*
 * The CONFIG record's payload for c (malloc'ed, the caller frees it):
 * what a named VM hands attach --record.  0 or -ENOMEM.
 */
int gctl_rec_config_encode(const struct gctl_rec_config *c, uint8_t **out,
			   size_t *out_len);
/* gctl_rec_sink_begin with a payload gctl_rec_config_encode made. */
int gctl_rec_sink_begin_raw(struct gctl_sink *rec, const uint8_t *config,
			    size_t len);
/* A GAP record: lost records (exits and events) were not seen here. */
void gctl_rec_sink_gap(struct gctl_sink *rec, uint64_t lost);
/* Bytes written so far (buffered ones included). */
uint64_t gctl_rec_sink_bytes(const struct gctl_sink *rec);

/* ---- reading ---- */

struct gctl_rec_reader;

enum gctl_rec_item_kind {
	GCTL_REC_ITEM_EXIT,
	GCTL_REC_ITEM_SUMMARY,
	GCTL_REC_ITEM_GAP,
};

struct gctl_rec_item {
	enum gctl_rec_item_kind kind;
	union {
		struct gctl_exit_record exit; /* region: NULL, see below */
		struct gctl_rec_summary summary;
		uint64_t gap_lost; /* records lost (exits and events) */
	};
};

/*
 * Open a record file (mapped whole) and read its CONFIG record.  0, or
 * -errno with a reason in err: -ENOENT etc. from opening it, -EBADMSG not
 * a record (or a CONFIG record that makes no sense), -EPROTONOSUPPORT a
 * later major version.
 */
int gctl_rec_open(const char *path, struct gctl_rec_reader **out, char *err,
		  size_t errlen);
void gctl_rec_close(struct gctl_rec_reader *r);
const struct gctl_rec_config *gctl_rec_config(const struct gctl_rec_reader *r);

/*
 * The next item: 1, 0 at the end, or -EBADMSG (a malformed record; reason
 * in err).  A record cut short at the end of the file is the end, and
 * gctl_rec_truncated says so.
 */
int gctl_rec_next(struct gctl_rec_reader *r, struct gctl_rec_item *it,
		  char *err, size_t errlen);
bool gctl_rec_truncated(const struct gctl_rec_reader *r);
/* Back to the first exit. */
void gctl_rec_rewind(struct gctl_rec_reader *r);

/* The name of the region of the config addr falls in, or NULL. */
const char *gctl_rec_region(const struct gctl_rec_config *c, uint64_t addr);

#endif /* GCTL_RECORD_H */
