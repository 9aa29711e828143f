/* test-content.c -- unit tests of vfile's escape decoding and virtual path
 * normalisation. */
#include "content.h"
#include "tap.h"

#include <stdlib.h>

/* Decodes text and checks the exact bytes (including embedded layout). */
static void check_unescape(const char *text, const char *want, size_t want_len, const char *what)
{
    size_t len = 99;
    const char *why = NULL;
    char *got = vfile_unescape(text, &len, &why);
    ok(got && len == want_len && memcmp(got, want, want_len) == 0, "%s", what);
    free(got);
}

int main(void)
{
    check_unescape("sandbox\\n", "sandbox\n", 8, "\\n becomes a newline");
    check_unescape("a\\tb", "a\tb", 3, "\\t becomes a tab");
    check_unescape("c:\\\\x", "c:\\x", 4, "\\\\ becomes one backslash");
    check_unescape("\\@literal", "@literal", 8, "\\@ gives a literal @");
    check_unescape("", "", 0, "empty content");
    check_unescape("nameserver 127.0.0.1\\nsearch lan\\n", "nameserver 127.0.0.1\nsearch lan\n", 32,
                   "several lines");

    size_t len;
    const char *why = NULL;
    ok(vfile_unescape("bad\\q", &len, &why) == NULL && why, "unknown escape rejected");
    has_str(why, "unknown escape", "and named");
    why = NULL;
    ok(vfile_unescape("end\\", &len, &why) == NULL && why, "trailing backslash rejected");

    char *p = vfile_normalise("//etc/./x/../hostname/", &why);
    is_str(p, "/etc/hostname", "path folded");
    free(p);
    p = vfile_normalise("/../../etc/hosts", &why);
    is_str(p, "/etc/hosts", ".. stops at the root");
    free(p);
    ok(vfile_normalise("etc/hosts", &why) == NULL, "relative path rejected");
    has_str(why, "absolute", "with a reason");
    ok(vfile_normalise("/./", &why) == NULL, "the root is not a file");
    return tap_done();
}
