// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading a record file back (record.h, gunyahctl-record(5)).  The file is
 * mapped whole and decoded in place: a million exits take some 20 MB and
 * a few tens of milliseconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record.h"
#include "record_fmt.h"
#include "varint.h"

struct gctl_rec_reader {
	const uint8_t *map;
	size_t size;
	const uint8_t *first; /* the first record after CONFIG */
	const uint8_t *pos;
	bool truncated;
	uint64_t nr;	      /* records read, for messages */
	struct gctl_rec_config cfg;
	/* The deltas' bases, as the writer kept them. */
	unsigned int vcpu;
	uint64_t seq, t_ns;
	uint64_t addr[GCTL_MAX_VCPUS];
};

/* One record's type and payload at *p; advances *p.  1, 0 (none whole). */
static int record_at(const uint8_t **p, const uint8_t *end, uint64_t *type,
		     const uint8_t **payload, size_t *len)
{
	const uint8_t *q = *p;
	uint64_t n;

	if (gctl_varint_get(&q, end, type) || gctl_varint_get(&q, end, &n) ||
	    n > (uint64_t)(end - q))
		return 0;
	*payload = q;
	*len = (size_t)n;
	*p = q + n;
	return 1;
}

/* A field of a CONFIG or SUMMARY record.  1, 0 at the end, -1 malformed. */
static int next_field(const uint8_t **p, const uint8_t *end, uint64_t *tag,
		      const uint8_t **data, size_t *len)
{
	if (*p == end)
		return 0;
	return record_at(p, end, tag, data, len) ? 1 : -1;
}

static void copy_str(char *dst, size_t size, const uint8_t *s, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
	/* A NUL inside ends it: names are text. */
}

/* The varints of a field, nr of them at most; returns how many. */
static unsigned int nums(const uint8_t *p, size_t len, uint64_t *v,
			 unsigned int nr)
{
	const uint8_t *end = p + len;
	unsigned int i = 0;

	while (i < nr && !gctl_varint_get(&p, end, &v[i]))
		i++;
	return i;
}

/* Where a one-number CONFIG field goes. */
static uint64_t *number_field(struct gctl_rec_config *c, uint64_t tag)
{
	switch (tag) {
	case CFG_LOAD_ADDR:
		return &c->load_addr;
	case CFG_ENTRY:
		return &c->entry;
	case CFG_START:
		return &c->start_unix_ns;
	case CFG_DTB:
		return &c->dtb_addr;
	case CFG_RAM_BASE:
		return &c->vm.ram_base;
	default:
		return &c->vm.ram_size;
	}
}

static int parse_config(struct gctl_rec_config *c, const uint8_t *p,
			size_t plen)
{
	const uint8_t *end = p + plen, *d;
	struct gctl_vmm_config *vm = &c->vm;
	uint64_t tag, v[2];
	size_t len;
	int ret;

	while ((ret = next_field(&p, end, &tag, &d, &len)) > 0) {
		bool one = nums(d, len, v, 1) == 1;

		switch (tag) {
		case CFG_TOOL:
			copy_str(c->tool, sizeof(c->tool), d, len);
			break;
		case CFG_BACKEND:
			copy_str(c->backend, sizeof(c->backend), d, len);
			break;
		case CFG_IMAGE:
			copy_str(c->image, sizeof(c->image), d, len);
			break;
		case CFG_SHA256:
			if (len != GCTL_SHA256_LEN)
				return -1;
			memcpy(c->sha256, d, len);
			c->have_sha256 = true;
			break;
		case CFG_IMAGE_ELF:
			c->image_elf = one && v[0];
			break;
		case CFG_ATTACH:
			c->attach = true;
			break;
		case CFG_LOAD_ADDR: case CFG_ENTRY: case CFG_START:
		case CFG_DTB: case CFG_RAM_BASE: case CFG_RAM_SIZE:
			if (one)
				*number_field(c, tag) = v[0];
			break;
		case CFG_VCPUS:
			if (!one || !v[0] || v[0] > GCTL_MAX_VCPUS)
				return -1;
			vm->nr_vcpus = (unsigned int)v[0];
			break;
		case CFG_UART:
			if (one) {
				vm->uart_set = true;
				vm->uart_addr = v[0];
			}
			break;
		case CFG_MMIO: {
			const uint8_t *q = d, *e = d + len;
			struct gctl_mmio_region *m;

			if (vm->nr_regions == GCTL_MAX_MMIO_REGIONS)
				break;
			m = &vm->regions[vm->nr_regions];
			if (gctl_varint_get(&q, e, &m->addr) ||
			    gctl_varint_get(&q, e, &m->size))
				return -1;
			copy_str(m->name, sizeof(m->name), q, (size_t)(e - q));
			vm->nr_regions++;
			break;
		}
		case CFG_PF_REGION:
			if (nums(d, len, v, 2) != 2)
				return -1;
			if (vm->nr_pf_regions < GCTL_MAX_PF_REGIONS)
				vm->pf_regions[vm->nr_pf_regions++] =
					(struct gctl_range){ v[0], v[1] };
			break;
		case CFG_PF_POLICY:
			if (one && v[0] <= GCTL_PF_FAULT)
				vm->pf_policy = (enum gctl_pf_policy)v[0];
			break;
		case CFG_FAULT:
			if (one && vm->nr_faults < GCTL_MAX_FAULTS)
				vm->faults[vm->nr_faults++] = v[0];
			break;
		default:
			break; /* a later minor version's: skipped */
		}
	}
	if (ret < 0 || !vm->nr_vcpus || !vm->ram_size)
		return -1;
	return 0;
}

static int fail(char *err, size_t errlen, int ret, const char *fmt,
		const char *what)
{
	snprintf(err, errlen, fmt, what);
	return ret;
}

int gctl_rec_open(const char *path, struct gctl_rec_reader **out, char *err,
		  size_t errlen)
{
	struct gctl_rec_reader *r;
	const uint8_t *payload;
	struct stat st;
	uint64_t type;
	size_t len;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, -errno, "%s", strerror(errno));
	if (fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		return fail(err, errlen, ret, "%s", strerror(-ret));
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		close(fd);
		return fail(err, errlen, -ENOMEM, "%s", strerror(ENOMEM));
	}
	r->size = (size_t)st.st_size;
	if (!S_ISREG(st.st_mode) || r->size < REC_PREAMBLE_LEN) {
		close(fd);
		free(r);
		return fail(err, errlen, -EBADMSG, "%s",
			    "not a gunyahctl record (too short, or not a file)");
	}
	r->map = mmap(NULL, r->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (r->map == MAP_FAILED) {
		ret = -errno;
		free(r);
		return fail(err, errlen, ret, "%s", strerror(-ret));
	}
	if (memcmp(r->map, GCTL_REC_MAGIC, REC_MAGIC_LEN)) {
		ret = fail(err, errlen, -EBADMSG, "%s",
			   "not a gunyahctl record (no GEXREC magic)");
		goto err;
	}
	if (r->map[6] != GCTL_REC_MAJOR) {
		snprintf(err, errlen,
			 "record format version %u.%u: this gunyahctl reads "
			 "version %u", r->map[6], r->map[7], GCTL_REC_MAJOR);
		ret = -EPROTONOSUPPORT;
		goto err;
	}
	r->pos = r->map + REC_PREAMBLE_LEN;
	if (!record_at(&r->pos, r->map + r->size, &type, &payload, &len) ||
	    type != GCTL_REC_CONFIG || parse_config(&r->cfg, payload, len)) {
		ret = fail(err, errlen, -EBADMSG, "%s",
			   "the VM's configuration (the first record) is "
			   "missing or malformed");
		goto err;
	}
	r->first = r->pos;
	*out = r;
	return 0;

err:
	munmap((void *)r->map, r->size);
	free(r);
	return ret;
}

void gctl_rec_close(struct gctl_rec_reader *r)
{
	if (!r)
		return;
	munmap((void *)r->map, r->size);
	free(r);
}

const struct gctl_rec_config *gctl_rec_config(const struct gctl_rec_reader *r)
{
	return &r->cfg;
}

bool gctl_rec_truncated(const struct gctl_rec_reader *r)
{
	return r->truncated;
}

void gctl_rec_rewind(struct gctl_rec_reader *r)
{
	r->pos = r->first;
	r->truncated = false;
	r->nr = 0;
	r->vcpu = 0;
	r->seq = 0;
	r->t_ns = 0;
	memset(r->addr, 0, sizeof(r->addr));
}

static int to_resume(unsigned int code, const uint8_t **p, const uint8_t *end,
		     int *out)
{
	uint64_t v;

	switch (code) {
	case RESUME_NONE:
		*out = GCTL_RESUME_NONE;
		return 0;
	case RESUME_HANDLED:
		*out = GUNYAH_VCPU_RESUME_HANDLED;
		return 0;
	case RESUME_FAULT:
		*out = GUNYAH_VCPU_RESUME_FAULT;
		return 0;
	case RESUME_RETRY:
		*out = GUNYAH_VCPU_RESUME_RETRY;
		return 0;
	case RESUME_OTHER:
		if (gctl_varint_get(p, end, &v))
			return -1;
		*out = (int)gctl_unzigzag(v);
		return 0;
	default:
		return -1;
	}
}

static int decode_exit(struct gctl_rec_reader *r, const uint8_t *p,
		       size_t len, struct gctl_exit_record *e)
{
	const uint8_t *end = p + len;
	unsigned int head, kind;
	uint64_t v, d;

	memset(e, 0, sizeof(*e));
	if (!len)
		return -1;
	head = *p++;
	kind = head & HEAD_KIND_MASK;
	if (head & HEAD_VCPU) {
		if (gctl_varint_get(&p, end, &v) || v >= GCTL_MAX_VCPUS)
			return -1;
		r->vcpu = (unsigned int)v;
	}
	d = 0;
	if ((head & HEAD_SEQ_GAP) && gctl_varint_get(&p, end, &d))
		return -1;
	e->vcpu = r->vcpu;
	e->seq = r->seq + 1 + d;
	if (to_resume((head & HEAD_RESUME_MASK) >> HEAD_RESUME_SHIFT, &p, end,
		      &e->resume))
		return -1;
	switch (kind) {
	case KIND_MMIO_READ:
	case KIND_MMIO_WRITE:
		e->reason = GUNYAH_VCPU_EXIT_MMIO;
		break;
	case KIND_PAGE_FAULT:
		e->reason = GUNYAH_VCPU_EXIT_PAGE_FAULT;
		break;
	case KIND_STATUS:
		e->reason = GUNYAH_VCPU_EXIT_STATUS;
		break;
	case KIND_OTHER:
		if (gctl_varint_get(&p, end, &v))
			return -1;
		e->reason = (uint32_t)v;
		break;
	default:
		return -1;
	}
	if (gctl_varint_get(&p, end, &v))
		return -1;
	e->t_ns = r->t_ns + (uint64_t)gctl_unzigzag(v);
	if (gctl_varint_get(&p, end, &e->guest_ns) ||
	    gctl_varint_get(&p, end, &e->host_ns))
		return -1;
	switch (kind) {
	case KIND_MMIO_READ:
	case KIND_MMIO_WRITE:
		if (p == end)
			return -1;
		e->mmio.len = *p++;
		e->mmio.is_write = kind == KIND_MMIO_WRITE;
		if (gctl_varint_get(&p, end, &v) ||
		    gctl_varint_get(&p, end, &e->mmio.data))
			return -1;
		e->mmio.phys_addr = r->addr[r->vcpu] + (uint64_t)gctl_unzigzag(v);
		r->addr[r->vcpu] = e->mmio.phys_addr;
		break;
	case KIND_PAGE_FAULT:
		if (gctl_varint_get(&p, end, &v) ||
		    gctl_varint_get(&p, end, &d))
			return -1;
		e->page_fault.phys_addr = r->addr[r->vcpu] +
					  (uint64_t)gctl_unzigzag(v);
		e->page_fault.attempt = (int32_t)gctl_unzigzag(d);
		r->addr[r->vcpu] = e->page_fault.phys_addr;
		break;
	case KIND_STATUS:
		if (gctl_varint_get(&p, end, &v) ||
		    gctl_varint_get(&p, end, &d) || p == end)
			return -1;
		e->status.status = (uint32_t)v;
		e->status.exit_info.type = (uint16_t)d;
		e->status.exit_info.reason_size = *p++;
		if (e->status.exit_info.reason_size >
			    sizeof(e->status.exit_info.reason) ||
		    (size_t)(end - p) < e->status.exit_info.reason_size)
			return -1;
		memcpy(e->status.exit_info.reason, p,
		       e->status.exit_info.reason_size);
		p += e->status.exit_info.reason_size;
		break;
	default:
		break;
	}
	/* Bytes left: fields of a later minor version. */
	r->seq = e->seq;
	r->t_ns = e->t_ns;
	return 0;
}

static void counters_from(struct gctl_counters *c, const uint64_t *v)
{
	c->exits = v[0];
	c->mmio_read = v[1];
	c->mmio_write = v[2];
	c->page_fault = v[3];
	c->status = v[4];
	c->unknown = v[5];
}

static int decode_summary(const uint8_t *p, size_t plen,
			  struct gctl_rec_summary *s)
{
	const uint8_t *end = p + plen, *d;
	uint64_t tag, v[7];
	size_t len;
	int ret;

	memset(s, 0, sizeof(*s));
	while ((ret = next_field(&p, end, &tag, &d, &len)) > 0) {
		switch (tag) {
		case SUM_WALL_NS:
			if (nums(d, len, v, 1) == 1)
				s->wall_ns = v[0];
			break;
		case SUM_TOTAL:
			if (nums(d, len, v, 6) != 6)
				return -1;
			counters_from(&s->total, v);
			break;
		case SUM_VCPU:
			if (nums(d, len, v, 7) != 7 || v[0] >= GCTL_MAX_VCPUS)
				return -1;
			counters_from(&s->vcpu[v[0]], v + 1);
			if (v[0] + 1 > s->nr_vcpus)
				s->nr_vcpus = (unsigned int)v[0] + 1;
			break;
		case SUM_CONSOLE:
			if (nums(d, len, v, 1) == 1)
				s->console_bytes = v[0];
			break;
		case SUM_RESULT:
			copy_str(s->result, sizeof(s->result), d, len);
			break;
		case SUM_EXIT_CODE:
			if (nums(d, len, v, 1) == 1)
				s->exit_code = (int)v[0];
			break;
		default:
			break;
		}
	}
	return ret < 0 ? -1 : 0;
}

int gctl_rec_next(struct gctl_rec_reader *r, struct gctl_rec_item *it,
		  char *err, size_t errlen)
{
	const uint8_t *end = r->map + r->size, *payload;
	uint64_t type;
	size_t len;

	for (;;) {
		const uint8_t *at = r->pos;

		if (r->pos == end)
			return 0;
		if (!record_at(&r->pos, end, &type, &payload, &len)) {
			r->truncated = true;
			r->pos = end;
			return 0;
		}
		r->nr++;
		if (type == GCTL_REC_EXIT) {
			it->kind = GCTL_REC_ITEM_EXIT;
			if (!decode_exit(r, payload, len, &it->exit))
				return 1;
		} else if (type == GCTL_REC_SUMMARY) {
			it->kind = GCTL_REC_ITEM_SUMMARY;
			if (!decode_summary(payload, len, &it->summary))
				return 1;
		} else if (type == GCTL_REC_GAP) {
			it->kind = GCTL_REC_ITEM_GAP;
			if (nums(payload, len, &it->gap_lost, 1) == 1)
				return 1;
		} else {
			continue; /* a later minor version's: skipped */
		}
		snprintf(err, errlen, "record %llu (byte %zu): malformed",
			 (unsigned long long)r->nr, (size_t)(at - r->map));
		return -EBADMSG;
	}
}

const char *gctl_rec_region(const struct gctl_rec_config *c, uint64_t addr)
{
	const struct gctl_vmm_config *vm = &c->vm;

	if (vm->uart_set && addr >= vm->uart_addr &&
	    addr - vm->uart_addr < GCTL_UART_SIZE)
		return "uart";
	for (unsigned int i = 0; i < vm->nr_regions; i++)
		if (addr >= vm->regions[i].addr &&
		    addr - vm->regions[i].addr < vm->regions[i].size)
			return vm->regions[i].name[0] ? vm->regions[i].name :
							NULL;
	return NULL;
}
