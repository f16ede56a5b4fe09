/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * LEB128 varints and zigzag signed numbers, as in the record format
 * (gunyahctl-record(5)): 7 bits a byte, low first, the top bit says
 * "more".  Small numbers (deltas, short times) take one or two bytes.
 */
#ifndef GCTL_VARINT_H
#define GCTL_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define GCTL_VARINT_MAX 10 /* bytes a 64-bit value can take */

static inline uint64_t gctl_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t gctl_unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* Write v at p (room for GCTL_VARINT_MAX bytes); returns the bytes used. */
static inline size_t gctl_varint_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/*
 * Read a varint from [*p, end): advances *p.  0, or -1 if it runs past
 * end or past 64 bits (*p is then left alone).
 */
static inline int gctl_varint_get(const uint8_t **p, const uint8_t *end,
				  uint64_t *out)
{
	const uint8_t *q = *p;
	uint64_t v = 0;

	for (unsigned int shift = 0; shift < 64; shift += 7) {
		if (q == end)
			return -1;
		v |= (uint64_t)(*q & 0x7f) << shift;
		if (!(*q++ & 0x80)) {
			*p = q;
			*out = v;
			return 0;
		}
	}
	return -1;
}

#endif /* GCTL_VARINT_H */
