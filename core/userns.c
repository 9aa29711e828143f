/* userns.c -- see userns.h. */
#include "config.h"
#include "userns.h"
#include "stubcode.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Whether sandlock holds any capability: the command would lose it in a
 * user namespace (capabilities there count only inside), so only a
 * sandlock without any uses one. */
static int has_capabilities(void)
{
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    if (syscall(SYS_capget, &hdr, data) != 0)
        return 1;
    return data[0].effective || data[1].effective || data[0].permitted || data[1].permitted;
}

/* The number in a /proc/sys file, or `missing` when it cannot be read. */
static long sysctl_number(const char *path, long missing)
{
    char buf[32];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return missing;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return missing;
    buf[n] = '\0';
    return strtol(buf, NULL, 10);
}

int sl_userns_wanted(void)
{
    static atomic_int decided = -1;
    int d = atomic_load(&decided);
    if (d < 0) {
        const char *env = getenv("SANDLOCK_USERNS");
        d = !has_capabilities() && !(env && strcmp(env, "no") == 0) &&
            sysctl_number("/proc/sys/user/max_user_namespaces", 0) > 0 &&
            sysctl_number("/proc/sys/kernel/unprivileged_userns_clone", 1) != 0;
        atomic_store(&decided, d);
    }
    return d;
}

STUB_CODE static int write_self(const char *name, const char *text)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/%s", name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    int e = errno;
    close(fd);
    errno = e;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

STUB_CODE int sl_userns_map_self(uid_t uid, gid_t gid)
{
    char uid_map[64], gid_map[64];
    snprintf(uid_map, sizeof(uid_map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
    snprintf(gid_map, sizeof(gid_map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
    if (write_self("setgroups", "deny") || write_self("uid_map", uid_map) || write_self("gid_map", gid_map))
        return -1;
    return 0;
}
