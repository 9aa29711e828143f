/* test_trust.c -- sl_trust_open_for: the file returned is the one checked,
 * and a file that someone other than root or the user could have written
 * (through its mode or owner, a directory or symbolic link on the way, or a
 * hard link in a sticky directory) is refused with a reason naming it.
 * Runs in a private directory under /tmp (root-owned and sticky, as the
 * rule allows). Other owners need root (chown); without it they are
 * simulated by checking for a user other than the files' owner. */
#include "config.h"
#include "trust.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char top[] = "/tmp/sandlock-trust-test.XXXXXX";
static uid_t me;
static char why[512];

/* top + "/" + name, in one of a few rotating buffers. */
static const char *at(const char *name)
{
    static char bufs[4][PATH_MAX];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, PATH_MAX, "%s/%s", top, name);
    return b;
}

static void make_file(const char *name, mode_t mode)
{
    int fd = open(at(name), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
        if (write(fd, name, strlen(name)) < 0)
            perror("write");
        close(fd);
    }
    chmod(at(name), mode);
}

static void make_dir(const char *name, mode_t mode)
{
    mkdir(at(name), 0700);
    chmod(at(name), mode);
}

/* The file opened is `name` (its content is its own name). */
static void opens(uid_t user, const char *path, const char *content, const char *what)
{
    char got[64] = "";
    int fd = sl_trust_open_for(user, path, why, sizeof(why));
    if (fd >= 0) {
        ssize_t n = read(fd, got, sizeof(got) - 1);
        got[n > 0 ? n : 0] = '\0';
        close(fd);
    }
    ok(fd >= 0 && strcmp(got, content) == 0, "%s: opened (%s)", what, fd >= 0 ? got : why);
}

static void refused(uid_t user, const char *path, const char *reason, const char *what)
{
    int fd = sl_trust_open_for(user, path, why, sizeof(why));
    if (fd >= 0)
        close(fd);
    ok(fd == SL_TRUST_REFUSED, "%s: refused (rc %d)", what, fd);
    has_str(why, reason, "%s: the reason", what);
}

static void error(const char *path, int err, const char *reason, const char *what)
{
    errno = 0;
    int fd = sl_trust_open_for(me, path, why, sizeof(why));
    int got = errno;
    if (fd >= 0)
        close(fd);
    ok(fd == SL_TRUST_ERROR && got == err, "%s: error %d (rc %d, errno %d)", what, err, fd, got);
    has_str(why, reason, "%s: the reason", what);
}

static void test_files(void)
{
    char want[PATH_MAX + 64];
    make_file("plain", 0644);
    opens(me, at("plain"), "plain", "mode 644 file in the user's directory");
    make_file("readonly", 0400);
    opens(me, at("readonly"), "readonly", "mode 400 file");
    make_file("gw", 0664);
    snprintf(want, sizeof(want), "%s is writable by group or others (mode 0664)", at("gw"));
    refused(me, at("gw"), want, "group-writable file");
    make_file("ow", 0602);
    refused(me, at("ow"), "writable by group or others (mode 0602)", "world-writable file");

    mkfifo(at("fifo"), 0600);
    snprintf(want, sizeof(want), "%s is not a regular file", at("fifo"));
    refused(me, at("fifo"), want, "a FIFO (not opened: no reader would block)");
    refused(me, "/dev/null", "/dev/null is not a regular file", "a device");
    error(top, EISDIR, "Is a directory", "a directory");
    error(at("nothing"), ENOENT, "No such file or directory", "a missing file");
    snprintf(want, sizeof(want), "%s: No such file or directory", at("nodir"));
    error(at("nodir/x"), ENOENT, want, "a missing directory is named");
    snprintf(want, sizeof(want), "%s: Not a directory", at("plain"));
    error(at("plain/x"), ENOTDIR, want, "a file used as a directory is named");
    error("relative/x.so", EINVAL, "relative/x.so is not an absolute path", "a relative path");
}

static void test_directories(void)
{
    char want[PATH_MAX + 64];
    make_dir("ww", 0777);
    make_file("ww/f", 0644);
    snprintf(want, sizeof(want), "directory %s is writable by group or others (mode 0777) without the sticky bit",
             at("ww"));
    refused(me, at("ww/f"), want, "file in a world-writable directory");
    make_dir("ww/sub", 0755);
    make_file("ww/sub/f", 0644);
    refused(me, at("ww/sub/f"), want, "every ancestor counts");
    make_dir("gwdir", 0770);
    make_file("gwdir/f", 0644);
    refused(me, at("gwdir/f"), "(mode 0770) without the sticky bit", "group-writable directory");
    make_dir("ok", 0755);
    make_file("ok/f", 0644);
    refused(me, at("ww/../ok/f"), "directory", "a '..' walks through the directory it names");
    opens(me, at("ok/./../ok/f"), "ok/f", "'.' and '..' through trusted directories");

    make_dir("sticky", 01777);
    make_file("sticky/f", 0644);
    opens(me, at("sticky/f"), "sticky/f", "the user's file in a sticky world-writable directory");
    link(at("sticky/f"), at("sticky/hard"));
    snprintf(want, sizeof(want), "%s has 2 links and is in the shared directory %s", at("sticky/hard"),
             at("sticky"));
    refused(me, at("sticky/hard"), want, "a hard link in a sticky shared directory");
    opens(me, at("plain"), "plain", "... a file with one link there is fine");
    link(at("ok/f"), at("ok/hard"));
    opens(me, at("ok/hard"), "ok/f", "a hard link in a private directory is fine");
}

static void test_links(void)
{
    char want[PATH_MAX + 64];
    symlink("ok/f", at("rel"));
    opens(me, at("rel"), "ok/f", "relative symbolic link to a trusted file");
    symlink(at("ok"), at("okdir"));
    opens(me, at("okdir/f"), "ok/f", "absolute symbolic link to a trusted directory");
    symlink("ww", at("wwlink"));
    snprintf(want, sizeof(want), "directory %s is writable by group or others", at("ww"));
    refused(me, at("wwlink/f"), want, "the directory a link leads to is checked (and named)");
    symlink("../gwdir", at("ok/up"));
    refused(me, at("ok/up/f"), "(mode 0770)", "a relative link with '..' leads to a checked directory");
    symlink("loop2", at("loop1"));
    symlink("loop1", at("loop2"));
    error(at("loop1"), ELOOP, "Too many levels of symbolic links", "a loop of links");
}

/* Files of another user: root gives them away; anyone else checks for a
 * user who is not the files' owner. */
static void test_owners(void)
{
    char want[PATH_MAX + 128];
    if (me != 0) {
        uid_t other = me + 1;
        snprintf(want, sizeof(want), "directory %s is owned by uid %u, not by root or the invoking user (uid %u)",
                 top, (unsigned)me, (unsigned)other);
        refused(other, at("plain"), want, "a directory of another user");
        printf("# SKIP files given to other users: needs root to chown\n");
        return;
    }
    const uid_t nobody = 65534;
    make_file("theirs", 0644);
    if (chown(at("theirs"), nobody, (gid_t)-1)) {
        ok(0, "chown: %s", strerror(errno));
        return;
    }
    snprintf(want, sizeof(want), "%s is owned by uid 65534, not by root or the invoking user (uid 0)",
             at("theirs"));
    refused(0, at("theirs"), want, "as root: a file owned by nobody");
    opens(nobody, at("theirs"), "theirs", "for nobody: nobody's own file");
    opens(nobody, at("plain"), "plain", "for nobody: root's file (in root's directories)");
    refused(4242, at("theirs"), "(uid 4242)", "for another user: nobody's file");

    make_dir("theirdir", 0755);
    make_file("theirdir/f", 0644);
    chown(at("theirdir"), nobody, (gid_t)-1);
    snprintf(want, sizeof(want), "directory %s is owned by uid 65534", at("theirdir"));
    refused(0, at("theirdir/f"), want, "as root: root's file in nobody's directory");

    symlink("ok/f", at("theirlink"));
    lchown(at("theirlink"), nobody, (gid_t)-1);
    snprintf(want, sizeof(want), "symbolic link %s is owned by uid 65534", at("theirlink"));
    refused(0, at("theirlink"), want, "as root: a symbolic link owned by nobody is not followed");
    opens(nobody, at("theirlink"), "ok/f", "for nobody: nobody's own link is followed");
}

/* Through a cache of the last directory (as the plugin loader looks its
 * modules up): the same files open, the same ones are refused. */
static int open_cached(struct sl_trust_cache *c, const char *path, char *got, size_t len)
{
    int fd = sl_trust_open_cached(c, path, why, sizeof(why));
    *got = '\0';
    if (fd >= 0) {
        ssize_t n = read(fd, got, len - 1);
        got[n > 0 ? n : 0] = '\0';
        close(fd);
    }
    return fd;
}

static void test_cache(void)
{
    struct sl_trust_cache c;
    char got[64], want[PATH_MAX + 64];
    sl_trust_cache_init(&c);
    ok(open_cached(&c, at("ok/f"), got, sizeof(got)) >= 0 && strcmp(got, "ok/f") == 0, "cached: a first file opens");
    is_str(c.dir >= 0 ? c.prefix : "(none)", at("ok"), "... its directory is kept, named as asked");
    make_file("ok/g", 0644);
    ok(open_cached(&c, at("ok/g"), got, sizeof(got)) >= 0 && strcmp(got, "ok/g") == 0,
       "cached: a second file of that directory opens (%s)", *got ? got : why);
    make_file("ok/gw", 0664);
    snprintf(want, sizeof(want), "%s is writable by group or others (mode 0664)", at("ok/gw"));
    ok(open_cached(&c, at("ok/gw"), got, sizeof(got)) == SL_TRUST_REFUSED, "cached: the file itself is still checked");
    has_str(why, want, "... and named");
    errno = 0;
    ok(open_cached(&c, at("ok/none"), got, sizeof(got)) == SL_TRUST_ERROR && errno == ENOENT,
       "cached: a missing file is ENOENT");
    snprintf(want, sizeof(want), "directory %s is writable by group or others", at("ww"));
    ok(open_cached(&c, at("ww/f"), got, sizeof(got)) == SL_TRUST_REFUSED, "cached: another directory is walked from /");
    has_str(why, want, "... and refused there");
    make_file("sticky/one", 0644);
    ok(open_cached(&c, at("sticky/one"), got, sizeof(got)) >= 0, "cached: a file in a sticky shared directory");
    snprintf(want, sizeof(want), "%s has 2 links and is in the shared directory %s", at("sticky/hard"),
             at("sticky"));
    ok(open_cached(&c, at("sticky/hard"), got, sizeof(got)) == SL_TRUST_REFUSED,
       "cached: a hard link in that shared directory is still refused");
    has_str(why, want, "... as shared");
    /* top/rel is a link to ok/f: the file is not in the directory its path
     * names, so that directory is not taken for top. */
    ok(open_cached(&c, at("rel"), got, sizeof(got)) >= 0 && strcmp(got, "ok/f") == 0,
       "cached: a symbolic link as the last component is followed");
    ok(open_cached(&c, at("plain"), got, sizeof(got)) >= 0 && strcmp(got, "plain") == 0,
       "... and a file next to the link is the one of the link's directory (%s)", *got ? got : why);
    symlink("../ww", at("ok/ww"));
    open_cached(&c, at("ok/f"), got, sizeof(got));
    ok(open_cached(&c, at("ok/ww/f"), got, sizeof(got)) == SL_TRUST_REFUSED,
       "cached: a deeper path below the cached directory is walked and checked");
    sl_trust_cache_free(&c);
    ok(c.dir == -1, "the cache's descriptor is closed");
}

static void test_absolute(void)
{
    char out[PATH_MAX], cwd[PATH_MAX];
    ok(sl_trust_absolute("/etc/sandlock", "plugins", out, sizeof(out)) == 0, "relative joined");
    is_str(out, "/etc/sandlock/plugins", "... to the directory");
    sl_trust_absolute("/", "x.so", out, sizeof(out));
    is_str(out, "/x.so", "... without a double slash");
    sl_trust_absolute("/etc", "/abs/x.so", out, sizeof(out));
    is_str(out, "/abs/x.so", "an absolute path is unchanged");
    if (getcwd(cwd, sizeof(cwd))) {
        char want[PATH_MAX + 8];
        snprintf(want, sizeof(want), "%s/rel", cwd);
        sl_trust_absolute(NULL, "rel", out, sizeof(out));
        is_str(out, want, "no directory: the working directory");
    }
    errno = 0;
    ok(sl_trust_absolute("/etc", "x", out, 6) == -1 && errno == ENAMETOOLONG, "too long: ENAMETOOLONG");
}

int main(void)
{
    me = geteuid();
    if (!mkdtemp(top)) {
        ok(0, "mkdtemp: %s", strerror(errno));
        return tap_done();
    }
    test_files();
    test_directories();
    test_links();
    test_owners();
    test_cache();
    test_absolute();
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", top);
    return tap_done();
}
