/* services.h -- the notification services of the host table (child memory,
 * paths, child descriptors, content descriptors, deferred answers). Their
 * contracts are documented in sdk/sandlock/plugin.h; each lives in its own
 * file, declared in the header included here. */
#ifndef SANDLOCK_SERVICES_H
#define SANDLOCK_SERVICES_H

#include <sandlock/plugin.h>
#include "childfd.h"
#include "content.h"
#include "defer.h"
#include "memory.h"
#include "paths.h"

#endif
