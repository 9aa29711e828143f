/* families.c -- see families.h. */
#include "families.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define CMP32(a, op_, v) { .arg = (a), .op = SANDLOCK_CMP_##op_ | SANDLOCK_CMP_32BIT, .value = (v) }

/* The families a sandboxed process may create. socket(2)'s domain and
 * protocol are ints: only their low 32 bits count. */
static const sandlock_syscall_rule family_rules[] = {
    { .syscall = "socket", .verdict = SANDLOCK_VERDICT_ERRNO, .error = EAFNOSUPPORT, .ncmp = 5,
      .cmp = { CMP32(0, NE, AF_UNIX), CMP32(0, NE, AF_INET), CMP32(0, NE, AF_INET6), CMP32(0, NE, AF_NETLINK),
               CMP32(0, NE, AF_ALG) } },
    { .syscall = "socket", .verdict = SANDLOCK_VERDICT_ERRNO, .error = EPROTONOSUPPORT, .ncmp = 2,
      .cmp = { CMP32(0, EQ, AF_INET), CMP32(2, EQ, IPPROTO_SCTP) } },
    { .syscall = "socket", .verdict = SANDLOCK_VERDICT_ERRNO, .error = EPROTONOSUPPORT, .ncmp = 2,
      .cmp = { CMP32(0, EQ, AF_INET6), CMP32(2, EQ, IPPROTO_SCTP) } },
};

int netguard_families_declare(const sandlock_host *host, const sandlock_config *cfg, char *errbuf)
{
    if (!SANDLOCK_HOST_HAS(host, add_syscall_rule)) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "needs a host with syscall rules (SDK 1.4) to refuse the "
                 "socket families it cannot judge");
        return -1;
    }
    for (size_t i = 0; i < sizeof(family_rules) / sizeof(family_rules[0]); i++) {
        sandlock_syscall_rule rule = family_rules[i];
        rule.abi_version = SANDLOCK_ABI_VERSION;
        rule.struct_size = sizeof(rule);
        int rc = host->add_syscall_rule(cfg, &rule);
        if (rc) {
            snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "cannot declare its socket rules: %s", strerror(-rc));
            return -1;
        }
    }
    return 0;
}
