/* respond.h -- answering the kernel for one notification. */
#ifndef SANDLOCK_RESPOND_H
#define SANDLOCK_RESPOND_H

#include <stdint.h>
#include "chain.h"

struct sl_supervisor;

/* Sends `answer` for notification `id` on the supervisor's listener:
 * exactly one SECCOMP_IOCTL_NOTIF_SEND (or ADDFD with SEND). A KILL answer
 * kills the supervisor's sandbox first. An FD answer's fd is closed here, on every path.
 * ENOENT (the task is gone) is normal and returns 0. */
int sl_respond(const struct sl_supervisor *sup, uint64_t id, const struct sl_answer *answer);

#endif
