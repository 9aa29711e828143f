/* content.c -- see content.h. */
#include "config.h"
#include "content.h"

#include <sandlock/plugin.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

static int make_memfd(const char *name)
{
    /* Not executable where the kernel knows the flag (6.3+); older kernels
     * reject it with EINVAL. */
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL);
    if (fd < 0 && errno == EINVAL)
        fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    return fd;
}

int sl_content_fd(const char *name, const void *data, size_t len, unsigned flags)
{
    if ((flags & ~SANDLOCK_CONTENT_WRITABLE) || (!data && len))
        return -EINVAL;
    int fd = make_memfd(name ? name : "sandlock");
    if (fd < 0)
        return -errno;
    const char *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto fail;
        done += (size_t)n;
    }
    if (lseek(fd, 0, SEEK_SET) != 0)
        goto fail;
    if (!(flags & SANDLOCK_CONTENT_WRITABLE) &&
        fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0)
        goto fail;
    return fd;
fail:;
    int e = errno ? errno : EIO;
    close(fd);
    return -e;
}
