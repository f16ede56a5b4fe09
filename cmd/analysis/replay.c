// SPDX-License-Identifier: GPL-2.0-only
/* Replay's oracle (see replay.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/replay.h"

/* What a recorded exit needs for the check and the answer. */
struct expect {
	uint64_t seq;
	uint64_t addr;
	uint64_t data;
	uint32_t reason;
	uint32_t len;
	bool is_write;
	int resume;
	uint32_t status;
	uint16_t exit_type;
};

struct vcpu_list {
	struct expect *e;
	size_t n, cap;
	size_t next;	 /* the next one the vCPU must produce */
	bool at_end;	 /* at the record's forced stop, answered RETRY */
};

struct gctl_replay {
	struct gctl_vmm_oracle oracle;
	unsigned int nr_vcpus;
	struct vcpu_list v[GCTL_MAX_VCPUS];
	uint64_t recorded, checked;
	uint64_t last_t_ns;	/* the record's last exit, since the start */
	bool truncated;	 /* the record ends early: running out is its end */
	bool stopping;	 /* asked the engine to stop: answers no longer count */
	bool diverged;
	struct gctl_replay_result div;
};

static int push(struct vcpu_list *l, const struct gctl_exit_record *r)
{
	struct expect *e;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 1024;

		e = realloc(l->e, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		l->e = e;
		l->cap = cap;
	}
	e = &l->e[l->n++];
	memset(e, 0, sizeof(*e));
	e->seq = r->seq;
	e->reason = r->reason;
	e->resume = r->resume;
	if (r->reason == GUNYAH_VCPU_EXIT_MMIO) {
		e->addr = r->mmio.phys_addr;
		e->len = r->mmio.len;
		e->is_write = r->mmio.is_write;
		e->data = r->mmio.data;
	} else if (r->reason == GUNYAH_VCPU_EXIT_PAGE_FAULT) {
		e->addr = r->page_fault.phys_addr;
	} else if (r->reason == GUNYAH_VCPU_EXIT_STATUS) {
		e->status = r->status.status;
		e->exit_type = r->status.exit_info.type;
	}
	return 0;
}

static void describe(char *buf, size_t len, uint32_t reason, uint64_t addr,
		     uint32_t mlen, bool is_write, uint64_t data,
		     uint32_t status, uint16_t type)
{
	switch (reason) {
	case GUNYAH_VCPU_EXIT_MMIO:
		if (is_write)
			snprintf(buf, len, "mmio write %#" PRIx64 " len=%u data=%#"
				 PRIx64, addr, mlen, data);
		else
			snprintf(buf, len, "mmio read %#" PRIx64 " len=%u",
				 addr, mlen);
		break;
	case GUNYAH_VCPU_EXIT_PAGE_FAULT:
		snprintf(buf, len, "page_fault %#" PRIx64, addr);
		break;
	case GUNYAH_VCPU_EXIT_STATUS:
		snprintf(buf, len, "status %s type=%s",
			 gh_vm_status_str(status), gh_exit_type_str(type));
		break;
	default:
		snprintf(buf, len, "exit reason %u", reason);
		break;
	}
}

static void describe_expect(char *buf, size_t len, const struct expect *e)
{
	describe(buf, len, e->reason, e->addr, e->len, e->is_write, e->data,
		 e->status, e->exit_type);
}

static void describe_rec(char *buf, size_t len,
			 const struct gctl_exit_record *r)
{
	uint64_t addr = r->reason == GUNYAH_VCPU_EXIT_MMIO ? r->mmio.phys_addr :
			r->page_fault.phys_addr;

	describe(buf, len, r->reason, addr, r->mmio.len, r->mmio.is_write,
		 r->mmio.data, r->status.status, r->status.exit_info.type);
}

static bool same(const struct expect *e, const struct gctl_exit_record *r)
{
	if (e->reason != r->reason)
		return false;
	switch (r->reason) {
	case GUNYAH_VCPU_EXIT_MMIO:
		return e->addr == r->mmio.phys_addr && e->len == r->mmio.len &&
		       e->is_write == r->mmio.is_write &&
		       (!e->is_write || e->data == r->mmio.data);
	case GUNYAH_VCPU_EXIT_PAGE_FAULT:
		return e->addr == r->page_fault.phys_addr;
	case GUNYAH_VCPU_EXIT_STATUS:
		return e->status == r->status.status &&
		       e->exit_type == r->status.exit_info.type;
	default:
		return true;
	}
}

/* A stop the replay asked for is not a divergence: was it the record's? */
static bool forced_end(const struct expect *e)
{
	return e->reason == GUNYAH_VCPU_EXIT_STATUS &&
	       e->exit_type == GUNYAH_VM_EXIT_TYPE_VM_STOP_FORCED;
}

/* Every vCPU has nothing left but the record's forced stop. */
static bool all_at_end(const struct gctl_replay *rp)
{
	for (unsigned int i = 0; i < rp->nr_vcpus; i++) {
		const struct vcpu_list *l = &rp->v[i];

		if (rp->truncated && l->next == l->n)
			continue;
		if (l->next + 1 != l->n || !forced_end(&l->e[l->next]))
			return false;
	}
	return true;
}

static void diverge(struct gctl_replay *rp, const struct vcpu_list *l,
		    const struct gctl_exit_record *r)
{
	rp->diverged = true;
	rp->div.vcpu = r->vcpu;
	rp->div.nth = l->next + 1;
	if (l->next < l->n) {
		rp->div.seq = l->e[l->next].seq;
		describe_expect(rp->div.expected, sizeof(rp->div.expected),
				&l->e[l->next]);
	} else {
		rp->div.seq = 0;
		snprintf(rp->div.expected, sizeof(rp->div.expected),
			 "nothing (the record has no more exits of vcpu%u)",
			 r->vcpu);
	}
	describe_rec(rp->div.got, sizeof(rp->div.got), r);
}

/* An answer that lets the guest on harmlessly while the VM goes down. */
static void idle_answer(struct gctl_exit_record *r)
{
	r->resume = GUNYAH_VCPU_RESUME_RETRY;
	if (r->reason == GUNYAH_VCPU_EXIT_MMIO && !r->mmio.is_write)
		r->mmio.data = 0;
}

static enum gctl_stop_reason answer(void *ctx, struct gctl_exit_record *r,
				    char *msg, size_t msglen)
{
	struct gctl_replay *rp = ctx;
	struct vcpu_list *l;
	const struct expect *e;

	(void)msg;
	(void)msglen;
	if (r->vcpu >= rp->nr_vcpus) {
		r->resume = GUNYAH_VCPU_RESUME_FAULT;
		return GCTL_STOP_NONE;
	}
	l = &rp->v[r->vcpu];
	if (rp->stopping) {
		/* The STATUS exits of the stop the replay asked for. */
		if (r->reason == GUNYAH_VCPU_EXIT_STATUS && !rp->diverged &&
		    l->next < l->n && same(&l->e[l->next], r)) {
			l->next++;
			rp->checked++;
		}
		idle_answer(r);
		return GCTL_STOP_NONE;
	}
	e = l->next < l->n ? &l->e[l->next] : NULL;
	if ((e && forced_end(e) && r->reason != GUNYAH_VCPU_EXIT_STATUS) ||
	    (!e && rp->truncated)) {
		/* The recorded run was stopped here: wait for the others. */
		l->at_end = true;
		idle_answer(r);
		if (!all_at_end(rp))
			return GCTL_STOP_NONE;
		rp->stopping = true;
		return GCTL_STOP_USER;
	}
	if (!e || !same(e, r)) {
		diverge(rp, l, r);
		idle_answer(r);
		rp->stopping = true;
		return GCTL_STOP_USER;
	}
	l->next++;
	rp->checked++;
	if (r->reason == GUNYAH_VCPU_EXIT_MMIO) {
		r->resume = e->resume;
		if (!e->is_write)
			r->mmio.data = e->data;
	} else if (r->reason == GUNYAH_VCPU_EXIT_PAGE_FAULT) {
		if (e->resume == GCTL_RESUME_NONE) {
			/* --on-page-fault=fail: the record's run stopped here */
			r->resume = GUNYAH_VCPU_RESUME_FAULT;
			rp->stopping = true;
			return GCTL_STOP_USER;
		}
		r->resume = e->resume;
	}
	return GCTL_STOP_NONE;
}

int gctl_replay_new(struct gctl_rec_reader *rd, struct gctl_replay **out,
		    char *err, size_t errlen)
{
	const struct gctl_rec_config *cfg = gctl_rec_config(rd);
	struct gctl_replay *rp = calloc(1, sizeof(*rp));
	struct gctl_rec_item it;
	int ret;

	if (!rp) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	rp->nr_vcpus = cfg->vm.nr_vcpus;
	rp->oracle.answer = answer;
	rp->oracle.ctx = rp;
	while ((ret = gctl_rec_next(rd, &it, err, errlen)) > 0) {
		if (it.kind == GCTL_REC_ITEM_GAP) {
			/* What the guest did there is unknown: no match
			 * can be claimed past it. */
			snprintf(err, errlen, "the record has a gap after "
				 "%" PRIu64 " exits (%" PRIu64 " records lost "
				 "by attach --record): it cannot be replayed",
				 rp->recorded, it.gap_lost);
			ret = -EBADMSG;
			break;
		}
		if (it.kind != GCTL_REC_ITEM_EXIT)
			continue;
		if (it.exit.vcpu >= rp->nr_vcpus) {
			snprintf(err, errlen, "exit #%" PRIu64 " is of vcpu%u, "
				 "but the VM had %u", it.exit.seq, it.exit.vcpu,
				 rp->nr_vcpus);
			ret = -EBADMSG;
			break;
		}
		ret = push(&rp->v[it.exit.vcpu], &it.exit);
		if (ret) {
			snprintf(err, errlen, "%s", strerror(-ret));
			break;
		}
		rp->recorded++;
		if (it.exit.t_ns > rp->last_t_ns)
			rp->last_t_ns = it.exit.t_ns;
	}
	if (ret < 0) {
		gctl_replay_free(rp);
		return ret;
	}
	rp->truncated = gctl_rec_truncated(rd);
	*out = rp;
	return 0;
}

void gctl_replay_free(struct gctl_replay *rp)
{
	if (!rp)
		return;
	for (unsigned int i = 0; i < GCTL_MAX_VCPUS; i++)
		free(rp->v[i].e);
	free(rp);
}

uint64_t gctl_replay_recorded_ns(const struct gctl_replay *rp)
{
	return rp->last_t_ns;
}

const struct gctl_vmm_oracle *gctl_replay_oracle(struct gctl_replay *rp)
{
	return &rp->oracle;
}

void gctl_replay_result(struct gctl_replay *rp, bool timed_out,
			struct gctl_replay_result *res)
{
	if (rp->diverged) {
		*res = rp->div;
	} else {
		memset(res, 0, sizeof(*res));
		res->match = true;
		for (unsigned int i = 0; i < rp->nr_vcpus; i++) {
			const struct vcpu_list *l = &rp->v[i];

			if (l->next == l->n)
				continue;
			res->match = false;
			res->vcpu = i;
			res->nth = l->next + 1;
			res->seq = l->e[l->next].seq;
			describe_expect(res->expected, sizeof(res->expected),
					&l->e[l->next]);
			snprintf(res->got, sizeof(res->got), "%s",
				 timed_out ? "nothing before the timeout" :
					     "nothing (the run ended)");
			break;
		}
	}
	res->checked = rp->checked;
	res->recorded = rp->recorded;
}
