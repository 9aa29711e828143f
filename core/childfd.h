/* childfd.h -- taking a copy of one of the trapped process's descriptors
 * (host->dup_child_fd; contract in sdk/sandlock/plugin.h). */
#ifndef SANDLOCK_CHILDFD_H
#define SANDLOCK_CHILDFD_H

#include <sandlock/plugin.h>

int sl_dup_child_fd(sandlock_handle h, int child_fd);

#endif
