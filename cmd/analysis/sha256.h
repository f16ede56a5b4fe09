/* SPDX-License-Identifier: GPL-2.0-only */
/* SHA-256 (FIPS 180-4), for the image hash a record keeps. */
#ifndef GCTL_SHA256_H
#define GCTL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define GCTL_SHA256_LEN 32

struct gctl_sha256 {
	uint32_t h[8];
	uint64_t bytes;
	uint8_t block[64];
	size_t fill;
};

void gctl_sha256_init(struct gctl_sha256 *s);
void gctl_sha256_update(struct gctl_sha256 *s, const void *data, size_t len);
void gctl_sha256_final(struct gctl_sha256 *s, uint8_t out[GCTL_SHA256_LEN]);

/* The hash of a file: 0, or -errno. */
int gctl_sha256_file(const char *path, uint8_t out[GCTL_SHA256_LEN]);

#endif /* GCTL_SHA256_H */
