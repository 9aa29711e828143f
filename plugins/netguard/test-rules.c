/* test-rules.c -- unit tests of netguard's ADDR parser, destinations and
 * the "most specific rule wins" decision. (Socket addresses are decoded by
 * the host: tests/unit/test_sockaddr.c.) */
#include "rules.h"
#include "sockaddr.h"
#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/un.h>

/* Builds rules from "+ADDR" (allow) / "-ADDR" (deny) strings. */
static struct netguard_rules make(const char *const *specs)
{
    struct netguard_rules rules = { 0 };
    for (size_t i = 0; specs[i]; i++) {
        struct netguard_rule r;
        const char *why;
        if (netguard_parse(specs[i] + 1, specs[i][0] == '+', &r, &why) ||
            netguard_rules_add(&rules, &r))
            abort();
    }
    return rules;
}

/* A destination for an IPv4 or IPv6 text address and a port. */
static struct netguard_dest ip(const char *text, int port)
{
    struct netguard_dest d;
    struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
    struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sandlock_sockaddr sa = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(sa) };
    if (inet_pton(AF_INET, text, &in.sin_addr) == 1) {
        if (sl_sockaddr_decode(&in, sizeof(in), AF_INET, SANDLOCK_SA_CONNECT, 0, &sa))
            abort();
    } else if (inet_pton(AF_INET6, text, &in6.sin6_addr) != 1 ||
               sl_sockaddr_decode(&in6, sizeof(in6), AF_INET6, SANDLOCK_SA_CONNECT, 0, &sa)) {
        abort();
    }
    if (netguard_dest_from(&sa, &d))
        abort();
    return d;
}

static void test_parse(void)
{
    struct netguard_rule r;
    const char *why = NULL;
    ok(netguard_parse("10.0.0.0/8", 0, &r, &why) == 0 && r.kind == NG_IPV4 && r.prefix == 8 &&
       r.port == -1, "IPv4 network");
    ok(netguard_parse("10.1.2.3/8", 0, &r, &why) == 0 && r.addr[1] == 0, "host bits cleared");
    ok(netguard_parse("127.0.0.1", 0, &r, &why) == 0 && r.prefix == 32, "IPv4 address is /32");
    ok(netguard_parse("192.168.1.5:443", 0, &r, &why) == 0 && r.port == 443, "IPv4 with port");
    ok(netguard_parse("10.0.0.0/8:22", 0, &r, &why) == 0 && r.prefix == 8 && r.port == 22,
       "network with port");
    ok(netguard_parse("[::1]", 0, &r, &why) == 0 && r.kind == NG_IPV6 && r.prefix == 128, "IPv6");
    ok(netguard_parse("[fd00::]/8", 0, &r, &why) == 0 && r.prefix == 8 && r.addr[0] == 0xfd,
       "IPv6 network");
    ok(netguard_parse("[::1]:8080", 0, &r, &why) == 0 && r.port == 8080, "IPv6 with port");
    ok(netguard_parse(":53", 0, &r, &why) == 0 && r.kind == NG_PORT_ONLY && r.port == 53,
       "port only");
    ok(netguard_parse("unix:/run/x.sock", 0, &r, &why) == 0 && r.kind == NG_UNIX && !r.unix_glob,
       "unix path");
    free(r.unix_path);
    ok(netguard_parse("unix:/run/*", 0, &r, &why) == 0 && r.unix_glob, "unix prefix");
    is_str(r.unix_path, "/run/", "prefix stored without '*'");
    free(r.unix_path);

    static const char *const bad[] = {
        "", "10.0.0", "10.0.0.0/33", "10.0.0.0/", "[::1", "[::1]/129", "[zz::]", "1.2.3.4:70000",
        "1.2.3.4:", ":", ":x", "/8", "1.2.3.4 ", "unix:", "unix:rel/path", "unix:/a*b", "[::1]x",
        "10.0.0.1:80:1",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why = NULL;
        int rc = netguard_parse(bad[i], 0, &r, &why);
        ok(rc == -1 && why, "rejects '%s' (%s)", bad[i], why ? why : "no reason");
    }
}

static void test_dest(void)
{
    struct netguard_dest d = ip("::ffff:10.1.2.3", 80);
    ok(d.kind == NG_IPV4 && d.addr[0] == 10 && d.port == 80, "IPv4-mapped IPv6 becomes IPv4");
    sandlock_sockaddr un = { .kind = SANDLOCK_SA_UNIX_PATH };
    ok(netguard_dest_from(&un, &d) == -1, "unix is not inet");
    ok(netguard_dest_unix("/run//a/./b/../c.sock", &d) == 0, "unix path normalised");
    is_str(d.path, "/run/a/c.sock", "folded");
    ok(netguard_dest_unix("/../..", &d) == 0 && strcmp(d.path, "/") == 0, ".. stops at /");
    ok(netguard_dest_unix("rel", &d) == -1, "relative unix path refused");
}

static void test_decide(void)
{
    static const char *const lan[] = { "-10.0.0.0/8", "+10.1.0.0/16", "-10.1.2.3", NULL };
    struct netguard_rules r = make(lan);
    struct netguard_dest d = ip("10.9.9.9", 80);
    ok(!netguard_allowed(&r, 1, &d), "denied network");
    d = ip("10.1.9.9", 80);
    ok(netguard_allowed(&r, 1, &d), "longer allow prefix wins");
    d = ip("10.1.2.3", 80);
    ok(!netguard_allowed(&r, 1, &d), "host rule wins over both");
    d = ip("192.168.0.1", 80);
    ok(netguard_allowed(&r, 1, &d), "default allow");
    ok(!netguard_allowed(&r, 0, &d), "default deny");
    d = ip("::ffff:10.9.9.9", 80);
    ok(!netguard_allowed(&r, 1, &d), "IPv4-mapped address meets IPv4 rules");
    netguard_rules_free(&r);

    static const char *const dns[] = { "-127.0.0.0/8", "+127.0.0.0/8:53", "+:443", NULL };
    r = make(dns);
    d = ip("127.0.0.53", 53);
    ok(netguard_allowed(&r, 0, &d), "same prefix: a port rule beats a portless one");
    d = ip("127.0.0.53", 443);
    ok(!netguard_allowed(&r, 0, &d), "a /8 rule beats a port-only rule");
    d = ip("::1", 443);
    ok(netguard_allowed(&r, 0, &d), "port-only rule covers IPv6");
    d = ip("::1", 80);
    ok(!netguard_allowed(&r, 0, &d), "no IPv4 rule matches IPv6");
    netguard_rules_free(&r);

    static const char *const tie[] = { "+[::1]", "-[::1]", NULL };
    r = make(tie);
    d = ip("::1", 1);
    ok(!netguard_allowed(&r, 1, &d), "tie goes to deny");
    netguard_rules_free(&r);

    static const char *const sockets[] = { "-unix:/run/*", "+unix:/run/app/*", "-unix:/run/app/admin",
                                           "+unix:@bus", "+10.0.0.0/8", NULL };
    r = make(sockets);
    netguard_dest_unix("/run/docker.sock", &d);
    ok(!netguard_allowed(&r, 1, &d), "unix prefix denied");
    netguard_dest_unix("/run/app/web.sock", &d);
    ok(netguard_allowed(&r, 0, &d), "longer unix prefix allowed");
    netguard_dest_unix("/run/app/admin", &d);
    ok(!netguard_allowed(&r, 1, &d), "exact unix path wins");
    netguard_dest_unix("@bus", &d);
    ok(netguard_allowed(&r, 0, &d), "abstract name");
    netguard_dest_unix("/tmp/x", &d);
    ok(netguard_allowed(&r, 1, &d) && !netguard_allowed(&r, 0, &d), "IP rules never match unix");
    netguard_rules_free(&r);
}

int main(void)
{
    test_parse();
    test_dest();
    test_decide();
    return tap_done();
}
