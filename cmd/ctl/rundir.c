// SPDX-License-Identifier: GPL-2.0-only
/* The runtime directory of named VMs and its files (rundir.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common.h"
#include "ctl/rundir.h"

#define STATUS_MAX (64 * 1024)

bool gctl_vm_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > GCTL_VM_NAME_MAX || name[0] == '-' || name[0] == '.')
		return false;
	for (const char *p = name; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && !strchr("_-.", *p))
			return false;
	return true;
}

static int choose(char *dir, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	/* The spec says a relative XDG_RUNTIME_DIR is to be ignored. */
	if (xdg && xdg[0] == '/')
		n = snprintf(dir, len, "%s/gunyahctl", xdg);
	else if (geteuid() == 0)
		n = snprintf(dir, len, "/run/gunyahctl");
	else
		n = snprintf(dir, len, "/tmp/gunyahctl-%u", (unsigned)geteuid());
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/*
 * Could someone else swap what is below this directory?  Its owner can
 * (rename, replace), and so can anyone who may write it, unless it is
 * sticky (/tmp: only an entry's owner moves it).
 */
static bool trusted(const struct stat *st)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return false;
	return !(st->st_mode & (S_IWGRP | S_IWOTH)) || (st->st_mode & S_ISVTX);
}

/*
 * The directory the runtime directory is made in, opened (O_PATH) one
 * component at a time from / without following symlinks, each one
 * checked: an fd, or -errno with a reason in err.
 */
static int open_parent(const char *dir, char *err, size_t errlen)
{
	char parent[PATH_MAX], real[PATH_MAX], walk[PATH_MAX], shown[PATH_MAX];
	char *p, *save = NULL;
	struct stat st;
	int fd, nfd, ret;

	snprintf(parent, sizeof(parent), "%s", dir);
	p = strrchr(parent, '/');
	p[p == parent ? 1 : 0] = 0;
	/* Symlinks the user chose (XDG_RUNTIME_DIR=/var/run/...) resolved
	 * once, here; what they lead to is checked and held. */
	if (!realpath(parent, real)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", parent, strerror(-ret));
		return ret;
	}
	snprintf(walk, sizeof(walk), "%s", real);
	snprintf(shown, sizeof(shown), "/");
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (p = strtok_r(walk, "/", &save);; p = strtok_r(NULL, "/", &save)) {
		if (fstat(fd, &st)) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", shown, strerror(-ret));
			close(fd);
			return ret;
		}
		if (!trusted(&st)) {
			snprintf(err, errlen, "%s: %s (uid %u, mode %04o) could swap "
				 "the runtime directory %s: set XDG_RUNTIME_DIR to "
				 "a directory of yours, or unset it", shown,
				 st.st_uid != 0 && st.st_uid != geteuid() ?
					 "its owner" : "anyone who may write it",
				 (unsigned)st.st_uid,
				 (unsigned)(st.st_mode & 07777), dir);
			close(fd);
			return -EPERM;
		}
		if (!p)
			return fd;
		nfd = openat(fd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (strcmp(shown, "/"))
			strncat(shown, "/", sizeof(shown) - strlen(shown) - 1);
		strncat(shown, p, sizeof(shown) - strlen(shown) - 1);
		if (nfd < 0) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", shown, strerror(-ret));
			return ret;
		}
		fd = nfd;
	}
}

int gctl_rundir_open(bool create, struct gctl_rundir *rd, char *err,
		     size_t errlen)
{
	const char *base;
	char self[32];
	struct stat st;
	int parent, ret;

	rd->fd = -1;
	ret = choose(rd->path, sizeof(rd->path));
	if (ret) {
		snprintf(err, errlen, "runtime directory: path too long");
		return ret;
	}
	base = strrchr(rd->path, '/') + 1;
	parent = open_parent(rd->path, err, errlen);
	if (parent < 0) {
		/* Nothing there yet, nothing to look at. */
		if (parent == -ENOENT && !create)
			return -ENOENT;
		return parent;
	}
	if (create && mkdirat(parent, base, 0700) && errno != EEXIST) {
		ret = -errno;
		goto fail;
	}
	/* O_PATH: whose it is is looked at before anything is read. */
	rd->fd = openat(parent, base, O_PATH | O_DIRECTORY | O_NOFOLLOW |
					      O_CLOEXEC);
	if (rd->fd < 0) {
		ret = errno == ELOOP ? -ENOTDIR : -errno;
		if (ret == -ENOTDIR) {
			snprintf(err, errlen, "%s: not a directory", rd->path);
			close(parent);
			return ret;
		}
		goto fail;
	}
	close(parent);
	parent = -1;
	if (fstat(rd->fd, &st)) {
		ret = -errno;
		goto fail;
	}
	/* In /tmp anyone could have made it first: trust only our own. */
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: belongs to uid %u, not to you (uid %u)",
			 rd->path, (unsigned)st.st_uid, (unsigned)geteuid());
		gctl_rundir_close(rd);
		return -EPERM;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", rd->fd);
	if ((st.st_mode & 07777) != 0700 && chmod(self, 0700)) {
		ret = -errno;
		snprintf(err, errlen, "%s: chmod 0700: %s", rd->path,
			 strerror(-ret));
		gctl_rundir_close(rd);
		return ret;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", rd->path, strerror(-ret));
	if (parent >= 0)
		close(parent);
	gctl_rundir_close(rd);
	return ret;
}

void gctl_rundir_close(struct gctl_rundir *rd)
{
	if (rd->fd >= 0)
		close(rd->fd);
	rd->fd = -1;
}

int gctl_rundir_dup(const struct gctl_rundir *rd, struct gctl_rundir *out)
{
	out->fd = fcntl(rd->fd, F_DUPFD_CLOEXEC, 3);
	if (out->fd < 0)
		return -errno;
	memcpy(out->path, rd->path, sizeof(out->path));
	return 0;
}

int gctl_rundir_file(const struct gctl_rundir *rd, const char *name,
		     const char *ext, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s.%s", rd->path, name, ext);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* NAME.EXT, the name of a file in the directory. */
static int base_name(const char *name, const char *ext, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s.%s", name, ext);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* A socket in the directory by its fd: short, and never a symlink's. */
static int sock_addr(int dir_fd, const char *file, struct sockaddr_un *sa)
{
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	n = snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s",
		     dir_fd, file);
	return n < 0 || (size_t)n >= sizeof(sa->sun_path) ? -ENAMETOOLONG : 0;
}

int gctl_rundir_probe(const struct gctl_rundir *rd, const char *name,
		      int *fd_out)
{
	char file[GCTL_VM_NAME_MAX + 8];
	struct sockaddr_un sa;
	struct stat st;
	int fd, ret;

	ret = base_name(name, "sock", file, sizeof(file));
	if (!ret)
		ret = sock_addr(rd->fd, file, &sa);
	if (ret)
		return ret;
	if (fstatat(rd->fd, file, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? GCTL_PROBE_ABSENT : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	/*
	 * Non-blocking: a connect to a live server whose backlog is full
	 * says EAGAIN instead of waiting, and that server is alive.
	 */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		close(fd);
		if (ret == -ECONNREFUSED)
			return GCTL_PROBE_STALE;
		if (ret == -ENOENT)
			return GCTL_PROBE_ABSENT;
		return ret == -EAGAIN ? -EBUSY : ret;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if (fd_out)
		*fd_out = fd;
	else
		close(fd);
	return GCTL_PROBE_ALIVE;
}

/* All of buf, or -errno (a full disk's short write is -ENOSPC). */
static int write_all(int fd, const void *buf, size_t len, size_t *done)
{
	*done = 0;
	while (*done < len) {
		ssize_t n = write(fd, (const char *)buf + *done, len - *done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ENOSPC;
		*done += (size_t)n;
	}
	return 0;
}

static int lock_dir(const struct gctl_rundir *rd)
{
	int fd;

	fd = openat(rd->fd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		    0600);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX))
		if (errno != EINTR) {
			int ret = -errno;

			close(fd);
			return ret;
		}
	return fd;
}

static void unlock_dir(int fd)
{
	if (fd >= 0)
		close(fd); /* and the lock goes with it */
}

static void unlink_file(int dir_fd, const char *name, const char *ext)
{
	char file[GCTL_VM_NAME_MAX + 16];

	if (!base_name(name, ext, file, sizeof(file)))
		unlinkat(dir_fd, file, 0);
}

static bool file_exists(int dir_fd, const char *name, const char *ext)
{
	char file[GCTL_VM_NAME_MAX + 16];
	struct stat st;

	return !base_name(name, ext, file, sizeof(file)) &&
	       !fstatat(dir_fd, file, &st, AT_SYMLINK_NOFOLLOW);
}

/* How a VM whose process died ended, as far as anyone can tell. */
static int write_died(const struct gctl_rundir *rd, const char *name)
{
	json_object *o = json_object_new_object();
	char log[PATH_MAX];
	int ret;

	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "result", json_object_new_string("died"));
	json_object_object_add(o, "exit_code", json_object_new_int(70));
	if (file_exists(rd->fd, name, "log") &&
	    !gctl_rundir_file(rd, name, "log", log, sizeof(log)))
		json_object_object_add(o, "log", json_object_new_string(log));
	ret = gctl_rundir_write_status(rd, name, o);
	json_object_put(o);
	return ret;
}

int gctl_rundir_clean_stale(const struct gctl_rundir *rd, const char *name,
			    char *err, size_t errlen)
{
	char file[GCTL_VM_NAME_MAX + 8];
	int lock, ret;

	ret = base_name(name, "sock", file, sizeof(file));
	if (ret)
		return ret;
	lock = lock_dir(rd);
	if (lock < 0)
		return lock;
	/* Looked at again under the lock: a new run may have taken it. */
	ret = gctl_rundir_probe(rd, name, NULL);
	if (ret == GCTL_PROBE_STALE) {
		/* The record first: without it, the socket is all that says
		 * a VM of that name died (and the next look tries again). */
		ret = file_exists(rd->fd, name, "status") ? 0 :
							     write_died(rd, name);
		if (ret)
			snprintf(err, errlen, "%s/%s.status: %s", rd->path, name,
				 strerror(-ret));
		else if (!unlinkat(rd->fd, file, 0) || errno == ENOENT)
			ret = 1;
		else
			ret = -errno;
	} else if (ret >= 0) {
		ret = 0;
	}
	unlock_dir(lock);
	return ret;
}

/*
 * Room for NAME.status, taken now while there is some: NAME.status.tmp
 * with GCTL_STATUS_ROOM bytes written (not a sparse file: the blocks
 * are ours).  Rewriting them later needs no free space.  An fd or -errno.
 */
static int reserve_status(const struct gctl_rundir *rd, const char *name,
			  char *err, size_t errlen)
{
	char tmp[GCTL_VM_NAME_MAX + 16], *room;
	size_t done;
	int fd, ret = 0;

	if (base_name(name, "status.tmp", tmp, sizeof(tmp)))
		return -ENAMETOOLONG;
	fd = openat(rd->fd, tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC |
					 O_NOFOLLOW, 0600);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	room = malloc(GCTL_STATUS_ROOM);
	if (!room) {
		ret = -ENOMEM;
		goto out;
	}
	memset(room, ' ', GCTL_STATUS_ROOM);
	ret = write_all(fd, room, GCTL_STATUS_ROOM, &done);
	free(room);
out:
	if (!ret)
		return fd;
	snprintf(err, errlen, "%s/%s: cannot take room for the VM's exit "
		 "record: %s", rd->path, tmp, strerror(-ret));
	if (fd >= 0) {
		close(fd);
		unlinkat(rd->fd, tmp, 0);
	}
	return ret;
}

int gctl_rundir_claim(const struct gctl_rundir *rd, const char *name,
		      struct gctl_rundir_claim *c, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	struct stat st;
	mode_t old_mask;
	int lock, fd = -1, ret;

	c->fd = c->status_fd = -1;
	c->dir_fd = rd->fd;
	ret = base_name(name, "sock", c->file, sizeof(c->file));
	if (!ret)
		ret = gctl_rundir_file(rd, name, "sock", c->sock, sizeof(c->sock));
	if (!ret)
		ret = sock_addr(rd->fd, c->file, &sa);
	if (ret) {
		snprintf(err, errlen, "%s/%s.sock: name too long", rd->path, name);
		return -ENAMETOOLONG;
	}
	lock = lock_dir(rd);
	if (lock < 0) {
		snprintf(err, errlen, "%s/.lock: %s", rd->path, strerror(-lock));
		return lock;
	}
	ret = gctl_rundir_probe(rd, name, NULL);
	if (ret == GCTL_PROBE_ALIVE || ret == -EBUSY) {
		snprintf(err, errlen, "a VM named %s is running (%s)", name,
			 c->sock);
		ret = -EADDRINUSE;
		goto out;
	}
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", c->sock, strerror(-ret));
		goto out;
	}
	if (ret == GCTL_PROBE_STALE)
		unlinkat(rd->fd, c->file, 0);
	unlink_file(rd->fd, name, "status");

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "socket: %s", strerror(-ret));
		goto out;
	}
	/* Born 0600: never a moment when others could connect. */
	old_mask = umask(0177);
	ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old_mask);
	if (!ret && fstatat(rd->fd, c->file, &st, AT_SYMLINK_NOFOLLOW))
		ret = -errno;
	if (!ret && listen(fd, 16))
		ret = -errno;
	if (ret) {
		snprintf(err, errlen, "%s: %s", c->sock, strerror(-ret));
		close(fd);
		unlinkat(rd->fd, c->file, 0);
		goto out;
	}
	c->status_fd = reserve_status(rd, name, err, errlen);
	if (c->status_fd < 0) {
		ret = c->status_fd;
		close(fd);
		unlinkat(rd->fd, c->file, 0);
		goto out;
	}
	c->fd = fd;
	c->dev = st.st_dev;
	c->ino = st.st_ino;
out:
	unlock_dir(lock);
	return ret;
}

void gctl_rundir_forget(struct gctl_rundir_claim *c)
{
	if (c->status_fd >= 0)
		close(c->status_fd);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = c->status_fd = -1;
}

void gctl_rundir_release(struct gctl_rundir_claim *c)
{
	struct stat st;

	/* Room for a record never written: given back. */
	if (c->status_fd >= 0) {
		char tmp[GCTL_VM_NAME_MAX + 16];
		size_t n = strlen(c->file) - strlen(".sock");

		close(c->status_fd);
		c->status_fd = -1;
		if (snprintf(tmp, sizeof(tmp), "%.*s.status.tmp", (int)n,
			     c->file) < (int)sizeof(tmp))
			unlinkat(c->dir_fd, tmp, 0);
	}
	if (c->fd < 0)
		return;
	/*
	 * Unlinked before it is closed: from then on a new run of the name
	 * finds nothing (not a refused socket it would replace while we
	 * still unlink).  Only our own: someone may have replaced it.
	 */
	if (!fstatat(c->dir_fd, c->file, &st, AT_SYMLINK_NOFOLLOW) &&
	    st.st_dev == c->dev && st.st_ino == c->ino)
		unlinkat(c->dir_fd, c->file, 0);
	close(c->fd);
	c->fd = -1;
}

/*
 * The record into fd (NAME.status.tmp) from its start, the file cut to
 * it, then renamed to NAME.status: whole or not at all.  Takes fd.
 */
static int put_status(int dir_fd, const char *name, int fd, json_object *o)
{
	char file[GCTL_VM_NAME_MAX + 16], tmp[GCTL_VM_NAME_MAX + 16];
	const char *s = json_object_to_json_string_ext(o, GCTL_JSON_PLAIN);
	size_t len = strlen(s), done;
	int ret;

	if (base_name(name, "status", file, sizeof(file)) ||
	    base_name(name, "status.tmp", tmp, sizeof(tmp))) {
		close(fd);
		return -ENAMETOOLONG;
	}
	ret = lseek(fd, 0, SEEK_SET) ? -errno : 0;
	if (!ret)
		ret = write_all(fd, s, len, &done);
	if (!ret)
		ret = write_all(fd, "\n", 1, &done);
	if (!ret && ftruncate(fd, (off_t)len + 1))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && renameat(dir_fd, tmp, dir_fd, file))
		ret = -errno;
	return ret;
}

int gctl_rundir_claim_status(struct gctl_rundir_claim *c, json_object *o)
{
	char name[GCTL_VM_NAME_MAX + 1];
	size_t n = strlen(c->file) - strlen(".sock");
	int fd = c->status_fd;

	if (fd < 0)
		return -EBADF;
	c->status_fd = -1;
	snprintf(name, sizeof(name), "%.*s", (int)n, c->file);
	return put_status(c->dir_fd, name, fd, o);
}

int gctl_rundir_write_status(const struct gctl_rundir *rd, const char *name,
			     json_object *o)
{
	char tmp[GCTL_VM_NAME_MAX + 16];
	int fd;

	if (base_name(name, "status.tmp", tmp, sizeof(tmp)))
		return -ENAMETOOLONG;
	/* Not O_TRUNC: a dead VM's room is rewritten, not given back
	 * first (on a full file system, that is the room there is). */
	fd = openat(rd->fd, tmp, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		    0600);
	if (fd < 0)
		return -errno;
	return put_status(rd->fd, name, fd, o);
}

int gctl_rundir_read_status(const struct gctl_rundir *rd, const char *name,
			    json_object **out)
{
	char file[GCTL_VM_NAME_MAX + 16], *buf;
	json_object *o;
	ssize_t n;
	int fd;

	if (base_name(name, "status", file, sizeof(file)))
		return -ENAMETOOLONG;
	fd = openat(rd->fd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	buf = malloc(STATUS_MAX + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, buf, STATUS_MAX);
	close(fd);
	if (n < 0) {
		free(buf);
		return -EIO;
	}
	buf[n] = 0;
	o = json_tokener_parse(buf);
	free(buf);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -EINVAL;
	}
	*out = o;
	return 0;
}

void gctl_rundir_reap_status(const struct gctl_rundir *rd, const char *name)
{
	unlink_file(rd->fd, name, "status");
}

void gctl_rundir_reap(const struct gctl_rundir *rd, const char *name)
{
	unlink_file(rd->fd, name, "status");
	unlink_file(rd->fd, name, "status.tmp");
	unlink_file(rd->fd, name, "log");
	unlink_file(rd->fd, name, "log.1");
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int gctl_rundir_names(const struct gctl_rundir *rd, char ***names_out,
		      size_t *nr_out)
{
	char **names = NULL, **grown;
	size_t nr = 0, cap = 0;
	struct dirent *de;
	int fd;
	DIR *d;

	/* Our own fd: closedir closes it, and its offset is its own. */
	fd = openat(rd->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		char name[GCTL_VM_NAME_MAX + 1];
		const char *dot = strrchr(de->d_name, '.');
		size_t len;
		bool dup = false;

		if (!dot || (strcmp(dot, ".sock") && strcmp(dot, ".status")))
			continue;
		len = (size_t)(dot - de->d_name);
		if (len > GCTL_VM_NAME_MAX)
			continue;
		memcpy(name, de->d_name, len);
		name[len] = 0;
		if (!gctl_vm_name_valid(name))
			continue;
		for (size_t i = 0; i < nr && !dup; i++)
			dup = !strcmp(names[i], name);
		if (dup)
			continue;
		if (nr == cap) {
			cap = cap ? 2 * cap : 8;
			grown = realloc(names, cap * sizeof(*names));
			if (!grown)
				goto nomem;
			names = grown;
		}
		names[nr] = strdup(name);
		if (!names[nr])
			goto nomem;
		nr++;
	}
	closedir(d);
	if (nr)
		qsort(names, nr, sizeof(*names), cmp_names);
	*names_out = names;
	*nr_out = nr;
	return 0;
nomem:
	closedir(d);
	gctl_rundir_names_free(names, nr);
	return -ENOMEM;
}

void gctl_rundir_names_free(char **names, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(names[i]);
	free(names);
}
