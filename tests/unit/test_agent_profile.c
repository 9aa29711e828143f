/* test_agent_profile.c -- which configuration a container's
 * listenerMetadata selects (core/agent_profile.c): the accepted forms,
 * every refused one, and the file under agent.d/. */
#include "config.h"
#include "agent_profile.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void refused(const char *metadata, const char *why)
{
    char name[SL_AGENT_MAX_PROFILE + 1] = "", err[256] = "";
    int rc = sl_agent_profile_name(metadata, name, err, sizeof(err));
    ok(rc == -1, "\"%s\" refused", metadata);
    has_str(err, why, "\"%s\": the reason", metadata);
}

int main(void)
{
    char name[SL_AGENT_MAX_PROFILE + 1], err[256], path[4096];
    is_int(sl_agent_profile_name("", name, err, sizeof(err)), 0, "no metadata");
    is_str(name, "default", "no metadata: the default profile");
    is_int(sl_agent_profile_name("profile=web-1.v2_x", name, err, sizeof(err)), 0, "profile=NAME");
    is_str(name, "web-1.v2_x", "profile=NAME: NAME");
    char longest[128];
    snprintf(longest, sizeof(longest), "profile=%0*d", SL_AGENT_MAX_PROFILE, 0);
    is_int(sl_agent_profile_name(longest, name, err, sizeof(err)), 0, "a name of %d characters", SL_AGENT_MAX_PROFILE);
    snprintf(longest, sizeof(longest), "profile=%0*d", SL_AGENT_MAX_PROFILE + 1, 0);
    refused(longest, "1 to 64 letters");
    refused("web", "expected \"profile=NAME\"");
    refused("Profile=web", "expected \"profile=NAME\"");
    refused("profile=", "1 to 64 letters");
    refused("profile=../etc/x", "1 to 64 letters");
    refused("profile=a/b", "1 to 64 letters");
    refused("profile=..", "1 to 64 letters");
    refused("profile=.hidden", "1 to 64 letters");
    refused("profile=web other=1", "1 to 64 letters");
    refused("profile=web\t", "1 to 64 letters");

    char dir[] = "/tmp/sandlock-profile.XXXXXX";
    ok(mkdtemp(dir) != NULL, "a directory");
    char config[256], file[300], sub[300];
    snprintf(config, sizeof(config), "%s/sandlock.ini", dir);
    snprintf(sub, sizeof(sub), "%s/agent.d", dir);
    mkdir(sub, 0755);
    snprintf(file, sizeof(file), "%s/agent.d/web.ini", dir);
    FILE *f = fopen(file, "w");
    fclose(f);
    snprintf(sub, sizeof(sub), "%s/agent.d/adir.ini", dir);
    mkdir(sub, 0755);
    is_int(sl_agent_profile_file(config, "web", path, sizeof(path), err, sizeof(err)), 0, "a profile's file");
    is_str(path, file, "agent.d/ next to the configuration");
    ok(sl_agent_profile_file(config, "nosuch", path, sizeof(path), err, sizeof(err)) == -1, "no file: refused");
    has_str(err, "unknown profile nosuch", "no file: the reason");
    ok(sl_agent_profile_file(config, "adir", path, sizeof(path), err, sizeof(err)) == -1, "a directory: refused");
    has_str(err, "not a regular file", "a directory: the reason");
    ok(sl_agent_profile_file(config, "web", path, 10, err, sizeof(err)) == -1, "a path too long: refused");
    sl_agent_profile_file("sandlock.ini", "web", path, sizeof(path), err, sizeof(err));
    is_str(path, "./agent.d/web.ini", "a configuration in the current directory");
    sl_agent_profile_file("/sandlock.ini", "web", path, sizeof(path), err, sizeof(err));
    is_str(path, "/agent.d/web.ini", "a configuration in the root directory");
    rmdir(sub);
    unlink(file);
    snprintf(sub, sizeof(sub), "%s/agent.d", dir);
    rmdir(sub);
    rmdir(dir);
    return tap_done();
}
