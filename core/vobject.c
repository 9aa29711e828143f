/* vobject.c -- see vobject.h. */
#define _GNU_SOURCE
#include "config.h"
#include "vobject.h"
#include "content.h"
#include "here.h"
#include "liveness.h"
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct vobject {
    char *path;               /* as registered (absolute in the sandbox), the memfd's name */
    char *data;
    size_t len;
    int found;                /* a regular file was there when settled: */
    dev_t dev;                /* ... its identity */
    ino_t ino;
};

struct sl_vobjects {
    int prepared;             /* the instances are initialised: no more registrations */
    atomic_int settled;       /* the identities were taken in the sandbox's view */
    size_t nfound;            /* ... and this many objects were there */
    pthread_mutex_t lock;     /* taking them */
    size_t n;
    struct vobject *o;
};

int sl_vobjects_any(const struct sl_here *here)
{
    const struct sl_vobjects *t = here ? here->vobjects : NULL;
    if (!t)
        return 0;
    return atomic_load_explicit(&t->settled, memory_order_acquire) ? t->nfound != 0 : t->n != 0;
}

int sl_serve_object(const sandlock_config *cfg, const char *path, const void *content, size_t len)
{
    if (!cfg || !path || path[0] != '/' || (!content && len) || !sl_here)
        return -EINVAL;
    char norm[PATH_MAX];
    if (sl_path_normalise(path, norm, sizeof(norm)) < 0)
        return -ENAMETOOLONG;
    struct sl_vobjects *t = sl_here->vobjects;
    if (t && t->prepared)
        return -EBUSY;
    for (size_t i = 0; t && i < t->n; i++)
        if (strcmp(t->o[i].path, norm) == 0)
            return -EEXIST;
    if (!t) {
        if (!(t = calloc(1, sizeof(*t))))
            return -ENOMEM;
        pthread_mutex_init(&t->lock, NULL);
        sl_here->vobjects = t;
    }
    struct vobject *grown = realloc(t->o, (t->n + 1) * sizeof(*grown));
    if (!grown)
        return -ENOMEM;
    t->o = grown;
    struct vobject *o = &t->o[t->n];
    *o = (struct vobject){ .len = len };
    if (!(o->path = strdup(norm)) || !(o->data = malloc(len ? len : 1))) {
        free(o->path);
        return -ENOMEM;
    }
    if (len)
        memcpy(o->data, content, len);
    t->n++;
    return 0;
}

void sl_vobjects_prepared(struct sl_here *here)
{
    if (here && here->vobjects)
        here->vobjects->prepared = 1;
}

/* Takes each object's identity at its path in the root `root`. */
static void take_identities(struct sl_vobjects *t, int root)
{
    t->nfound = 0;
    for (size_t i = 0; i < t->n; i++) {
        struct vobject *o = &t->o[i];
        struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
        long fd;
        int tries = 0;
        do
            fd = syscall(SYS_openat2, root, o->path, &how, sizeof(how));
        while (fd < 0 && errno == EAGAIN && ++tries < 1000);
        struct stat st;
        o->found = fd >= 0 && fstat((int)fd, &st) == 0 && S_ISREG(st.st_mode);
        if (o->found) {
            o->dev = st.st_dev;
            o->ino = st.st_ino;
            t->nfound++;
        }
        if (fd >= 0)
            close((int)fd);
    }
}

void sl_vobjects_settle_slow(const struct sl_here *here, sandlock_handle h)
{
    struct sl_vobjects *t = here->vobjects;
    if (!t->n || atomic_load_explicit(&t->settled, memory_order_acquire))
        return;
    pthread_mutex_lock(&t->lock);
    struct sl_target tg;
    if (!atomic_load_explicit(&t->settled, memory_order_relaxed) && sl_target_of(h, &tg) == 0) {
        char link[64];
        snprintf(link, sizeof(link), "/proc/%d/root", (int)tg.pid);
        int root = open(link, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root >= 0) {
            take_identities(t, root);
            close(root);
            /* Only a notification still pending proves the root was the
             * sandbox's (the pid was the trapped task's). */
            if (sl_target_check(&tg) == 0)
                atomic_store_explicit(&t->settled, 1, memory_order_release);
            else
                for (size_t i = 0; i < t->n; i++)
                    t->o[i].found = 0;      /* (nfound is read only once settled) */
        }
    }
    pthread_mutex_unlock(&t->lock);
}

int sl_vobject_match(const struct sl_here *here, const struct stat *st, int accmode, int *content_fd)
{
    const struct sl_vobjects *t = here->vobjects;
    if (!S_ISREG(st->st_mode) || !atomic_load_explicit(&t->settled, memory_order_acquire))
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        const struct vobject *o = &t->o[i];
        if (!o->found || o->ino != st->st_ino || o->dev != st->st_dev)
            continue;
        *content_fd = accmode != O_RDONLY ? -EROFS : sl_content_fd(o->path, o->data, o->len, 0);
        return 0;
    }
    return -1;
}

int sl_vobject_lookup(const struct sl_here *here, int fd, int accmode, int *content_fd)
{
    struct stat st;
    if (fstat(fd, &st) == 0)
        return sl_vobject_match(here, &st, accmode, content_fd);
    *content_fd = -EIO;    /* fail closed: not compared, not handed out */
    return 0;
}

void sl_vobjects_free(struct sl_here *here)
{
    struct sl_vobjects *t = here ? here->vobjects : NULL;
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->o[i].path);
        free(t->o[i].data);
    }
    free(t->o);
    pthread_mutex_destroy(&t->lock);
    free(t);
    here->vobjects = NULL;
}
