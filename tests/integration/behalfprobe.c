/* behalfprobe -- the sandboxed side of behalf.sh: makes the path calls the
 * onbehalf fixture redirects to the host's on-behalf services, one line
 * per step. Raw *at system calls (what the fixture intercepts); built
 * static so that it also runs inside a bare chroot directory.
 *
 *   umask OCTAL | setuid N (groups, gid and uid, unless already N) | mkdir P | rmdir P |
 *   unlink P | rename A B | link A B | linkf A B (AT_SYMLINK_FOLLOW) |
 *   symlink TARGET P | stat P | lstat P ("mode=OCTAL uid=N") | id */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const char *op, const char *arg, long rc)
{
    if (rc < 0) {
        const char *n = strerrorname_np(errno);
        printf("%s %s: errno=%s\n", op, arg, n ? n : "?");
    } else {
        printf("%s %s: ok\n", op, arg);
    }
}

static void show_stat(const char *op, const char *path, int flags)
{
    struct stat st;
    if (syscall(SYS_newfstatat, AT_FDCWD, path, &st, flags) < 0)
        report(op, path, -1);
    else
        printf("%s %s: mode=%o uid=%u\n", op, path, (unsigned)st.st_mode, (unsigned)st.st_uid);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        const char *op = argv[i];
        const char *a = i + 1 < argc ? argv[i + 1] : "";
        const char *b = i + 2 < argc ? argv[i + 2] : "";
        if (!strcmp(op, "umask")) {
            umask((mode_t)strtol(a, NULL, 8));
            i++;
        } else if (!strcmp(op, "setuid")) {
            /* raw calls: this thread only, no libc broadcast needed (one thread) */
            unsigned id = (unsigned)strtoul(a, NULL, 10);
            long rc = getuid() == id ? 0 : syscall(SYS_setgroups, 0, NULL);   /* already N: nothing to drop */
            if (rc == 0)
                rc = syscall(SYS_setresgid, id, id, id);
            if (rc == 0)
                rc = syscall(SYS_setresuid, id, id, id);
            report(op, a, rc);
            i++;
        } else if (!strcmp(op, "id")) {
            printf("id: uid=%u\n", (unsigned)getuid());
        } else if (!strcmp(op, "mkdir")) {
            report(op, a, syscall(SYS_mkdirat, AT_FDCWD, a, 0777));
            i++;
        } else if (!strcmp(op, "rmdir")) {
            report(op, a, syscall(SYS_unlinkat, AT_FDCWD, a, AT_REMOVEDIR));
            i++;
        } else if (!strcmp(op, "unlink")) {
            report(op, a, syscall(SYS_unlinkat, AT_FDCWD, a, 0));
            i++;
        } else if (!strcmp(op, "rename")) {
            report(op, a, syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 0));
            i += 2;
        } else if (!strcmp(op, "link") || !strcmp(op, "linkf")) {
            report(op, a, syscall(SYS_linkat, AT_FDCWD, a, AT_FDCWD, b, op[4] ? AT_SYMLINK_FOLLOW : 0));
            i += 2;
        } else if (!strcmp(op, "symlink")) {
            report(op, b, syscall(SYS_symlinkat, a, AT_FDCWD, b));
            i += 2;
        } else if (!strcmp(op, "stat") || !strcmp(op, "lstat")) {
            show_stat(op, a, op[0] == 'l' ? AT_SYMLINK_NOFOLLOW : 0);
            i++;
        } else {
            fprintf(stderr, "behalfprobe: unknown step '%s'\n", op);
            return 2;
        }
    }
    return 0;
}
