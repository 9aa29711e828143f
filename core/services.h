/* services.h -- the notification services of the host table (child memory,
 * paths, calls on the child's behalf, child descriptors, content
 * descriptors, deferred answers, decoded arguments). Their
 * contracts are documented in sdk/sandlock/plugin.h; each lives in its own
 * file, declared in the header included here. */
#ifndef SANDLOCK_SERVICES_H
#define SANDLOCK_SERVICES_H

#include <sandlock/plugin.h>
#include "behalf.h"
#include "childfd.h"
#include "content.h"
#include "defer.h"
#include "memory.h"
#include "paths.h"
#include "sockaddr.h"
#include "sockcall.h"
#include "syscall_paths.h"

#endif
