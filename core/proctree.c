/* proctree.c -- see proctree.h. */
#include "config.h"
#include "proctree.h"
#include "procfs.h"
#include "stubcode.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Parent pid from /proc/PID/stat, or -1 (also for a zombie). */
static pid_t parent_of(pid_t pid)
{
    char buf[512];
    const char *p = sl_proc_stat_fields(pid, buf, sizeof(buf));
    int ppid;
    char state;
    if (!p || sscanf(p + 1, " %c %d", &state, &ppid) != 2)
        return -1;
    /* A zombie has no children left and dies no further: skipping it
     * keeps the scan from seeing it again and again until it is reaped. */
    return state == 'Z' || state == 'X' ? -1 : ppid;
}

struct proc_pair {
    pid_t pid, ppid;
};

static int by_pid(const void *a, const void *b)
{
    pid_t x = ((const struct proc_pair *)a)->pid, y = ((const struct proc_pair *)b)->pid;
    return (x > y) - (x < y);
}

/* sl_kill_descendants_of() by scanning all of /proc, for kernels without
 * CONFIG_PROC_CHILDREN (allocates: not for the stub). */
static int kill_descendants_by_scan(pid_t self)
{
    int total = 0;
    for (int round = 0; round < 100; round++) {
        size_t cap = 0, n = 0;
        struct proc_pair *procs = NULL;
        DIR *d = opendir("/proc");
        if (!d)
            return total;
        struct dirent *e;
        while ((e = readdir(d))) {
            pid_t pid = (pid_t)atoi(e->d_name);
            if (pid <= 0 || pid == self)
                continue;
            pid_t pp = parent_of(pid);
            if (pp <= 0)
                continue;
            if (n == cap) {
                size_t ncap = cap ? cap * 2 : 1024;
                struct proc_pair *np = realloc(procs, ncap * sizeof(*procs));
                if (!np)
                    break;
                procs = np;
                cap = ncap;
            }
            procs[n].pid = pid;
            procs[n++].ppid = pp;
        }
        closedir(d);
        /* Mark descendants: children of a marked process (found by binary
         * search), until a pass finds no new one. */
        if (n)
            qsort(procs, n, sizeof(*procs), by_pid);
        char *mark = calloc(n ? n : 1, 1);
        int found = 0, changed = 1;
        while (mark && changed) {
            changed = 0;
            for (size_t i = 0; i < n; i++) {
                if (mark[i])
                    continue;
                int is_child = procs[i].ppid == self;
                if (!is_child) {
                    struct proc_pair key = { .pid = procs[i].ppid };
                    struct proc_pair *parent = bsearch(&key, procs, n, sizeof(*procs), by_pid);
                    is_child = parent && mark[parent - procs];
                }
                if (is_child) {
                    mark[i] = 1;
                    changed = 1;
                    found++;
                    /* Frozen first, killed all together below: none of
                     * them runs on to see another one die. */
                    kill(procs[i].pid, SIGSTOP);
                }
            }
        }
        for (size_t i = 0; mark && i < n; i++)
            if (mark[i])
                kill(procs[i].pid, SIGKILL);
        free(mark);
        free(procs);
        total += found;
        if (!found)
            break;
        /* Give the killed a moment to die and their orphans to be reparented. */
        struct timespec ts = { 0, 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    return total;
}

/* Whether the kernel lists each task's children (CONFIG_PROC_CHILDREN). */
STUB_CODE static int have_children_files(void)
{
    static atomic_int known = -1;
    int k = atomic_load(&known);
    if (k < 0) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)gettid());
        k = access(path, R_OK) == 0;
        atomic_store(&known, k);
    }
    return k;
}

/* At most this many processes are frozen and killed together in one round
 * of sl_kill_descendants_walk (more take further rounds). */
#define TREE_ROUND_MAX 1024

struct dirent64_head {
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

/* Appends to found[*n] the children of every thread of `pid`, as listed in
 * /proc/PID/task/TID/children, up to TREE_ROUND_MAX. A process or thread
 * that is gone has none. Nothing is allocated: the stub runs this too. */
STUB_CODE static void add_children(pid_t pid, pid_t *found, size_t *n)
{
    char path[64], names[2048];
    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return;
    long len;
    while (*n < TREE_ROUND_MAX && (len = syscall(SYS_getdents64, dir, names, sizeof(names))) > 0) {
        for (long at = 0; at < len && *n < TREE_ROUND_MAX;) {
            const struct dirent64_head *e = (const struct dirent64_head *)(names + at);
            at += e->reclen;
            if (e->name[0] < '0' || e->name[0] > '9')
                continue;
            char file[128], buf[1024], digits[16];
            snprintf(file, sizeof(file), "/proc/%d/task/%.16s/children", (int)pid, e->name);
            int fd = open(file, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                continue;
            /* "PID PID ... ": a number may span two reads; the end of the
             * file ends the last one. */
            size_t nd = 0;
            ssize_t got;
            do {
                got = read(fd, buf, sizeof(buf));
                for (ssize_t i = 0; i <= got && *n < TREE_ROUND_MAX; i++) {
                    int digit = i < got && buf[i] >= '0' && buf[i] <= '9';
                    if (digit && nd < sizeof(digits) - 1)
                        digits[nd++] = buf[i];
                    else if (!digit && nd && (i < got || got <= 0)) {
                        digits[nd] = '\0';
                        found[(*n)++] = (pid_t)atoi(digits);
                        nd = 0;
                    }
                }
            } while (got > 0 && *n < TREE_ROUND_MAX);
            close(fd);
        }
    }
    close(dir);
}

/* Walks down from root's children: the stub (and sandlock) are child
 * subreapers, so every process of the sandbox, orphans included, is a
 * descendant. Each one found is frozen before its children are read (a
 * stopped process forks no more); all are killed together at the end of a
 * round, and rounds repeat until one finds none. Allocates nothing (the
 * stub runs it). Returns how many were signalled, or -1 when the kernel
 * does not list children. */
STUB_CODE int sl_kill_descendants_walk(pid_t root)
{
    if (!have_children_files())
        return -1;
    int total = 0;
    pid_t found[TREE_ROUND_MAX];
    for (int round = 0; round < 100; round++) {
        size_t n = 0;
        add_children(root, found, &n);
        for (size_t i = 0; i < n; i++) {
            kill(found[i], SIGSTOP);
            add_children(found[i], found, &n);
        }
        for (size_t i = 0; i < n; i++)
            kill(found[i], SIGKILL);
        total += (int)n;
        if (!n)
            break;
        /* Give the killed a moment to die and their orphans to be reparented. */
        struct timespec ts = { 0, 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    return total;
}

int sl_kill_descendants_of(pid_t root)
{
    int n = sl_kill_descendants_walk(root);
    return n >= 0 ? n : kill_descendants_by_scan(root);
}

int sl_kill_descendants(void)
{
    return sl_kill_descendants_of(getpid());
}
