/* inproc.c -- see inproc.h. */
#include "inproc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const mine[] = { "mkdir", "mkdirat", "getppid", NULL };

static int p_init(const sandlock_host *host, const sandlock_config *cfg, void **state, char *errbuf)
{
    if (!SANDLOCK_HOST_HAS(host, user_data)) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "no user_data in the host table");
        return SANDLOCK_ERROR;
    }
    struct counts *c = host->user_data(cfg);
    if (c->fail_init) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "refused as asked");
        return SANDLOCK_ERROR;
    }
    c->init++;
    c->host = host;
    const sandlock_session *s = host->session();
    c->saw_session = s && s->argv && s->argv[0];
    host->log(cfg, SANDLOCK_LOG_WARN, "init of the in-process plugin");
    *state = c;
    return SANDLOCK_OK;
}

static const char *const *p_syscalls(void *state)
{
    (void)state;
    return mine;
}

int inproc_handle(void *state, const sandlock_event *ev, sandlock_response *r)
{
    struct counts *c = state;
    __atomic_add_fetch(&c->handled, 1, __ATOMIC_RELAXED);
    if (strcmp(ev->syscall_name, "getppid") == 0)
        sandlock_respond_return(r, c->ppid);
    else if (c->kill_mkdir)
        sandlock_respond_kill(r, SIGKILL);
    else
        sandlock_respond_errno(r, c->error);
    return SANDLOCK_OK;
}

void inproc_fini(void *state)
{
    ((struct counts *)state)->fini++;
}

const sandlock_plugin inproc_plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "inproc",
    .version = "1",
    .description = "test plugin of the library tests",
    .init = p_init,
    .syscalls = p_syscalls,
    .handle = inproc_handle,
    .fini = inproc_fini,
};

void inproc_free_counts(void *data)
{
    ((struct counts *)data)->freed++;
}

sandlock_ctx *inproc_ctx_with(struct counts *c, const char *name)
{
    sandlock_ctx *ctx = sandlock_ctx_new();
    if (ctx && sandlock_ctx_add_plugin(ctx, name, &inproc_plugin, c, inproc_free_counts)) {
        printf("# add_plugin: %s\n", sandlock_ctx_errmsg(ctx));
        sandlock_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

static char tmp[64];

void inproc_tmp_make(const char *prefix)
{
    snprintf(tmp, sizeof(tmp), "/tmp/%s-XXXXXX", prefix);
    if (!mkdtemp(tmp)) {
        printf("Bail out! mkdtemp: %s\n", strerror(errno));
        exit(1);
    }
}

char *inproc_path(const char *name)
{
    static char buf[8][128];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, sizeof(buf[0]), "%s/%s", tmp, name);
    return p;
}

void inproc_tmp_remove(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", tmp);
}

void inproc_read_file(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}
