/* TEMP */
#include <errno.h>
#include <string.h>
#include "sim_insn.h"
int sim_decode_ldst(uint32_t insn, struct sim_ldst *o)
{
	unsigned size = insn >> 30, opc = (insn >> 22) & 3;
	memset(o, 0, sizeof(*o));
	if ((insn & 0x3b000000) == 0x39000000) { /* unsigned imm */
		o->offset = 0;
	} else if ((insn & 0x3b200000) == 0x38000000) {
		unsigned idx = (insn >> 10) & 3;
		int64_t imm9 = (int64_t)((int32_t)(insn << 11) >> 23);
		if (idx == 1 || idx == 3) { o->writeback = true; o->post_index = idx == 1; o->offset = imm9; }
		else if (idx != 0) return -EINVAL;
	} else return -EINVAL;
	if (insn & (1u << 26)) return -EINVAL;
	o->size = 1u << size; o->rt = insn & 31; o->rn = (insn >> 5) & 31;
	if (opc == 0) o->is_load = false;
	else if (opc == 1) { o->is_load = true; o->dest_64 = size == 3; }
	else { if (size == 3) return -EINVAL; o->is_load = true; o->sign_extend = true; o->dest_64 = opc == 2; }
	return 0;
}
uint64_t sim_ldst_extend(const struct sim_ldst *ld, uint64_t raw)
{
	if (ld->sign_extend) { unsigned bits = 8 * ld->size; int64_t v = (int64_t)(raw << (64 - bits)) >> (64 - bits); return ld->dest_64 ? (uint64_t)v : (uint32_t)v; }
	return raw;
}
