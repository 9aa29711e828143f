/* rules.h -- netguard's address rules: parsing ADDR texts, turning a
 * socket address into a destination and the "most specific rule wins"
 * decision. Pure functions, unit-tested in test-rules.c. */
#ifndef NETGUARD_RULES_H
#define NETGUARD_RULES_H

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

/* Fills *dest from an IPv4 or IPv6 socket address of `len` bytes. Returns
 * 0, or -1 when the family is not IPv4/IPv6 or the address is too short. */
int netguard_dest_inet(const struct sockaddr *sa, size_t len, struct netguard_dest *dest);

/* The call an address is given to. */
enum netguard_call {
    NG_CALL_CONNECT,
    NG_CALL_BIND,
    NG_CALL_SEND,
};

/* What netguard_decode() made of an address. */
enum netguard_decoded {
    NG_DECODED = 0,    /* dest holds where the kernel will go (or bind) */
    NG_NO_DEST = 1,    /* the call names no destination (AF_UNSPEC connect:
                          disconnect; AF_UNSPEC send on a UDP IPv6 socket) */
};

/* Decodes the address copy `addr` (`len` bytes) given to `call` on a socket
 * of family `domain` (AF_INET or AF_INET6) the way the kernel reads it:
 * AF_UNSPEC is what the socket's protocols make of it (an IPv4 address for
 * sends and for bind of 0.0.0.0 on IPv4 sockets, a disconnect for connect),
 * an AF_INET address on an IPv6 socket is IPv4, an IPv4-mapped IPv6 address
 * is IPv4. A destination that means "this host" (0.0.0.0, ::,
 * ::ffff:0.0.0.0) is rewritten in `addr` to the address the kernel would
 * use: `local4`, the socket's own IPv4 address when it is bound to one
 * (0 otherwise, then 127.0.0.1), and ::1 for IPv6. Returns NG_DECODED or
 * NG_NO_DEST, or -errno for an address the kernel refuses (or one netguard
 * cannot read, which it then refuses too). */
int netguard_decode(int domain, enum netguard_call call, struct sockaddr_storage *addr, size_t len,
                    uint32_t local4, struct netguard_dest *dest);

/* Lexically normalises the absolute unix path `path` ("." and ".."
 * components and repeated slashes folded) into dest->path. 0 or -1. */
int netguard_dest_unix(const char *path, struct netguard_dest *dest);

/* Is dest allowed? The most specific matching rule decides (see rules.c);
 * without a match, default_allow decides. */
int netguard_allowed(const struct netguard_rules *rules, int default_allow,
                     const struct netguard_dest *dest);

#endif
