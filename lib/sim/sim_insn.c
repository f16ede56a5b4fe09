// SPDX-License-Identifier: GPL-2.0-only
/*
 * AArch64 load/store decoder for MMIO emulation.
 *
 * The classes below are the A64 "Loads and Stores" encoding group (Arm ARM
 * C4.1.4), reduced to the ones that move general-purpose registers.  Hardware
 * gives a hypervisor a syndrome (ESR_EL2.ISV=1) only for a load/store of a
 * single GP register without exclusivity, so those are what sim_hyp.c
 * emulates.  Pairs are still decoded (pair=true) so the caller can name what
 * it refused.  Everything else is -EINVAL and becomes a data abort in the
 * guest, because hardware gives no syndrome for it either:
 *
 *  - SIMD&FP (bit 26);
 *  - exclusives and CAS/CASP: the exclusive monitor has no MMIO meaning;
 *  - atomics (LDADD, SWP, ... and LD64B/ST64B): read-modify-write;
 *  - prefetches: not an access;
 *  - memory tagging (STG, STGP, ...) and pointer-authenticated LDRAA/LDRAB;
 *  - unallocated encodings.
 *
 * Pre- and post-index forms are decoded with their writeback although the
 * architecture reports them with ISV=0: sim_ldst_refusal() faults them as
 * hardware does, unless the VM is lenient (then the sim finishes them).
 *
 * LDR/LDRSW (literal) are decoded (literal=true): they are single-register
 * loads, hardware reports them with ISV=1, and they have no base register to
 * write back, so finishing one is the same as finishing LDR [Xn].
 */
#include <errno.h>
#include <string.h>

#include "sim_insn.h"

#define BIT(n) (1u << (n))

static unsigned int bits(uint32_t insn, unsigned int hi, unsigned int lo)
{
	return (insn >> lo) & ((1u << (hi - lo + 1)) - 1);
}

/* Sign-extend the low nbits (1..63) of v, in unsigned arithmetic. */
static int64_t sext(uint64_t v, unsigned int nbits)
{
	uint64_t m = 1ull << (nbits - 1);

	v &= (m << 1) - 1;
	return (int64_t)((v ^ m) - m);
}

/*
 * size:opc of the single-register classes (shared by the immediate,
 * register-offset and LDAPUR forms).  size=11 opc=10 is PRFM/PRFUM where
 * allocated; nothing sign-extends 32 or 64 bits into Wt.
 */
static int decode_opc(unsigned int size, unsigned int opc, struct sim_ldst *o)
{
	o->size = 1u << size;
	switch (opc) {
	case 0: /* STR, STRB, STRH */
		o->dest_64 = size == 3;
		return 0;
	case 1: /* LDR, LDRB, LDRH: zero-extending */
		o->is_load = true;
		o->dest_64 = size == 3;
		return 0;
	case 2: /* LDRSB, LDRSH, LDRSW into Xt */
		if (size == 3)
			return -EINVAL;
		o->is_load = true;
		o->sign_extend = true;
		o->dest_64 = true;
		return 0;
	default: /* LDRSB, LDRSH into Wt */
		if (size >= 2)
			return -EINVAL;
		o->is_load = true;
		o->sign_extend = true;
		return 0;
	}
}

/*
 * Load/store ordered: size 001000 1 L 0 Rs o0 Rt2 Rn Rt (LDAR, STLR, and
 * with o0=0 LDLAR/STLLR).  Bit 23 clear is an exclusive (LDXR, STXR, LDAXP
 * ...), bit 21 set is CAS/CASP.  Rs and Rt2 should be ones; other values
 * are CONSTRAINED UNPREDICTABLE and we take them as the instruction.
 */
static int decode_ordered(uint32_t insn, struct sim_ldst *o)
{
	unsigned int size = bits(insn, 31, 30);

	if (!(insn & BIT(23)) || (insn & BIT(21)))
		return -EINVAL;
	o->size = 1u << size;
	o->is_load = insn & BIT(22);
	o->dest_64 = size == 3;
	return 0;
}

/* Load register (literal): opc 011 V 00 imm19 Rt.  opc=11 is PRFM. */
static int decode_literal(uint32_t insn, struct sim_ldst *o)
{
	switch (bits(insn, 31, 30)) {
	case 0: /* LDR Wt */
		o->size = 4;
		break;
	case 1: /* LDR Xt */
		o->size = 8;
		o->dest_64 = true;
		break;
	case 2: /* LDRSW */
		o->size = 4;
		o->sign_extend = true;
		o->dest_64 = true;
		break;
	default:
		return -EINVAL;
	}
	o->is_load = true;
	o->literal = true;
	o->rn = 0; /* bits 9:5 are part of imm19 */
	return 0;
}

/*
 * Load/store pair: opc 101 V 0 idx L imm7 Rt2 Rn Rt; idx 00 no-allocate
 * (LDNP/STNP), 01 post-index, 10 offset, 11 pre-index.  opc=01 is LDPSW
 * for a load and STGP (memory tagging) for a store, and has no no-allocate
 * form; opc=11 is unallocated for GP registers.
 */
static int decode_pair(uint32_t insn, struct sim_ldst *o)
{
	unsigned int idx = bits(insn, 24, 23);
	bool load = insn & BIT(22);

	switch (bits(insn, 31, 30)) {
	case 0:
		o->size = 4;
		break;
	case 1:
		if (!load || idx == 0)
			return -EINVAL;
		o->size = 4;
		o->sign_extend = true;
		o->dest_64 = true;
		break;
	case 2:
		o->size = 8;
		o->dest_64 = true;
		break;
	default:
		return -EINVAL;
	}
	o->is_load = load;
	o->pair = true;
	o->rt2 = bits(insn, 14, 10);
	if (idx == 1 || idx == 3) {
		o->writeback = true;
		o->post_index = idx == 1;
		o->offset = sext(bits(insn, 21, 15), 7) * (int64_t)o->size;
	}
	return 0;
}

/*
 * Load/store register with imm9: size 111 V 00 opc 0 imm9 idx Rn Rt; idx 00
 * unscaled (LDUR), 01 post-index, 10 unprivileged (LDTR), 11 pre-index.
 * The imm9 of the indexed forms is in bytes, not scaled.
 */
static int decode_imm9(uint32_t insn, struct sim_ldst *o)
{
	unsigned int idx = bits(insn, 11, 10);

	if (decode_opc(bits(insn, 31, 30), bits(insn, 23, 22), o))
		return -EINVAL;
	if (idx == 1 || idx == 3) {
		o->writeback = true;
		o->post_index = idx == 1;
		o->offset = sext(bits(insn, 20, 12), 9);
	}
	return 0;
}

/*
 * Load/store register (register offset): size 111 V 00 opc 1 Rm option S 10
 * Rn Rt.  option<1> clear (UXTB/UXTH/SXTB/SXTH) is unallocated.
 */
static int decode_regoff(uint32_t insn, struct sim_ldst *o)
{
	if (!(insn & BIT(14)))
		return -EINVAL;
	return decode_opc(bits(insn, 31, 30), bits(insn, 23, 22), o);
}

int sim_decode_ldst(uint32_t insn, struct sim_ldst *out)
{
	struct sim_ldst o = {
		.rt = bits(insn, 4, 0),
		.rn = bits(insn, 9, 5),
	};
	int ret;

	/*
	 * Every SIMD&FP load/store (LDR Qt, LD1, LDAPUR Bt, ...) has bit 26
	 * set, and no general-purpose one does.
	 */
	if (insn & BIT(26))
		ret = -EINVAL;
	else if ((insn & 0x3f000000) == 0x08000000)
		ret = decode_ordered(insn, &o);
	else if ((insn & 0x3b000000) == 0x18000000)
		ret = decode_literal(insn, &o);
	else if ((insn & 0x3a000000) == 0x28000000)
		ret = decode_pair(insn, &o);
	else if ((insn & 0x3f200c00) == 0x19000000)
		/* LDAPUR/STLUR (FEAT_LRCPC2): size 011001 opc 0 imm9 00 */
		ret = decode_opc(bits(insn, 31, 30), bits(insn, 23, 22), &o);
	else if ((insn & 0x3ffffc00) == 0x38bfc000) {
		/* LDAPR (FEAT_LRCPC), in the atomics' space: Rs=11111 o3=1 opc=100 */
		o.size = 1u << bits(insn, 31, 30);
		o.is_load = true;
		o.dest_64 = o.size == 8;
		ret = 0;
	} else if ((insn & 0x3b000000) == 0x39000000)
		/* unsigned scaled imm12: never writes back */
		ret = decode_opc(bits(insn, 31, 30), bits(insn, 23, 22), &o);
	else if ((insn & 0x3b200000) == 0x38000000)
		ret = decode_imm9(insn, &o);
	else if ((insn & 0x3b200c00) == 0x38200800)
		ret = decode_regoff(insn, &o);
	else
		/* atomics, LDRAA/LDRAB, memory tags, structures, unallocated */
		ret = -EINVAL;

	if (ret)
		memset(out, 0, sizeof(*out));
	else
		*out = o;
	return ret;
}

/* What an undecodable access is, for the message (not exhaustive). */
static const char *undecoded_kind(uint32_t insn)
{
	if (insn & BIT(26))
		return "SIMD/FP register load/store";
	if ((insn & 0x3f000000) == 0x08000000)
		return (insn & BIT(21)) ? "compare-and-swap (atomic)" :
					  "exclusive load/store";
	if ((insn & 0x3b200c00) == 0x38200000)
		return "atomic memory operation";
	return "not a single-register load/store";
}

/*
 * LDXR/LDAXR/STXR/STLXR of one register: size 001000 0 L 0 Rs o0 11111 Rn Rt
 * (bit 23 clear: exclusive; bit 21 set would be a pair).
 */
static int decode_exclusive(uint32_t insn, struct sim_ldst *o)
{
	unsigned int size = bits(insn, 31, 30);

	if ((insn & 0x3fa00000) != 0x08000000)
		return -EINVAL;
	memset(o, 0, sizeof(*o));
	o->rt = bits(insn, 4, 0);
	o->rn = bits(insn, 9, 5);
	o->rs = bits(insn, 20, 16);
	o->size = 1u << size;
	o->is_load = insn & BIT(22);
	o->dest_64 = size == 3;
	o->exclusive = true;
	return 0;
}

const char *sim_mmio_decode(uint32_t insn, bool lenient, struct sim_ldst *out)
{
	if (sim_decode_ldst(insn, out)) {
		if (lenient && !decode_exclusive(insn, out))
			return NULL;
		return undecoded_kind(insn);
	}
	if (lenient)
		return NULL;
	if (out->pair)
		return "load/store pair";
	if (out->writeback)
		return "pre/post-index writeback";
	return NULL;
}

uint64_t sim_ldst_extend(const struct sim_ldst *ld, uint64_t raw)
{
	unsigned int nbits = 8 * ld->size;
	uint64_t v = raw;

	if (nbits < 64) {
		v &= (1ull << nbits) - 1;
		if (ld->sign_extend && nbits)
			v = (uint64_t)sext(v, nbits);
	}
	/* A write to Wt zeroes bits 63:32, after any sign extension to 32. */
	if (!ld->dest_64)
		v = (uint32_t)v;
	return v;
}
