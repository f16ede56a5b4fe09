// SPDX-License-Identifier: GPL-2.0-only
/*
 * run --record's writer (record.h; the format is gunyahctl-record(5)).
 * A sink in front of another: every exit is encoded here, on the writer
 * thread of the asynchronous sink, then passed on unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output/outbuf.h"
#include "record.h"
#include "record_fmt.h"
#include "varint.h"

#define EXIT_MAX 128 /* the longest EXIT record, with room to spare */

struct rec_sink {
	struct gctl_sink inner;
	int fd;
	struct gctl_outbuf ob;
	uint64_t bytes;
	/* What the previous exit said: the deltas' bases. */
	unsigned int vcpu;
	uint64_t seq;
	uint64_t t_ns;
	uint64_t addr[GCTL_MAX_VCPUS];
};

/* A record around payload [p, p + len). */
static void put_record(struct rec_sink *w, unsigned int type,
		       const uint8_t *p, size_t len)
{
	uint8_t hdr[2 * GCTL_VARINT_MAX];
	size_t n = gctl_varint_put(hdr, type);

	n += gctl_varint_put(hdr + n, len);
	gctl_outbuf_put(&w->ob, hdr, n);
	gctl_outbuf_put(&w->ob, p, len);
	w->bytes += n + len;
}

static unsigned int resume_code(int resume)
{
	switch (resume) {
	case GCTL_RESUME_NONE:
		return RESUME_NONE;
	case GUNYAH_VCPU_RESUME_HANDLED:
		return RESUME_HANDLED;
	case GUNYAH_VCPU_RESUME_FAULT:
		return RESUME_FAULT;
	case GUNYAH_VCPU_RESUME_RETRY:
		return RESUME_RETRY;
	default:
		return RESUME_OTHER;
	}
}

/* Encode one exit into p (EXIT_MAX bytes); returns its length. */
static size_t encode_exit(struct rec_sink *w, const struct gctl_exit_record *r,
			  uint8_t *p)
{
	unsigned int kind = gctl_exit_kind(r), resume = resume_code(r->resume);
	unsigned int vcpu = r->vcpu < GCTL_MAX_VCPUS ? r->vcpu : 0;
	uint8_t head = (uint8_t)(kind | resume << HEAD_RESUME_SHIFT);
	size_t n = 1;
	uint64_t addr;

	if (vcpu != w->vcpu) {
		head |= HEAD_VCPU;
		n += gctl_varint_put(p + n, vcpu);
	}
	if (r->seq != w->seq + 1) {
		head |= HEAD_SEQ_GAP;
		n += gctl_varint_put(p + n, r->seq - w->seq - 1);
	}
	p[0] = head;
	if (resume == RESUME_OTHER)
		n += gctl_varint_put(p + n, gctl_zigzag(r->resume));
	if (kind == KIND_OTHER)
		n += gctl_varint_put(p + n, r->reason);
	n += gctl_varint_put(p + n, gctl_zigzag((int64_t)(r->t_ns - w->t_ns)));
	n += gctl_varint_put(p + n, r->guest_ns);
	n += gctl_varint_put(p + n, r->host_ns);
	switch (kind) {
	case KIND_MMIO_READ:
	case KIND_MMIO_WRITE:
		addr = r->mmio.phys_addr;
		p[n++] = (uint8_t)(r->mmio.len > 255 ? 255 : r->mmio.len);
		n += gctl_varint_put(p + n,
				     gctl_zigzag((int64_t)(addr - w->addr[vcpu])));
		n += gctl_varint_put(p + n, r->mmio.data);
		w->addr[vcpu] = addr;
		break;
	case KIND_PAGE_FAULT:
		addr = r->page_fault.phys_addr;
		n += gctl_varint_put(p + n,
				     gctl_zigzag((int64_t)(addr - w->addr[vcpu])));
		n += gctl_varint_put(p + n, gctl_zigzag(r->page_fault.attempt));
		w->addr[vcpu] = addr;
		break;
	case KIND_STATUS: {
		uint8_t rs = r->status.exit_info.reason_size;

		if (rs > sizeof(r->status.exit_info.reason))
			rs = sizeof(r->status.exit_info.reason);
		n += gctl_varint_put(p + n, r->status.status);
		n += gctl_varint_put(p + n, r->status.exit_info.type);
		p[n++] = rs;
		memcpy(p + n, r->status.exit_info.reason, rs);
		n += rs;
		break;
	}
	default:
		break;
	}
	w->vcpu = vcpu;
	w->seq = r->seq;
	w->t_ns = r->t_ns;
	return n;
}

static void rec_exit(void *ctx, const struct gctl_exit_record *r)
{
	struct rec_sink *w = ctx;
	uint8_t p[EXIT_MAX];
	size_t n = encode_exit(w, r, p);

	put_record(w, GCTL_REC_EXIT, p, n);
	gctl_sink_exit(&w->inner, r);
}

/* A field: tag, length, bytes. */
static size_t field(uint8_t *p, unsigned int tag, const void *data, size_t len)
{
	size_t n = gctl_varint_put(p, tag);

	n += gctl_varint_put(p + n, len);
	memcpy(p + n, data, len);
	return n + len;
}

/* A field of varints. */
static size_t field_nums(uint8_t *p, unsigned int tag, const uint64_t *v,
			 unsigned int nr)
{
	uint8_t tmp[8 * GCTL_VARINT_MAX];
	size_t len = 0;

	for (unsigned int i = 0; i < nr; i++)
		len += gctl_varint_put(tmp + len, v[i]);
	return field(p, tag, tmp, len);
}

static size_t field_num(uint8_t *p, unsigned int tag, uint64_t v)
{
	return field_nums(p, tag, &v, 1);
}

static size_t field_counters(uint8_t *p, unsigned int tag, bool with_vcpu,
			     unsigned int vcpu, const struct gctl_counters *c)
{
	uint64_t v[7] = { vcpu, c->exits, c->mmio_read, c->mmio_write,
			  c->page_fault, c->status, c->unknown };

	return with_vcpu ? field_nums(p, tag, v, 7) :
			   field_nums(p, tag, v + 1, 6);
}

static void rec_summary(void *ctx, const struct gctl_summary *s)
{
	struct rec_sink *w = ctx;
	size_t max = 256 + (size_t)s->nr_vcpus * 80;
	uint8_t *p = malloc(max);
	size_t n = 0;

	if (p) {
		n += field_num(p + n, SUM_WALL_NS, s->wall_ns);
		n += field_counters(p + n, SUM_TOTAL, false, 0, &s->total);
		for (unsigned int i = 0; i < s->nr_vcpus && i < GCTL_MAX_VCPUS; i++)
			n += field_counters(p + n, SUM_VCPU, true, i, &s->vcpu[i]);
		n += field_num(p + n, SUM_CONSOLE, s->console_bytes);
		if (s->result)
			n += field(p + n, SUM_RESULT, s->result,
				   strnlen(s->result, 31));
		n += field_num(p + n, SUM_EXIT_CODE, (uint64_t)s->exit_code);
		put_record(w, GCTL_REC_SUMMARY, p, n);
		free(p);
	} else if (!w->ob.error) {
		w->ob.error = -ENOMEM;
	}
	gctl_sink_summary(&w->inner, s);
}

static int rec_flush(void *ctx)
{
	struct rec_sink *w = ctx;
	int ret = gctl_outbuf_flush(&w->ob);
	int inner = gctl_sink_flush(&w->inner);

	return ret ? ret : inner;
}

static void rec_destroy(void *ctx)
{
	struct rec_sink *w = ctx;

	gctl_outbuf_flush(&w->ob);
	close(w->fd);
	free(w);
}

/* The console, step answers, crashes and messages pass through: they
 * are not in the recording (gunyahctl-record(5) has no such record). */
static const struct gctl_sink_ops rec_ops = {
	.exit = rec_exit,
	.summary = rec_summary,
	.flush = rec_flush,
	.destroy = rec_destroy,
};

int gctl_rec_sink_open(const char *path, const struct gctl_sink *inner,
		       struct gctl_sink *out)
{
	struct rec_sink *w = calloc(1, sizeof(*w));
	int fd;

	if (!w)
		return -ENOMEM;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		int ret = -errno;

		free(w);
		return ret;
	}
	w->fd = fd;
	w->inner = *inner;
	gctl_outbuf_init(&w->ob, fd);
	w->ob.line_flush = false; /* a terminal gets no binary anyway */
	*out = (struct gctl_sink){ .ops = &rec_ops, .ctx = w,
				    .next = &w->inner };
	return 0;
}

static size_t field_str(uint8_t *p, unsigned int tag, const char *s)
{
	return field(p, tag, s, strlen(s));
}

int gctl_rec_config_encode(const struct gctl_rec_config *c, uint8_t **out,
			   size_t *out_len)
{
	const struct gctl_vmm_config *vm = &c->vm;
	uint8_t *p = malloc(8192 + PATH_MAX);
	size_t n = 0;

	if (!p)
		return -ENOMEM;
	n += field_str(p + n, CFG_TOOL, c->tool);
	n += field_str(p + n, CFG_BACKEND, c->backend);
	n += field_str(p + n, CFG_IMAGE, c->image);
	if (c->have_sha256)
		n += field(p + n, CFG_SHA256, c->sha256, GCTL_SHA256_LEN);
	n += field_num(p + n, CFG_IMAGE_ELF, c->image_elf);
	n += field_num(p + n, CFG_LOAD_ADDR, c->load_addr);
	n += field_num(p + n, CFG_ENTRY, c->entry);
	n += field_num(p + n, CFG_START, c->start_unix_ns);
	if (c->dtb_addr)
		n += field_num(p + n, CFG_DTB, c->dtb_addr);
	n += field_num(p + n, CFG_RAM_BASE, vm->ram_base);
	n += field_num(p + n, CFG_RAM_SIZE, vm->ram_size);
	n += field_num(p + n, CFG_VCPUS, vm->nr_vcpus);
	if (vm->uart_set)
		n += field_num(p + n, CFG_UART, vm->uart_addr);
	for (unsigned int i = 0; i < vm->nr_regions; i++) {
		const struct gctl_mmio_region *m = &vm->regions[i];
		uint8_t tmp[2 * GCTL_VARINT_MAX + GCTL_REGION_NAME_MAX];
		size_t len = gctl_varint_put(tmp, m->addr);

		len += gctl_varint_put(tmp + len, m->size);
		memcpy(tmp + len, m->name, strnlen(m->name, sizeof(m->name)));
		len += strnlen(m->name, sizeof(m->name));
		n += field(p + n, CFG_MMIO, tmp, len);
	}
	for (unsigned int i = 0; i < vm->nr_pf_regions; i++) {
		uint64_t v[2] = { vm->pf_regions[i].addr, vm->pf_regions[i].size };

		n += field_nums(p + n, CFG_PF_REGION, v, 2);
	}
	n += field_num(p + n, CFG_PF_POLICY, vm->pf_policy);
	for (unsigned int i = 0; i < vm->nr_faults; i++)
		n += field_num(p + n, CFG_FAULT, vm->faults[i]);
	*out = p;
	*out_len = n;
	return 0;
}

int gctl_rec_sink_begin_raw(struct gctl_sink *sink, const uint8_t *config,
			    size_t len)
{
	struct rec_sink *w = sink->ctx;
	uint8_t pre[REC_PREAMBLE_LEN] = { 0 };

	memcpy(pre, GCTL_REC_MAGIC, REC_MAGIC_LEN);
	pre[6] = GCTL_REC_MAJOR;
	pre[7] = GCTL_REC_MINOR;
	gctl_outbuf_put(&w->ob, pre, sizeof(pre));
	w->bytes += sizeof(pre);
	put_record(w, GCTL_REC_CONFIG, config, len);
	return gctl_outbuf_flush(&w->ob);
}

int gctl_rec_sink_begin(struct gctl_sink *sink, const struct gctl_rec_config *c)
{
	uint8_t *p;
	size_t n;
	int ret = gctl_rec_config_encode(c, &p, &n);

	if (ret)
		return ret;
	ret = gctl_rec_sink_begin_raw(sink, p, n);
	free(p);
	return ret;
}

void gctl_rec_sink_gap(struct gctl_sink *sink, uint64_t lost)
{
	struct rec_sink *w = sink->ctx;
	uint8_t p[GCTL_VARINT_MAX];

	put_record(w, GCTL_REC_GAP, p, gctl_varint_put(p, lost));
}

uint64_t gctl_rec_sink_bytes(const struct gctl_sink *sink)
{
	const struct rec_sink *w = sink->ctx;

	return w->bytes;
}

void gctl_rec_config_init(struct gctl_rec_config *c,
			  const struct gctl_vmm_config *vm,
			  const char *backend, const char *image, bool elf,
			  uint64_t load_addr, uint64_t entry)
{
	struct timespec now;

	memset(c, 0, sizeof(*c));
	snprintf(c->tool, sizeof(c->tool), "gunyahctl %s", GUNYAHCTL_VERSION);
	snprintf(c->backend, sizeof(c->backend), "%s", backend);
	/* replay finds it from anywhere */
	if (!realpath(image, c->image))
		snprintf(c->image, sizeof(c->image), "%s", image);
	c->have_sha256 = !gctl_sha256_file(image, c->sha256);
	c->image_elf = elf;
	c->load_addr = load_addr;
	c->entry = entry;
	clock_gettime(CLOCK_REALTIME, &now);
	c->start_unix_ns = (uint64_t)now.tv_sec * 1000000000ull +
			   (uint64_t)now.tv_nsec;
	c->vm = *vm;
}
