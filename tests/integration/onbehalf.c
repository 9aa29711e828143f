/* onbehalf -- a test plugin that redirects path calls to the host's
 * on-behalf services (ABI 1.8: mkdir_path, unlink_path, rename_path,
 * link_path, symlink_path, stat_path), as a redirecting plugin would. It
 * acts only on calls whose first path starts with '@' (the '@' is taken
 * off, every other path continues), so a result proves the service made
 * the call: the kernel itself would not find "@/...". Paths and flags
 * come from host->syscall_paths. Used by behalf.sh.
 *
 *   [plugin b]
 *   module = .../onbehalf.so                                            */
#define _GNU_SOURCE
#include <sandlock/plugin.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const sandlock_host *host;

static const char *const calls[] = {
    "mkdir", "mkdirat", "unlink", "unlinkat", "rmdir", "rename", "renameat", "renameat2",
    "link", "linkat", "symlink", "symlinkat", "newfstatat", NULL,
};

static int ob_init(const sandlock_host *h, const sandlock_config *cfg, void **state, char *errbuf)
{
    (void)h;
    (void)cfg;
    (void)errbuf;
    *state = NULL;
    return SANDLOCK_OK;
}

static const char *const *ob_syscalls(void *state)
{
    (void)state;
    return calls;
}

/* Reads path argument p; strips a leading '@'. 1 with '@', 0 without, or -errno. */
static int read_path(const sandlock_event *ev, const sandlock_path_arg *p, char *buf, size_t size)
{
    ssize_t n = host->mem_read_string(ev->handle, p->addr, buf, size);
    if (n < 0)
        return (int)n;
    if (buf[0] != '@')
        return 0;
    memmove(buf, buf + 1, (size_t)n);
    return 1;
}

static int ob_handle(void *state, const sandlock_event *ev, sandlock_response *r)
{
    (void)state;
    sandlock_syscall_paths sp = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(sp) };
    char p0[PATH_MAX], p1[PATH_MAX] = "", target[PATH_MAX];
    int n = host->syscall_paths(ev, &sp);
    if (n <= 0 || read_path(ev, &sp.path[0], p0, sizeof(p0)) != 1) {
        sandlock_respond_continue(r);
        return SANDLOCK_OK;
    }
    if (n == 2 && read_path(ev, &sp.path[1], p1, sizeof(p1)) < 0)
        p1[0] = '\0';
    const char *name = ev->syscall_name;
    long rc;
    if (!strncmp(name, "mkdir", 5)) {
        rc = host->mkdir_path(ev->handle, p0, (mode_t)sp.mode);
    } else if (!strcmp(name, "rmdir")) {
        rc = host->unlink_path(ev->handle, p0, AT_REMOVEDIR);
    } else if (!strncmp(name, "unlink", 6)) {
        rc = host->unlink_path(ev->handle, p0, (int)sp.at_flags);
    } else if (!strncmp(name, "rename", 6)) {
        rc = host->rename_path(ev->handle, p0, p1, (unsigned)sp.at_flags);
    } else if (!strncmp(name, "link", 4)) {
        rc = host->link_path(ev->handle, p0, p1, (int)sp.at_flags);
    } else if (!strncmp(name, "symlink", 7)) {
        rc = host->mem_read_string(ev->handle, ev->args[0], target, sizeof(target));
        if (rc >= 0)
            rc = host->symlink_path(ev->handle, target, p0);
    } else {
        struct stat st;
        rc = host->stat_path(ev->handle, p0, &st, (int)sp.at_flags);
        if (rc == 0)
            rc = host->mem_write(ev->handle, ev->args[sp.next_arg], &st, sizeof(st));
        rc = rc < 0 ? rc : 0;
    }
    if (rc < 0)
        sandlock_respond_errno(r, (int)-rc);
    else
        sandlock_respond_return(r, 0);
    return SANDLOCK_OK;
}

static const sandlock_plugin ob_plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "onbehalf",
    .version = "1",
    .description = "test: path calls made by the host's on-behalf services",
    .init = ob_init,
    .syscalls = ob_syscalls,
    .handle = ob_handle,
};

SANDLOCK_PLUGIN_DEFINE(h)
{
    host = h;
    return SANDLOCK_HOST_HAS(h, stat_path) && SANDLOCK_HOST_HAS(h, syscall_paths) ? &ob_plugin : NULL;
}
