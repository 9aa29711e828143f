/* denial.c -- see denial.h. */
#include "config.h"
#include "denial.h"
#include "log.h"
#include "slots.h"
#include "values.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

__thread struct sl_denial_mark sl_denial_mark;

/* Copies `in` to `out` (size bytes) with control characters, DEL, bytes
 * outside ASCII and backslashes as \xNN (and, when quoted, '"' too and the
 * whole between quotes); a value too long ends in "...". */
static void escape_into(const char *in, char *out, size_t size, int quoted)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (quoted)
        out[o++] = '"';
    for (; *in; in++) {
        unsigned char ch = (unsigned char)*in;
        int plain = ch >= 0x20 && ch < 0x7f && !(quoted && ch == '"') && ch != '\\';
        if (o + (plain ? 1 : 4) + 5 > size) {     /* room for '...', '"' and NUL */
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (plain) {
            out[o++] = (char)ch;
        } else {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[ch >> 4];
            out[o++] = hex[ch & 15];
        }
    }
    if (quoted)
        out[o++] = '"';
    out[o] = '\0';
}

void sl_quote(const char *in, char *out, size_t size)
{
    escape_into(in, out, size, 1);
}

void sl_escape_controls(const char *in, char *out, size_t size)
{
    escape_into(in, out, size, 0);
}

/* Is the next line of this instance due? Sets *left_out to the number of
 * denials not shown since the last line. Lock-free: workers race here. */
static int line_due(struct sl_denial_limit *l, unsigned long *left_out)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);    /* vDSO: no syscall */
    *left_out = 0;
    if (atomic_fetch_add_explicit(&l->shown, 1, memory_order_relaxed) < SL_DENIAL_BURST) {
        atomic_store_explicit(&l->last_sec, (long)ts.tv_sec, memory_order_relaxed);
        return 1;
    }
    long last = atomic_load_explicit(&l->last_sec, memory_order_relaxed);
    if ((long)ts.tv_sec > last &&
        atomic_compare_exchange_strong_explicit(&l->last_sec, &last, (long)ts.tv_sec, memory_order_relaxed,
                                                memory_order_relaxed)) {
        *left_out = atomic_exchange_explicit(&l->left_out, 0, memory_order_relaxed);
        return 1;
    }
    atomic_fetch_add_explicit(&l->left_out, 1, memory_order_relaxed);
    return 0;
}

void sl_report_denial(const sandlock_config *cfg, sandlock_handle h, int error, const char *object)
{
    struct sl_instance *inst = cfg ? cfg->instance : NULL;
    const struct sl_slot *slot = sl_slot_of(h);
    if (!inst || !slot)
        return;            /* not a live notification: nothing to report */
    atomic_fetch_add_explicit(&inst->stats.denied, 1, memory_order_relaxed);
    sl_denial_mark.h = h;
    sl_denial_mark.object[0] = '\0';
    if (object)
        sl_quote(object, sl_denial_mark.object, sizeof(sl_denial_mark.object));
    unsigned long left_out;
    if (sl_log_level_here() < SANDLOCK_LOG_WARN || !line_due(&inst->denial_limit, &left_out))
        return;
    const char *name = sl_errno_name(error);
    char number[16], more[96] = "";
    if (!name) {
        snprintf(number, sizeof(number), "errno %d", error);
        name = number;
    }
    if (left_out)
        snprintf(more, sizeof(more), " (%lu more denials of [%s] not shown)", left_out, cfg->name);
    sl_log(SANDLOCK_LOG_WARN, "[%s] denied %s%s%s by pid %d: %s%s", cfg->name, slot->syscall_name,
           *sl_denial_mark.object ? " " : "", sl_denial_mark.object, (int)slot->pid, name, more);
}

void sl_denials_flush(const struct sl_plugins *plugins)
{
    for (size_t i = 0; i < plugins->n; i++) {
        struct sl_instance *inst = &plugins->inst[i];
        unsigned long n = atomic_load(&inst->denial_limit.left_out);
        if (n)
            sl_log(SANDLOCK_LOG_WARN, "[%s] %lu more denials not shown (--stats counts them all)",
                   inst->cfg->name, n);
    }
}
