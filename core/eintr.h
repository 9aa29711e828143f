/* eintr.h -- the system calls the kernel never fails with EINTR, whose
 * callers therefore never expect it (sandlock.ini(5), SIGNALS AND EINTR).
 *
 * Until a worker receives a notification, the trapped task waits
 * interruptibly: a signal caught by a handler installed without SA_RESTART
 * makes any trapped call fail with EINTR. For the calls listed here that
 * breaks ordinary programs (a shell's fork fails, a close that never
 * happened leaves a pipe open), so `sandlock check` warns about every
 * instance that intercepts one, unless its section acknowledges it with
 * eintr_ok = NAME|GROUP, ... */
#ifndef SANDLOCK_EINTR_H
#define SANDLOCK_EINTR_H

#include <stddef.h>

/* The group ("process", "fds" or "paths") of a listed system call, or
 * NULL when `syscall_name` is not listed. */
const char *sl_eintr_group_of(const char *syscall_name);

/* Whether `word` is a group name. */
int sl_eintr_is_group(const char *word);

/* Whether the acknowledged words (system call or group names, as given to
 * eintr_ok) cover `syscall_name`. */
int sl_eintr_acknowledged(char *const *words, size_t nwords, const char *syscall_name);

#endif
