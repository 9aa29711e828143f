/* content.c -- see content.h. */
#include "content.h"
#include "../pathnorm.h"

#include <stdlib.h>
#include <string.h>

char *vfile_unescape(const char *text, size_t *len, const char **why)
{
    char *out = malloc(strlen(text) + 1);
    if (!out) {
        *why = "out of memory";
        return NULL;
    }
    size_t o = 0;
    for (const char *p = text; *p; p++) {
        if (*p != '\\') {
            out[o++] = *p;
            continue;
        }
        switch (*++p) {
        case 'n': out[o++] = '\n'; break;
        case 't': out[o++] = '\t'; break;
        case '\\': out[o++] = '\\'; break;
        case '@': out[o++] = '@'; break;
        case '\0':
            *why = "trailing backslash (write \\\\ for a backslash)";
            free(out);
            return NULL;
        default:
            *why = "unknown escape (use \\n, \\t, \\\\ or \\@)";
            free(out);
            return NULL;
        }
    }
    out[o] = '\0';
    *len = o;
    return out;
}

char *vfile_normalise(const char *path, const char **why)
{
    if (path[0] != '/') {
        *why = "virtual path must be absolute";
        return NULL;
    }
    size_t size = strlen(path) + 2;
    char *out = malloc(size);
    if (!out) {
        *why = "out of memory";
        return NULL;
    }
    if (plugin_path_normalise(path, out, size) <= 1) {     /* "/" */
        free(out);
        *why = "virtual path must name a file, not /";
        return NULL;
    }
    return out;
}
