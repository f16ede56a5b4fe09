// SPDX-License-Identifier: GPL-2.0-only
/*
 * ThreadSanitizer builds only (make tsan).  Unicorn leaves a run by
 * longjmp (QEMU's cpu_loop_exit), and Debian's libunicorn is built
 * fortified: its longjmp is glibc's __longjmp_chk, which ThreadSanitizer
 * (GCC 12's libtsan, clang 14's) does not intercept; sigsetjmp and
 * siglongjmp it does.  Unseen, every such jump leaves the instrumented
 * frames it skipped (the sim's MMIO callbacks) on TSan's shadow stack, and
 * after some 16000 MMIO exits on one thread TSan's stack depot overflows
 * and TSan crashes (test_threads_storm; gunyah-bench's 1-vCPU MMIO case).
 * Defined in the program, this __longjmp_chk is the one libunicorn binds
 * to, and it jumps through the intercepted siglongjmp: TSan unwinds its
 * stack as for any longjmp.  glibc's own check, that the jump goes up the
 * stack, is not made: the jump is the same one either way.  The Makefile
 * links this file in with -u __longjmp_chk when SAN has "thread".
 */
#undef _FORTIFY_SOURCE
#include <setjmp.h>

#include "sim.h"

#if defined(__SANITIZE_THREAD__)
#define SIM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SIM_TSAN 1
#endif
#endif

#ifdef SIM_TSAN
void __longjmp_chk(sigjmp_buf env, int val) __attribute__((noreturn));

void __longjmp_chk(sigjmp_buf env, int val)
{
	siglongjmp(env, val);
}
#endif
