// SPDX-License-Identifier: GPL-2.0-only
/*
 * The image hash of a record.  nettle does the hashing: it is LGPLv3+ or
 * GPLv2+ (OpenSSL 3's Apache-2.0 licence does not mix with GPL-2.0-only).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "analysis/sha256.h"

_Static_assert(GCTL_SHA256_LEN == SHA256_DIGEST_SIZE, "SHA-256 digest size");

int gctl_sha256_file(const char *path, uint8_t out[GCTL_SHA256_LEN])
{
	struct sha256_ctx ctx;
	uint8_t buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	sha256_init(&ctx);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			int ret = -errno;

			if (ret == -EINTR)
				continue;
			close(fd);
			return ret;
		}
		sha256_update(&ctx, (size_t)n, buf);
	}
	close(fd);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
	return 0;
}
