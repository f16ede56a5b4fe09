/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AArch64 load/store decoding for MMIO emulation.
 *
 * Unicorn stops a guest access to an address with nothing behind it with PC
 * on the instruction and no architectural effect.  The hypervisor then has to
 * finish the instruction itself once userspace has handled the MMIO: write
 * the loaded value into Rt, apply base writeback, step PC.  This decoder says
 * what the instruction does; it does not compute the address (Unicorn's
 * memory hook already has it).
 */
#ifndef SIM_INSN_H
#define SIM_INSN_H

#include <stdbool.h>
#include <stdint.h>

struct sim_ldst {
	bool is_load;        /* load (true) or store */
	unsigned int size;   /* access size in bytes: 1, 2, 4, 8 (per register) */
	bool sign_extend;    /* LDRSB/LDRSH/LDRSW/LDPSW/LDAPURSx */
	bool dest_64;        /* Rt is Xt (else Wt: a load zeroes bits 63:32) */
	unsigned int rt, rt2; /* 31 is XZR/WZR; rt2 only for a pair */
	bool pair;           /* LDP/STP/LDPSW/LDNP/STNP: decoded but not emulable */
	bool literal;        /* LDR/LDRSW (literal): PC-relative, rn unused */
	unsigned int rn;     /* base register, 31 = SP */
	bool writeback;      /* pre- or post-index: Rn += offset after the access */
	bool post_index;
	int64_t offset;      /* the writeback amount (scaled); 0 without writeback */
	bool exclusive;      /* LDXR/STXR family (sim_mmio_decode, lenient only) */
	unsigned int rs;     /* STXR's status register: gets 0 ("succeeded") */
};

/*
 * 0 and *out filled for a general-purpose load/store, or -EINVAL for
 * anything else (not a load/store, SIMD/FP, exclusive, atomic, prefetch,
 * memory tagging, pointer-authenticated, unallocated).  *out is zeroed
 * on -EINVAL.
 */
int sim_decode_ldst(uint32_t insn, struct sim_ldst *out);

/*
 * Decode the instruction behind an MMIO access for the hypervisor: NULL
 * and *out filled if it is handed to the VMM, else why not.  Hardware
 * describes a stage-2 abort to the hypervisor (ESR_EL2.ISV=1) only for a
 * load/store of one general-purpose register without writeback; Gunyah
 * injects a data abort into the guest for the rest (strict, the default).
 * lenient keeps the sim's kinder emulation: pre/post-index writeback is
 * finished, a pair becomes two MMIO exits, LDXR/STXR a plain load/store
 * (STXR's status 0).  SIMD/FP, atomics and exclusive pairs: never.
 */
const char *sim_mmio_decode(uint32_t insn, bool lenient, struct sim_ldst *out);

/* raw: the loaded bytes, zero-extended from size; returns the value for Rt. */
uint64_t sim_ldst_extend(const struct sim_ldst *ld, uint64_t raw);

#endif /* SIM_INSN_H */
