/* placeholders.h -- a container's identity in an agent profile's keys
 * (sandlock-agent(8), sandlock.ini(5) "PLACEHOLDERS"): `%{id}`,
 * `%{bundle}` and `%{annotation:KEY}` in the value of a plugin key are
 * replaced, for each container, before the instances' init(), e.g.
 * "output = /var/log/sandlock/%{id}.audit".
 *
 * The values come from the container runtime's message, which the agent
 * does not trust to be well formed: a value is substituted only when it is
 * one path component of the safe kind (letters, digits, '.', '_', '+',
 * '-', not starting with '.', at most NAME_MAX bytes), so no value can make
 * a path leave its directory, name a hidden file or forge a line; any
 * other value refuses the container (its listener closed: fail closed),
 * never a mangled name two containers could share.
 *
 * Outside the agent there is no container: `sandlock run`, `check` and
 * sandlock(3) refuse a placeholder with FILE:LINE (sl_placeholder_find()
 * in the key check), so a file literally named "%{id}.audit" is never
 * made. `sandlock oci-profile` expands them with SL_PLACEHOLDER_SAMPLE. */
#ifndef SANDLOCK_PLACEHOLDERS_H
#define SANDLOCK_PLACEHOLDERS_H

#include <stddef.h>

struct sl_config_file;

/* What the placeholders of one container stand for. */
struct sl_placeholder_values {
    const char *id;                        /* %{id}: the container's id */
    const char *bundle;                    /* %{bundle}: its bundle's last path component */
    const char *const *annotations;        /* %{annotation:KEY}: key, value, ..., NULL */
};

/* What `sandlock oci-profile` puts in place of every placeholder (the
 * profile does not depend on it; init() may still open files). */
#define SL_PLACEHOLDER_SAMPLE "oci-profile"

/* The first "%{" of value, or NULL: every "%{" starts a placeholder (a
 * lone '%' is a literal). */
const char *sl_placeholder_find(const char *value);

/* Replaces the placeholders in every plugin key's value of cfg with v's
 * values (v->id and v->bundle must not be NULL; every value is the
 * SAMPLE one when sample is set). 0, or -1 with "FILE:LINE: ..." in err:
 * an unknown or unterminated placeholder, an annotation the container
 * does not have, or a value that is not a safe path component. */
int sl_placeholders_expand(struct sl_config_file *cfg, const struct sl_placeholder_values *v, int sample, char *err,
                           size_t errlen);

#endif
