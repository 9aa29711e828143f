/* eintr.c -- see eintr.h. */
#include "config.h"
#include "eintr.h"

#include <string.h>

static const struct {
    const char *group;
    const char *const *names;
} groups[] = {
    /* The kernel restarts these itself (ERESTARTNOINTR) or never blocks:
     * a shell reports "Cannot fork", an exit that returns runs on. */
    { "process", (const char *const[]){ "clone", "clone3", "fork", "vfork", "execve", "execveat", "exit",
                                        "exit_group", NULL } },
    /* Linux releases the descriptor even when close reports an error, so
     * nobody retries: here the call never ran and the fd stays open. */
    { "fds", (const char *const[]){ "close", "close_range", "dup", "dup2", "dup3", NULL } },
    /* On a regular file of a local file system these never sleep
     * interruptibly; programs treat any failure as final. */
    { "paths", (const char *const[]){ "open", "openat", "openat2", "creat", "stat", "lstat", "newfstatat",
                                      "statx", "access", "faccessat", "faccessat2", "readlink", "readlinkat",
                                      "chdir", "statfs", "truncate", "unlink", "unlinkat", "rename",
                                      "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat",
                                      "mkdir", "mkdirat", "rmdir", "mknod", "mknodat", "chmod", "fchmodat",
                                      "fchmodat2", "chown", "lchown", "fchownat", "utime", "utimes",
                                      "futimesat", "utimensat", "setxattr", "lsetxattr", "getxattr",
                                      "lgetxattr", "listxattr", "llistxattr", "removexattr",
                                      "lremovexattr", NULL } },
};

const char *sl_eintr_group_of(const char *syscall_name)
{
    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
        for (const char *const *n = groups[g].names; *n; n++)
            if (strcmp(*n, syscall_name) == 0)
                return groups[g].group;
    return NULL;
}

int sl_eintr_is_group(const char *word)
{
    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
        if (strcmp(groups[g].group, word) == 0)
            return 1;
    return 0;
}

int sl_eintr_acknowledged(char *const *words, size_t nwords, const char *syscall_name)
{
    const char *group = sl_eintr_group_of(syscall_name);
    for (size_t i = 0; i < nwords; i++)
        if (strcmp(words[i], syscall_name) == 0 || (group && strcmp(words[i], group) == 0))
            return 1;
    return 0;
}
