/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small TAP test runner in the style of the KVM selftests.  Each TEST()
 * runs in a child process of its own, so a crash or a hang fails that test
 * alone; the runner kills a test that outlives TEST_TIMEOUT_S.
 *
 *   TEST(mmio_write_widths) { ...; ASSERT_EQ(run->exit_reason, 1); }
 *
 * TEST_FILTER=substr runs only matching tests.
 */
#ifndef TEST_H
#define TEST_H

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef TEST_TIMEOUT_S
#define TEST_TIMEOUT_S 60
#endif
#define TEST_MAX 256
#define TEST_SKIP_STATUS 77

struct test_case {
	const char *name;
	void (*fn)(void);
};

static struct test_case test_cases[TEST_MAX];
static int test_count;

#define TEST(name)                                                        \
	static void name(void);                                           \
	__attribute__((constructor)) static void test_reg_##name(void)   \
	{                                                                 \
		if (test_count < TEST_MAX)                                \
			test_cases[test_count++] =                        \
				(struct test_case){ #name, name };        \
	}                                                                 \
	static void name(void)

#define TEST_FAIL(...)                                                    \
	do {                                                              \
		printf("# %s:%d: ", __FILE__, __LINE__);                  \
		printf(__VA_ARGS__);                                      \
		printf("\n");                                             \
		fflush(stdout);                                           \
		_exit(1);                                                 \
	} while (0)

#define ASSERT_TRUE(cond)                                                 \
	do {                                                              \
		if (!(cond))                                              \
			TEST_FAIL("assertion failed: %s", #cond);          \
	} while (0)

#define ASSERT_EQ(a, b)                                                   \
	do {                                                              \
		long long __a = (long long)(a), __b = (long long)(b);     \
		if (__a != __b)                                           \
			TEST_FAIL("%s == %s: %lld (0x%llx) != %lld (0x%llx)", \
				  #a, #b, __a, (unsigned long long)__a,   \
				  __b, (unsigned long long)__b);          \
	} while (0)

#define ASSERT_NE(a, b)                                                   \
	do {                                                              \
		long long __a = (long long)(a), __b = (long long)(b);     \
		if (__a == __b)                                           \
			TEST_FAIL("%s != %s: both %lld", #a, #b, __a);    \
	} while (0)

/* Compare names, so a wrong exit reason reads "mmio != status". */
#define ASSERT_STREQ(a, b)                                                \
	do {                                                              \
		const char *__a = (a), *__b = (b);                        \
		if (strcmp(__a, __b))                                     \
			TEST_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b,   \
				  __a, __b);                              \
	} while (0)

#define ASSERT_OK(expr)                                                   \
	do {                                                              \
		long __r = (long)(expr);                                  \
		if (__r < 0)                                              \
			TEST_FAIL("%s failed: %s", #expr, strerror((int)-__r)); \
	} while (0)

#define SKIP(...)                                                         \
	do {                                                              \
		printf("# SKIP ");                                        \
		printf(__VA_ARGS__);                                      \
		printf("\n");                                             \
		fflush(stdout);                                           \
		_exit(TEST_SKIP_STATUS);                                  \
	} while (0)

static inline uint64_t test_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int test_run_one(const struct test_case *t)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		alarm(TEST_TIMEOUT_S);
		t->fn();
		fflush(stdout);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status)) {
		printf("# killed by signal %d (%s)%s\n", WTERMSIG(status),
		       strsignal(WTERMSIG(status)),
		       WTERMSIG(status) == SIGALRM ? ": timed out" : "");
		return 1;
	}
	return WEXITSTATUS(status);
}

int main(void)
{
	const char *filter = getenv("TEST_FILTER");
	int failed = 0, n = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < test_count; i++)
		if (!filter || strstr(test_cases[i].name, filter))
			n++;
	printf("1..%d\n", n);
	n = 0;
	for (int i = 0; i < test_count; i++) {
		const struct test_case *t = &test_cases[i];
		int rc;

		if (filter && !strstr(t->name, filter))
			continue;
		rc = test_run_one(t);
		n++;
		if (rc == 0)
			printf("ok %d - %s\n", n, t->name);
		else if (rc == TEST_SKIP_STATUS)
			printf("ok %d - %s # SKIP\n", n, t->name);
		else {
			printf("not ok %d - %s\n", n, t->name);
			failed++;
		}
	}
	return failed ? 1 : 0;
}

#endif /* TEST_H */
