/* memory.h -- reading and writing the memory of a trapped process
 * (host->mem_read, mem_read_string, mem_write; contracts in
 * sdk/sandlock/plugin.h). */
#ifndef SANDLOCK_MEMORY_H
#define SANDLOCK_MEMORY_H

#include <sandlock/plugin.h>
#include "liveness.h"

/* When set, skip process_vm_readv/writev and go straight to the
 * /proc/PID/mem fallback (used by the tests to exercise that path). */
extern int sl_memory_force_proc;

ssize_t sl_mem_read(sandlock_handle h, uint64_t addr, void *buf, size_t len);
ssize_t sl_mem_read_string(sandlock_handle h, uint64_t addr, char *buf, size_t size);
ssize_t sl_mem_write(sandlock_handle h, uint64_t addr, const void *buf, size_t len);

/* sl_mem_read_string() for a target already looked up (used by the path
 * services). Does not check liveness after the read: the caller does. */
ssize_t sl_target_read_string(const struct sl_target *t, uint64_t addr, char *buf, size_t size);

/* Reads the string at addr for t's notification now, if not yet read, and
 * keeps it for the rest of the notification (syscall_paths' path
 * arguments): later reads of addr see those bytes. */
void sl_target_pin_string(const struct sl_target *t, uint64_t addr);

#endif
