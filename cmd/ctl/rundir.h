/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where named VMs live: the runtime directory and its files.
 *
 *   $XDG_RUNTIME_DIR/gunyahctl/   (if set, and an absolute path)
 *   /run/gunyahctl/                root, otherwise
 *   /tmp/gunyahctl-$UID/           anyone else
 *
 * The directory is 0700 and must belong to the user; in it, per VM:
 *
 *   NAME.sock    the control socket (0600) of a running VM's process
 *   NAME.log     a detached VM's standard output and error (runlog.h),
 *   NAME.log.1   and its older part once it passed its limit
 *   NAME.status  how the VM ended (one JSON object), written before its
 *                socket goes; read and removed by gunyahctl wait
 *   NAME.status.tmp  the room for it, taken with the name: a full file
 *                system cannot keep a VM from saying how it ended
 *   .lock        flock(2)ed around every check-then-change of a socket,
 *                so that two runs of one name, or a run and a cleaner,
 *                never both believe a socket is theirs to replace
 *
 * A socket is alive when a connect(2) to it succeeds, stale when it is
 * refused (its process is gone: killed, crashed).  Whoever finds a stale
 * socket removes it and writes NAME.status for the dead VM (result
 * "died", exit status 70); its log stays until wait collects it.
 */
#ifndef GCTL_RUNDIR_H
#define GCTL_RUNDIR_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

/* Names: letters, digits, '_', '-', '.'; not starting with '-' or '.'. */
#define GCTL_VM_NAME_MAX 32
/* Room taken for NAME.status: a record is a few hundred bytes. */
#define GCTL_STATUS_ROOM 8192

bool gctl_vm_name_valid(const char *name);

/*
 * The runtime directory, held open: every file in it is reached from
 * this fd (openat, renameat, unlinkat, O_NOFOLLOW; sockets through
 * /proc/self/fd/FD/), never by its path again.  Whoever swaps the
 * directory for a symlink later (its parent's owner) cannot make us
 * write through it.  path is for messages and for others to read.
 */
struct gctl_rundir {
	int fd;
	char path[PATH_MAX];
};

/*
 * Open the runtime directory, made (0700) when create is set.  Every
 * directory above it must belong to root or to the user, and be writable
 * by nobody else unless sticky (/tmp): else -EPERM.  0; -ENOENT when it
 * is not there and create is clear (no VM has ever run); other -errno
 * with a reason in err: not a directory, not the user's, ...
 */
int gctl_rundir_open(bool create, struct gctl_rundir *rd, char *err,
		     size_t errlen);
void gctl_rundir_close(struct gctl_rundir *rd);
/* A second handle on the same directory (its own fd).  0 or -errno. */
int gctl_rundir_dup(const struct gctl_rundir *rd, struct gctl_rundir *out);

/* DIR/NAME.EXT (for messages), or -ENAMETOOLONG. */
int gctl_rundir_file(const struct gctl_rundir *rd, const char *name,
		     const char *ext, char *buf, size_t len);

enum gctl_probe {
	GCTL_PROBE_ABSENT,	/* no socket */
	GCTL_PROBE_STALE,	/* a socket nobody listens on */
	GCTL_PROBE_ALIVE,	/* connected: *fd is the connection */
};

/*
 * Connect to NAME's socket (the connection is blocking, close-on-exec).
 * A GCTL_PROBE_*, or -errno (-ENOTSOCK: something else is there).
 */
int gctl_rundir_probe(const struct gctl_rundir *rd, const char *name,
		      int *fd);

/*
 * NAME's socket is stale (its process died: killed, crashed): remove the
 * socket, and say how the VM ended in NAME.status ("died", exit status
 * 70) unless it wrote one; its log stays for whoever waits for it.
 * Under the lock.  1 when removed, 0 when there was nothing stale,
 * -errno.  When NAME.status cannot be written the socket stays (the next
 * look tries again): -errno of that write, its reason in err.
 */
int gctl_rundir_clean_stale(const struct gctl_rundir *rd, const char *name,
			    char *err, size_t errlen);

/* The listening socket of a VM, for as long as its process runs. */
struct gctl_rundir_claim {
	int fd;
	int dir_fd; /* the rundir's, borrowed */
	dev_t dev;
	ino_t ino;
	int status_fd; /* NAME.status.tmp, room for the record, or -1 */
	char file[GCTL_VM_NAME_MAX + 8]; /* NAME.sock */
	char sock[PATH_MAX];		 /* its path, for messages */
};

/*
 * Make NAME's socket (0600) and listen on it, non-blocking and
 * close-on-exec.  A stale socket of the name is replaced, and an old
 * NAME.status removed (the name starts a new life), and room for the new
 * one taken (NAME.status.tmp, GCTL_STATUS_ROOM bytes).  -EADDRINUSE when
 * a VM of that name runs; -errno otherwise; a reason in err.  The rundir
 * must stay open as long as the claim.
 */
int gctl_rundir_claim(const struct gctl_rundir *rd, const char *name,
		      struct gctl_rundir_claim *c, char *err, size_t errlen);
/* Remove the socket if it is still the one claimed, and close it. */
void gctl_rundir_release(struct gctl_rundir_claim *c);
/* Close the claim's fds, remove nothing (another process has it now, or
 * the name is to read as a VM that died). */
void gctl_rundir_forget(struct gctl_rundir_claim *c);
/*
 * NAME.status from the claim: written into the room taken for it, then
 * renamed into place.  0 or -errno (then the room stays, for whoever
 * writes the record of a VM that died).
 */
int gctl_rundir_claim_status(struct gctl_rundir_claim *c, json_object *o);


/* NAME.status: written whole (a temporary file renamed) or not at all. */
int gctl_rundir_write_status(const struct gctl_rundir *rd, const char *name,
			     json_object *o);
/* 0 and the object; -ENOENT; -EINVAL if it does not parse. */
int gctl_rundir_read_status(const struct gctl_rundir *rd, const char *name,
			    json_object **out);
/* Remove NAME.status and NAME.log (and NAME.log.1, NAME.status.tmp):
 * its exit status was collected. */
void gctl_rundir_reap(const struct gctl_rundir *rd, const char *name);
/* Remove NAME.status only (a dead VM's log is kept). */
void gctl_rundir_reap_status(const struct gctl_rundir *rd, const char *name);

/*
 * The names with a socket or a status file, sorted.  *names is an array
 * of *nr malloc'd strings; free it with gctl_rundir_names_free.
 */
int gctl_rundir_names(const struct gctl_rundir *rd, char ***names, size_t *nr);
void gctl_rundir_names_free(char **names, size_t nr);

#endif /* GCTL_RUNDIR_H */
