/* SPDX-License-Identifier: GPL-2.0-only */
/* The image hash a record keeps: SHA-256, computed by nettle. */
#ifndef GCTL_SHA256_H
#define GCTL_SHA256_H

#include <stdint.h>

#define GCTL_SHA256_LEN 32

/* The hash of a file: 0, or -errno. */
int gctl_sha256_file(const char *path, uint8_t out[GCTL_SHA256_LEN]);

#endif /* GCTL_SHA256_H */
