/* random -- reproducible getrandom(2).
 *
 *   [plugin dice]
 *   module = random
 *   seed = 42          ; required: decimal or 0x hex, 0 .. 2^64-1
 *
 * Every getrandom(2) of the sandbox is served from one deterministic byte
 * stream derived from the seed, so two runs of the same program with the
 * same seed see the same bytes. This is for reproducible tests and builds,
 * NOT for security: anyone who knows the seed knows every byte.
 *
 * The stream is the output of splitmix64 (Steele, Lea and Flood's mixing
 * generator) started at the seed: word i (i = 0, 1, ...) is
 * mix(seed + (i + 1) * 0x9e3779b97f4a7c15), and byte p of the stream is byte
 * p % 8 of word p / 8 in little-endian order. Because any word can be
 * computed from its index alone, the only shared state is the stream
 * position: each call reserves its range of bytes with one atomic add, so
 * concurrent calls from several host workers get disjoint ranges. */
#include <sandlock/plugin.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* getrandom(2) flags, as in <sys/random.h> (GRND_INSECURE is newer than
 * some libc headers). */
#define FLAG_NONBLOCK 0x1u
#define FLAG_RANDOM 0x2u
#define FLAG_INSECURE 0x4u

/* The most bytes one call returns: larger requests get a short count, which
 * getrandom(2) callers must handle anyway. */
#define MAX_PER_CALL (1u << 20)
/* Bytes generated and written to the child at a time. */
#define CHUNK 16384

struct random_state {
    uint64_t seed;
    _Atomic uint64_t position;   /* next unused byte of the stream */
};

static const sandlock_host *host;
static const char *const random_syscall_list[] = { "getrandom", NULL };

/* splitmix64's output function for word `index` of the stream. */
static uint64_t stream_word(uint64_t seed, uint64_t index)
{
    uint64_t z = seed + (index + 1) * 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Fills out[0..len) with stream bytes starting at byte `pos`. */
static void stream_fill(uint64_t seed, uint64_t pos, unsigned char *out, size_t len)
{
    for (size_t i = 0; i < len; i++, pos++) {
        uint64_t word = stream_word(seed, pos / 8);
        out[i] = (unsigned char)(word >> (8 * (pos % 8)));
    }
}

/* Parses a seed: decimal or 0x hex, the full unsigned 64-bit range, nothing
 * else on the line. Returns 0 or -1. */
static int parse_seed(const char *text, uint64_t *out)
{
    const char *p = text;
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    if (*p == '\0')
        return -1;
    uint64_t v = 0;
    for (; *p; p++) {
        unsigned d;
        if (*p >= '0' && *p <= '9')
            d = (unsigned)(*p - '0');
        else if (base == 16 && *p >= 'a' && *p <= 'f')
            d = (unsigned)(*p - 'a' + 10);
        else if (base == 16 && *p >= 'A' && *p <= 'F')
            d = (unsigned)(*p - 'A' + 10);
        else
            return -1;
        if (d >= (unsigned)base || v > (UINT64_MAX - d) / (uint64_t)base)
            return -1;
        v = v * (uint64_t)base + d;
    }
    *out = v;
    return 0;
}

/* Frees an instance's state. */
static void random_fini(void *state)
{
    free(state);
}

static const sandlock_key_decl random_keys[] = {
    { "seed", SANDLOCK_KEY_STRING, SANDLOCK_KEY_REQUIRED,
      "the stream's seed, 0 to 18446744073709551615 (decimal or 0x hex), e.g. seed = 42" },
    { NULL, 0, 0, NULL },
};

/* Reads the one key, seed (the host makes sure it is there). */
static int random_init(const sandlock_host *h, const sandlock_config *cfg, void **state, char *errbuf)
{
    const char *text = h->config_get(cfg, "seed");
    uint64_t seed;
    if (!text || parse_seed(text, &seed))
        return h->config_error(cfg, "seed", text, errbuf,
                               "expected a number from 0 to 18446744073709551615 (decimal or 0x hex), got '%s'",
                               text ? text : "");
    struct random_state *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return SANDLOCK_ERROR;
    }
    st->seed = seed;
    atomic_init(&st->position, 0);
    *state = st;
    return SANDLOCK_OK;
}

/* The only syscall this plugin answers. */
static const char *const *random_syscalls(void *state)
{
    (void)state;
    return random_syscall_list;
}

/* Writes `len` stream bytes starting at stream byte `pos` to child address
 * `addr`, one page-bounded piece at a time, and stops at the first piece
 * that cannot be written. Returns the bytes written, or a negative errno
 * when not even the first piece could be. Used after a whole chunk failed,
 * so the count ends exactly where the child's writable memory ends, as with
 * the kernel's own copy. */
static ssize_t write_by_page(const struct random_state *st, sandlock_handle h, uint64_t addr,
                             uint64_t pos, size_t len)
{
    unsigned char piece[4096];
    size_t done = 0;
    while (done < len) {
        size_t room = 4096 - (size_t)((addr + done) % 4096);
        size_t n = len - done < room ? len - done : room;
        stream_fill(st->seed, pos + done, piece, n);
        ssize_t w = host->mem_write(h, addr + done, piece, n);
        if (w < 0)
            return done ? (ssize_t)done : w;
        done += n;
    }
    return (ssize_t)done;
}

/* Answers getrandom(buf, count, flags) like the kernel would -- same flag
 * checks, EFAULT for an unwritable buffer, a short count when the buffer
 * ends in unwritable memory or the request is over MAX_PER_CALL -- but with
 * stream bytes. */
static int random_handle(void *state, const sandlock_event *event, sandlock_response *response)
{
    struct random_state *st = state;
    uint64_t buf = event->args[0];
    uint64_t count = event->args[1];
    uint64_t flags = event->args[2];
    if ((flags & ~(uint64_t)(FLAG_NONBLOCK | FLAG_RANDOM | FLAG_INSECURE)) ||
        ((flags & FLAG_RANDOM) && (flags & FLAG_INSECURE))) {
        sandlock_respond_errno(response, EINVAL);
        return SANDLOCK_OK;
    }
    if (count > MAX_PER_CALL)
        count = MAX_PER_CALL;
    if (count == 0) {
        sandlock_respond_return(response, 0);
        return SANDLOCK_OK;
    }
    /* Reserve this call's range of the stream: concurrent calls get
     * disjoint ranges, and a single-threaded child sees the stream in
     * order. */
    uint64_t pos = atomic_fetch_add(&st->position, count);
    unsigned char chunk[CHUNK];
    uint64_t done = 0;
    while (done < count) {
        size_t n = count - done < CHUNK ? (size_t)(count - done) : CHUNK;
        stream_fill(st->seed, pos + done, chunk, n);
        ssize_t w = host->mem_write(event->handle, buf + done, chunk, n);
        if (w == -EFAULT)
            w = write_by_page(st, event->handle, buf + done, pos + done, n);
        if (w < 0) {
            if (done > 0)
                break;   /* the kernel, too, returns what it copied */
            if (w == -EFAULT || w == -ESRCH) {
                /* (ESRCH: the call is gone, the answer is discarded.) */
                sandlock_respond_errno(response, EFAULT);
                return SANDLOCK_OK;
            }
            return SANDLOCK_ERROR;   /* host failure: exception policy */
        }
        done += (uint64_t)w;
        if ((size_t)w < n)
            break;
    }
    sandlock_respond_return(response, (int64_t)done);
    return SANDLOCK_OK;
}

static const sandlock_plugin random_plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "random",
    .version = SANDLOCK_BUNDLED_VERSION,
    .description = "reproducible getrandom(2) from a seeded stream (not for security)",
    .init = random_init,
    .syscalls = random_syscalls,
    .handle = random_handle,
    .fini = random_fini,
    .keys = random_keys,
};

SANDLOCK_PLUGIN_DEFINE(h)
{
    host = h;
    return SANDLOCK_HOST_HAS(h, config_error) ? &random_plugin : NULL;
}
