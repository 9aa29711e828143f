/* test_sockaddr.c -- host->sockaddr_decode (core/sockaddr.c): a socket
 * address as the kernel reads it for a call on a socket of a family. */
#include "sockaddr.h"
#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

/* Decodes a text address given with `family` (AF_UNSPEC too) to `call` on
 * a socket of `domain`; returns the result, *d and the rewritten copy. */
static int decode(int domain, unsigned call, int family, const char *text, int port, uint32_t local4,
                  sandlock_sockaddr *d, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    size_t len;
    if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
        in->sin_port = htons((uint16_t)port);
        len = sizeof(*in);
    } else if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
        in6->sin6_port = htons((uint16_t)port);
        len = sizeof(*in6);
    } else {
        abort();
    }
    ss->ss_family = (sa_family_t)family;
    *d = (sandlock_sockaddr){ .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(*d) };
    return sl_sockaddr_decode(ss, len, domain, call, local4, d);
}

static void test_inet(void)
{
    sandlock_sockaddr d;
    struct sockaddr_storage ss;
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    ok(decode(AF_INET, SANDLOCK_SA_SEND, AF_UNSPEC, "127.0.0.1", 9, 0, &d, &ss) == 0 &&
       d.kind == SANDLOCK_SA_INET && d.addr[0] == 127 && d.port == 9, "AF_UNSPEC send on IPv4 is IPv4");
    ok(decode(AF_INET, SANDLOCK_SA_CONNECT, AF_UNSPEC, "127.0.0.1", 9, 0, &d, &ss) == 0 &&
       d.kind == SANDLOCK_SA_NONE, "AF_UNSPEC connect is a disconnect");
    ok(decode(AF_INET, SANDLOCK_SA_BIND, AF_UNSPEC, "0.0.0.0", 22, 0, &d, &ss) == 0 &&
       d.kind == SANDLOCK_SA_INET && d.port == 22, "AF_UNSPEC bind of 0.0.0.0 binds IPv4");
    ok(decode(AF_INET, SANDLOCK_SA_BIND, AF_UNSPEC, "127.0.0.1", 22, 0, &d, &ss) == -EAFNOSUPPORT,
       "AF_UNSPEC bind of another address is refused");
    ok(decode(AF_INET6, SANDLOCK_SA_SEND, AF_UNSPEC, "::1", 9, 0, &d, &ss) == 0 &&
       d.kind == SANDLOCK_SA_INET6 && d.port == 9, "AF_UNSPEC send on IPv6 is read as IPv6");
    ok(decode(AF_INET6, SANDLOCK_SA_SEND, AF_INET, "127.0.0.1", 9, 0, &d, &ss) == 0 &&
       d.kind == SANDLOCK_SA_INET, "AF_INET on an IPv6 socket is IPv4");
    ok(decode(AF_INET6, SANDLOCK_SA_BIND, AF_INET, "127.0.0.1", 9, 0, &d, &ss) == -EAFNOSUPPORT,
       "AF_INET bind on an IPv6 socket is refused");
    ok(decode(AF_INET, SANDLOCK_SA_SEND, AF_INET6, "::1", 9, 0, &d, &ss) == -EAFNOSUPPORT,
       "AF_INET6 on an IPv4 socket is refused");
    ok(decode(AF_INET, SANDLOCK_SA_SEND, AF_PACKET, "1.2.3.4", 9, 0, &d, &ss) == -EAFNOSUPPORT,
       "other families on an inet socket are refused");
    ss.ss_family = AF_INET;
    ok(sl_sockaddr_decode(&ss, 8, AF_INET, SANDLOCK_SA_SEND, 0, &d) == -EINVAL, "short address");
    ok(decode(AF_INET6, SANDLOCK_SA_CONNECT, AF_INET6, "::ffff:10.1.2.3", 80, 0, &d, &ss) == 0 &&
       d.kind == SANDLOCK_SA_INET && (d.flags & SANDLOCK_SA_MAPPED) && d.addr[0] == 10 && d.port == 80,
       "IPv4-mapped IPv6 is IPv4 (MAPPED)");

    ok(decode(AF_INET, SANDLOCK_SA_CONNECT, AF_INET, "0.0.0.0", 80, 0, &d, &ss) == 0 &&
       d.kind == SANDLOCK_SA_INET && d.addr[0] == 127 && d.addr[3] == 1 && (d.flags & SANDLOCK_SA_THIS_HOST) &&
       in->sin_addr.s_addr == htonl(INADDR_LOOPBACK), "0.0.0.0 is 127.0.0.1, rewritten");
    ok(decode(AF_INET, SANDLOCK_SA_SEND, AF_INET, "0.0.0.0", 80, htonl(0x0a000005), &d, &ss) == 0 &&
       d.addr[0] == 10 && d.addr[3] == 5, "0.0.0.0 is the socket's own address when bound to one");
    ok(decode(AF_INET, SANDLOCK_SA_SEND, AF_UNSPEC, "0.0.0.0", 80, 0, &d, &ss) == 0 && d.addr[0] == 127,
       "AF_UNSPEC 0.0.0.0 too");
    ok(decode(AF_INET6, SANDLOCK_SA_CONNECT, AF_INET6, "::", 80, 0, &d, &ss) == 0 &&
       d.kind == SANDLOCK_SA_INET6 && d.addr[15] == 1 && in6->sin6_addr.s6_addr[15] == 1, ":: is ::1, rewritten");
    ok(decode(AF_INET6, SANDLOCK_SA_CONNECT, AF_INET6, "::ffff:0.0.0.0", 80, 0, &d, &ss) == 0 &&
       d.kind == SANDLOCK_SA_INET && d.addr[0] == 127 && in6->sin6_addr.s6_addr[12] == 127,
       "::ffff:0.0.0.0 is 127.0.0.1, rewritten");
    ok(decode(AF_INET6, SANDLOCK_SA_CONNECT, AF_INET, "0.0.0.0", 80, 0, &d, &ss) == 0 && d.addr[0] == 127,
       "AF_INET 0.0.0.0 on an IPv6 socket");
    ok(decode(AF_INET, SANDLOCK_SA_BIND, AF_INET, "0.0.0.0", 80, 0, &d, &ss) == 0 && d.addr[0] == 0 &&
       in->sin_addr.s_addr == 0 && !(d.flags & SANDLOCK_SA_THIS_HOST), "bind keeps the wildcard");
    ok(decode(0, SANDLOCK_SA_AS_GIVEN, AF_INET, "0.0.0.0", 80, 0, &d, &ss) == 0 && d.addr[0] == 0 &&
       in->sin_addr.s_addr == 0, "as given: no rewrite");
}

static void test_unix(void)
{
    sandlock_sockaddr d = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(d) };
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    strcpy(un.sun_path, "/run/x.sock");
    ok(sl_sockaddr_decode(&un, offsetof(struct sockaddr_un, sun_path) + 12, AF_UNIX, SANDLOCK_SA_CONNECT, 0, &d) ==
               0 &&
           d.kind == SANDLOCK_SA_UNIX_PATH && strcmp(d.name, "/run/x.sock") == 0 && d.name_len == 11,
       "unix path");
    ok(sl_sockaddr_decode(&un, offsetof(struct sockaddr_un, sun_path) + 5, AF_UNIX, SANDLOCK_SA_CONNECT, 0, &d) ==
               0 &&
           strcmp(d.name, "/run/") == 0,
       "unix path bounded by the length");
    memcpy(un.sun_path, "\0ab\0c", 5);
    ok(sl_sockaddr_decode(&un, offsetof(struct sockaddr_un, sun_path) + 5, AF_UNIX, SANDLOCK_SA_BIND, 0, &d) == 0 &&
           d.kind == SANDLOCK_SA_UNIX_ABSTRACT && d.name_len == 4 && memcmp(d.name, "ab\0c", 4) == 0,
       "abstract name, NULs kept");
    ok(sl_sockaddr_decode(&un, sizeof(sa_family_t), AF_UNIX, SANDLOCK_SA_BIND, 0, &d) == 0 &&
           d.kind == SANDLOCK_SA_UNIX_UNNAMED,
       "unnamed (autobind)");
    struct sockaddr sa = { .sa_family = AF_UNSPEC };
    ok(sl_sockaddr_decode(&sa, sizeof(sa), AF_UNIX, SANDLOCK_SA_CONNECT, 0, &d) == 0 && d.kind == SANDLOCK_SA_NONE,
       "AF_UNSPEC connect on a unix socket: a disconnect");
    sa.sa_family = AF_NETLINK;
    ok(sl_sockaddr_decode(&sa, sizeof(sa), 0, SANDLOCK_SA_AS_GIVEN, 0, &d) == 0 && d.kind == SANDLOCK_SA_OTHER &&
           d.family == AF_NETLINK,
       "another family, as given");
    d.struct_size = 8;
    ok(sl_sockaddr_decode(&sa, sizeof(sa), 0, SANDLOCK_SA_AS_GIVEN, 0, &d) == -EINVAL, "struct_size too small");
}

int main(void)
{
    test_inet();
    test_unix();
    return tap_done();
}
