/* agent_profile.h -- which configuration serves a container: the
 * container's listenerMetadata (the seccomp profile's, chosen by whoever
 * wrote the pod or the bundle) names a profile, a file agent.d/NAME.ini in
 * the directory of the agent's sandlock.ini. Fail closed: metadata of
 * another form, a name that could leave agent.d/, or a profile without a
 * file is refused, never served by some other configuration. */
#ifndef SANDLOCK_AGENT_PROFILE_H
#define SANDLOCK_AGENT_PROFILE_H

#include <stddef.h>

/* The profile of empty metadata. */
#define SL_AGENT_DEFAULT_PROFILE "default"
/* The longest profile name. */
#define SL_AGENT_MAX_PROFILE 64

/* The profile name `metadata` selects into name (SL_AGENT_MAX_PROFILE + 1
 * bytes): "" selects SL_AGENT_DEFAULT_PROFILE, "profile=NAME" selects NAME
 * (letters, digits, '-', '_', '.', not first); anything else is refused.
 * 0, or -1 with the reason. */
int sl_agent_profile_name(const char *metadata, char *name, char *err, size_t errlen);

/* The configuration file of profile `name` for the agent's configuration
 * file `config` ("DIR/agent.d/NAME.ini", DIR being config's directory)
 * into path; it must be a regular file. 0, or -1 with the reason. */
int sl_agent_profile_file(const char *config, const char *name, char *path, size_t size, char *err,
                          size_t errlen);

#endif
