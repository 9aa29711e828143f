/* inproc.h -- what the library tests share: an in-process plugin whose
 * answers come from its user data (struct counts), and a temporary
 * directory for their files. */
#ifndef SANDLOCK_TESTS_INPROC_H
#define SANDLOCK_TESTS_INPROC_H

#include <sandlock/sandlock.h>
#include <stddef.h>

/* The plugin's user data: mkdir/mkdirat fail with `error` (or get a kill
 * verdict, SIGKILL, with `kill_mkdir`), getppid returns `ppid`; it counts
 * its calls. init() logs a warning and notes what host->session() said. */
struct counts {
    int error;            /* mkdir's answer */
    int kill_mkdir;       /* ... a kill verdict instead */
    long ppid;            /* getppid's answer */
    int fail_init;        /* init fails */
    int init, fini, freed, handled;
    const sandlock_host *host;
    int saw_session;      /* host->session() gave the command in init */
};

extern const sandlock_plugin inproc_plugin;

/* Its handle() and fini(), for other vtables of the tests. */
int inproc_handle(void *state, const sandlock_event *ev, sandlock_response *r);
void inproc_fini(void *state);

/* free_user_data for a struct counts: counts the call. */
void inproc_free_counts(void *data);

/* A new context with an instance `name` of the plugin for `c` (NULL with a
 * TAP comment when that fails). */
sandlock_ctx *inproc_ctx_with(struct counts *c, const char *name);

/* The temporary directory (`prefix` names it), a path in it (one of the
 * last 8 returned stays valid), its removal. */
void inproc_tmp_make(const char *prefix);
char *inproc_path(const char *name);
void inproc_tmp_remove(void);

/* The file's content ("" when it cannot be read). */
void inproc_read_file(const char *path, char *buf, size_t size);

#endif
