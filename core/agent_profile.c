/* agent_profile.c -- see agent_profile.h. */
#include "config.h"
#include "agent_profile.h"
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define PREFIX "profile="

int sl_agent_profile_name(const char *metadata, char *name, char *err, size_t errlen)
{
    if (!*metadata) {
        snprintf(name, SL_AGENT_MAX_PROFILE + 1, "%s", SL_AGENT_DEFAULT_PROFILE);
        return 0;
    }
    if (strncmp(metadata, PREFIX, strlen(PREFIX))) {
        sl_errf(err, errlen, "listenerMetadata \"%.80s\": expected \"profile=NAME\" or nothing", metadata);
        return -1;
    }
    const char *n = metadata + strlen(PREFIX);
    size_t len = strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");
    if (!len || n[len] || n[0] == '.' || len > SL_AGENT_MAX_PROFILE) {
        sl_errf(err, errlen, "listenerMetadata: profile name \"%.80s\": 1 to %d letters, digits, '-', '_' or "
                "'.' (not first)", n, SL_AGENT_MAX_PROFILE);
        return -1;
    }
    memcpy(name, n, len + 1);
    return 0;
}

int sl_agent_profile_file(const char *config, const char *name, char *path, size_t size, char *err,
                          size_t errlen)
{
    const char *slash = strrchr(config, '/');
    int dirlen = slash ? (int)(slash - config) : 1;
    const char *dir = slash ? config : ".";
    if (slash == config)
        dirlen = 0;    /* "/sandlock.ini": the root */
    int n = snprintf(path, size, "%.*s/agent.d/%s.ini", dirlen, dir, name);
    if (n < 0 || (size_t)n >= size) {
        sl_errf(err, errlen, "profile %s: path too long", name);
        return -1;
    }
    struct stat st;
    if (stat(path, &st)) {
        sl_errf(err, errlen, "unknown profile %s: %s: %s", name, path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        sl_errf(err, errlen, "profile %s: %s is not a regular file", name, path);
        return -1;
    }
    return 0;
}
