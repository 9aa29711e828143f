/* vobject.c -- see vobject.h. */
#include "config.h"
#include "vobject.h"
#include "content.h"
#include "here.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct vobject {
    dev_t dev;
    ino_t ino;
    char *name;               /* the path it was registered as: the memfd's name */
    char *data;
    size_t len;
};

struct sl_vobjects {
    int prepared;             /* the sandbox started: no more registrations */
    size_t n;
    struct vobject o[];       /* grown by realloc while init()s run */
};

int sl_vobjects_any(const struct sl_here *here)
{
    return here && here->vobjects && here->vobjects->n;
}

int sl_serve_object(const sandlock_config *cfg, const char *path, const void *content, size_t len)
{
    if (!cfg || !path || path[0] != '/' || (!content && len))
        return -EINVAL;
    if (!sl_here)
        return -EINVAL;
    struct sl_vobjects *t = sl_here->vobjects;
    if (t && t->prepared)
        return -EBUSY;
    struct stat st;
    if (stat(path, &st) != 0)
        return -errno;
    if (!S_ISREG(st.st_mode))
        return -EINVAL;
    for (size_t i = 0; t && i < t->n; i++)
        if (t->o[i].dev == st.st_dev && t->o[i].ino == st.st_ino)
            return -EEXIST;
    size_t n = t ? t->n : 0;
    struct sl_vobjects *grown = realloc(t, sizeof(*t) + (n + 1) * sizeof(t->o[0]));
    if (!grown)
        return -ENOMEM;
    if (!t)
        memset(grown, 0, sizeof(*grown));
    sl_here->vobjects = t = grown;
    struct vobject *o = &t->o[n];
    *o = (struct vobject){ .dev = st.st_dev, .ino = st.st_ino, .len = len };
    if (!(o->name = strdup(path)) || !(o->data = malloc(len ? len : 1))) {
        free(o->name);
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

int sl_vobject_match(const struct sl_here *here, const struct stat *st, int accmode, int *content_fd)
{
    const struct sl_vobjects *t = here->vobjects;
    if (!S_ISREG(st->st_mode))
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        const struct vobject *o = &t->o[i];
        if (o->ino != st->st_ino || o->dev != st->st_dev)
            continue;
        *content_fd = accmode != O_RDONLY ? -EROFS : sl_content_fd(o->name, o->data, o->len, 0);
        return 0;
    }
    return -1;
}

int sl_vobject_lookup(const struct sl_here *here, int fd, int accmode, int *content_fd)
{
    struct stat st;
    return fstat(fd, &st) != 0 ? -1 : sl_vobject_match(here, &st, accmode, content_fd);
}

void sl_vobjects_free(struct sl_here *here)
{
    struct sl_vobjects *t = here ? here->vobjects : NULL;
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->o[i].name);
        free(t->o[i].data);
    }
    free(t);
    here->vobjects = NULL;
}
