/* rules.h -- netguard's address rules: parsing ADDR texts, turning a
 * decoded socket address into a destination and the "most specific rule wins"
 * decision. Pure functions, unit-tested in test-rules.c. */
#ifndef NETGUARD_RULES_H
#define NETGUARD_RULES_H

#include <sandlock/plugin.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum netguard_kind {
    NG_PORT_ONLY,   /* rule ":53": any IPv4 or IPv6 address */
    NG_IPV4,
    NG_IPV6,
    NG_UNIX,
};

/* One allow or deny rule, read-only after init. */
struct netguard_rule {
    int allow;
    enum netguard_kind kind;
    uint8_t addr[16];     /* network byte order, host bits cleared */
    int prefix;           /* bits of addr that must match */
    int port;             /* -1: any port */
    char *unix_path;      /* NG_UNIX: path or "@name"; NULL otherwise */
    int unix_glob;        /* NG_UNIX: pattern ended in '*': prefix match */
};

struct netguard_rules {
    struct netguard_rule *rule;
    size_t n;
};

/* Where a socket address points, in the form rules are matched against. */
struct netguard_dest {
    enum netguard_kind kind;   /* NG_IPV4, NG_IPV6 or NG_UNIX */
    uint8_t addr[16];          /* IPv4-mapped IPv6 addresses become IPv4 */
    int port;
    char path[4096];           /* NG_UNIX: absolute path or "@name" */
};

/* Parses one ADDR text into *rule. Returns 0, or -1 with *why set. */
int netguard_parse(const char *text, int allow, struct netguard_rule *rule, const char **why);

/* Appends a parsed rule (takes ownership of its unix_path). 0 or -1. */
int netguard_rules_add(struct netguard_rules *rules, const struct netguard_rule *rule);

/* Releases every rule. */
void netguard_rules_free(struct netguard_rules *rules);

/* Fills *dest from an IPv4 or IPv6 address as the host decoded it
 * (host->sockaddr_decode: an IPv4-mapped IPv6 address is IPv4 there).
 * Returns 0, or -1 when it is neither. */
int netguard_dest_from(const sandlock_sockaddr *sa, struct netguard_dest *dest);

/* The call an address is given to (the host decoder's SANDLOCK_SA_*). */
enum netguard_call {
    NG_CALL_CONNECT = SANDLOCK_SA_CONNECT,
    NG_CALL_BIND = SANDLOCK_SA_BIND,
    NG_CALL_SEND = SANDLOCK_SA_SEND,
};

/* Lexically normalises the absolute unix path `path` ("." and ".."
 * components and repeated slashes folded) into dest->path. 0 or -1. */
int netguard_dest_unix(const char *path, struct netguard_dest *dest);

/* Is dest allowed? The most specific matching rule decides (see rules.c);
 * without a match, default_allow decides. */
int netguard_allowed(const struct netguard_rules *rules, int default_allow,
                     const struct netguard_dest *dest);

#endif
