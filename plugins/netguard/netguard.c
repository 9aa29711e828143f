/* netguard -- allow or deny connect, bind and addressed sends by address.
 *
 *   [plugin net]
 *   module = netguard
 *   default = deny            ; allow (the default) or deny
 *   allow = 127.0.0.0/8       ; repeatable
 *   allow = :53               ; any address, port 53
 *   deny = unix:/run/docker.sock
 *   errno = ECONNREFUSED      ; default
 *
 * netguard judges every call that names an address on the host's snapshot
 * of it (host ABI 1.9, sock_call): the socket copied once, the address
 * read once and decoded the way the kernel reads it for that socket (the
 * host's decoder: AF_UNSPEC, IPv4-mapped IPv6, "this host"), a unix path
 * made absolute from the child's root and working directory and resolved
 * once into a held object; both the path as named and the object's real
 * path (symlinks resolved) must be allowed. The fsdeny instances of the
 * chain judge the same snapshot. netguard answers Continue (allowed) or
 * its errno (denied) and never makes the call: the host makes it once
 * the whole chain allowed it, on the snapshot (never continued in the
 * kernel, which would read the child's descriptor and memory again), see
 * "SOCKET CALLS" in sandlock.ini(5). Sends on stream sockets name no
 * address: the host sends them as given. */
#define _GNU_SOURCE
#include <sandlock/plugin.h>

#include "families.h"
#include "rules.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct netguard_state {
    struct netguard_rules rules;
    int default_allow;
    int error;
    const sandlock_config *cfg;    /* this instance, for host->report_denial */
};

static const sandlock_host *host;

/* Every call of these; sendto only with an address (sendto_rule). */
static const char *const netguard_names[] = {
    "connect", "bind", "sendmsg", "sendmmsg", NULL,
};

/* A sendto without an address (dest_addr NULL: a register, not the
 * child's memory) names no destination: the kernel sends to the socket's
 * peer, judged at its connect. Only the others are trapped. */
static int declare_sendto_rule(const sandlock_host *h, const sandlock_config *cfg, char *errbuf)
{
    sandlock_syscall_rule rule = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(rule),
                                   .syscall = "sendto", .verdict = SANDLOCK_RULE_HANDLE, .ncmp = 1,
                                   .cmp = { { .arg = 4, .op = SANDLOCK_CMP_NE, .value = 0 } } };
    int rc = h->add_syscall_rule(cfg, &rule);
    if (rc)
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "cannot declare its sendto rule: %s", strerror(-rc));
    return rc ? -1 : 0;
}

/* Releases an instance. */
static void netguard_fini(void *state)
{
    struct netguard_state *st = state;
    if (!st)
        return;
    netguard_rules_free(&st->rules);
    free(st);
}

static const sandlock_key_decl netguard_keys[] = {
    { "allow", SANDLOCK_KEY_STRING, SANDLOCK_KEY_REPEATABLE,
      "an address allowed: ADDR[/BITS][:PORT], *:PORT or unix:/PATH (the first rule that matches decides)" },
    { "deny", SANDLOCK_KEY_STRING, SANDLOCK_KEY_REPEATABLE, "an address denied, as for allow" },
    { "default", SANDLOCK_KEY_STRING, 0, "allow (the default) or deny: addresses no rule matches" },
    { "errno", SANDLOCK_KEY_ERRNO, 0, "the error of a denied call (default ECONNREFUSED)" },
    { NULL, 0, 0, NULL },
};

/* Reads allow, deny, default and errno (the host checked the keys). */
static int netguard_init(const sandlock_host *h, const sandlock_config *cfg, void **state,
                         char *errbuf)
{
    struct netguard_state *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return SANDLOCK_ERROR;
    }
    st->default_allow = 1;
    st->error = ECONNREFUSED;
    st->cfg = cfg;
    const char *value = h->config_get(cfg, "default");
    if (value && strcmp(value, "allow") && strcmp(value, "deny")) {
        h->config_error(cfg, "default", value, errbuf, "expected allow or deny, got '%s'", value);
        goto fail;
    }
    st->default_allow = !value || value[0] == 'a';
    int64_t error = ECONNREFUSED;
    h->config_number(cfg, "errno", &error);
    st->error = (int)error;
    size_t cursor = 0;
    const char *key;
    while (h->config_next(cfg, &cursor, &key, &value)) {
        if (strcmp(key, "allow") && strcmp(key, "deny"))
            continue;
        struct netguard_rule rule;
        const char *why = "out of memory";
        if (netguard_parse(value, key[0] == 'a', &rule, &why) || netguard_rules_add(&st->rules, &rule)) {
            h->config_error(cfg, key, value, errbuf, "'%s': %s", value, why);
            goto fail;
        }
    }
    if (netguard_families_declare(h, cfg, errbuf) || declare_sendto_rule(h, cfg, errbuf))
        goto fail;
    *state = st;
    return SANDLOCK_OK;
fail:
    netguard_fini(st);
    return SANDLOCK_ERROR;
}

static const char *const *netguard_syscalls(void *state)
{
    return netguard_names;
}

/* Answers with the errno of a failed service; ENOSYS (the host cannot
 * serve us) is a plugin failure. */
static int answer_error(sandlock_response *r, int err)
{
    if (err == ENOSYS)
        return SANDLOCK_ERROR;
    sandlock_respond_errno(r, err);
    return SANDLOCK_OK;
}

/* A denied call, reported to the host (ABI 1.5) with the address as
 * netguard judged it: "ADDR:PORT", "[ADDR6]:PORT" or "unix:PATH". */
static void refused(const struct netguard_state *st, const sandlock_event *ev, const struct netguard_dest *d,
                    const char *unix_path)
{
    if (!SANDLOCK_HOST_HAS(host, report_denial))
        return;
    char what[PATH_MAX + 8], addr[INET6_ADDRSTRLEN] = "?";
    if (unix_path)
        snprintf(what, sizeof(what), "unix:%s", unix_path);
    else if (d->kind == NG_IPV4 && inet_ntop(AF_INET, d->addr, addr, sizeof(addr)))
        snprintf(what, sizeof(what), "%s:%d", addr, d->port);
    else
        snprintf(what, sizeof(what), "[%s]:%d", inet_ntop(AF_INET6, d->addr, addr, sizeof(addr)) ? addr : "?",
                 d->port);
    host->report_denial(st->cfg, ev->handle, st->error, what);
}

/* Is unix name `name` ("" when unknown) allowed? */
static int unix_name_allowed(const struct netguard_state *st, const char *name)
{
    struct netguard_dest d;
    return !name[0] || netguard_dest_unix(name, &d) != 0 || netguard_allowed(&st->rules, st->default_allow, &d);
}

/* Is target t of call c allowed? 1, or 0 after reporting the denial. */
static int target_allowed(const struct netguard_state *st, const sandlock_event *ev, const sandlock_sock_call *c,
                          const sandlock_sock_target *t)
{
    if (!t->addr || (t->flags & SANDLOCK_SOCK_IGNORED))
        return 1;                  /* no destination */
    if (c->domain == AF_UNIX) {
        int kind = (int)t->sa.kind;
        if (kind != SANDLOCK_SA_UNIX_PATH && kind != SANDLOCK_SA_UNIX_ABSTRACT && kind != SANDLOCK_SA_UNIX_UNNAMED)
            return 1;              /* the kernel refuses it or disconnects */
        /* the path as named and the object it reaches; also when it does
         * not exist (the host then answers the lookup's error) */
        if (unix_name_allowed(st, t->named) && unix_name_allowed(st, t->real))
            return 1;
        refused(st, ev, NULL, t->named);
        return 0;
    }
    if ((c->domain != AF_INET && c->domain != AF_INET6) || t->error)
        return 1;                  /* not netguard's family, or the kernel's own error */
    struct netguard_dest d;
    if (netguard_dest_from(&t->sa, &d) || netguard_allowed(&st->rules, st->default_allow, &d))
        return 1;                  /* no destination (a disconnect...), or allowed */
    refused(st, ev, &d, NULL);
    return 0;
}

/* connect, bind, sendto, sendmsg, sendmmsg: every address of the host's
 * snapshot must be allowed (sendmmsg: one denied message refuses the
 * call). Continue lets the host make the call once the chain allowed it. */
static int netguard_handle(void *state, const sandlock_event *ev, sandlock_response *r)
{
    struct netguard_state *st = state;
    const sandlock_sock_call *c;
    int rc = host->sock_call(ev, &c);
    if (rc)
        return answer_error(r, -rc);
    for (uint32_t i = 0; !c->error && i < c->count; i++)
        if (!target_allowed(st, ev, c, &c->target[i])) {
            sandlock_respond_errno(r, st->error);
            return SANDLOCK_OK;
        }
    sandlock_respond_continue(r);   /* the call's own error (c->error) is the host's answer */
    return SANDLOCK_OK;
}

static const sandlock_plugin netguard_plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "netguard",
    .version = SANDLOCK_BUNDLED_VERSION,
    .description = "allow or deny connect, bind and addressed sends by address, race-free",
    .init = netguard_init,
    .syscalls = netguard_syscalls,
    .handle = netguard_handle,
    .fini = netguard_fini,
    .keys = netguard_keys,
};

SANDLOCK_PLUGIN_DEFINE(h)
{
    host = h;
    /* It judges the host's snapshot of each socket call (ABI 1.9), which
     * the host then makes; its keys are declared (1.6). */
    if (!SANDLOCK_HOST_HAS(h, config_error) || !SANDLOCK_HOST_HAS(h, sock_call))
        return NULL;
    return &netguard_plugin;
}
