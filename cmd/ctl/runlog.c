// SPDX-License-Identifier: GPL-2.0-only
/* A detached VM's bounded log (runlog.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common.h"
#include "ctl/runlog.h"

#define CHUNK 4096
#define SYNC_WAIT_NS 10000000 /* a sync looks again at least this often */

struct gctl_runlog {
	struct gctl_rundir rd; /* our own handle on the directory */
	char file[GCTL_VM_NAME_MAX + 8];  /* NAME.log */
	char older[GCTL_VM_NAME_MAX + 8]; /* NAME.log.1 */
	uint64_t max;
	int pipe_rd; /* the pump's end, or -1: not started */
	pthread_t pump;

	pthread_mutex_t lock;
	pthread_cond_t idle; /* to sync: the pump handled what it read */
	/* lock: everything below */
	int fd;
	uint64_t size;	    /* bytes in the current file */
	uint64_t line_len;  /* of its last line, so far (no newline yet) */
	uint64_t lost_told; /* lost bytes the log has said were lost */
	bool busy;	    /* the pump is reading or writing */
	struct gctl_runlog_state st;
};

static int open_file(struct gctl_runlog *l)
{
	int fd = openat(l->rd.fd, l->file, O_RDWR | O_CREAT | O_TRUNC |
					   O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);

	return fd < 0 ? -errno : fd;
}

int gctl_runlog_open(const struct gctl_rundir *rd, const char *name,
		     uint64_t max, struct gctl_runlog **out)
{
	struct gctl_runlog *l = calloc(1, sizeof(*l));
	int ret = -ENOMEM;

	if (!l)
		return ret;
	l->fd = l->pipe_rd = l->rd.fd = -1;
	l->max = max;
	if (snprintf(l->file, sizeof(l->file), "%s.log", name) >= (int)sizeof(l->file) ||
	    snprintf(l->older, sizeof(l->older), "%s.log.1", name) >= (int)sizeof(l->older)) {
		ret = -ENAMETOOLONG;
		goto fail;
	}
	ret = gctl_rundir_dup(rd, &l->rd);
	if (ret)
		goto fail;
	unlinkat(l->rd.fd, l->older, 0);
	l->fd = open_file(l);
	if (l->fd < 0) {
		ret = l->fd;
		goto fail;
	}
	pthread_mutex_init(&l->lock, NULL);
	gctl_cond_init_monotonic(&l->idle);
	*out = l;
	return 0;
fail:
	gctl_rundir_close(&l->rd);
	free(l);
	return ret;
}

int gctl_runlog_fd(const struct gctl_runlog *l)
{
	return l->fd;
}

/* All of buf, or -errno; *done says how much went.  Caller: lock. */
static int write_all_locked(struct gctl_runlog *l, const char *buf, size_t len,
			    size_t *done)
{
	*done = 0;
	while (*done < len) {
		ssize_t n = write(l->fd, buf + *done, len - *done);
		const char *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		nl = memrchr(buf + *done, '\n', (size_t)n);
		l->line_len = nl ? (uint64_t)(buf + *done + n - nl - 1) :
				   l->line_len + (uint64_t)n;
		*done += (size_t)n;
		l->size += (uint64_t)n;
		l->st.written += (uint64_t)n;
	}
	return 0;
}

/*
 * The line the current file ends in, not finished yet: cut from it (0 if
 * there is none, or it is too long to move), into line (CHUNK bytes), so
 * that the rotation does not split it between NAME.log.1 and NAME.log
 * (the pipe's reads end anywhere).  Its length.  Caller: lock.
 */
static size_t take_last_line_locked(struct gctl_runlog *l, char *line)
{
	size_t n = (size_t)l->line_len;

	if (!n || n > CHUNK ||
	    pread(l->fd, line, n, (off_t)(l->size - n)) != (ssize_t)n ||
	    ftruncate(l->fd, (off_t)(l->size - n)))
		return 0;
	l->size -= n;
	l->st.written -= n;
	return n;
}

/* NAME.log becomes NAME.log.1, a new NAME.log begins.  Caller: lock. */
static void rotate_locked(struct gctl_runlog *l)
{
	char line[CHUNK];
	size_t moved = take_last_line_locked(l, line);
	int fd;

	if (renameat(l->rd.fd, l->file, l->rd.fd, l->older)) {
		/* Cannot keep the older half: truncate, the bound holds. */
		if (!ftruncate(l->fd, 0))
			l->size = l->line_len = 0;
	} else if ((fd = open_file(l)) < 0) {
		/* Go on in the renamed file rather than lose everything. */
		l->st.error = -fd;
	} else {
		close(l->fd);
		l->fd = fd;
		l->size = l->line_len = 0;
		l->st.rotations++;
	}
	/* The unfinished line begins the file now written. */
	if (moved && write_all_locked(l, line, moved, &(size_t){ 0 }))
		l->st.lost += moved;
}

/*
 * Write, making room (the older file) once if the disk is full; what
 * could not be written is counted lost.  0 or -errno.  Caller: lock.
 */
static int put_locked(struct gctl_runlog *l, const char *buf, size_t len)
{
	size_t done, more = 0;
	int ret = write_all_locked(l, buf, len, &done);

	if ((ret == -ENOSPC || ret == -EFBIG || ret == -EDQUOT) &&
	    !unlinkat(l->rd.fd, l->older, 0))
		ret = write_all_locked(l, buf + done, len - done, &more);
	if (ret) {
		l->st.error = -ret;
		l->st.lost += len - done - more;
	}
	return ret;
}

/* Where output was lost, the log says so (once it can). Caller: lock. */
static void tell_loss_locked(struct gctl_runlog *l)
{
	uint64_t lost = l->st.lost;
	char note[160];
	int n;

	if (lost == l->lost_told)
		return;
	n = snprintf(note, sizeof(note), "\ngunyahctl: log: %" PRIu64
		     " bytes lost here: %s\n", lost - l->lost_told,
		     strerror(l->st.error));
	/* The note itself, if it cannot go, is not output lost. */
	if (!write_all_locked(l, note, (size_t)n, &(size_t){ 0 }))
		l->lost_told = lost;
}

void gctl_runlog_write(struct gctl_runlog *l, const void *buf, size_t len)
{
	pthread_mutex_lock(&l->lock);
	if (l->size && l->size + len > l->max)
		rotate_locked(l);
	tell_loss_locked(l);
	put_locked(l, buf, len);
	pthread_mutex_unlock(&l->lock);
}

/* One look at the pipe: false at its end (every writer closed it). */
static bool pump_once(struct gctl_runlog *l, char *buf)
{
	struct pollfd pfd = { .fd = l->pipe_rd, .events = POLLIN };
	ssize_t n;
	int avail = 0;

	if (poll(&pfd, 1, -1) < 0)
		return errno == EINTR;
	pthread_mutex_lock(&l->lock);
	l->busy = true;
	pthread_mutex_unlock(&l->lock);
	n = read(l->pipe_rd, buf, CHUNK);
	if (n > 0)
		gctl_runlog_write(l, buf, (size_t)n);
	pthread_mutex_lock(&l->lock);
	if (ioctl(l->pipe_rd, FIONREAD, &avail) || !avail) {
		l->busy = false;
		pthread_cond_broadcast(&l->idle);
	}
	pthread_mutex_unlock(&l->lock);
	return n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN));
}

static void *pump_main(void *data)
{
	struct gctl_runlog *l = data;
	char *buf = malloc(CHUNK);

	while (buf && pump_once(l, buf))
		;
	free(buf);
	pthread_mutex_lock(&l->lock);
	l->busy = false;
	pthread_cond_broadcast(&l->idle);
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

int gctl_runlog_start(struct gctl_runlog *l)
{
	sigset_t all, old;
	int p[2], ret;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	if (dup2(p[1], STDOUT_FILENO) < 0 || dup2(p[1], STDERR_FILENO) < 0) {
		ret = -errno;
		close(p[0]);
		close(p[1]);
		return ret;
	}
	close(p[1]);
	l->pipe_rd = p[0];
	/* The pump takes no signals: they are the main thread's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&l->pump, NULL, pump_main, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		close(l->pipe_rd);
		l->pipe_rd = -1;
	}
	return ret;
}

void gctl_runlog_sync(struct gctl_runlog *l)
{
	struct timespec ts;
	int avail;

	if (l->pipe_rd < 0)
		return;
	pthread_mutex_lock(&l->lock);
	while (l->busy ||
	       (!ioctl(l->pipe_rd, FIONREAD, &avail) && avail > 0)) {
		ts = gctl_deadline_in(SYNC_WAIT_NS);
		pthread_cond_timedwait(&l->idle, &l->lock, &ts);
	}
	pthread_mutex_unlock(&l->lock);
}

void gctl_runlog_state(struct gctl_runlog *l, struct gctl_runlog_state *st)
{
	pthread_mutex_lock(&l->lock);
	*st = l->st;
	pthread_mutex_unlock(&l->lock);
}

void gctl_runlog_close(struct gctl_runlog *l)
{
	int null;

	if (!l)
		return;
	if (l->pipe_rd >= 0) {
		/* The pipe's last writers go: the pump reads to its end. */
		null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
			close(null);
		}
		pthread_join(l->pump, NULL);
		close(l->pipe_rd);
	}
	pthread_cond_destroy(&l->idle);
	pthread_mutex_destroy(&l->lock);
	close(l->fd);
	gctl_rundir_close(&l->rd);
	free(l);
}
