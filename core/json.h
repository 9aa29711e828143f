/* json.h -- the little JSON sandlock writes (check --json, --stats=json):
 * strings escaped so that any bytes give valid JSON. */
#ifndef SANDLOCK_JSON_H
#define SANDLOCK_JSON_H

#include <stdio.h>

/* Writes `s` as a JSON string: '"', '\\' and control characters escaped,
 * bytes above 0x7e as \u00XX (a path need not be UTF-8). NULL: null. */
void sl_json_string(FILE *out, const char *s);

#endif
