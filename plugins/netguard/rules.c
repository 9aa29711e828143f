/* rules.c -- see rules.h.
 *
 * Specificity, compared in this order:
 *   IP rules:   the address prefix length in bits (a plain address is /32
 *               or /128, a port-only rule such as ":53" is /0), then a rule
 *               with a port beats one without.
 *   unix rules: the number of literal characters (the '*' of a prefix
 *               pattern not counted), then an exact path beats a prefix.
 * The most specific matching rule decides; between equally specific rules
 * deny wins. IP rules never match unix destinations and the reverse. */
#include "rules.h"
#include "../pathnorm.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

/* Parses a decimal number in [0, max] spanning exactly [s, end). */
static int parse_number(const char *s, const char *end, long max, long *out)
{
    if (s == end || end - s > 6)
        return -1;
    long v = 0;
    for (const char *p = s; p < end; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

/* Clears the bits of addr (len bytes) beyond the first `prefix` bits. */
static void mask_address(uint8_t *addr, size_t len, int prefix)
{
    for (size_t i = 0; i < len; i++) {
        int keep = prefix - (int)i * 8;
        if (keep <= 0)
            addr[i] = 0;
        else if (keep < 8)
            addr[i] &= (uint8_t)(0xff << (8 - keep));
    }
}

/* Parses "unix:/path", "unix:/prefix*" or "unix:@abstract". */
static int parse_unix(const char *p, struct netguard_rule *rule, const char **why)
{
    size_t len = strlen(p);
    if (len == 0 || (p[0] != '/' && p[0] != '@')) {
        *why = "unix: needs an absolute path or @abstract-name";
        return -1;
    }
    rule->kind = NG_UNIX;
    rule->unix_glob = p[len - 1] == '*';
    if (rule->unix_glob)
        len--;
    if (memchr(p, '*', len)) {
        *why = "'*' is only allowed at the end of a unix path";
        return -1;
    }
    rule->unix_path = strndup(p, len);
    if (!rule->unix_path) {
        *why = "out of memory";
        return -1;
    }
    return 0;
}

int netguard_parse(const char *text, int allow, struct netguard_rule *rule, const char **why)
{
    memset(rule, 0, sizeof(*rule));
    rule->allow = allow;
    rule->port = -1;
    if (strncmp(text, "unix:", 5) == 0)
        return parse_unix(text + 5, rule, why);

    const char *addr = text, *addr_end, *rest;
    if (text[0] == '[') {
        addr = text + 1;
        addr_end = strchr(addr, ']');
        if (!addr_end) {
            *why = "missing ']' after an IPv6 address";
            return -1;
        }
        rest = addr_end + 1;
        rule->kind = NG_IPV6;
    } else {
        addr_end = addr + strcspn(addr, "/:");
        rest = addr_end;
        rule->kind = addr_end == addr ? NG_PORT_ONLY : NG_IPV4;
    }
    int maxbits = rule->kind == NG_IPV6 ? 128 : 32;
    rule->prefix = rule->kind == NG_PORT_ONLY ? 0 : maxbits;
    if (rule->kind != NG_PORT_ONLY) {
        char buf[INET6_ADDRSTRLEN + 1];
        size_t alen = (size_t)(addr_end - addr);
        if (alen == 0 || alen >= sizeof(buf)) {
            *why = "bad address";
            return -1;
        }
        memcpy(buf, addr, alen);
        buf[alen] = '\0';
        if (inet_pton(rule->kind == NG_IPV6 ? AF_INET6 : AF_INET, buf, rule->addr) != 1) {
            *why = rule->kind == NG_IPV6 ? "bad IPv6 address" : "bad IPv4 address";
            return -1;
        }
    }
    if (*rest == '/') {
        const char *end = rest + 1 + strcspn(rest + 1, ":");
        long bits;
        if (rule->kind == NG_PORT_ONLY || parse_number(rest + 1, end, maxbits, &bits)) {
            *why = "bad prefix length";
            return -1;
        }
        rule->prefix = (int)bits;
        rest = end;
    }
    if (*rest == ':') {
        long port;
        if (parse_number(rest + 1, rest + strlen(rest), 65535, &port)) {
            *why = "bad port (0..65535)";
            return -1;
        }
        rule->port = (int)port;
        rest += strlen(rest);
    }
    if (*rest) {
        *why = "unexpected text after the address";
        return -1;
    }
    if (rule->kind == NG_PORT_ONLY && rule->port < 0) {
        *why = "empty address";
        return -1;
    }
    mask_address(rule->addr, rule->kind == NG_IPV6 ? 16 : 4, rule->prefix);
    return 0;
}

int netguard_rules_add(struct netguard_rules *rules, const struct netguard_rule *rule)
{
    struct netguard_rule *grown = realloc(rules->rule, (rules->n + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    rules->rule = grown;
    rules->rule[rules->n++] = *rule;
    return 0;
}

void netguard_rules_free(struct netguard_rules *rules)
{
    for (size_t i = 0; i < rules->n; i++)
        free(rules->rule[i].unix_path);
    free(rules->rule);
    rules->rule = NULL;
    rules->n = 0;
}

int netguard_dest_from(const sandlock_sockaddr *sa, struct netguard_dest *dest)
{
    memset(dest->addr, 0, sizeof(dest->addr));
    dest->path[0] = '\0';
    dest->port = (int)sa->port;
    if (sa->kind == SANDLOCK_SA_INET) {
        dest->kind = NG_IPV4;
        memcpy(dest->addr, sa->addr, 4);
    } else if (sa->kind == SANDLOCK_SA_INET6) {
        dest->kind = NG_IPV6;
        memcpy(dest->addr, sa->addr, 16);
    } else {
        return -1;
    }
    return 0;
}

int netguard_dest_unix(const char *path, struct netguard_dest *dest)
{
    dest->kind = NG_UNIX;
    dest->port = -1;
    if (path[0] == '@') {
        if (strlen(path) >= sizeof(dest->path))
            return -1;
        strcpy(dest->path, path);
        return 0;
    }
    return plugin_path_normalise(path, dest->path, sizeof(dest->path)) < 0 ? -1 : 0;
}

/* Does rule r match dest? */
static int matches(const struct netguard_rule *r, const struct netguard_dest *d)
{
    if (d->kind == NG_UNIX) {
        if (r->kind != NG_UNIX)
            return 0;
        size_t len = strlen(r->unix_path);
        return r->unix_glob ? strncmp(d->path, r->unix_path, len) == 0
                            : strcmp(d->path, r->unix_path) == 0;
    }
    if (r->kind == NG_UNIX || (r->kind != NG_PORT_ONLY && r->kind != d->kind))
        return 0;
    if (r->port >= 0 && r->port != d->port)
        return 0;
    uint8_t masked[16];
    memcpy(masked, d->addr, sizeof(masked));
    mask_address(masked, d->kind == NG_IPV6 ? 16 : 4, r->prefix);
    return memcmp(masked, r->addr, d->kind == NG_IPV6 ? 16 : 4) == 0;
}

/* Orders two matching rules: positive when a is more specific than b. */
static int compare(const struct netguard_rule *a, const struct netguard_rule *b)
{
    long a1, a2, b1, b2;
    if (a->kind == NG_UNIX) {
        a1 = (long)strlen(a->unix_path);
        b1 = (long)strlen(b->unix_path);
        a2 = !a->unix_glob;
        b2 = !b->unix_glob;
    } else {
        a1 = a->prefix;
        b1 = b->prefix;
        a2 = a->port >= 0;
        b2 = b->port >= 0;
    }
    if (a1 != b1)
        return a1 > b1 ? 1 : -1;
    if (a2 != b2)
        return a2 > b2 ? 1 : -1;
    return 0;
}

int netguard_allowed(const struct netguard_rules *rules, int default_allow,
                     const struct netguard_dest *dest)
{
    const struct netguard_rule *best = NULL;
    for (size_t i = 0; i < rules->n; i++) {
        const struct netguard_rule *r = &rules->rule[i];
        if (!matches(r, dest))
            continue;
        int c = best ? compare(r, best) : 1;
        if (c > 0 || (c == 0 && !r->allow))
            best = r;
    }
    return best ? best->allow : default_allow;
}
