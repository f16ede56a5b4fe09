// SPDX-License-Identifier: GPL-2.0-only
/* How an exit record reads (exit_fmt.h). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "common.h"
#include "output/exit_fmt.h"

const char *gctl_resume_str(int resume)
{
	if (resume == GCTL_RESUME_NONE)
		return "none";
	return gh_resume_action_str((uint32_t)resume);
}

struct line {
	char *buf;
	size_t len, pos;
};

/* snprintf that appends and never runs past the end. */
static void put(struct line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->pos + 1 >= l->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->pos, l->len - l->pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->pos = l->pos + (size_t)n < l->len ? l->pos + (size_t)n :
						       l->len - 1;
}

static void put_resume(struct line *l, int resume, bool always)
{
	if (always || resume != GUNYAH_VCPU_RESUME_HANDLED)
		put(l, " resume=%s", gctl_resume_str(resume));
}

static void put_status(struct line *l, const struct gctl_exit_record *r)
{
	const struct gunyah_vm_exit_info *ei = &r->status.exit_info;
	uint32_t rs = ei->reason_size > GUNYAH_VM_MAX_EXIT_REASON_SIZE ?
			      GUNYAH_VM_MAX_EXIT_REASON_SIZE : ei->reason_size;
	uint64_t reason = gh_exit_info_reason(ei);
	struct gh_exit_reason d;

	put(l, " %s type=%s(%u)", gh_vm_status_str(r->status.status),
	    gh_exit_type_str(ei->type), ei->type);
	if (!rs)
		return;
	put(l, " reason=0x%0*" PRIx64, (int)(2 * rs), reason);
	/* Only the VM_EXIT type's reason is the reason word with a code. */
	if (ei->type != GUNYAH_VM_EXIT_TYPE_VM_EXIT)
		return;
	gh_exit_reason_decode((uint32_t)reason, &d);
	if (d.code_known)
		put(l, " code=%s", d.code_name);
	else
		put(l, " code=%u", d.code);
	if (d.restart)
		put(l, " restart");
	if (d.unknown_bits)
		put(l, " bits=0x%x", d.unknown_bits);
}

size_t gctl_exit_str(const struct gctl_exit_record *r, char *buf, size_t len)
{
	struct line l = { .buf = buf, .len = len };

	if (!len)
		return 0;
	buf[0] = 0;
	put(&l, "%s", gh_exit_reason_str(r->reason));
	switch (r->reason) {
	case GUNYAH_VCPU_EXIT_MMIO:
		put(&l, " %s " GCTL_ADDR " len=%u data=0x%0*" PRIx64,
		    r->mmio.is_write ? "write" : "read", r->mmio.phys_addr,
		    r->mmio.len, (int)(2 * (r->mmio.len > 8 ? 8 : r->mmio.len)),
		    r->mmio.data);
		put_resume(&l, r->resume, false);
		break;
	case GUNYAH_VCPU_EXIT_PAGE_FAULT:
		put(&l, " " GCTL_ADDR " attempt=%d", r->page_fault.phys_addr,
		    r->page_fault.attempt);
		put_resume(&l, r->resume, true);
		break;
	case GUNYAH_VCPU_EXIT_STATUS:
		put_status(&l, r);
		break;
	default:
		put(&l, " exit_reason=%u", r->reason);
		break;
	}
	if (r->region)
		put(&l, " [%s]", r->region);
	return l.pos;
}
