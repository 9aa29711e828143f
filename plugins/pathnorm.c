/* pathnorm.c -- see pathnorm.h. */
#include "pathnorm.h"

#include <string.h>

long plugin_path_normalise(const char *path, char *out, size_t size)
{
    if (path[0] != '/' || size < 2)
        return -1;
    size_t o = 0;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        size_t n = strcspn(p, "/");
        if (n == 0)
            break;
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--;        /* the slash before the dropped component */
        } else if (!(n == 1 && p[0] == '.')) {
            if (o + 1 + n >= size)
                return -1;
            out[o++] = '/';
            memcpy(out + o, p, n);
            o += n;
        }
        p += n;
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = '\0';
    return (long)o;
}
