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

int gctl_rundir_open(bool create, char *dir, size_t dirlen, char *err,
		     size_t errlen)
{
	struct stat st;
	int ret;

	ret = choose(dir, dirlen);
	if (ret) {
		snprintf(err, errlen, "runtime directory: path too long");
		return ret;
	}
	if (create && mkdir(dir, 0700) && errno != EEXIST) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
		return ret;
	}
	if (lstat(dir, &st)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
		return ret;
	}
	/* In /tmp anyone could have made it first: trust only our own. */
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -ENOTDIR;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: belongs to uid %u, not to you (uid %u)",
			 dir, (unsigned)st.st_uid, (unsigned)geteuid());
		return -EPERM;
	}
	if ((st.st_mode & 07777) != 0700 && chmod(dir, 0700)) {
		ret = -errno;
		snprintf(err, errlen, "%s: chmod 0700: %s", dir, strerror(-ret));
		return ret;
	}
	return 0;
}

int gctl_rundir_file(const char *dir, const char *name, const char *ext,
		     char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s.%s", dir, name, ext);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int sock_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

int gctl_rundir_probe(const char *sock, int *fd_out)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, ret;

	ret = sock_addr(sock, &sa);
	if (ret)
		return ret;
	if (lstat(sock, &st))
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

static int lock_dir(const char *dir)
{
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s/.lock", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
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

static void unlink_file(const char *dir, const char *name, const char *ext)
{
	char path[PATH_MAX];

	if (!gctl_rundir_file(dir, name, ext, path, sizeof(path)))
		unlink(path);
}

int gctl_rundir_clean_stale(const char *dir, const char *name)
{
	char sock[GCTL_SOCK_PATH_MAX];
	int lock, ret;

	ret = gctl_rundir_file(dir, name, "sock", sock, sizeof(sock));
	if (ret)
		return ret;
	lock = lock_dir(dir);
	if (lock < 0)
		return lock;
	/* Looked at again under the lock: a new run may have taken it. */
	ret = gctl_rundir_probe(sock, NULL);
	if (ret == GCTL_PROBE_STALE) {
		unlink(sock);
		unlink_file(dir, name, "log");
		ret = 1;
	} else if (ret >= 0) {
		ret = 0;
	}
	unlock_dir(lock);
	return ret;
}

int gctl_rundir_claim(const char *dir, const char *name,
		      struct gctl_rundir_claim *c, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	struct stat st;
	mode_t old_mask;
	int lock, fd = -1, ret;

	c->fd = -1;
	ret = gctl_rundir_file(dir, name, "sock", c->sock, sizeof(c->sock));
	if (ret || sock_addr(c->sock, &sa)) {
		snprintf(err, errlen, "%s/%s.sock: too long for a UNIX socket "
			 "(%zu bytes at most): set XDG_RUNTIME_DIR to a shorter "
			 "directory", dir, name, sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	lock = lock_dir(dir);
	if (lock < 0) {
		snprintf(err, errlen, "%s/.lock: %s", dir, strerror(-lock));
		return lock;
	}
	ret = gctl_rundir_probe(c->sock, NULL);
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
		unlink(c->sock);
	unlink_file(dir, name, "status");

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
	if (!ret && (chmod(c->sock, 0600) || stat(c->sock, &st)))
		ret = -errno;
	if (!ret && listen(fd, 16))
		ret = -errno;
	if (ret) {
		snprintf(err, errlen, "%s: %s", c->sock, strerror(-ret));
		close(fd);
		unlink(c->sock);
		goto out;
	}
	c->fd = fd;
	c->dev = st.st_dev;
	c->ino = st.st_ino;
out:
	unlock_dir(lock);
	return ret;
}

void gctl_rundir_release(struct gctl_rundir_claim *c)
{
	struct stat st;

	if (c->fd < 0)
		return;
	/*
	 * Unlinked before it is closed: from then on a new run of the name
	 * finds nothing (not a refused socket it would replace while we
	 * still unlink).  Only our own: someone may have replaced it.
	 */
	if (!stat(c->sock, &st) && st.st_dev == c->dev && st.st_ino == c->ino)
		unlink(c->sock);
	close(c->fd);
	c->fd = -1;
}

int gctl_rundir_write_status(const char *dir, const char *name,
			     json_object *o)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	const char *s;
	size_t len;
	int fd, ret = 0;

	if (gctl_rundir_file(dir, name, "status", path, sizeof(path)) ||
	    gctl_rundir_file(dir, name, "status.tmp", tmp, sizeof(tmp)))
		return -ENAMETOOLONG;
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	len = strlen(s);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0)
		return -errno;
	errno = 0;
	if (write(fd, s, len) != (ssize_t)len || write(fd, "\n", 1) != 1)
		ret = errno ? -errno : -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

int gctl_rundir_read_status(const char *dir, const char *name,
			    json_object **out)
{
	char path[PATH_MAX], *buf;
	json_object *o;
	ssize_t n;
	int fd;

	if (gctl_rundir_file(dir, name, "status", path, sizeof(path)))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
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

void gctl_rundir_reap(const char *dir, const char *name)
{
	unlink_file(dir, name, "status");
	unlink_file(dir, name, "log");
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int gctl_rundir_names(const char *dir, char ***names_out, size_t *nr_out)
{
	char **names = NULL, **grown;
	size_t nr = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -errno;
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
