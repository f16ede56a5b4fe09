/* TEMP: replaced by the decode branch */
#ifndef SIM_INSN_H
#define SIM_INSN_H
#include <stdbool.h>
#include <stdint.h>
struct sim_ldst {
	bool is_load; unsigned int size; bool sign_extend; bool dest_64;
	unsigned int rt, rt2; bool pair; unsigned int rn; bool writeback; bool post_index; int64_t offset;
};
int sim_decode_ldst(uint32_t insn, struct sim_ldst *out);
uint64_t sim_ldst_extend(const struct sim_ldst *ld, uint64_t raw);
#endif
