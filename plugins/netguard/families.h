/* families.h -- the sockets netguard can judge. netguard decides by the
 * address a call names; a socket whose addresses it cannot read is a way
 * around every rule: AF_VSOCK reaches the hypervisor's host, AF_SMC falls
 * back to plain TCP to an IPv4 address, AF_RXRPC sends UDP, SCTP connects
 * through setsockopt(SCTP_SOCKOPT_CONNECTX) and sends to addresses in
 * ancillary data. So only the families netguard decodes (unix, IPv4,
 * IPv6) and those that stay inside the kernel (netlink, alg: kernel
 * crypto) may be created, and IPv4/IPv6 sockets not with SCTP. The rest
 * fails at socket(2) with the kernel's own error for a family or protocol
 * it lacks (EAFNOSUPPORT, EPROTONOSUPPORT), in the filter: no
 * notification. */
#ifndef NETGUARD_FAMILIES_H
#define NETGUARD_FAMILIES_H

#include <sandlock/plugin.h>

/* Declares the static rules from init(). 0, or -1 with errbuf set. */
int netguard_families_declare(const sandlock_host *host, const sandlock_config *cfg, char *errbuf);

#endif
