/* sockaddr.h -- a socket address as the kernel reads it
 * (host->sockaddr_decode; contract in sdk/sandlock/plugin.h). Pure. */
#ifndef SANDLOCK_SOCKADDR_H
#define SANDLOCK_SOCKADDR_H

#include <sandlock/plugin.h>

int sl_sockaddr_decode(void *addr, size_t len, int domain, unsigned call, uint32_t local4,
                       sandlock_sockaddr *out);

#endif
