// SPDX-License-Identifier: GPL-2.0-only
/*
 * run --detach (detach.h): the socket is made first (so a name in use is
 * said at once), then a child in a session of its own does the rest and
 * tells the parent through a pipe, in one byte, how the start went: 0
 * once the VM runs and the socket is served, or the exit status of a
 * failure (whose message the child has printed on the stderr it still
 * shares).  Then the child's stdio goes to /dev/null and, through the
 * bounded log's pump (ctl/runlog.h), NAME.log.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl/rundir.h"
#include "ctl/runlog.h"
#include "gunyahctl.h"
#include "run/detach.h"

#define CMD "run"

/* Close every fd but 0, 1, 2 and those in keep (a detached VM must not
 * hold its starter's pipes, or whatever waits on them waits forever). */
static void close_other_fds(int *keep, int n)
{
	unsigned int lo = 3;

	/* Few fds: a plain insertion sort. */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			int t = keep[j];

			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	for (int i = 0; i < n; i++) {
		if (keep[i] < (int)lo)
			continue;
		if ((unsigned int)keep[i] > lo)
			close_range(lo, (unsigned int)keep[i] - 1, 0);
		lo = (unsigned int)keep[i] + 1;
	}
	close_range(lo, ~0u, 0);
}

/*
 * Fork the detached VM process, which takes the listening socket.  In the
 * parent, wait for its word and return what run returns (the child goes
 * on: *ready_fd is where it says how the start went).  Returns -1 in the
 * child.
 */
int gctl_run_detach(const struct gctl_rundir *rd, const char *name,
		    struct gctl_rundir_claim *claim, int *ready_fd)
{
	char err[PATH_MAX + 128];
	int fds[2], status;
	unsigned char code;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC)) {
		gctl_err(CMD, "pipe: %s", strerror(errno));
		gctl_rundir_release(claim);
		return GCTL_EXIT_OSERR;
	}
	pid = fork();
	if (pid < 0) {
		gctl_err(CMD, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		gctl_rundir_release(claim);
		return GCTL_EXIT_OSERR;
	}
	if (!pid) {
		int keep[] = { claim->fd, claim->status_fd, fds[1], rd->fd };

		close(fds[0]);
		close_other_fds(keep, 4);
		/* No terminal's signals (Ctrl-C at the starter's shell). */
		setsid();
		*ready_fd = fds[1];
		return -1;
	}
	/* The child owns the socket now (not to be removed from here). */
	gctl_rundir_forget(claim);
	close(fds[1]);
	do
		n = read(fds[0], &code, 1);
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n == 1 && code == 0)
		return 0;
	/* It failed and ends (or ended): collect it. */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n == 1)
		return code;
	gctl_err(CMD, "%s: the VM's process ended before the VM ran (%s %d)",
		 name, WIFSIGNALED(status) ? "signal" : "exit status",
		 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	/* It could not clean up after itself: its socket is stale now. */
	if (gctl_rundir_clean_stale(rd, name, err, sizeof(err)) == 1)
		gctl_rundir_reap(rd, name);
	return GCTL_EXIT_SOFTWARE;
}

/* Tell the starter how the start went, once. */
void gctl_run_report_ready(int *ready_fd, int code)
{
	unsigned char c = (unsigned char)code;

	if (*ready_fd < 0)
		return;
	if (write(*ready_fd, &c, 1) != 1) {
		/* the starter is gone: nobody to tell */
	}
	close(*ready_fd);
	*ready_fd = -1;
}

/* The detached VM runs: its stdio leaves the starter's terminal. */
int gctl_run_daemon_stdio(struct gctl_runlog *runlog)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int ret;

	if (null < 0 || dup2(null, STDIN_FILENO) < 0) {
		ret = -errno;
		if (null >= 0)
			close(null);
		return ret;
	}
	close(null);
	ret = gctl_runlog_start(runlog);
	if (ret)
		return ret;
	/* Not keeping a directory busy; paths it needs are absolute. */
	if (chdir("/")) {
		/* harmless: it stays where it was */
	}
	return 0;
}

/*
 * A detached start failed after stdio went to the log: standard error
 * goes back to the starter's, and what the log got is written there.
 */
void gctl_run_replay_log(int starter_err, struct gctl_runlog *runlog)
{
	int log_fd = gctl_runlog_fd(runlog);
	char buf[4096];
	off_t off = 0;
	ssize_t n;

	/* What went to stdout and stderr is in the file first. */
	gctl_runlog_sync(runlog);
	if (dup2(starter_err, STDERR_FILENO) < 0)
		return;
	while ((n = pread(log_fd, buf, sizeof(buf), off)) > 0) {
		if (write(STDERR_FILENO, buf, (size_t)n) != n)
			return;
		off += n;
	}
}
