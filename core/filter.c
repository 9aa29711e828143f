/* filter.c -- see filter.h. libseccomp 2.5 cannot set WAIT_KILLABLE_RECV,
 * so the filter is exported as BPF and installed with seccomp(2) directly. */
#include "config.h"
#include "filter.h"
#include "seccomp_ioctl.h"

#include <errno.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int export_bpf(scmp_filter_ctx ctx, struct sl_filter *out)
{
    int fd = memfd_create("sandlock-bpf", MFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = seccomp_export_bpf(ctx, fd);
    off_t size = rc == 0 ? lseek(fd, 0, SEEK_END) : -1;
    if (rc || size <= 0 || size % sizeof(struct sock_filter) || size > 65536 * 8) {
        close(fd);
        return rc ? rc : -EINVAL;
    }
    struct sock_filter *insns = malloc((size_t)size);
    if (!insns || pread(fd, insns, (size_t)size, 0) != size) {
        free(insns);
        close(fd);
        return -EIO;
    }
    close(fd);
    out->prog.len = (unsigned short)(size / sizeof(struct sock_filter));
    out->prog.filter = insns;
    return 0;
}

static int contains(const int *list, size_t n, int nr)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == nr)
            return 1;
    return 0;
}

int sl_filter_build(const int *notify, size_t nnotify, const int *deny, size_t ndeny,
                    int deny_tiocsti, struct sl_filter *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) {
        set_err(err, errlen, "libseccomp: cannot create a filter");
        return -1;
    }
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (!rc)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    for (size_t i = 0; !rc && i < ndeny; i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), deny[i], 0);
    /* The kernel reads ioctl's command as 32 bits: compare only those. */
    if (!rc && deny_tiocsti && !contains(notify, nnotify, SCMP_SYS(ioctl)))
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                              SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI));
    for (size_t i = 0; !rc && i < nnotify; i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, notify[i], 0);
    if (!rc)
        rc = export_bpf(ctx, out);
    seccomp_release(ctx);
    if (rc) {
        set_err(err, errlen, "libseccomp: cannot build the filter: %s", strerror(-rc));
        return -1;
    }
    return 0;
}

void sl_filter_free(struct sl_filter *f)
{
    free(f->prog.filter);
    f->prog.filter = NULL;
}

int sl_filter_install(const struct sl_filter *f)
{
    if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
        return -errno;
    long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                      SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &f->prog);
    if (fd < 0 && errno == EINVAL)
        fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &f->prog);
    return fd < 0 ? -errno : (int)fd;
}
