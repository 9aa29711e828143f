/* sockaddr.c -- a socket address as the kernel reads it for a call on a
 * socket of a given family (host->sockaddr_decode; contract in
 * sdk/sandlock/plugin.h). Pure: the caller passes a copy of the child's
 * bytes. */
#include "config.h"
#include "sockaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* The shortest IPv6 address the kernel takes (RFC 2133's, without
 * sin6_scope_id). */
#define SIN6_MIN (sizeof(struct sockaddr_in6) - sizeof(uint32_t))

/* "This host" as a destination: the kernel routes 0.0.0.0 to the socket's
 * own address (or 127.0.0.1) and :: to ::1. Rewrites the bytes at a4 (4
 * bytes) or a6 (16 bytes); exactly one is set. Returns 1 when it did. */
static int rewrite_this_host(uint8_t *a4, uint8_t *a6, uint32_t local4)
{
    static const uint8_t any[16];
    if (a4 && !memcmp(a4, any, 4)) {
        uint32_t use = local4 ? local4 : htonl(INADDR_LOOPBACK);
        memcpy(a4, &use, 4);
        return 1;
    }
    if (a6 && !memcmp(a6, any, 16)) {
        memcpy(a6, &in6addr_loopback, 16);
        return 1;
    }
    return 0;
}

/* The family the kernel reads an AF_UNSPEC address as on a `domain`
 * socket for `call`: AF_UNSPEC (no destination), a family, or -errno. */
static int unspec_family(int domain, unsigned call, const uint8_t *sa, size_t len)
{
    const struct sockaddr_in *in = (const void *)sa;
    if (call == SANDLOCK_SA_CONNECT)
        return AF_UNSPEC;                      /* a disconnect */
    if (domain == AF_INET && call == SANDLOCK_SA_BIND) {
        if (len < sizeof(*in) || in->sin_addr.s_addr != htonl(INADDR_ANY))
            return -EAFNOSUPPORT;
        return AF_INET;                        /* inet_bind's compatibility */
    }
    if (domain == AF_INET)
        return AF_INET;                        /* UDP and raw IPv4 sends */
    if (call == SANDLOCK_SA_BIND)
        return -EAFNOSUPPORT;
    if (len < SIN6_MIN)
        return AF_UNSPEC;                      /* UDPv6: no address */
    return AF_INET6;                           /* raw IPv6 reads it so */
}

static void decode_unix(const uint8_t *sa, size_t len, sandlock_sockaddr *out)
{
    size_t off = offsetof(struct sockaddr_un, sun_path);
    size_t n = len > off ? len - off : 0;
    const char *path = (const char *)sa + off;
    out->family = AF_UNIX;
    if (n == 0) {
        out->kind = SANDLOCK_SA_UNIX_UNNAMED;
        return;
    }
    if (n > sizeof(out->name) - 1)
        n = sizeof(out->name) - 1;
    if (path[0] == '\0') {
        out->kind = SANDLOCK_SA_UNIX_ABSTRACT;
        out->name_len = (uint32_t)(n - 1);
        memcpy(out->name, path + 1, n - 1);
    } else {
        out->kind = SANDLOCK_SA_UNIX_PATH;
        out->name_len = (uint32_t)strnlen(path, n);
        memcpy(out->name, path, out->name_len);
    }
    out->name[out->name_len] = '\0';
}

int sl_sockaddr_decode(void *addr, size_t len, int domain, unsigned call, uint32_t local4,
                       sandlock_sockaddr *out)
{
    if (!addr || !out || out->struct_size < offsetof(sandlock_sockaddr, name) + sizeof(out->name) ||
        call > SANDLOCK_SA_SEND)
        return -EINVAL;
    uint32_t version = out->abi_version, size = out->struct_size;
    memset(out, 0, sizeof(*out));
    out->abi_version = version;
    out->struct_size = size;
    if (len > sizeof(struct sockaddr_storage))
        len = sizeof(struct sockaddr_storage);
    /* A zero-padded copy: a short address never reads past what was given. */
    union {
        struct sockaddr_storage ss;
        struct sockaddr_in in;
        struct sockaddr_in6 in6;
        uint8_t bytes[sizeof(struct sockaddr_storage)];
    } u;
    memset(&u, 0, sizeof(u));
    memcpy(&u, addr, len);
    if (len < sizeof(sa_family_t))      /* no address: a log's or a send's NONE */
        return call == SANDLOCK_SA_AS_GIVEN || (call == SANDLOCK_SA_SEND && len == 0) ? 0 : -EINVAL;
    int family = u.ss.ss_family;
    out->family = (uint32_t)family;
    if (family == AF_UNIX && (domain == 0 || domain == AF_UNIX)) {
        decode_unix(u.bytes, len, out);
        return 0;
    }
    if (domain == AF_UNIX) {
        out->family = (uint32_t)family;
        if (family == AF_UNSPEC && call == SANDLOCK_SA_CONNECT)
            return 0;                          /* a datagram socket disconnects */
        return -EINVAL;
    }
    int inet = domain == AF_INET || domain == AF_INET6;
    if (family == AF_UNSPEC && inet) {
        family = unspec_family(domain, call, u.bytes, len);
        if (family <= 0) {
            out->family = AF_UNSPEC;
            return family;
        }
    }
    int rewrite = inet && call != SANDLOCK_SA_BIND && call != SANDLOCK_SA_AS_GIVEN;
    if (family == AF_INET && (domain != AF_INET6 || call != SANDLOCK_SA_BIND)) {
        if (len < sizeof(u.in))
            return -EINVAL;
        if (rewrite && rewrite_this_host((uint8_t *)&u.in.sin_addr, NULL, local4))
            out->flags |= SANDLOCK_SA_THIS_HOST;
        out->kind = SANDLOCK_SA_INET;
        out->family = AF_INET;
        memcpy(out->addr, &u.in.sin_addr, 4);
        out->port = ntohs(u.in.sin_port);
    } else if (family == AF_INET6 && domain != AF_INET) {
        if (len < SIN6_MIN)
            return -EINVAL;
        if (rewrite) {
            int mapped = !memcmp(u.in6.sin6_addr.s6_addr, v4_mapped, 12);
            if (rewrite_this_host(mapped ? u.in6.sin6_addr.s6_addr + 12 : NULL, mapped ? NULL : u.in6.sin6_addr.s6_addr,
                                  local4))
                out->flags |= SANDLOCK_SA_THIS_HOST;
        }
        out->port = ntohs(u.in6.sin6_port);
        if (!memcmp(u.in6.sin6_addr.s6_addr, v4_mapped, 12)) {
            out->kind = SANDLOCK_SA_INET;
            out->family = AF_INET6;
            out->flags |= SANDLOCK_SA_MAPPED;
            memcpy(out->addr, u.in6.sin6_addr.s6_addr + 12, 4);
        } else {
            out->kind = SANDLOCK_SA_INET6;
            out->family = AF_INET6;
            memcpy(out->addr, u.in6.sin6_addr.s6_addr, 16);
            out->scope_id = len >= sizeof(u.in6) ? u.in6.sin6_scope_id : 0;
        }
    } else if (inet) {
        return -EAFNOSUPPORT;
    } else {
        out->kind = SANDLOCK_SA_OTHER;
        out->family = (uint32_t)family;
        return 0;
    }
    if (out->flags & SANDLOCK_SA_THIS_HOST)
        memcpy(addr, &u, len);
    return 0;
}
