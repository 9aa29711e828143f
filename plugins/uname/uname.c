/* uname -- a chosen system identity for uname(2).
 *
 *   [plugin identity]
 *   module = uname
 *   nodename = build-host
 *   release = 6.1.0-generic
 *
 * The child's uname(2) gets the host's real answer with the configured
 * fields replaced. The plugin asks the kernel itself on every call (so a
 * hostname changed meanwhile shows through), overrides the fields and writes
 * the whole structure into the child's buffer; the syscall then returns 0
 * without running. A buffer the child cannot write gets EFAULT, as from the
 * kernel. */
#define _GNU_SOURCE
#include <sandlock/plugin.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

/* Every field of struct utsname has this size, including the NUL (the
 * kernel's __NEW_UTS_LEN + 1). */
#define FIELD_SIZE 65

/* The six fields, in the order of struct utsname. */
enum field { SYSNAME, NODENAME, RELEASE, VERSION, MACHINE, DOMAINNAME, NFIELDS };

struct uname_state {
    int set[NFIELDS];                  /* 1 when the field is overridden */
    char value[NFIELDS][FIELD_SIZE];   /* the override, NUL-terminated */
};

static const sandlock_host *host;
static const char *const uname_syscall_list[] = { "uname", NULL };

/* Returns where field `f` lives inside a struct utsname. */
static char *field_of(struct utsname *u, enum field f)
{
    switch (f) {
    case SYSNAME: return u->sysname;
    case NODENAME: return u->nodename;
    case RELEASE: return u->release;
    case VERSION: return u->version;
    case MACHINE: return u->machine;
    case DOMAINNAME: return u->domainname;
    default: return NULL;
    }
}

/* Frees an instance's state. */
static void uname_fini(void *state)
{
    free(state);
}

/* The keys, one per field, in the order of enum field (the host rejects
 * any other key before init()). */
static const sandlock_key_decl uname_keys[] = {
    { "sysname", SANDLOCK_KEY_STRING, 0, "the kernel's name, e.g. Linux" },
    { "nodename", SANDLOCK_KEY_STRING, 0, "the host name" },
    { "release", SANDLOCK_KEY_STRING, 0, "the kernel release, e.g. 6.1.0-generic" },
    { "version", SANDLOCK_KEY_STRING, 0, "the kernel build version" },
    { "machine", SANDLOCK_KEY_STRING, 0, "the hardware name, e.g. x86_64" },
    { "domainname", SANDLOCK_KEY_STRING, 0, "the NIS domain name" },
    { NULL, 0, 0, NULL },
};

/* Reads the fields given; each value must fit the field (at most 64
 * bytes). The last value of a key wins, as everywhere in sandlock.ini. */
static int uname_init(const sandlock_host *h, const sandlock_config *cfg, void **state, char *errbuf)
{
    struct uname_state *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return SANDLOCK_ERROR;
    }
    for (int f = 0; f < NFIELDS; f++) {
        const char *value = h->config_get(cfg, uname_keys[f].name);
        if (!value)
            continue;
        size_t len = strlen(value);
        if (len >= FIELD_SIZE) {
            free(st);
            return h->config_error(cfg, uname_keys[f].name, value, errbuf, "value is %zu bytes long, at most %d fit",
                                   len, FIELD_SIZE - 1);
        }
        memcpy(st->value[f], value, len);
        st->set[f] = 1;
    }
    *state = st;
    return SANDLOCK_OK;
}

/* The only syscall this plugin answers. */
static const char *const *uname_syscalls(void *state)
{
    (void)state;
    return uname_syscall_list;
}

/* Builds the answer (real values, overrides applied) and writes it to the
 * buffer args[0] points to. The state is only read, so concurrent calls are
 * safe. */
static int uname_handle(void *state, const sandlock_event *event, sandlock_response *response)
{
    const struct uname_state *st = state;
    struct utsname u;
    if (uname(&u) != 0) {
        sandlock_respond_errno(response, errno);
        return SANDLOCK_OK;
    }
    /* The kernel filled all of u (fields are zero-padded), so no stack
     * bytes of the supervisor reach the child. */
    for (int f = 0; f < NFIELDS; f++)
        if (st->set[f])
            memcpy(field_of(&u, f), st->value[f], FIELD_SIZE);
    ssize_t n = host->mem_write(event->handle, event->args[0], &u, sizeof(u));
    if (n == (ssize_t)sizeof(u)) {
        sandlock_respond_return(response, 0);
    } else if (n == -EFAULT) {
        sandlock_respond_errno(response, EFAULT);
    } else if (n == -ESRCH) {
        /* The call is gone (the task died or was interrupted): whatever we
         * answer is discarded by the kernel. */
        sandlock_respond_errno(response, EINTR);
    } else {
        /* The host could not write for another reason: let the instance's
         * exception policy decide instead of leaking the real identity. */
        return SANDLOCK_ERROR;
    }
    return SANDLOCK_OK;
}

static const sandlock_plugin uname_plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "uname",
    .version = SANDLOCK_BUNDLED_VERSION,
    .description = "uname(2) with chosen sysname, nodename, release, version, machine, domainname",
    .init = uname_init,
    .syscalls = uname_syscalls,
    .handle = uname_handle,
    .fini = uname_fini,
    .keys = uname_keys,
};

SANDLOCK_PLUGIN_DEFINE(h)
{
    host = h;
    return SANDLOCK_HOST_HAS(h, config_error) ? &uname_plugin : NULL;
}
