/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The JSON shapes of gunyahctl-json(7), built in one place (out_json.c)
 * for the JSON writer, the control server's stream and stat; and read
 * back into the structs they came from (json_rec_in.c), so that a client
 * of a VM's control socket shows a streamed exit exactly as run would
 * (gunyahctl attach, step: the text writer fed with the records read).
 */
#ifndef GCTL_JSON_REC_H
#define GCTL_JSON_REC_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "engine/sink.h"

/* New objects, owned by the caller. */
/*
 * o on standard output, one line, then o put: 0, -ENOMEM (o is NULL: it
 * could not be built) or -EIO.
 */
int gctl_json_print(json_object *o);

json_object *gctl_json_exit(const struct gctl_exit_record *r);
json_object *gctl_json_console(const char *buf, size_t len);
json_object *gctl_json_summary(const struct gctl_summary *s);
json_object *gctl_json_message(const struct gctl_message *m);
json_object *gctl_json_counts(const struct gctl_counters *c);
/* {"mmio_read":{"exits":N,"total":ns,"avg":ns,"p99":ns,"max":ns},...} */
json_object *gctl_json_host_times(const struct gctl_timing t[GCTL_TK__COUNT]);
json_object *gctl_json_status(uint32_t status,
			      const struct gunyah_vm_exit_info *ei);
/* A rate with one decimal: 1234.5 */
json_object *gctl_json_rate(double rate);

/*
 * An address (or a 64-bit register) as gunyahctl-json(7) writes it:
 * "0x" and 16 lowercase digits, so string order is numeric order and jq
 * range filters on strings work.  buf holds GCTL_JSON_ADDR_LEN + 1 bytes.
 */
#define GCTL_JSON_ADDR_LEN 18
void gctl_json_addr_str(char *buf, uint64_t v);
json_object *gctl_json_addr(uint64_t v);
/* A value that is neither an address nor a register: "0x..." (MMIO
 * data, EC). */
json_object *gctl_json_hex(uint64_t v);
/* What an MMIO exit or a page fault says: the same objects in an exit
 * record and in a dashboard event. */
json_object *gctl_json_mmio_obj(const struct gctl_exit_mmio *m);
json_object *gctl_json_page_fault_obj(const struct gctl_exit_page_fault *pf);

/*
 * MMIO exit records, millions a second, written from a template
 * (json_mmio.c) as the same text gctl_json_exit's object prints.  One
 * caller at a time per formatter.
 */
#define GCTL_JSON_MMIO_MAX 1024 /* room a line may want */
struct gctl_json_mmio;
struct gctl_json_mmio *gctl_json_mmio_new(void);
void gctl_json_mmio_free(struct gctl_json_mmio *f);
/*
 * r's line, '\n' included, into line (cap bytes; it may write a few bytes
 * past the text, never past cap): its length, or 0 when the template
 * cannot serve (not an MMIO exit, out of memory, a region name
 * too long for cap): build that record with gctl_json_exit.
 */
size_t gctl_json_mmio_line(struct gctl_json_mmio *f,
			  const struct gctl_exit_record *r, char *line,
			  size_t cap);

/*
 * Read an exit record ({"seq":...}), a summary ({"event":"summary"}), a
 * status object or counts back.  Strings in the result (region, result)
 * point into o, valid while o is.  0, or -EINVAL when a key is missing or
 * of the wrong type.
 */
int gctl_json_to_exit(json_object *o, struct gctl_exit_record *r);
int gctl_json_to_summary(json_object *o, struct gctl_summary *s);
int gctl_json_to_status(json_object *o, uint32_t *status,
			struct gunyah_vm_exit_info *ei);
int gctl_json_to_counts(json_object *o, struct gctl_counters *c);
int gctl_json_to_host_times(json_object *o, struct gctl_timing t[GCTL_TK__COUNT]);

/* Small readers for any JSON object: false when absent or mistyped. */
json_object *gctl_json_get(json_object *o, const char *key, json_type type);
bool gctl_json_get_u64(json_object *o, const char *key, uint64_t *v);
bool gctl_json_get_hex(json_object *o, const char *key, uint64_t *v);
const char *gctl_json_get_str(json_object *o, const char *key);

#endif /* GCTL_JSON_REC_H */
