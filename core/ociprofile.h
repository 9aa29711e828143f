/* ociprofile.h -- `sandlock oci-profile`: the seccomp profile (OCI
 * runtime-spec linux.seccomp / Kubernetes Localhost profile, JSON) that
 * makes a container runtime install a filter equivalent to sandlock's and
 * hand its listener to the agent at --socket. What is denied and what is
 * notified comes from the same places the filter takes them (the deny
 * list of loader.c, the argument rules of argdeny.c, the chains of
 * chain.c): no second table. */
#ifndef SANDLOCK_OCIPROFILE_H
#define SANDLOCK_OCIPROFILE_H

#include <jansson.h>
#include <stddef.h>

struct sl_chains;

struct sl_oci_profile_input {
    const struct sl_chains *chains;  /* every syscall in a chain is notified */
    const int *deny;                 /* native numbers: EPERM */
    size_t ndeny;
    int builtin;                     /* default_deny: argdeny.h's rules too */
    const char *socket;              /* listenerPath */
    const char *metadata;            /* listenerMetadata, or NULL */
};

/* Builds the profile, merged into `base` (a profile as parsed, taken
 * over; NULL: a fresh one). A syscall the base denies stays denied, and
 * so does one whose argument conditions the base decides: a warning on
 * stderr names each. Returns the profile, or NULL with the reason. */
json_t *sl_oci_profile_build(const struct sl_oci_profile_input *in, json_t *base, char *err, size_t errlen);

/* `sandlock oci-profile [-c FILE] [--base PROFILE.json] --socket PATH
 * [--metadata M]` (argv[0] is "oci-profile"). Returns the exit status. */
int sl_oci_profile_main(int argc, char **argv);

#endif
