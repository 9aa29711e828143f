/* ctormark -- a shared object whose constructor proves it was loaded: it
 * creates the file named by $SANDLOCK_TEST_MARKER (when set), writing the
 * real uid. It is not a sandlock plugin (no entry symbol), so sandlock
 * fails with "not a sandlock plugin" after loading it: the trust tests
 * (trust.sh) tell "loaded" from "refused before loading" by the marker. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Its one exported symbol (a module must export something). */
__attribute__((visibility("default"))) int ctormark_present = 1;

__attribute__((constructor)) static void ctormark(void)
{
    const char *path = getenv("SANDLOCK_TEST_MARKER");
    if (!path || !*path)
        return;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (fd >= 0) {
        dprintf(fd, "loaded uid=%u\n", (unsigned)getuid());
        close(fd);
    }
}
