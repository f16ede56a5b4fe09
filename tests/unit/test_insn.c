// SPDX-License-Identifier: GPL-2.0-only
/*
 * The AArch64 load/store decoder, table-driven.  Each word was produced by
 * aarch64-linux-gnu-as (binutils 2.40, -march=armv8.5-a+rcpc+lse+memtag)
 * from the text beside it, and checked with objdump; hard-coding them keeps
 * cross tools out of the test run.  To add a row:
 *
 *   echo 'ldrsh w3, [x1, #-2]!' | aarch64-linux-gnu-as -march=armv8.4-a \
 *	-o /tmp/t.o - && aarch64-linux-gnu-objdump -d /tmp/t.o
 */
#include <errno.h>
#include <stdbool.h>

#include "sim/sim_insn.h"
#include "test.h"

struct row {
	uint32_t insn;
	const char *text;
	struct sim_ldst want;
};

/* Shorthands for the expected decode; everything not named is 0/false. */
#define LD .is_load = true
#define X .dest_64 = true
#define SX .sign_extend = true
#define SZ(n) .size = (n)
#define RT(n) .rt = (n)
#define RN(n) .rn = (n)
#define PRE(off) .writeback = true, .offset = (off)
#define POST(off) .writeback = true, .post_index = true, .offset = (off)
#define PAIR(t2) .pair = true, .rt2 = (t2)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define CHECK_FIELD(r, got, f)                                            \
	do {                                                              \
		if ((long long)(got).f != (long long)(r)->want.f)         \
			TEST_FAIL("%#010x %s: %s is %lld, want %lld",    \
				  (r)->insn, (r)->text, #f,               \
				  (long long)(got).f,                     \
				  (long long)(r)->want.f);                \
	} while (0)

static void check_rows(const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		struct sim_ldst got;
		int ret = sim_decode_ldst(r->insn, &got);

		if (ret)
			TEST_FAIL("%#010x %s: decode returned %d", r->insn,
				  r->text, ret);
		CHECK_FIELD(r, got, is_load);
		CHECK_FIELD(r, got, size);
		CHECK_FIELD(r, got, sign_extend);
		CHECK_FIELD(r, got, dest_64);
		CHECK_FIELD(r, got, rt);
		CHECK_FIELD(r, got, rt2);
		CHECK_FIELD(r, got, pair);
		CHECK_FIELD(r, got, literal);
		CHECK_FIELD(r, got, rn);
		CHECK_FIELD(r, got, writeback);
		CHECK_FIELD(r, got, post_index);
		CHECK_FIELD(r, got, offset);
	}
}

/* A word that must not decode, and what it is. */
struct bad {
	uint32_t insn;
	const char *text;
};

static void check_rejects(const struct bad *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct bad *r = &rows[i];
		struct sim_ldst got;
		int ret;

		memset(&got, 0xa5, sizeof(got));
		ret = sim_decode_ldst(r->insn, &got);
		if (ret != -EINVAL)
			TEST_FAIL("%#010x %s: decode returned %d, want -EINVAL",
				  r->insn, r->text, ret);
		/* No half-filled struct for a caller that ignores the error. */
		if (got.size || got.is_load || got.writeback || got.rt)
			TEST_FAIL("%#010x %s: *out not cleared on -EINVAL",
				  r->insn, r->text);
	}
}

TEST(unsigned_immediate)
{
	static const struct row rows[] = {
		{ 0xf9400020, "ldr x0, [x1]", { LD, SZ(8), X, RT(0), RN(1) } },
		{ 0xf9400420, "ldr x0, [x1, #8]", { LD, SZ(8), X, RT(0), RN(1) } },
		{ 0xb97ffc62, "ldr w2, [x3, #16380]", { LD, SZ(4), RT(2), RN(3) } },
		{ 0xf97ffffd, "ldr x29, [sp, #32760]", { LD, SZ(8), X, RT(29), RN(31) } },
		{ 0xf9000cc5, "str x5, [x6, #24]", { SZ(8), X, RT(5), RN(6) } },
		{ 0xb90007e7, "str w7, [sp, #4]", { SZ(4), RT(7), RN(31) } },
		{ 0x393ffd28, "strb w8, [x9, #4095]", { SZ(1), RT(8), RN(9) } },
		{ 0x3940056a, "ldrb w10, [x11, #1]", { LD, SZ(1), RT(10), RN(11) } },
		{ 0x790005ac, "strh w12, [x13, #2]", { SZ(2), RT(12), RN(13) } },
		{ 0x797ffdee, "ldrh w14, [x15, #8190]", { LD, SZ(2), RT(14), RN(15) } },
		{ 0x39800e30, "ldrsb x16, [x17, #3]", { LD, SZ(1), SX, X, RT(16), RN(17) } },
		{ 0x39c00272, "ldrsb w18, [x19]", { LD, SZ(1), SX, RT(18), RN(19) } },
		{ 0x79800eb4, "ldrsh x20, [x21, #6]", { LD, SZ(2), SX, X, RT(20), RN(21) } },
		{ 0x79c016f6, "ldrsh w22, [x23, #10]", { LD, SZ(2), SX, RT(22), RN(23) } },
		{ 0xb9800f38, "ldrsw x24, [x25, #12]", { LD, SZ(4), SX, X, RT(24), RN(25) } },
		{ 0xf900081f, "str xzr, [x0, #16]", { SZ(8), X, RT(31), RN(0) } },
		{ 0xb940003f, "ldr wzr, [x1]", { LD, SZ(4), RT(31), RN(1) } },
	};

	check_rows(rows, ARRAY_SIZE(rows));
}

TEST(unscaled_immediate)
{
	static const struct row rows[] = {
		{ 0xf85f8020, "ldur x0, [x1, #-8]", { LD, SZ(8), X, RT(0), RN(1) } },
		{ 0xb84ff062, "ldur w2, [x3, #255]", { LD, SZ(4), RT(2), RN(3) } },
		{ 0xb81000a4, "stur w4, [x5, #-256]", { SZ(4), RT(4), RN(5) } },
		{ 0x381ff0e6, "sturb w6, [x7, #-1]", { SZ(1), RT(6), RN(7) } },
		{ 0x78403128, "ldurh w8, [x9, #3]", { LD, SZ(2), RT(8), RN(9) } },
		{ 0x389fd16a, "ldursb x10, [x11, #-3]", { LD, SZ(1), SX, X, RT(10), RN(11) } },
		{ 0x38c011ac, "ldursb w12, [x13, #1]", { LD, SZ(1), SX, RT(12), RN(13) } },
		{ 0x78dfe1ee, "ldursh w14, [x15, #-2]", { LD, SZ(2), SX, RT(14), RN(15) } },
		{ 0xb89fc230, "ldursw x16, [x17, #-4]", { LD, SZ(4), SX, X, RT(16), RN(17) } },
	};

	check_rows(rows, ARRAY_SIZE(rows));
}

TEST(pre_index)
{
	static const struct row rows[] = {
		{ 0xf8410c20, "ldr x0, [x1, #16]!", { LD, SZ(8), X, RT(0), RN(1), PRE(16) } },
		{ 0xb85fcc62, "ldr w2, [x3, #-4]!", { LD, SZ(4), RT(2), RN(3), PRE(-4) } },
		{ 0x78dfec23, "ldrsh w3, [x1, #-2]!", { LD, SZ(2), SX, RT(3), RN(1), PRE(-2) } },
		{ 0x38001ca4, "strb w4, [x5, #1]!", { SZ(1), RT(4), RN(5), PRE(1) } },
		{ 0xf81f0fe6, "str x6, [sp, #-16]!", { SZ(8), X, RT(6), RN(31), PRE(-16) } },
		{ 0xb88ffd07, "ldrsw x7, [x8, #255]!", { LD, SZ(4), SX, X, RT(7), RN(8), PRE(255) } },
		{ 0x38500d49, "ldrb w9, [x10, #-256]!", { LD, SZ(1), RT(9), RN(10), PRE(-256) } },
	};

	check_rows(rows, ARRAY_SIZE(rows));
}

TEST(post_index)
{
	static const struct row rows[] = {
		{ 0xf8408420, "ldr x0, [x1], #8", { LD, SZ(8), X, RT(0), RN(1), POST(8) } },
		{ 0xb81fc462, "str w2, [x3], #-4", { SZ(4), RT(2), RN(3), POST(-4) } },
		{ 0x388014a4, "ldrsb x4, [x5], #1", { LD, SZ(1), SX, X, RT(4), RN(5), POST(1) } },
		{ 0x785fe4e6, "ldrh w6, [x7], #-2", { LD, SZ(2), RT(6), RN(7), POST(-2) } },
	};

	check_rows(rows, ARRAY_SIZE(rows));
}

TEST(register_offset)
{
	static const struct row rows[] = {
		{ 0xf8626820, "ldr x0, [x1, x2]", { LD, SZ(8), X, RT(0), RN(1) } },
		{ 0xf8627820, "ldr x0, [x1, x2, lsl #3]", { LD, SZ(8), X, RT(0), RN(1) } },
		{ 0xb8654883, "ldr w3, [x4, w5, uxtw]", { LD, SZ(4), RT(3), RN(4) } },
		{ 0xb8655883, "ldr w3, [x4, w5, uxtw #2]", { LD, SZ(4), RT(3), RN(4) } },
		{ 0x3868c8e6, "ldrb w6, [x7, w8, sxtw]", { LD, SZ(1), RT(6), RN(7) } },
		{ 0x786bf949, "ldrh w9, [x10, x11, sxtx #1]", { LD, SZ(2), RT(9), RN(10) } },
		{ 0xb8aed9ac, "ldrsw x12, [x13, w14, sxtw #2]", { LD, SZ(4), SX, X, RT(12), RN(13) } },
		{ 0xf831ea0f, "str x15, [x16, x17, sxtx]", { SZ(8), X, RT(15), RN(16) } },
		{ 0x78337bf2, "strh w18, [sp, x19, lsl #1]", { SZ(2), RT(18), RN(31) } },
		{ 0x38f66ab4, "ldrsb w20, [x21, x22]", { LD, SZ(1), SX, RT(20), RN(21) } },
		{ 0x78b95b17, "ldrsh x23, [x24, w25, uxtw #1]", { LD, SZ(2), SX, X, RT(23), RN(24) } },
		{ 0x383c7b7a, "strb w26, [x27, x28, lsl #0]", { SZ(1), RT(26), RN(27) } },
	};

	check_rows(rows, ARRAY_SIZE(rows));
}

TEST(unprivileged)
{
	static const struct row rows[] = {
		{ 0xf8400820, "ldtr x0, [x1]", { LD, SZ(8), X, RT(0), RN(1) } },
		{ 0xb85f8862, "ldtr w2, [x3, #-8]", { LD, SZ(4), RT(2), RN(3) } },
		{ 0xf80ff8a4, "sttr x4, [x5, #255]", { SZ(8), X, RT(4), RN(5) } },
		{ 0x384018e6, "ldtrb w6, [x7, #1]", { LD, SZ(1), RT(6), RN(7) } },
		{ 0x78100928, "sttrh w8, [x9, #-256]", { SZ(2), RT(8), RN(9) } },
		{ 0x3880096a, "ldtrsb x10, [x11]", { LD, SZ(1), SX, X, RT(10), RN(11) } },
		{ 0x78c029ac, "ldtrsh w12, [x13, #2]", { LD, SZ(2), SX, RT(12), RN(13) } },
		{ 0xb88049ee, "ldtrsw x14, [x15, #4]", { LD, SZ(4), SX, X, RT(14), RN(15) } },
	};

	check_rows(rows, ARRAY_SIZE(rows));
}

TEST(acquire_release)
{
	static const struct row rows[] = {
		{ 0xc8dffc20, "ldar x0, [x1]", { LD, SZ(8), X, RT(0), RN(1) } },
		{ 0x88dfffe2, "ldar w2, [sp]", { LD, SZ(4), RT(2), RN(31) } },
		{ 0x08dffc83, "ldarb w3, [x4]", { LD, SZ(1), RT(3), RN(4) } },
		{ 0x48dffcc5, "ldarh w5, [x6]", { LD, SZ(2), RT(5), RN(6) } },
		{ 0xc89ffd07, "stlr x7, [x8]", { SZ(8), X, RT(7), RN(8) } },
		{ 0x889ffd49, "stlr w9, [x10]", { SZ(4), RT(9), RN(10) } },
		{ 0x089ffd8b, "stlrb w11, [x12]", { SZ(1), RT(11), RN(12) } },
		{ 0x489ffdcd, "stlrh w13, [x14]", { SZ(2), RT(13), RN(14) } },
		{ 0xf8bfc20f, "ldapr x15, [x16]", { LD, SZ(8), X, RT(15), RN(16) } },
		{ 0xb8bfc251, "ldapr w17, [x18]", { LD, SZ(4), RT(17), RN(18) } },
		{ 0x38bfc293, "ldaprb w19, [x20]", { LD, SZ(1), RT(19), RN(20) } },
		{ 0x78bfc2d5, "ldaprh w21, [x22]", { LD, SZ(2), RT(21), RN(22) } },
		{ 0xc8df7f17, "ldlar x23, [x24]", { LD, SZ(8), X, RT(23), RN(24) } },
		{ 0x089f7f59, "stllrb w25, [x26]", { SZ(1), RT(25), RN(26) } },
		/* FEAT_LRCPC2: unscaled offset, no writeback */
		{ 0xd95f8020, "ldapur x0, [x1, #-8]", { LD, SZ(8), X, RT(0), RN(1) } },
		{ 0x99004062, "stlur w2, [x3, #4]", { SZ(4), RT(2), RN(3) } },
		{ 0x19c010a4, "ldapursb w4, [x5, #1]", { LD, SZ(1), SX, RT(4), RN(5) } },
		{ 0x598000e6, "ldapursh x6, [x7]", { LD, SZ(2), SX, X, RT(6), RN(7) } },
		{ 0x999fc128, "ldapursw x8, [x9, #-4]", { LD, SZ(4), SX, X, RT(8), RN(9) } },
	};

	check_rows(rows, ARRAY_SIZE(rows));
}

TEST(pairs)
{
	static const struct row rows[] = {
		{ 0xa9400440, "ldp x0, x1, [x2]", { LD, SZ(8), X, RT(0), PAIR(1), RN(2) } },
		{ 0x294110a3, "ldp w3, w4, [x5, #8]", { LD, SZ(4), RT(3), PAIR(4), RN(5) } },
		{ 0xa9201d06, "stp x6, x7, [x8, #-512]", { SZ(8), X, RT(6), PAIR(7), RN(8) } },
		{ 0x291fa969, "stp w9, w10, [x11, #252]", { SZ(4), RT(9), PAIR(10), RN(11) } },
		{ 0xa9c135cc, "ldp x12, x13, [x14, #16]!", { LD, SZ(8), X, RT(12), PAIR(13), RN(14), PRE(16) } },
		{ 0x28ff422f, "ldp w15, w16, [x17], #-8", { LD, SZ(4), RT(15), PAIR(16), RN(17), POST(-8) } },
		{ 0x29a04ff2, "stp w18, w19, [sp, #-256]!", { SZ(4), RT(18), PAIR(19), RN(31), PRE(-256) } },
		{ 0xa89fd6d4, "stp x20, x21, [x22], #504", { SZ(8), X, RT(20), PAIR(21), RN(22), POST(504) } },
		{ 0xa8c17bfd, "ldp x29, x30, [sp], #16", { LD, SZ(8), X, RT(29), PAIR(30), RN(31), POST(16) } },
		{ 0xa9bf7bfd, "stp x29, x30, [sp, #-16]!", { SZ(8), X, RT(29), PAIR(30), RN(31), PRE(-16) } },
		{ 0x69406337, "ldpsw x23, x24, [x25]", { LD, SZ(4), SX, X, RT(23), PAIR(24), RN(25) } },
		{ 0x69ff6f9a, "ldpsw x26, x27, [x28, #-8]!", { LD, SZ(4), SX, X, RT(26), PAIR(27), RN(28), PRE(-8) } },
		{ 0x68c08440, "ldpsw x0, x1, [x2], #4", { LD, SZ(4), SX, X, RT(0), PAIR(1), RN(2), POST(4) } },
		{ 0xa84210a3, "ldnp x3, x4, [x5, #32]", { LD, SZ(8), X, RT(3), PAIR(4), RN(5) } },
		{ 0x283f9d06, "stnp w6, w7, [x8, #-4]", { SZ(4), RT(6), PAIR(7), RN(8) } },
	};

	check_rows(rows, ARRAY_SIZE(rows));
}

/* PC-relative: decoded (hardware reports ISV=1), no base register. */
TEST(literal)
{
	static const struct row rows[] = {
		{ 0x58000060, "ldr x0, .+12", { LD, SZ(8), X, RT(0), .literal = true } },
		{ 0x18000041, "ldr w1, .+8", { LD, SZ(4), RT(1), .literal = true } },
		{ 0x98000022, "ldrsw x2, .+4", { LD, SZ(4), SX, X, RT(2), .literal = true } },
	};

	check_rows(rows, ARRAY_SIZE(rows));
}

TEST(reject_prefetch)
{
	static const struct bad rows[] = {
		{ 0xf9800000, "prfm pldl1keep, [x0]" },
		{ 0xf9800433, "prfm pstl2strm, [x1, #8]" },
		{ 0xf89ff040, "prfum pldl1keep, [x2, #-1]" },
		{ 0xf8a47860, "prfm pldl1keep, [x3, x4, lsl #3]" },
		{ 0xd80005a0, "prfm pldl1keep, .+180" },
	};

	check_rejects(rows, ARRAY_SIZE(rows));
}

TEST(reject_simd_fp)
{
	static const struct bad rows[] = {
		{ 0x3dc00000, "ldr q0, [x0]" },
		{ 0xfd400421, "ldr d1, [x1, #8]" },
		{ 0xbc004442, "str s2, [x2], #4" },
		{ 0x3c5ff063, "ldur b3, [x3, #-1]" },
		{ 0x7c656884, "ldr h4, [x4, x5]" },
		{ 0xad4007e0, "ldp q0, q1, [sp]" },
		{ 0x6dbf0fe2, "stp d2, d3, [sp, #-16]!" },
		{ 0x2c4014c4, "ldnp s4, s5, [x6]" },
		{ 0x4c407000, "ld1 {v0.16b}, [x0]" },
		{ 0x4c9f7821, "st1 {v1.4s}, [x1], #16" },
		{ 0x4d40c842, "ld1r {v2.4s}, [x2]" },
		{ 0x9c000426, "ldr q6, .+132" },
	};

	check_rejects(rows, ARRAY_SIZE(rows));
}

TEST(reject_exclusive)
{
	static const struct bad rows[] = {
		{ 0xc85f7c20, "ldxr x0, [x1]" },
		{ 0x085f7c62, "ldxrb w2, [x3]" },
		{ 0xc8047cc5, "stxr w4, x5, [x6]" },
		{ 0x885ffd07, "ldaxr w7, [x8]" },
		{ 0x4809fd6a, "stlxrh w9, w10, [x11]" },
		{ 0xc87f0440, "ldxp x0, x1, [x2]" },
		{ 0xc82394c4, "stlxp w3, x4, x5, [x6]" },
	};

	check_rejects(rows, ARRAY_SIZE(rows));
}

TEST(reject_atomic)
{
	static const struct bad rows[] = {
		{ 0xf8200041, "ldadd x0, x1, [x2]" },
		{ 0xb8e300a4, "ldaddal w3, w4, [x5]" },
		{ 0xf8268107, "swp x6, x7, [x8]" },
		{ 0x3829816a, "swpb w9, w10, [x11]" },
		{ 0x78201041, "ldclrh w0, w1, [x2]" },
		{ 0xb823009f, "stadd w3, [x4]" },
		{ 0xc8a07c41, "cas x0, x1, [x2]" },
		{ 0x88e3fca4, "casal w3, w4, [x5]" },
		{ 0x48207c82, "casp x0, x1, x2, x3, [x4]" },
	};

	check_rejects(rows, ARRAY_SIZE(rows));
}

TEST(reject_pauth_and_tags)
{
	static const struct bad rows[] = {
		{ 0xf8200420, "ldraa x0, [x1]" },
		{ 0xf8fffc62, "ldrab x2, [x3, #-8]!" },
		{ 0xd9200820, "stg x0, [x1]" },
		{ 0x69000440, "stgp x0, x1, [x2]" },
		{ 0xd9600083, "ldg x3, [x4]" },
	};

	check_rejects(rows, ARRAY_SIZE(rows));
}

/* objdump says "undefined" for each of these. */
TEST(reject_unallocated)
{
	static const struct bad rows[] = {
		{ 0xb8c00000, "ldursw w0, [x0] (size=10 opc=11)" },
		{ 0xf8c00000, "ldur size=11 opc=11" },
		{ 0xf8800400, "post-index size=11 opc=10 (no PRFM form)" },
		{ 0xf8800c00, "pre-index size=11 opc=10" },
		{ 0xb8c00400, "post-index size=10 opc=11" },
		{ 0xb8600800, "ldr w0, [x0, w0, uxtb] (option<1>=0)" },
		{ 0xf9c00000, "ldr size=11 opc=11 imm12" },
		{ 0xb9c00000, "ldrsw w0, [x0] (size=10 opc=11 imm12)" },
		{ 0xd9800000, "ldapur size=11 opc=10" },
		{ 0x99c00000, "ldapur size=10 opc=11" },
		{ 0xf8a0c000, "ldapr with Rs != 11111" },
		{ 0xe9400000, "ldp opc=11" },
		{ 0x68400000, "ldnpsw (no such instruction)" },
	};

	check_rejects(rows, ARRAY_SIZE(rows));
}

TEST(reject_not_a_load_store)
{
	static const struct bad rows[] = {
		{ 0x8b020020, "add x0, x1, x2" },
		{ 0xd503201f, "nop" },
		{ 0x14000009, "b .+36" },
		{ 0x00000000, "udf #0" },
		{ 0xffffffff, "all ones" },
	};

	check_rejects(rows, ARRAY_SIZE(rows));
}

struct ext_row {
	const char *what;
	struct sim_ldst ld;
	uint64_t raw, want;
};

TEST(extend)
{
	static const struct ext_row rows[] = {
		{ "ldrb w", { LD, SZ(1) }, 0x80, 0x80 },
		{ "ldrsb w", { LD, SZ(1), SX }, 0x80, 0xffffff80 },
		{ "ldrsb w, positive", { LD, SZ(1), SX }, 0x7f, 0x7f },
		{ "ldrsb x", { LD, SZ(1), SX, X }, 0x80, 0xffffffffffffff80 },
		{ "ldrh w", { LD, SZ(2) }, 0xffff, 0xffff },
		{ "ldrsh w", { LD, SZ(2), SX }, 0x8001, 0xffff8001 },
		{ "ldrsh x", { LD, SZ(2), SX, X }, 0x8001, 0xffffffffffff8001 },
		{ "ldrsh x, positive", { LD, SZ(2), SX, X }, 0x7fff, 0x7fff },
		{ "ldr w", { LD, SZ(4) }, 0x80000000, 0x80000000 },
		{ "ldrsw", { LD, SZ(4), SX, X }, 0x80000000, 0xffffffff80000000 },
		{ "ldrsw, positive", { LD, SZ(4), SX, X }, 0x7fffffff, 0x7fffffff },
		{ "ldr x", { LD, SZ(8), X }, 0x8123456789abcdef, 0x8123456789abcdef },
		/* Bits above size are ignored even if the caller left them. */
		{ "ldrb w, dirty", { LD, SZ(1) }, 0xfffffffffffff0f0, 0xf0 },
		{ "ldrsb w, dirty", { LD, SZ(1), SX }, 0xff00, 0 },
		{ "ldr w, dirty", { LD, SZ(4) }, 0xaabbccdd80000000, 0x80000000 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct ext_row *r = &rows[i];
		uint64_t got = sim_ldst_extend(&r->ld, r->raw);

		if (got != r->want)
			TEST_FAIL("%s of %#" PRIx64 ": got %#" PRIx64
				  ", want %#" PRIx64, r->what, r->raw, got,
				  r->want);
	}
}

/* The decode of a real instruction feeds extend as sim_hyp.c does. */
TEST(decode_then_extend)
{
	struct sim_ldst ld;

	ASSERT_EQ(sim_decode_ldst(0x39c00272, &ld), 0); /* ldrsb w18, [x19] */
	ASSERT_EQ(sim_ldst_extend(&ld, 0x80), 0xffffff80);
	ASSERT_EQ(sim_decode_ldst(0x39800e30, &ld), 0); /* ldrsb x16, [x17, #3] */
	ASSERT_EQ(sim_ldst_extend(&ld, 0x80), 0xffffffffffffff80ull);
	ASSERT_EQ(sim_decode_ldst(0xb8aed9ac, &ld), 0); /* ldrsw x12, [x13, w14, sxtw #2] */
	ASSERT_EQ(sim_ldst_extend(&ld, 0x80000000), 0xffffffff80000000ull);
	ASSERT_EQ(sim_decode_ldst(0x797ffdee, &ld), 0); /* ldrh w14, [x15, #8190] */
	ASSERT_EQ(sim_ldst_extend(&ld, 0xffff), 0xffff);
	ASSERT_EQ(sim_decode_ldst(0x69406337, &ld), 0); /* ldpsw x23, x24, [x25] */
	ASSERT_EQ(sim_ldst_extend(&ld, 0xfffffffe), -2);
}

/*
 * Whatever a word decodes to must be self-consistent: the table rows pin
 * the encodings, this catches a class mask that lets junk through.  A
 * fixed LCG keeps the sample reproducible.
 */
TEST(decode_invariants_sampled)
{
	uint32_t x = 12345;

	for (unsigned int i = 0; i < (1u << 22); i++) {
		struct sim_ldst ld;
		uint32_t insn;

		x = x * 1664525u + 1013904223u;
		/* Half the sample inside the loads/stores group (x1x0). */
		insn = i & 1 ? (x & ~0x02000000u) | 0x08000000u : x;
		if (sim_decode_ldst(insn, &ld))
			continue;
		if (ld.size != 1 && ld.size != 2 && ld.size != 4 &&
		    ld.size != 8)
			TEST_FAIL("%#010x: size %u", insn, ld.size);
		if (insn & (1u << 26))
			TEST_FAIL("%#010x: SIMD&FP decoded", insn);
		if ((insn & 0x0a000000) != 0x08000000)
			TEST_FAIL("%#010x: outside the loads/stores group", insn);
		if (ld.rt > 31 || ld.rt2 > 31 || ld.rn > 31)
			TEST_FAIL("%#010x: register out of range", insn);
		if (!ld.writeback && (ld.post_index || ld.offset))
			TEST_FAIL("%#010x: offset without writeback", insn);
		if (ld.sign_extend && (!ld.is_load || ld.size == 8))
			TEST_FAIL("%#010x: bad sign extension", insn);
		if (ld.sign_extend && !ld.dest_64 && ld.size > 2)
			TEST_FAIL("%#010x: sign-extends 32 bits into Wt", insn);
		if (!ld.sign_extend && ld.dest_64 != (ld.size == 8))
			TEST_FAIL("%#010x: dest_64 disagrees with size", insn);
		if (!ld.pair && ld.rt2)
			TEST_FAIL("%#010x: rt2 without a pair", insn);
		if (ld.literal && (ld.writeback || !ld.is_load))
			TEST_FAIL("%#010x: literal with writeback or store", insn);
	}
}
