/* embed -- a program that embeds sandlock (libsandlock, sandlock(3)) and
 * answers one system call of its sandboxed command itself, in-process:
 *
 *   ./embed 'uname -n; hostname'       # the command, run by sh -c
 *
 * Its handler makes uname(2) return a nodename of the program's choice
 * (passed as user data, read with host->user_data), so the command sees
 * "sandbox" as the machine's name. Built out of tree with pkg-config only
 * (see README.md). */
#include <sandlock/sandlock.h>

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

/* The program's own state, handed to the plugin as user data. */
struct settings {
    const char *nodename;
    unsigned long answered;     /* calls answered (relaxed atomic) */
};

static const sandlock_host *host;

static int nodename_init(const sandlock_host *h, const sandlock_config *cfg, void **state, char *errbuf)
{
    if (!SANDLOCK_HOST_HAS(h, user_data)) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "this sandlock has no host->user_data (ABI 1.6)");
        return SANDLOCK_ERROR;
    }
    host = h;
    *state = h->user_data(cfg);
    return SANDLOCK_OK;
}

static const char *const *nodename_syscalls(void *state)
{
    (void)state;
    static const char *const names[] = { "uname", NULL };
    return names;
}

/* uname(buf): the host's answer, with our nodename, written into the
 * child's buffer; the call then returns 0 without running. */
static int nodename_handle(void *state, const sandlock_event *ev, sandlock_response *r)
{
    struct settings *s = state;
    struct utsname u;
    if (uname(&u) != 0)
        return SANDLOCK_ERROR;       /* the exception policy answers */
    snprintf(u.nodename, sizeof(u.nodename), "%s", s->nodename);
    if (host->mem_write(ev->handle, ev->args[0], &u, sizeof(u)) != (ssize_t)sizeof(u)) {
        sandlock_respond_errno(r, 14 /* EFAULT */);
        return SANDLOCK_OK;
    }
    __atomic_add_fetch(&s->answered, 1, __ATOMIC_RELAXED);
    sandlock_respond_return(r, 0);
    return SANDLOCK_OK;
}

static const sandlock_plugin nodename_plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "nodename",
    .version = "1.0.0",
    .description = "uname(2) reports the program's own nodename",
    .init = nodename_init,
    .syscalls = nodename_syscalls,
    .handle = nodename_handle,
};

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s 'SHELL COMMAND'\n", argv[0]);
        return 2;
    }
    struct settings settings = { .nodename = "sandbox" };
    sandlock_ctx *ctx = sandlock_ctx_new();
    if (!ctx) {
        fprintf(stderr, "embed: out of memory\n");
        return 125;
    }
    sandlock_options opts;
    sandlock_options_init(&opts);
    opts.flags = SANDLOCK_OPT_LOG_STDERR;    /* sandlock's warnings on our stderr */
    char *command[] = { "sh", "-c", argv[1], NULL };
    int status = SANDLOCK_STATUS_ERROR;
    /* settings outlive the context: no free_user_data. */
    if (sandlock_ctx_set_options(ctx, &opts) ||
        sandlock_ctx_add_plugin(ctx, "nodename", &nodename_plugin, &settings, NULL) ||
        (status = sandlock_ctx_run(ctx, command)) == SANDLOCK_STATUS_ERROR)
        fprintf(stderr, "embed: %s\n", sandlock_ctx_errmsg(ctx));
    sandlock_ctx_free(ctx);
    fprintf(stderr, "embed: answered %lu uname call(s), exit status %d\n", settings.answered, status);
    return status;
}
