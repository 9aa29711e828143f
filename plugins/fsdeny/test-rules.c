/* test-rules.c -- unit tests of fsdeny's glob dialect, pattern
 * normalisation and the "most specific rule wins" decision. */
#include "rules.h"
#include "tap.h"

#include <stdlib.h>

/* Builds a rule set from "+pattern" (allow) / "-pattern" (deny) strings. */
static struct fsdeny_rules make(const char *const *specs)
{
    struct fsdeny_rules rules = { 0 };
    for (size_t i = 0; specs[i]; i++) {
        const char *why = NULL;
        char *p = fsdeny_normalise(specs[i] + 1, "/home/u", &why);
        if (!p || fsdeny_rules_add(&rules, p, specs[i][0] == '+'))
            abort();
    }
    return rules;
}

static void test_glob(void)
{
    ok(fsdeny_glob_match("/etc/shadow", "/etc/shadow"), "literal matches itself");
    ok(!fsdeny_glob_match("/etc/shadow", "/etc/shadow-"), "literal needs the whole component");
    ok(fsdeny_glob_match("/etc/ssl", "/etc/ssl/private/key.pem"), "a directory covers what is below it");
    ok(!fsdeny_glob_match("/etc/ssl/private", "/etc/ssl"), "but not its parent");
    ok(fsdeny_glob_match("/home/*/.ssh", "/home/bob/.ssh/id_rsa"), "* matches one component");
    ok(!fsdeny_glob_match("/home/*.ssh", "/home/bob/x.ssh"), "* does not cross '/'");
    ok(fsdeny_glob_match("/srv/**.key", "/srv/a/b/c.key"), "** crosses '/'");
    ok(!fsdeny_glob_match("/srv/**.key", "/srv/a/b/c.pem"), "** still needs the suffix");
    ok(fsdeny_glob_match("/tmp/file?", "/tmp/file7"), "? matches one character");
    ok(!fsdeny_glob_match("/tmp/file?", "/tmp/file"), "? needs a character");
    ok(!fsdeny_glob_match("/tmp/a?b", "/tmp/a/b"), "? does not match '/'");
    ok(fsdeny_glob_match("/dev/sd[a-c]", "/dev/sdb"), "range class");
    ok(!fsdeny_glob_match("/dev/sd[a-c]", "/dev/sdd"), "range class excludes");
    ok(fsdeny_glob_match("/dev/sd[!a]", "/dev/sdz"), "negated class");
    ok(!fsdeny_glob_match("/dev/sd[!a]", "/dev/sda"), "negated class excludes");
    ok(fsdeny_glob_match("/x/[]]", "/x/]"), "']' first in a class is literal");
    ok(fsdeny_glob_match("/x/a[b", "/x/a[b"), "unclosed '[' is literal");
    ok(fsdeny_glob_match("/x/\\*", "/x/*"), "escaped '*' is literal");
    ok(!fsdeny_glob_match("/x/\\*", "/x/y"), "escaped '*' is not a wildcard");
    ok(fsdeny_glob_match("/", "/anything/at/all"), "'/' covers everything");
    ok(fsdeny_glob_match("/home/u/*.pem", "/home/u/a.pem"), "suffix after *");
}

static void test_normalise(void)
{
    const char *why = NULL;
    char *p = fsdeny_normalise("~/.ssh/", "/home/u", &why);
    is_str(p, "/home/u/.ssh", "~ expands, trailing slash dropped");
    free(p);
    p = fsdeny_normalise("~", "/home/u/", &why);
    is_str(p, "/home/u", "bare ~ is the home directory");
    free(p);
    p = fsdeny_normalise("//etc///ssl", "/home/u", &why);
    is_str(p, "/etc/ssl", "repeated slashes fold");
    free(p);
    p = fsdeny_normalise("/", NULL, &why);
    is_str(p, "/", "root stays root");
    free(p);
    p = fsdeny_normalise("~bob/x", "/home/u", &why);
    ok(p == NULL && why, "~user is not supported");
    p = fsdeny_normalise("etc/passwd", "/home/u", &why);
    ok(p == NULL, "relative pattern rejected");
    has_str(why, "absolute", "and the reason says why");
    p = fsdeny_normalise("~/x", NULL, &why);
    ok(p == NULL, "~ without a home directory is rejected");
}

static void test_decide(void)
{
    static const char *const basic[] = { "-/etc/secret", "+/etc/secret/public", NULL };
    struct fsdeny_rules r = make(basic);
    ok(fsdeny_denied(&r, "/etc/secret"), "denied directory");
    ok(fsdeny_denied(&r, "/etc/secret/key"), "below a denied directory");
    ok(!fsdeny_denied(&r, "/etc/secret/public/cert"), "allow with a longer prefix wins");
    ok(!fsdeny_denied(&r, "/etc/passwd"), "unmatched path allowed");
    fsdeny_rules_free(&r);

    static const char *const ssh[] = { "-~/.ssh/*", "+~/.ssh/*.pub", NULL };
    r = make(ssh);
    ok(fsdeny_denied(&r, "/home/u/.ssh/id_ed25519"), "private key denied");
    ok(!fsdeny_denied(&r, "/home/u/.ssh/id_ed25519.pub"), "same prefix: more literals win");
    fsdeny_rules_free(&r);

    static const char *const tie[] = { "+/data/*", "-/data/?", NULL };
    r = make(tie);
    ok(fsdeny_denied(&r, "/data/x"), "full tie goes to deny");
    ok(!fsdeny_denied(&r, "/data/xy"), "only the allow matches");
    fsdeny_rules_free(&r);

    static const char *const broad[] = { "+/data", "-/data/*/secret", NULL };
    r = make(broad);
    ok(fsdeny_denied(&r, "/data/a/secret"), "longer literal prefix wins for deny too");
    ok(!fsdeny_denied(&r, "/data/a/public"), "allow elsewhere");
    fsdeny_rules_free(&r);

    static const char *const only_allow[] = { "+/etc", NULL };
    r = make(only_allow);
    ok(!fsdeny_denied(&r, "/etc/shadow"), "allow alone denies nothing");
    fsdeny_rules_free(&r);
}

int main(void)
{
    test_glob();
    test_normalise();
    test_decide();
    return tap_done();
}
