// SPDX-License-Identifier: GPL-2.0-only
/*
 * fakedev.so: a /dev/gunyah for machines without Gunyah, so that the dev
 * backend's real syscall path (open, ioctl numbers, struct layouts, errno
 * handling, mmap of the run page) can be tested end to end.
 *
 *   LD_PRELOAD=build/tests/fakedev/fakedev.so gunyahctl diag --backend dev
 *
 * It interposes open/openat("/dev/gunyah"), ioctl, mmap, munmap and close
 * (and stat/fstatat, so that the device node seems to exist), and answers them from a private copy of libgunyah's simulator (linked in,
 * its symbols hidden).  The application gets real fds (memfds, so its
 * close and dup logic stays sane; /proc/self/fd names them) that stand for
 * the sim's; an fd inside an argument (GUNYAH_VM_MAP_MEM's guest_mem_fd)
 * is translated too.  mmap of a vCPU or guest-memory fd returns the sim's
 * own page, as the kernel maps its own.  Everything else goes to libc.
 *
 * Knobs, read once from the environment:
 *   FAKEDEV_HW=1         behave like a real device: the simulator's own
 *                        requests (ioctl type 'g') are ENOTTY
 *   FAKEDEV_ABI=FLAVOUR  speak only this ABI flavour, "upstream" (the
 *                        default) or "android" (the GH_* requests: user
 *                        memory regions, no boot context, no PAGE_FAULT);
 *                        the other flavour's requests are ENOTTY
 *   FAKEDEV_BREAK=WHAT   be wrong in one way, for tests that must catch it:
 *     mmap_size          GUNYAH_VCPU_MMAP_SIZE returns 64, not the page size
 *     einval             VM_ADD_FUNCTION with a bad arg_size returns 0
 *     run_layout         RUN writes exit_reason at offset 12, not 8
 *     eacces, enoent     open("/dev/gunyah") fails so
 *     hang               RUN never returns
 *     crash              RUN crashes the caller (abort(): SIGABRT, which
 *                        sanitizers leave alone)
 *     enotty             every request is ENOTTY: a device node that is
 *                        not a Gunyah driver libgunyah speaks
 *     eperm              CREATE_VM is EPERM, as a security policy denies it
 *     irqfd_lost         VM_ADD_FUNCTION of an irqfd returns 0 and never
 *                        reaches the driver: its signals raise nothing
 *     ioeventfd_lost     the same for an ioeventfd: the guest's doorbell
 *                        writes stay MMIO exits
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "gunyah.h"

#define EXPORT __attribute__((visibility("default")))
#define MAX_FDS 256
#define MAX_MAPS 256
#define BROKEN_MMAP_SIZE 64
#define BROKEN_EXIT_REASON_OFF 12

enum fake_kind { FAKE_DEV, FAKE_VM, FAKE_GMEM, FAKE_VCPU };

static const char *const kind_names[] = {
	[FAKE_DEV] = "fakedev:gunyah",
	[FAKE_VM] = "fakedev:gunyah-vm",
	[FAKE_GMEM] = "fakedev:gunyah-guest-mem",
	[FAKE_VCPU] = "fakedev:gunyah-vcpu",
};

struct fake_fd {
	bool used;
	int real;		/* what the application holds */
	int sim;		/* what the sim knows */
	enum fake_kind kind;
	struct gunyah_vcpu_run *run; /* a vCPU's run page, once mapped */
};

struct fake_map {
	bool used;
	void *addr;
	size_t len;
};

enum fake_break {
	BREAK_NONE,
	BREAK_MMAP_SIZE,
	BREAK_EINVAL,
	BREAK_RUN_LAYOUT,
	BREAK_EACCES,
	BREAK_ENOENT,
	BREAK_HANG,
	BREAK_CRASH,
	BREAK_ENOTTY,
	BREAK_EPERM,
	BREAK_IRQFD_LOST,
	BREAK_IOEVENTFD_LOST,
};

static const char *const break_names[] = {
	[BREAK_MMAP_SIZE] = "mmap_size",
	[BREAK_EINVAL] = "einval",
	[BREAK_RUN_LAYOUT] = "run_layout",
	[BREAK_EACCES] = "eacces",
	[BREAK_ENOENT] = "enoent",
	[BREAK_HANG] = "hang",
	[BREAK_CRASH] = "crash",
	[BREAK_ENOTTY] = "enotty",
	[BREAK_EPERM] = "eperm",
	[BREAK_IRQFD_LOST] = "irqfd_lost",
	[BREAK_IOEVENTFD_LOST] = "ioeventfd_lost",
};

/*
 * The one fake device of this process.  An interposer has nowhere to keep
 * state but here: the application never passes us a context.
 */
static struct {
	pthread_once_t once;
	pthread_once_t knobs_once;
	pthread_mutex_t lock;
	struct gh_backend *be;
	enum fake_break brk;
	bool hw;
	const struct gh_abi_flavour *abi;
	struct fake_fd fds[MAX_FDS];
	struct fake_map maps[MAX_MAPS];

	int (*open)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	int (*ioctl)(int, unsigned long, ...);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	int (*munmap)(void *, size_t);
	int (*close)(int);
	int (*stat)(const char *, struct stat *);
	int (*fstatat)(int, const char *, struct stat *, int);
} fake = {
	.once = PTHREAD_ONCE_INIT,
	.knobs_once = PTHREAD_ONCE_INIT,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

/*
 * Set while this thread is inside the sim: the sim's own open/mmap/close
 * (its run pages, eventfds, guest memory) go straight to libc.
 */
static __thread int in_sim;

static void *next_sym(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (!p) {
		fprintf(stderr, "fakedev: %s: not found in libc\n", name);
		abort();
	}
	return p;
}

/* libc's functions: needed from the first call, which may come early. */
static void fake_init(void)
{
	fake.open = next_sym("open");
	fake.openat = next_sym("openat");
	fake.ioctl = next_sym("ioctl");
	fake.mmap = next_sym("mmap");
	fake.munmap = next_sym("munmap");
	fake.close = next_sym("close");
	fake.stat = next_sym("stat");
	fake.fstatat = next_sym("fstatat");
}

/*
 * The environment, read at the first open of the device: a sanitizer's
 * runtime calls mmap before main, when getenv() does not work yet.
 */
static void knobs_init(void)
{
	const char *brk = getenv("FAKEDEV_BREAK");
	const char *hw = getenv("FAKEDEV_HW");
	const char *abi = getenv("FAKEDEV_ABI");

	fake.hw = hw && *hw && strcmp(hw, "0");
	fake.abi = abi && *abi ? gh_abi_by_name(abi) : &gh_abi_upstream;
	if (!fake.abi) {
		fprintf(stderr, "fakedev: FAKEDEV_ABI=%s: unknown (want upstream "
			"or android)\n", abi);
		_exit(70);
	}
	if (brk && *brk) {
		for (size_t i = 1; i < sizeof(break_names) / sizeof(break_names[0]); i++)
			if (!strcmp(brk, break_names[i]))
				fake.brk = (enum fake_break)i;
		if (fake.brk == BREAK_NONE) {
			fprintf(stderr, "fakedev: FAKEDEV_BREAK=%s: unknown (want "
				"mmap_size, einval, run_layout, eacces, enoent, hang, "
				"crash, enotty, eperm, irqfd_lost or "
				"ioeventfd_lost)\n",
				brk);
			_exit(70);
		}
	}
}

static void init(void)
{
	pthread_once(&fake.once, fake_init);
}

static int fail(int err)
{
	errno = err;
	return -1;
}

static bool lookup(int real, struct fake_fd *out)
{
	bool found = false;

	if (real < 0)
		return false;
	pthread_mutex_lock(&fake.lock);
	for (int i = 0; i < MAX_FDS; i++) {
		if (fake.fds[i].used && fake.fds[i].real == real) {
			*out = fake.fds[i];
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&fake.lock);
	return found;
}

static void sim_close(int sim)
{
	in_sim++;
	gh_close(fake.be, sim);
	in_sim--;
}

/* Give the application a real fd standing for the sim's fd. */
static int wrap(int sim, enum fake_kind kind, bool cloexec)
{
	int real, err = EMFILE;

	real = memfd_create(kind_names[kind], cloexec ? MFD_CLOEXEC : 0);
	if (real < 0) {
		err = errno;
		sim_close(sim);
		return fail(err);
	}
	pthread_mutex_lock(&fake.lock);
	for (int i = 0; i < MAX_FDS; i++) {
		if (!fake.fds[i].used) {
			fake.fds[i] = (struct fake_fd){ .used = true, .real = real,
							.sim = sim, .kind = kind };
			err = 0;
			break;
		}
	}
	pthread_mutex_unlock(&fake.lock);
	if (err) {
		fake.close(real);
		sim_close(sim);
		return fail(err);
	}
	return real;
}

static int fake_open(int flags)
{
	int sim, ret = 0;

	pthread_once(&fake.knobs_once, knobs_init);
	if (fake.brk == BREAK_EACCES)
		return fail(EACCES);
	if (fake.brk == BREAK_ENOENT)
		return fail(ENOENT);
	in_sim++;
	pthread_mutex_lock(&fake.lock);
	if (!fake.be) {
		ret = gh_sim_backend_new(&fake.be);
		if (!ret)
			gh_backend_set_abi(fake.be, fake.abi);
	}
	pthread_mutex_unlock(&fake.lock);
	sim = ret ? ret : gh_open(fake.be, GH_DEV_PATH, flags);
	in_sim--;
	if (sim < 0)
		return fail(-sim);
	return wrap(sim, FAKE_DEV, flags & O_CLOEXEC);
}

static bool is_device(const char *path)
{
	return path && !strcmp(path, GH_DEV_PATH);
}

static mode_t open_mode(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

EXPORT int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	init();
	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	if (!in_sim && is_device(path))
		return fake_open(flags);
	return fake.open(path, flags, mode);
}

EXPORT int open64(const char *path, int flags, ...)
	__attribute__((alias("open")));

EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	init();
	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	if (!in_sim && is_device(path))
		return fake_open(flags);
	return fake.openat(dirfd, path, flags, mode);
}

EXPORT int openat64(int dirfd, const char *path, int flags, ...)
	__attribute__((alias("openat")));

/* _FORTIFY_SOURCE's checked variants. */
EXPORT int __open_2(const char *path, int flags);
EXPORT int __open_2(const char *path, int flags)
{
	return open(path, flags);
}

EXPORT int __open64_2(const char *path, int flags)
	__attribute__((alias("__open_2")));

EXPORT int __openat_2(int dirfd, const char *path, int flags);
EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	return openat(dirfd, path, flags);
}

EXPORT int __openat64_2(int dirfd, const char *path, int flags)
	__attribute__((alias("__openat_2")));

/* A character device anyone may open, as a udev rule might make it. */
static int fake_stat(struct stat *st)
{
	pthread_once(&fake.knobs_once, knobs_init);
	if (fake.brk == BREAK_ENOENT)
		return fail(ENOENT);
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR | 0666;
	st->st_nlink = 1;
	st->st_rdev = makedev(10, 0);
	return 0;
}

EXPORT int stat(const char *path, struct stat *st)
{
	init();
	if (!in_sim && is_device(path))
		return fake_stat(st);
	return fake.stat(path, st);
}

/* On LP64 the *64 variants are the same calls on the same struct. */
_Static_assert(sizeof(struct stat) == sizeof(struct stat64),
	       "struct stat64 differs from struct stat");

EXPORT int stat64(const char *path, struct stat64 *st)
{
	return stat(path, (struct stat *)st);
}

EXPORT int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	init();
	if (!in_sim && is_device(path))
		return fake_stat(st);
	return fake.fstatat(dirfd, path, st, flags);
}

EXPORT int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	return fstatat(dirfd, path, (struct stat *)st, flags);
}

/* Requests whose result is a new fd, and what it stands for. */
static bool returns_fd(enum fake_kind kind, unsigned long req,
		       const void *arg, enum fake_kind *out)
{
	/* Of the functions, only a vCPU's comes with an fd. */
	if (kind == FAKE_VM && req == GUNYAH_VM_ADD_FUNCTION &&
	    (!arg || ((const struct gunyah_fn_desc *)arg)->type != GUNYAH_FN_VCPU))
		return false;
	if (kind == FAKE_DEV && req == GUNYAH_CREATE_VM)
		*out = FAKE_VM;
	else if (kind == FAKE_DEV && req == GUNYAH_CREATE_GUEST_MEM)
		*out = FAKE_GMEM;
	else if (kind == FAKE_VM && req == GUNYAH_VM_ADD_FUNCTION)
		*out = FAKE_VCPU;
	else
		return false;
	return true;
}

/* An ADD_FUNCTION the broken driver swallows (irqfd_lost, ioeventfd_lost). */
static bool lost_function(const struct fake_fd *f, unsigned long req,
			  const void *arg)
{
	const struct gunyah_fn_desc *fn = arg;

	if (f->kind != FAKE_VM || req != GUNYAH_VM_ADD_FUNCTION || !fn)
		return false;
	return (fake.brk == BREAK_IRQFD_LOST && fn->type == GUNYAH_FN_IRQFD) ||
	       (fake.brk == BREAK_IOEVENTFD_LOST &&
		fn->type == GUNYAH_FN_IOEVENTFD);
}

static int fake_ioctl(const struct fake_fd *f, unsigned long req, void *arg)
{
	struct gunyah_map_mem_args map;
	enum fake_kind kind;
	long ret;

	if (fake.hw && _IOC_TYPE(req) == GH_SIM_IOCTL_TYPE)
		return fail(ENOTTY);
	if (fake.brk == BREAK_ENOTTY)
		return fail(ENOTTY);
	if (fake.brk == BREAK_EPERM && req == GUNYAH_CREATE_VM)
		return fail(EPERM);
	if (fake.brk == BREAK_EINVAL && f->kind == FAKE_VM &&
	    req == GUNYAH_VM_ADD_FUNCTION && arg &&
	    ((const struct gunyah_fn_desc *)arg)->arg_size !=
		    sizeof(struct gunyah_fn_vcpu_arg))
		return 0;

	if (lost_function(f, req, arg))
		return 0;

	if (req == GUNYAH_VCPU_RUN && fake.brk == BREAK_HANG)
		for (;;)
			pause();
	if (req == GUNYAH_VCPU_RUN && fake.brk == BREAK_CRASH)
		abort();

	/* The guest memory fd inside the argument is one of ours. */
	if (f->kind == FAKE_VM && req == GUNYAH_VM_MAP_MEM && arg) {
		struct fake_fd g;

		memcpy(&map, arg, sizeof(map));
		if (!lookup((int)map.guest_mem_fd, &g) || g.kind != FAKE_GMEM)
			return fail(EBADF);
		map.guest_mem_fd = (__u32)g.sim;
		arg = &map;
	}

	in_sim++;
	ret = gh_ioctl(fake.be, f->sim, req, arg);
	in_sim--;
	if (ret < 0)
		return fail((int)-ret);

	if (fake.brk == BREAK_MMAP_SIZE && req == GUNYAH_VCPU_MMAP_SIZE)
		return BROKEN_MMAP_SIZE;
	if (fake.brk == BREAK_RUN_LAYOUT && req == GUNYAH_VCPU_RUN && f->run) {
		uint32_t reason = f->run->exit_reason;

		f->run->exit_reason = 0;
		memcpy((char *)f->run + BROKEN_EXIT_REASON_OFF, &reason,
		       sizeof(reason));
	}
	if (returns_fd(f->kind, req, arg, &kind))
		return wrap((int)ret, kind, true);
	return (int)ret;
}

EXPORT int ioctl(int fd, unsigned long req, ...)
{
	struct fake_fd f;
	va_list ap;
	void *arg;

	init();
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (in_sim || !lookup(fd, &f))
		return fake.ioctl(fd, req, arg);
	return fake_ioctl(&f, req, arg);
}

EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off)
{
	struct fake_fd f;
	void *p = NULL;
	int ret = -ENOMEM;

	init();
	if (in_sim || !lookup(fd, &f))
		return fake.mmap(addr, len, prot, flags, fd, off);
	/* The sim hands out its own pages: it cannot place or copy them. */
	if ((flags & MAP_FIXED) || !(flags & MAP_SHARED)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	in_sim++;
	ret = gh_mmap(fake.be, f.sim, len, off, &p);
	in_sim--;
	if (ret) {
		errno = -ret;
		return MAP_FAILED;
	}

	ret = -ENOMEM;
	pthread_mutex_lock(&fake.lock);
	for (int i = 0; i < MAX_MAPS; i++) {
		if (!fake.maps[i].used) {
			fake.maps[i] = (struct fake_map){ .used = true,
							  .addr = p, .len = len };
			ret = 0;
			break;
		}
	}
	for (int i = 0; !ret && f.kind == FAKE_VCPU && i < MAX_FDS; i++)
		if (fake.fds[i].used && fake.fds[i].real == fd)
			fake.fds[i].run = p;
	pthread_mutex_unlock(&fake.lock);
	if (ret) {
		in_sim++;
		gh_munmap(fake.be, p, len);
		in_sim--;
		errno = ENOMEM;
		return MAP_FAILED;
	}
	return p;
}

EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd,
		    off_t off) __attribute__((alias("mmap")));

EXPORT int munmap(void *addr, size_t len)
{
	int found = 0, ret;

	init();
	if (in_sim)
		return fake.munmap(addr, len);
	pthread_mutex_lock(&fake.lock);
	for (int i = 0; i < MAX_MAPS; i++) {
		if (fake.maps[i].used && fake.maps[i].addr == addr) {
			found = -1; /* ours, but not this length */
			if (fake.maps[i].len == len) {
				fake.maps[i].used = false;
				found = 1;
				break;
			}
		}
	}
	pthread_mutex_unlock(&fake.lock);
	if (!found)
		return fake.munmap(addr, len);
	if (found < 0)
		return fail(EINVAL);
	in_sim++;
	ret = gh_munmap(fake.be, addr, len);
	in_sim--;
	return ret ? fail(-ret) : 0;
}

EXPORT int close(int fd)
{
	struct fake_fd f = { 0 };

	init();
	if (in_sim)
		return fake.close(fd);
	pthread_mutex_lock(&fake.lock);
	for (int i = 0; i < MAX_FDS; i++) {
		if (fake.fds[i].used && fake.fds[i].real == fd) {
			f = fake.fds[i];
			fake.fds[i].used = false;
			break;
		}
	}
	pthread_mutex_unlock(&fake.lock);
	if (f.used)
		sim_close(f.sim);
	return fake.close(fd);
}
