/* procfs.h -- reading a process's /proc/PID/stat. */
#ifndef SANDLOCK_PROCFS_H
#define SANDLOCK_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

/* Reads /proc/PID/stat into buf (size bytes, on the caller's stack: this
 * allocates nothing) and returns its fields after the command, i.e. the
 * text after the command's last ')' (" S PPID PGRP ...": field 3 is the
 * first); NULL when unreadable. The command may hold spaces and ')'. */
const char *sl_proc_stat_fields(pid_t pid, char *buf, size_t size);

#endif
