/* agent_cgroup.c -- see agent_cgroup.h. */
#include "config.h"
#include "agent_cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/* Whether the comma-separated list holds the word "cpu" ("cpu",
 * "cpu,cpuacct"; not "cpuacct" or "cpuset"). */
static int lists_cpu(const char *list, size_t len)
{
    const char *p = list, *end = list + len;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        if (stop - p == 3 && !memcmp(p, "cpu", 3))
            return 1;
        p = stop + 1;
    }
    return 0;
}

/* The mount point of the cgroup v1 hierarchy that has the cpu controller,
 * mounted at its root, into mnt. 0; 1 when there is none; -1 with the
 * reason in why. */
static int cpu_mount(char *mnt, size_t size, char *why, size_t whylen)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f) {
        snprintf(why, whylen, "/proc/self/mountinfo: %s", strerror(errno));
        return -1;
    }
    char line[4096];
    int found = 0;
    while (!found && fgets(line, sizeof(line), f)) {
        /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER */
        char root[PATH_MAX], point[PATH_MAX], type[64], source[256], super[1024];
        const char *dash = strstr(line, " - ");
        if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) != 2 ||
            sscanf(dash + 3, "%63s %255s %1023s", type, source, super) != 3)
            continue;
        if (strcmp(type, "cgroup") || !lists_cpu(super, strlen(super)))
            continue;
        if (strcmp(root, "/") || strchr(point, '\\')) {
            snprintf(why, whylen, "the cgroup v1 cpu hierarchy is mounted at %s from %s, not from its root", point,
                     root);
            fclose(f);
            return -1;
        }
        snprintf(mnt, size, "%s", point);
        found = 1;
    }
    fclose(f);
    if (!found)
        snprintf(why, whylen, "no cgroup v1 cpu hierarchy");
    return found ? 0 : 1;
}

/* The cgroup of pid ("self" when 0) in the cpu hierarchy into path. 0, or
 * -1 with the reason in why. */
static int cpu_path(pid_t pid, char *path, size_t size, char *why, size_t whylen)
{
    char file[64], line[PATH_MAX + 64];
    if (pid)
        snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
    else
        snprintf(file, sizeof(file), "/proc/self/cgroup");
    FILE *f = fopen(file, "re");
    if (!f) {
        snprintf(why, whylen, "%s: %s", file, strerror(errno));
        return -1;
    }
    int found = 0;
    while (!found && fgets(line, sizeof(line), f)) {
        /* HIERARCHY-ID:CONTROLLERS:PATH */
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2 || !lists_cpu(c1 + 1, (size_t)(c2 - c1 - 1)))
            continue;
        char *p = c2 + 1;
        size_t len = strcspn(p, "\n");
        /* Only a plain absolute path ("(deleted)", "..", a cut line: no). */
        if (p[len] != '\n' || p[0] != '/' || len >= size || strstr(p, "/..") || strchr(p, ' ')) {
            snprintf(why, whylen, "%s: an unusable cpu cgroup path", file);
            fclose(f);
            return -1;
        }
        memcpy(path, p, len);
        path[len] = '\0';
        found = 1;
    }
    fclose(f);
    if (!found)
        snprintf(why, whylen, "%s names no cpu cgroup", file);
    return found ? 0 : -1;
}

/* <mnt><path>/cgroup.procs into out; -1 when it does not fit. */
static int procs_file(char *out, size_t size, const char *mnt, const char *path)
{
    int n = snprintf(out, size, "%s%s/cgroup.procs", mnt, strcmp(path, "/") ? path : "");
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Writes this process's pid into procs (a cgroup.procs file). */
static int move_to(const char *procs, char *why, size_t whylen)
{
    char pid[32];
    int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
    int fd = open(procs, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 || write(fd, pid, (size_t)n) != n) {
        snprintf(why, whylen, "%s: %s", procs, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

int sl_agent_cgroup_join(struct sl_agent_cgroup *cg, pid_t pid, int pidfd, char *why, size_t whylen)
{
    char mnt[PATH_MAX], mine[PATH_MAX], theirs[PATH_MAX], procs[PATH_MAX];
    cg->joined = 0;
    int rc = cpu_mount(mnt, sizeof(mnt), why, whylen);
    if (rc)
        return rc;
    if (cpu_path(0, mine, sizeof(mine), why, whylen) ||
        cpu_path(pid, theirs, sizeof(theirs), why, whylen))
        return -1;
    /* Still alive after the read: it was the pidfd's process's cgroup. */
    if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) != 0) {
        snprintf(why, whylen, "the container's init (pid %d) is gone", (int)pid);
        return -1;
    }
    if (!strcmp(mine, theirs))
        return 0;
    if (procs_file(cg->home, sizeof(cg->home), mnt, mine) || procs_file(procs, sizeof(procs), mnt, theirs)) {
        snprintf(why, whylen, "the cpu cgroup paths are too long");
        return -1;
    }
    if (move_to(procs, why, whylen))
        return -1;
    cg->joined = 1;
    return 0;
}

int sl_agent_cgroup_probe(char *why, size_t whylen)
{
    char mnt[PATH_MAX];
    return cpu_mount(mnt, sizeof(mnt), why, whylen);
}

int sl_agent_cgroup_leave(struct sl_agent_cgroup *cg, char *why, size_t whylen)
{
    if (!cg->joined)
        return 0;
    cg->joined = 0;
    return move_to(cg->home, why, whylen);
}
