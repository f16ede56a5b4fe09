// SPDX-License-Identifier: GPL-2.0-only
/*
 * A detached VM's log (cmd/ctl/runlog.h) and the room its exit record
 * has (rundir.h): bounded, rotated, and every failed write counted, with
 * writes failing for real (RLIMIT_FSIZE: EFBIG, as a full disk's ENOSPC).
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "ctl/rundir.h"
#include "ctl/runlog.h"
#include "test.h"

/* A runtime directory of the test's own. */
static void open_rundir(struct gctl_rundir *rd)
{
	char tmpl[] = "/tmp/test_runlog.XXXXXX", err[512];

	ASSERT_TRUE(mkdtemp(tmpl) != NULL);
	setenv("XDG_RUNTIME_DIR", tmpl, 1);
	if (gctl_rundir_open(true, rd, err, sizeof(err)))
		TEST_FAIL("%s", err);
}

static long long file_size(const struct gctl_rundir *rd, const char *file)
{
	struct stat st;

	return fstatat(rd->fd, file, &st, 0) ? -1 : (long long)st.st_size;
}

static void limit_file_size(rlim_t bytes)
{
	/* The soft limit alone: it may be raised again. */
	struct rlimit rl = { bytes, RLIM_INFINITY };

	signal(SIGXFSZ, SIG_IGN); /* as gunyahctl's main does */
	ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

static void write_lines(struct gctl_runlog *l, int n)
{
	char line[1024];

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	for (int i = 0; i < n; i++)
		gctl_runlog_write(l, line, sizeof(line));
}

TEST(log_rotates_at_its_limit)
{
	struct gctl_runlog_state st;
	struct gctl_runlog *l;
	struct gctl_rundir rd;

	open_rundir(&rd);
	ASSERT_EQ(gctl_runlog_open(&rd, "u", 64 << 10, &l), 0);
	write_lines(l, 100);
	gctl_runlog_state(l, &st);
	ASSERT_EQ(st.written, 100 << 10);
	ASSERT_EQ(st.lost, 0);
	ASSERT_EQ(st.error, 0);
	ASSERT_EQ(st.rotations, 1);
	/* Each file at most the limit; together, everything since. */
	ASSERT_EQ(file_size(&rd, "u.log.1"), 64 << 10);
	ASSERT_EQ(file_size(&rd, "u.log"), 36 << 10);
	write_lines(l, 64);
	gctl_runlog_state(l, &st);
	ASSERT_EQ(st.rotations, 2);
	ASSERT_EQ(file_size(&rd, "u.log.1"), 64 << 10);
	ASSERT_EQ(file_size(&rd, "u.log"), 36 << 10);
	gctl_runlog_close(l);
	/* A new log of the name starts empty, without the old half. */
	ASSERT_EQ(gctl_runlog_open(&rd, "u", 64 << 10, &l), 0);
	ASSERT_EQ(file_size(&rd, "u.log"), 0);
	ASSERT_EQ(file_size(&rd, "u.log.1"), -1);
	gctl_runlog_close(l);
	gctl_rundir_reap(&rd, "u");
	ASSERT_EQ(file_size(&rd, "u.log"), -1);
}

/* The last byte of a file of the directory, or -1. */
static int last_byte(const struct gctl_rundir *rd, const char *file)
{
	unsigned char c;
	int fd = openat(rd->fd, file, O_RDONLY);
	off_t end = fd < 0 ? -1 : lseek(fd, -1, SEEK_END);
	int ret = end >= 0 && pread(fd, &c, 1, end) == 1 ? c : -1;

	if (fd >= 0)
		close(fd);
	return ret;
}

/* The pipe's reads end anywhere, lines do not: the line the file ends in,
 * unfinished, moves to the new file at the rotation. */
TEST(log_rotates_between_lines)
{
	struct gctl_runlog_state st;
	struct gctl_runlog *l;
	struct gctl_rundir rd;
	static char stream[17 * 4000];
	char *chunk = stream;

	open_rundir(&rd);
	ASSERT_EQ(gctl_runlog_open(&rd, "u", 64 << 10, &l), 0);
	/* 5-byte lines written 3999 bytes at a time: nearly every write
	 * ends in the middle of a line. */
	for (size_t i = 0; i < sizeof(stream); i++)
		stream[i] = "tick\n"[i % 5];
	for (size_t at = 0; at < sizeof(stream); at += 3999)
		gctl_runlog_write(l, stream + at, sizeof(stream) - at < 3999 ?
				  sizeof(stream) - at : 3999);
	gctl_runlog_state(l, &st);
	ASSERT_EQ(st.rotations, 1);
	ASSERT_EQ(st.lost, 0);
	ASSERT_TRUE(file_size(&rd, "u.log.1") <= 64 << 10);
	ASSERT_EQ(last_byte(&rd, "u.log.1"), '\n');
	ASSERT_EQ(file_size(&rd, "u.log.1") % 5, 0);
	ASSERT_EQ(file_size(&rd, "u.log.1") + file_size(&rd, "u.log"),
		  (long long)sizeof(stream));
	gctl_runlog_close(l);

	/* A line too long to move (a run of bytes with no newline) is cut
	 * where the rotation comes. */
	ASSERT_EQ(gctl_runlog_open(&rd, "v", 64 << 10, &l), 0);
	memset(stream, 'x', sizeof(stream));
	for (int i = 0; i < 17; i++)
		gctl_runlog_write(l, chunk + i * 4000, 4000);
	ASSERT_EQ(file_size(&rd, "v.log.1"), 16 * 4000);
	ASSERT_EQ(file_size(&rd, "v.log"), 4000);
	gctl_runlog_close(l);
	gctl_rundir_reap(&rd, "u");
	gctl_rundir_reap(&rd, "v");
}

TEST(failed_writes_are_counted_and_told_in_the_log)
{
	struct gctl_runlog_state st;
	struct gctl_runlog *l;
	struct gctl_rundir rd;
	char buf[256] = "";
	ssize_t n;
	int fd;

	open_rundir(&rd);
	ASSERT_EQ(gctl_runlog_open(&rd, "f", 1 << 20, &l), 0);
	limit_file_size(16 << 10);
	write_lines(l, 32);
	gctl_runlog_state(l, &st);
	ASSERT_EQ(st.written, 16 << 10);
	ASSERT_EQ(st.lost, 16 << 10);
	ASSERT_EQ(st.error, EFBIG);
	ASSERT_EQ(file_size(&rd, "f.log"), 16 << 10);
	/* Room again: the log says where the gap is, then goes on. */
	limit_file_size(RLIM_INFINITY);
	gctl_runlog_write(l, "after\n", 6);
	gctl_runlog_state(l, &st);
	ASSERT_EQ(st.lost, 16 << 10);
	fd = openat(rd.fd, "f.log", O_RDONLY);
	ASSERT_TRUE(fd >= 0);
	n = pread(fd, buf, sizeof(buf) - 1, 16 << 10);
	ASSERT_TRUE(n > 0);
	ASSERT_STREQ(buf, "\ngunyahctl: log: 16384 bytes lost here: File too large\n"
			  "after\n");
	close(fd);
	gctl_runlog_close(l);
}

TEST(stdout_and_stderr_go_through_the_bound)
{
	int out = dup(STDOUT_FILENO), err = dup(STDERR_FILENO);
	struct gctl_runlog_state st;
	struct gctl_runlog *l;
	struct gctl_rundir rd;
	char line[100], back[100];
	long long size, older;
	ssize_t n;

	open_rundir(&rd);
	ASSERT_EQ(gctl_runlog_open(&rd, "p", 64 << 10, &l), 0);
	ASSERT_EQ(gctl_runlog_start(l), 0);
	memset(line, 'y', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	for (int i = 0; i < 1000; i++)
		if (write(i % 2 ? STDERR_FILENO : STDOUT_FILENO, line,
			  sizeof(line)) != (ssize_t)sizeof(line))
			break;
	gctl_runlog_sync(l);
	gctl_runlog_state(l, &st);
	size = file_size(&rd, "p.log");
	older = file_size(&rd, "p.log.1");
	/* What it holds can be read back (a failed start shows its log). */
	n = pread(gctl_runlog_fd(l), back, sizeof(back), 0);
	gctl_runlog_close(l);
	/* Our own output back, for what the assertions say. */
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	ASSERT_EQ(st.written, 100000);
	ASSERT_EQ(st.rotations, 1);
	ASSERT_EQ(size + older, 100000);
	ASSERT_TRUE(size <= 64 << 10);
	ASSERT_EQ(n, (ssize_t)sizeof(back));
	/* (Rotated: NAME.log goes on where NAME.log.1 stopped, any byte.) */
	for (size_t i = 0; i < sizeof(back); i++)
		ASSERT_TRUE(back[i] == 'y' || back[i] == '\n');
}

TEST(the_exit_record_has_room_taken_with_the_name)
{
	struct gctl_rundir_claim c;
	struct gctl_rundir rd;
	json_object *o, *back;
	char err[512];

	open_rundir(&rd);
	/* No room to take: the name is not taken either. */
	limit_file_size(4096);
	ASSERT_EQ(gctl_rundir_claim(&rd, "r", &c, err, sizeof(err)), -EFBIG);
	ASSERT_TRUE(strstr(err, "r.status.tmp: cannot take room for the VM's "
			   "exit record: File too large") != NULL);
	ASSERT_EQ(file_size(&rd, "r.sock"), -1);
	ASSERT_EQ(file_size(&rd, "r.status.tmp"), -1);
	limit_file_size(RLIM_INFINITY);
	if (gctl_rundir_claim(&rd, "r", &c, err, sizeof(err)))
		TEST_FAIL("%s", err);
	ASSERT_EQ(file_size(&rd, "r.status.tmp"), GCTL_STATUS_ROOM);
	/* Written into that room: no file grows, none is made. */
	o = json_object_new_object();
	json_object_object_add(o, "result", json_object_new_string("poweroff"));
	limit_file_size(GCTL_STATUS_ROOM);
	ASSERT_EQ(gctl_rundir_claim_status(&c, o), 0);
	ASSERT_EQ(gctl_rundir_read_status(&rd, "r", &back), 0);
	ASSERT_STREQ(json_object_get_string(json_object_object_get(back, "result")),
		     "poweroff");
	ASSERT_EQ(file_size(&rd, "r.status"), 22);
	ASSERT_EQ(file_size(&rd, "r.status.tmp"), -1);
	gctl_rundir_release(&c);
	json_object_put(back);
	json_object_put(o);
}

TEST(a_record_that_cannot_be_written_is_an_error)
{
	struct gctl_rundir_claim c;
	struct gctl_rundir rd;
	json_object *o = json_object_new_object();
	char err[512];

	open_rundir(&rd);
	if (gctl_rundir_claim(&rd, "e", &c, err, sizeof(err)))
		TEST_FAIL("%s", err);
	limit_file_size(0);
	ASSERT_EQ(gctl_rundir_claim_status(&c, o), -EFBIG);
	ASSERT_EQ(file_size(&rd, "e.status"), -1);
	/* Its room stays, for whoever writes that the VM died. */
	ASSERT_EQ(file_size(&rd, "e.status.tmp"), GCTL_STATUS_ROOM);
	gctl_rundir_forget(&c);
	json_object_put(o);
}
