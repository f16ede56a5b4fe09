// SPDX-License-Identifier: GPL-2.0-only
/*
 * Soak: for SOAK_S seconds (default 2; `make stress`: 30, under ASan),
 * make a VM of eight vCPUs, run it to its end with one thread per vCPU
 * checking every exit, tear it down, and again: MMIO streams on all eight
 * (smp_mmio) and compute on all eight (smp_compute) in turn.
 *
 * Nothing may grow: the resident set after the first quarter of the time
 * (the warm-up: allocator pools, Unicorn's first translations) must not
 * grow by more than SOAK_RSS_SLACK_MB (default 16) by the end.  Built with
 * ASan, LeakSanitizer then checks nothing is left allocated once every VM
 * is gone.
 */
#include <pthread.h>

#include "guest_vm.h"

#if defined(__SANITIZE_ADDRESS__)
#define SOAK_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SOAK_LSAN 1
#endif
#endif
#ifdef SOAK_LSAN
#include <sanitizer/lsan_interface.h>

/*
 * ASan keeps freed memory aside (256 MiB by default) to catch late uses:
 * that looks like growth.  A small quarantine fills during the warm-up
 * and still catches a use right after a free.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=8";
}
#endif

#define SOAK_VCPUS 8
#define MMIO_WRITES 5000
#define ALU_LOOPS 200000

struct soak_vcpu {
	struct gh_vcpu *vcpu;
	pthread_t thread;
	bool compute;
	uint64_t exits;
	char err[200];
};

static uint64_t alu_checksum(uint64_t id, uint64_t n)
{
	uint64_t sum = 0, mix = id;

	for (uint64_t i = 0; i < n; i++) {
		sum += i;
		mix ^= sum;
	}
	return mix;
}

/* Run to the end, checking each exit is the next one this vCPU owes. */
static void *soak_main(void *data)
{
	struct soak_vcpu *s = data;
	struct gunyah_vcpu_run *run = s->vcpu->run;
	uint64_t id = s->vcpu->id;

	for (;;) {
		int ret = __gh_vcpu_run(s->vcpu);
		bool ok;

		if (ret) {
			snprintf(s->err, sizeof(s->err), "vcpu%" PRIu64 ": RUN: %s",
				 id, strerror(-ret));
			return NULL;
		}
		if (run->exit_reason == GUNYAH_VCPU_EXIT_STATUS)
			break;
		ok = run->exit_reason == GUNYAH_VCPU_EXIT_MMIO && run->mmio.is_write;
		if (s->compute)
			ok = ok && s->exits == 0 &&
			     run->mmio.phys_addr == MMIO_REPORT + id * 8 &&
			     mmio_data(run) == alu_checksum(id, ALU_LOOPS);
		else
			ok = ok && run->mmio.phys_addr == MMIO_BASE + id * 0x100 &&
			     mmio_data(run) == (id << 32 | s->exits);
		if (!ok) {
			snprintf(s->err, sizeof(s->err),
				 "vcpu%" PRIu64 ": exit %" PRIu64 ": %s at %#llx data %#llx",
				 id, s->exits, gh_exit_reason_str(run->exit_reason),
				 (unsigned long long)run->mmio.phys_addr,
				 (unsigned long long)mmio_data(run));
			return NULL;
		}
		s->exits++;
	}
	if (s->exits != (s->compute ? 1 : MMIO_WRITES))
		snprintf(s->err, sizeof(s->err), "vcpu%" PRIu64 ": %" PRIu64 " exits",
			 id, s->exits);
	return NULL;
}

/* One VM, start to end.  Returns the exits seen. */
static uint64_t soak_cycle(bool compute)
{
	struct soak_vcpu s[SOAK_VCPUS] = { 0 };
	uint64_t exits = 0;
	struct tvm t;

	tvm_create(&t, compute ? "smp_compute" : "smp_mmio", SOAK_VCPUS);
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 19, SOAK_VCPUS));
	ASSERT_OK(gh_vm_set_boot_reg(t.vm, REG_SET_X, 20,
				     compute ? ALU_LOOPS : MMIO_WRITES));
	tvm_start(&t);
	for (unsigned int i = 0; i < SOAK_VCPUS; i++) {
		s[i] = (struct soak_vcpu){ .vcpu = t.vcpu[i], .compute = compute };
		ASSERT_EQ(pthread_create(&s[i].thread, NULL, soak_main, &s[i]), 0);
	}
	for (unsigned int i = 0; i < SOAK_VCPUS; i++)
		ASSERT_EQ(pthread_join(s[i].thread, NULL), 0);
	for (unsigned int i = 0; i < SOAK_VCPUS; i++) {
		if (s[i].err[0])
			TEST_FAIL("%s", s[i].err);
		ASSERT_STREQ(gh_exit_type_str(t.vcpu[i]->run->status.exit_info.type),
			     "poweroff");
		exits += s[i].exits;
	}
	tvm_destroy(&t);
	return exits;
}

static uint64_t rss_bytes(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

static double env_double(const char *name, double def)
{
	const char *e = getenv(name);
	double v = e ? strtod(e, NULL) : def;

	return v > 0 ? v : def;
}

TEST(threads_soak_eight_vcpus)
{
	double secs = env_double("SOAK_S", 2);
	uint64_t slack = (uint64_t)(env_double("SOAK_RSS_SLACK_MB", 16) * (1 << 20));
	uint64_t start = test_now_ns(), warm_end, end, now;
	uint64_t rss_warm = 0, rss_max = 0, rss, exits = 0;
	unsigned int cycles = 0;

	alarm((unsigned int)secs + 120);
	warm_end = start + (uint64_t)(secs * 0.25e9);
	end = start + (uint64_t)(secs * 1e9);
	do {
		exits += soak_cycle(cycles % 2);
		cycles++;
		rss = rss_bytes();
		now = test_now_ns();
		if (now < warm_end || cycles <= 2)
			rss_warm = rss > rss_warm ? rss : rss_warm;
		else
			rss_max = rss > rss_max ? rss : rss_max;
	} while (now < end || cycles < 4);

	printf("# %.0f s: %u VMs of %d vCPUs, %" PRIu64 " exits; RSS %.1f MiB "
	       "after warm-up, at most %.1f MiB after\n", secs, cycles,
	       SOAK_VCPUS, exits, rss_warm / 1048576.0, rss_max / 1048576.0);
	if (rss_max > rss_warm + slack)
		TEST_FAIL("RSS grew from %.1f to %.1f MiB (slack %.0f MiB)",
			  rss_warm / 1048576.0, rss_max / 1048576.0,
			  slack / 1048576.0);
#ifdef SOAK_LSAN
	/* Every VM is gone: whatever is still allocated and unreachable
	 * leaked. */
	if (__lsan_do_recoverable_leak_check())
		TEST_FAIL("LeakSanitizer found leaks (report above)");
	printf("# LeakSanitizer: no leaks\n");
#endif
}
