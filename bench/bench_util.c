// SPDX-License-Identifier: GPL-2.0-only
/* What every benchmark case needs: a clock, guest images, the checksum. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int bench_load_guest(const char *guest_dir, const char *name, void *buf,
		     size_t size, char *err)
{
	char path[512];
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/tests/guests/%s.bin", guest_dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, BENCH_ERR_LEN, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		snprintf(err, BENCH_ERR_LEN, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size > size) {
		snprintf(err, BENCH_ERR_LEN, "%s: larger than guest RAM", path);
		close(fd);
		return -1;
	}
	n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		snprintf(err, BENCH_ERR_LEN, "%s: short read", path);
		return -1;
	}
	return 0;
}

/* smp_compute's loop, as the guest runs it (at least one iteration). */
uint64_t bench_alu_checksum(unsigned int id, uint64_t n)
{
	uint64_t sum = 0, mix = id, i = 0;

	do {
		sum += i;
		mix ^= sum;
		i++;
	} while (i < n);
	return mix;
}
