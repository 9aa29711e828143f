/* test_placeholders.c -- a container's identity in an agent profile's keys
 * (core/placeholders.c): what each placeholder becomes, and every value
 * the runtime could send that must not become part of a path (ids with
 * '/', "..", a leading '.', control characters, too long), each refused
 * with the file and line of the key. */
#include "config.h"
#include "denial.h"
#include "placeholders.h"
#include "sl_config.h"
#include "tap.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const annotations[] = { "io.kubernetes.pod.name", "web-1", "bad", "../x", NULL };

/* Expands the value of one key of [plugin p]; *err set on failure. */
static char *expand(const char *value, const char *id, const char *bundle, int sample, char *err, size_t errlen)
{
    char text[2048];
    snprintf(text, sizeof(text), "[plugin p]\nmodule = verdict\nkey = %s\n", value);
    struct sl_config_file *cfg = sl_config_parse(text, "t.ini", err, errlen);
    if (!cfg)
        return NULL;
    struct sl_placeholder_values v = { .id = id, .bundle = bundle, .annotations = annotations };
    char *out = NULL;
    *err = '\0';
    if (!sl_placeholders_expand(cfg, &v, sample, err, errlen))
        out = strdup(cfg->instances[0]->keys[0].value);
    sl_config_free(cfg);
    return out;
}

static void expands(const char *value, const char *id, const char *want)
{
    char err[1024];
    char *got = expand(value, id, "/run/containers/b-1/", 0, err, sizeof(err));
    is_str(got ? got : err, want, "%s with id %s", value, id);
    free(got);
}

static void refused(const char *value, const char *id, const char *why)
{
    char err[1024], quoted[64];
    sl_quote(id, quoted, sizeof(quoted));
    char *got = expand(value, id, "/b", 0, err, sizeof(err));
    ok(!got, "%s with id %s: refused", value, quoted);
    has_str(err, why, "%s with id %s: the reason", value, quoted);
    has_str(err, "t.ini:3: [plugin p]: key", "%s: names the file, line and key", value);
    free(got);
}

int main(void)
{
    expands("/var/log/%{id}.audit", "c1", "/var/log/c1.audit");
    expands("%{id}", "0c83b7dfb9f8", "0c83b7dfb9f8");
    expands("/v/%{id}/%{bundle}-%{id}", "a.b_c+d-e", "/v/a.b_c+d-e/b-1-a.b_c+d-e");
    expands("/v/%{annotation:io.kubernetes.pod.name}.log", "c", "/v/web-1.log");
    expands("100% plain, %d %s %", "c", "100% plain, %d %s %");
    expands("no placeholder", "../../etc", "no placeholder");

    /* Ids that would leave the directory or name something else. */
    refused("/var/log/%{id}.audit", "a/b", "the container's id \"a/b\" is not a safe file name");
    refused("/var/log/%{id}", "..", "is not a safe file name");
    refused("/var/log/%{id}", ".", "is not a safe file name");
    refused("/var/log/%{id}", "../../etc/passwd", "is not a safe file name");
    refused("/var/log/%{id}", ".hidden", "is not a safe file name");
    refused("/var/log/%{id}", "", "is not a safe file name");
    refused("/var/log/%{id}", "a\nforged line", "\"a\\x0aforged line\" is not a safe file name");
    refused("/var/log/%{id}", "a b", "is not a safe file name");
    refused("/var/log/%{id}", "%{id}", "is not a safe file name");
    char longest[NAME_MAX + 2];
    memset(longest, 'a', NAME_MAX + 1);
    longest[NAME_MAX + 1] = '\0';
    refused("/var/log/%{id}", longest, "is not a safe file name");
    longest[NAME_MAX] = '\0';
    char want[NAME_MAX + 16];
    snprintf(want, sizeof(want), "/v/%s", longest);
    expands("/v/%{id}", longest, want);

    /* The bundle's last component, and annotations, are checked the same. */
    char err[1024];
    char *got = expand("/v/%{bundle}", "c", "/", 0, err, sizeof(err));
    ok(!got && strstr(err, "the bundle's last component \"\" is not a safe file name"), "bundle \"/\": %s", err);
    free(got);
    got = expand("/v/%{bundle}", "c", "/x/..", 0, err, sizeof(err));
    ok(!got && strstr(err, "\"..\" is not a safe file name"), "bundle \"/x/..\": %s", err);
    free(got);
    refused("/v/%{annotation:bad}", "c", "the annotation \"../x\" is not a safe file name");
    refused("/v/%{annotation:none}", "c", "the container has no annotation \"none\"");

    /* The syntax. */
    refused("/v/%{ID}", "c", "unknown placeholder %{\"ID\"}: expected %{id}, %{bundle} or %{annotation:KEY}");
    refused("/v/%{}", "c", "unknown placeholder");
    refused("/v/%{annotation:}", "c", "unknown placeholder");
    refused("/v/%{id", "c", "a placeholder without its '}'");

    /* oci-profile's sample: every placeholder, whatever the container. */
    got = expand("/v/%{id}/%{bundle}/%{annotation:none}", "../x", "/", 1, err, sizeof(err));
    is_str(got ? got : err, "/v/oci-profile/oci-profile/oci-profile", "the sample values");
    free(got);
    return tap_done();
}
