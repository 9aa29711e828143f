/* behalf.h -- the system calls fsdeny performs for the child, on the
 * object it checked (a descriptor), never on a path the child could change
 * afterwards. Every call sandlock makes on the child's behalf goes through
 * behalf.c (blocking.c's waiting opens too, via fsd_do_reopen), except the
 * lookups: host->open_path, and object.c's open_magic (the task's own
 * /proc magic links). Those are the places where the child's credentials
 * are to be worn. */
#ifndef FSDENY_BEHALF_H
#define FSDENY_BEHALF_H

#include "object.h"

/* Runs fn(arg) with the credentials of the thread `h` names (SDK 1.3
 * run_as_child): every call below is made through it, never with
 * sandlock's own identity. Returns fn's result, or -errno when the
 * credentials could not be taken over (fn did not run). */
long fsd_as_child(const sandlock_host *host, sandlock_handle h, long (*fn)(void *arg), void *arg);

/* The child's umask (or -errno), read once per call through the host,
 * which reads it as sandlock: read before fsd_as_child, it costs no
 * switch of credentials inside. */
int fsd_child_umask(struct fsd_call *c);

/* Each returns the syscall's result (>= 0) or -errno, reading and writing
 * the child's buffers through the host. `obj` is a checked descriptor of
 * the object (O_PATH or not); `dir` + `last` a checked parent directory
 * and the entry's name as the child spelled it. */
long fsd_do_stat(struct fsd_call *c, int obj, uint64_t statbuf);
long fsd_do_statx(struct fsd_call *c, int obj, unsigned flags, unsigned mask, uint64_t buf);
long fsd_do_statfs(struct fsd_call *c, int obj, uint64_t buf);
long fsd_do_inotify(struct fsd_call *c, int obj, int child_fd, uint32_t mask);
long fsd_do_access(struct fsd_call *c, int obj, int mode, int flags);
long fsd_do_readlink(struct fsd_call *c, int obj, int named, uint64_t buf, long size);
long fsd_do_chmod(struct fsd_call *c, int obj, mode_t mode);
long fsd_do_chown(struct fsd_call *c, int obj, long uid, long gid);
long fsd_do_truncate(struct fsd_call *c, int obj, long length);
/* times: what utime/utimes/utimensat passed (kind 0, 1, 2), 0 for now. */
long fsd_do_utimes(struct fsd_call *c, int obj, int kind, uint64_t times);
/* op: 's'et, 'g'et, 'l'ist, 'r'emove. */
long fsd_do_xattr(struct fsd_call *c, int obj, int op, const uint64_t *args);

long fsd_do_unlink(struct fsd_call *c, int dir, const char *last, int flags);
long fsd_do_mkdir(struct fsd_call *c, int dir, const char *last, mode_t mode);
long fsd_do_mknod(struct fsd_call *c, int dir, const char *last, mode_t mode, dev_t dev);
long fsd_do_symlink(struct fsd_call *c, uint64_t target, int dir, const char *last);
long fsd_do_rename(int dir1, const char *last1, int dir2, const char *last2, unsigned flags);
/* obj >= 0: link that object (a followed or descriptor-named source). */
long fsd_do_link(int obj, int dir1, const char *last1, int dir2, const char *last2);
/* An open creating `last` in dir, with the child's umask. */
int fsd_do_create(struct fsd_call *c, int dir, const char *last, int flags, mode_t mode);
/* Reopens the checked object with open(2) flags. */
int fsd_do_reopen(int obj, int flags);

#endif
