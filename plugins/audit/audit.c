/* audit -- log every intercepted call, never block one.
 *
 *   [plugin audit]
 *   module = audit
 *   syscalls = execve, openat, connect    ; default: see DEFAULT_SYSCALLS
 *   output = /var/log/sandlock-audit.log  ; stderr (default) or a file
 *   format = json                         ; json (default) or text
 *
 * For each call the plugin writes one line -- time, pid, syscall, the six
 * raw arguments and, where it means something, the decoded arguments: the
 * absolute path(s) as the child names them, the socket address, the argv
 * of an exec -- and answers Continue. handle() builds the line while the
 * child waits (its memory is only trustworthy then) and hands it to the
 * instance's writer thread (writer.h), so the child never waits for the
 * write. A path relative to a directory descriptor is the exception: the
 * host keeps a copy of the directory (resolve_path_begin, SDK 1.2) and the
 * writer thread names it when the line's turn comes (render_record), which
 * takes the costliest step of a path off the child's wait. Lines are
 * written whole, in the order they were handed over, within the flush
 * interval. A failed write is counted and reported once; it never changes
 * what the sandbox does. */
#define _GNU_SOURCE
#include <sandlock/plugin.h>

#include "record.h"
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Used when the section has no syscalls key (documented in the man page). */
static const char *const default_syscalls[] = {
    "execve", "execveat", "open", "openat", "openat2", "creat",
    "connect", "bind", "unlink", "unlinkat", "rename", "renameat",
    "renameat2", "mkdir", "mkdirat", "rmdir", "link", "linkat",
    "symlink", "symlinkat", NULL,
};

/* Bounds of one record. */
#define LINE_SIZE 65536       /* the whole line, built on the stack */
_Static_assert(LINE_SIZE <= LOG_WRITER_MAX_LINE, "a line must fit the writer's buffer");
#define PATH_SIZE 4096        /* one decoded path (PATH_MAX) */
#define ARG_SIZE 4096         /* one argv string */
#define MAX_ARGV 256          /* argv entries logged */

/* While lines keep coming, the writer thread writes what gathered at
 * least this often. */
#define FLUSH_INTERVAL_NS 1000000ull

/* Directories an instance keeps for the writer thread at most (each is an
 * open descriptor of sandlock's); beyond that, paths are named at once. */
#define MAX_HELD 256

/* A path field left for the writer thread: it takes the place of one
 * HOLE_MARK byte in the line (no line holds that byte: strings are
 * escaped). */
#define HOLE_MARK "\x01"
#define MAX_HOLES 2            /* rename, link: two paths */
struct hole {
    const char *name;          /* the field: "path" or "newpath" */
    sandlock_held_dir held;    /* from resolve_path_begin */
    uint32_t rel_len;          /* the relative path that follows, without its NUL */
};
struct holes {
    int n;
    struct hole hole[MAX_HOLES];
    char rel[MAX_HOLES][PATH_SIZE];
};
/* A record: this head, the line, then each hole and its path. */
struct record_head {
    uint32_t line_len;
    uint32_t holes;
};
_Static_assert(sizeof(struct record_head) + LINE_SIZE + MAX_HOLES * (sizeof(struct hole) + PATH_SIZE) <=
                   LOG_WRITER_MAX_RECORD,
               "a record must fit the writer's buffer");
/* The rendered line: the line, and each path escaped (6 bytes per byte at
 * worst) with its field name and flags. */
_Static_assert(LINE_SIZE + MAX_HOLES * (6 * PATH_SIZE + 128) <= LOG_WRITER_MAX_LINE,
               "a rendered record must fit the writer's line");

/* The socket calls whose address is decoded: the argument of the address
 * and of its length. Path arguments are the host's to find
 * (host->syscall_paths). */
static const struct sockaddr_call {
    const char *name;
    signed char addr, len;
} sockaddr_calls[] = {
    { "connect", 1, 2 },
    { "bind", 1, 2 },
    { "sendto", 4, 5 },
};

struct audit_state {
    const sandlock_config *cfg;
    int fd;                         /* where lines go */
    int own_fd;                     /* fd was opened by init: close it */
    enum line_format format;
    const char **names;             /* NULL-terminated */
    struct log_writer *writer;      /* writes the lines to fd */
    _Atomic int held;               /* directories kept in records not yet rendered */
    int started;                    /* a session start record was written */
    const char *container;          /* under sandlock agent: the container's id, else NULL */
};

static size_t render_record(void *arg, const char *record, size_t len, char *out, size_t cap);

static const sandlock_host *host;
static uint64_t page_size = 4096;   /* set at init */
/* The host resolves paths without the directory check (ABI 1.1), and in
 * two halves (ABI 1.2); set by the entry point. */
static int host_has_any_dirfd, host_has_begin;

/* The socket call `name` whose address is decoded, or NULL. */
static const struct sockaddr_call *find_sockaddr_call(const char *name)
{
    for (size_t i = 0; i < sizeof(sockaddr_calls) / sizeof(sockaddr_calls[0]); i++)
        if (strcmp(sockaddr_calls[i].name, name) == 0)
            return &sockaddr_calls[i];
    return NULL;
}

static void session_record(struct audit_state *st, const char *event);

/* Releases an instance: writes the session's end and the lines still
 * waiting, reports lost ones, closes the log file. */
static void audit_fini(void *state)
{
    struct audit_state *st = state;
    if (!st)
        return;
    if (st->writer && st->started)
        session_record(st, "end");
    if (st->writer) {
        unsigned long written, lost;
        log_writer_stop(st->writer, &written, &lost);
        if (lost)
            host->log(st->cfg, SANDLOCK_LOG_WARN, "%lu of %lu audit lines could not be written", lost,
                      lost + written);
    }
    if (st->own_fd && st->fd >= 0)
        close(st->fd);
    free(st->names);
    free(st);
}

/* The names of the syscalls key (the host splits it); without the key,
 * the default list. Whether the names exist is the host's to check when it
 * builds the filter. */
static int parse_syscalls(const sandlock_config *cfg, struct audit_state *st, char *errbuf)
{
    size_t n = host->config_list(cfg, "syscalls", NULL, 0);
    if (n == 0 && host->config_get(cfg, "syscalls"))
        return host->config_error(cfg, "syscalls", NULL, errbuf, "empty list (leave the key out for the default set)");
    const char *const *names = default_syscalls;
    if (n == 0)
        while (names[n])
            n++;
    if (!(st->names = calloc(n + 1, sizeof(char *)))) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return -1;
    }
    if (host->config_get(cfg, "syscalls"))
        host->config_list(cfg, "syscalls", st->names, n);
    else
        memcpy(st->names, names, n * sizeof(char *));
    return 0;
}

/* The writer thread's report of its first failed write. */
static void report_write_error(void *arg, int error)
{
    struct audit_state *st = arg;
    host->log(st->cfg, SANDLOCK_LOG_WARN, "cannot write the audit log (%s); further failures are only counted",
              strerror(error));
}

static const sandlock_key_decl audit_keys[] = {
    { "syscalls", SANDLOCK_KEY_LIST, 0, "the system calls to log (default: execs, opens, creates, renames, links, "
      "connect, bind)" },
    { "output", SANDLOCK_KEY_STRING, 0, "stderr (the default) or a file the lines are appended to" },
    { "format", SANDLOCK_KEY_STRING, 0, "json (the default) or text" },
    { NULL, 0, 0, NULL },
};

/* Reads output, format and syscalls; opens the log file (appending,
 * close-on-exec) before the command starts, so a bad path fails here. */
static int audit_init(const sandlock_host *h, const sandlock_config *cfg, void **state, char *errbuf)
{
    struct audit_state *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "out of memory");
        return SANDLOCK_ERROR;
    }
    long ps = sysconf(_SC_PAGESIZE);
    if (ps > 0)
        page_size = (uint64_t)ps;
    st->cfg = cfg;
    st->fd = -1;
    const char *format = h->config_get(cfg, "format");
    if (!format || strcmp(format, "json") == 0)
        st->format = FORMAT_JSON;
    else if (strcmp(format, "text") == 0)
        st->format = FORMAT_TEXT;
    else {
        h->config_error(cfg, "format", format, errbuf, "expected json or text, got '%s'", format);
        goto fail;
    }
    if (parse_syscalls(cfg, st, errbuf))
        goto fail;
    const char *output = h->config_get(cfg, "output");
    if (!output || strcmp(output, "stderr") == 0) {
        st->fd = STDERR_FILENO;
    } else if (output[0] == '\0') {
        h->config_error(cfg, "output", output, errbuf, "expected stderr or a file path, got ''");
        goto fail;
    } else {
        st->fd = open(output, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
        if (st->fd < 0) {
            h->config_error(cfg, "output", output, errbuf, "cannot open '%s': %s", output, strerror(errno));
            goto fail;
        }
        st->own_fd = 1;
    }
    st->writer = log_writer_start(st->fd, FLUSH_INTERVAL_NS, report_write_error, render_record, st);
    if (!st->writer) {
        snprintf(errbuf, SANDLOCK_ERRBUF_SIZE, "cannot start the log writer thread: %s", strerror(errno));
        goto fail;
    }
    const sandlock_session *s = SANDLOCK_HOST_HAS(h, session) ? h->session() : NULL;
    if (SANDLOCK_SESSION_HAS_CONTAINER(s) && s->container_id && *s->container_id)
        st->container = s->container_id;   /* the host's, for the run */
    session_record(st, "start");
    *state = st;
    return SANDLOCK_OK;
fail:
    audit_fini(st);
    return SANDLOCK_ERROR;
}

/* The configured (or default) syscall names. */
static const char *const *audit_syscalls(void *state)
{
    return ((struct audit_state *)state)->names;
}

/* Starts a field: `,"name":` in JSON, ` name=` in text. */
static void field(struct line *l, const char *name)
{
    /* Built by hand (no printf: this runs for every decoded field) and
     * appended all or nothing, like line_addf. Names are the plugin's own
     * short keys. */
    char key[80];
    size_t n = strlen(name), k = 0;
    if (n > sizeof(key) - 4)
        return;
    int json = l->format == FORMAT_JSON;
    key[k++] = json ? ',' : ' ';
    if (json)
        key[k++] = '"';
    memcpy(key + k, name, n);
    k += n;
    if (json)
        key[k++] = '"';
    key[k++] = json ? ':' : '=';
    key[k] = '\0';
    line_add(l, key);
}

/* Appends a quoted, escaped string value; returns 1 when it is whole. */
static int string_value(struct line *l, const void *s, size_t n)
{
    line_add(l, "\"");
    int whole = line_escape(l, s, n);
    line_add(l, "\"");
    return whole;
}

/* Appends `name_truncated` = true after a value that was cut. */
static void truncated_flag(struct line *l, const char *name)
{
    char key[64];
    snprintf(key, sizeof(key), "%s_truncated", name);
    field(l, key);
    line_add(l, l->format == FORMAT_JSON ? "true" : "yes");
}

/* Appends `name_error` = the errno name of a failed decode. */
static void error_field(struct line *l, const char *name, long err)
{
    char key[64];
    const char *ename = strerrorname_np((int)err);
    snprintf(key, sizeof(key), "%s_error", name);
    field(l, key);
    if (ename)
        line_addf(l, "\"%s\"", ename);
    else
        line_addf(l, "\"E%ld\"", err);
}

/* Appends `name` = a string read from the child: whole, cut (marked), or
 * the error of the read. `len` is the service's result for buf. */
static void read_result(struct line *l, const char *name, const char *buf, ssize_t len)
{
    if (len >= 0) {
        field(l, name);
        if (!string_value(l, buf, (size_t)len))
            truncated_flag(l, name);
    } else if (len == -ENAMETOOLONG) {
        field(l, name);
        string_value(l, buf, strlen(buf));
        truncated_flag(l, name);
    } else {
        error_field(l, name, -len);
    }
}

/* Decodes the path at argument `path`, relative to descriptor fd, with the
 * host's resolve_path_begin: when the host keeps the directory, the field
 * becomes a hole in the line for the writer thread (render_record), else
 * it gets begin's own result. Returns 1 when the field is done, 0 when it
 * is to be decoded the usual way (no such service, or MAX_HELD directories
 * kept already). */
static int path_hole(struct audit_state *st, struct line *l, struct holes *holes, const sandlock_event *ev,
                     const char *name, int fd, uint64_t path)
{
    if (!host_has_begin || holes->n == MAX_HOLES ||
        atomic_load_explicit(&st->held, memory_order_relaxed) >= MAX_HELD)
        return 0;
    struct hole *h = &holes->hole[holes->n];
    char *rel = holes->rel[holes->n];
    ssize_t n = host->resolve_path_begin(ev->handle, fd, path, rel, PATH_SIZE,
                                         SANDLOCK_RESOLVE_ANY_DIRFD, &h->held);
    if (h->held.dir < 0) {
        read_result(l, name, rel, n);   /* resolved at once: absolute, or an error */
        return 1;
    }
    if (line_add(l, HOLE_MARK)) {
        host->resolve_path_end(&h->held, NULL, NULL, 0);    /* the line is full */
        return 1;
    }
    atomic_fetch_add_explicit(&st->held, 1, memory_order_relaxed);
    h->name = name;
    h->rel_len = (uint32_t)n;
    holes->n++;
    return 1;
}

/* Decodes the path argument p as an absolute path. A NULL pointer
 * (utimensat on the descriptor itself) is logged as null. With
 * `holes`, a path relative to a directory descriptor may be left to the
 * writer thread (path_hole). */
static void path_field(struct audit_state *st, struct line *l, struct holes *holes, const sandlock_event *ev,
                       const char *name, const sandlock_path_arg *p)
{
    char buf[PATH_SIZE];
    if (p->addr == 0) {
        field(l, name);
        line_add(l, l->format == FORMAT_JSON ? "null" : "-");
        return;
    }
    int fd = p->dirfd;
    buf[0] = '\0';
    if (fd != AT_FDCWD && holes && path_hole(st, l, holes, ev, name, fd, p->addr))
        return;
    /* The log shows what the child asked for: a relative path under a
     * dirfd that is a file is logged joined to the file's path (the kernel
     * fails that call with ENOTDIR itself), which saves the host a stat per
     * call where it offers that (ABI 1.1). */
    ssize_t n = host_has_any_dirfd
                    ? host->resolve_path_flags(ev->handle, fd, p->addr, buf, sizeof(buf),
                                               SANDLOCK_RESOLVE_ANY_DIRFD)
                    : host->resolve_path(ev->handle, fd, p->addr, buf, sizeof(buf));
    read_result(l, name, buf, n);
}

/* Decodes a string argument as the child wrote it (no resolution). */
static void string_field(struct line *l, const sandlock_event *ev, const char *name, uint64_t addr)
{
    char buf[ARG_SIZE];
    buf[0] = '\0';
    read_result(l, name, buf, host->mem_read_string(ev->handle, addr, buf, sizeof(buf)));
}

/* Pointers of argv read per host call: at most this many, and never past
 * the end of the page the read starts in, so an array that ends just
 * before an unmapped page reads as it would one entry at a time. */
#define ARGV_CHUNK 64

/* The argv strings of an exec usually lie close together: the page of the
 * first one is read whole (one host call) and every string that ends in
 * it is taken from there. Reading the whole page never reaches memory the
 * string's own page does not hold. */
#define PAGE_CACHE_MAX 16384
struct page_cache {
    int state;          /* 0 empty, 1 holds the page at base, -1 unusable */
    uint64_t base;
    char data[PAGE_CACHE_MAX];
};

/* The NUL-terminated string at addr when it lies wholly in the cached page
 * (reading that page first if needed), shorter than ARG_SIZE; else NULL,
 * and the caller reads it with mem_read_string. */
static const char *page_string(const sandlock_event *ev, struct page_cache *c, uint64_t addr)
{
    if (c->state < 0)
        return NULL;
    uint64_t base = addr - addr % page_size;
    if (c->state == 0 || c->base != base) {
        if (host->mem_read(ev->handle, base, c->data, (size_t)page_size) < 0) {
            c->state = 0;
            return NULL;
        }
        c->state = 1;
        c->base = base;
    }
    size_t off = (size_t)(addr - base);
    const char *nul = memchr(c->data + off, '\0', (size_t)page_size - off);
    if (!nul || (size_t)(nul - (c->data + off)) >= ARG_SIZE)
        return NULL;
    return c->data + off;
}

/* Decodes argv: reads the pointer array up to its NULL (at most MAX_ARGV
 * entries), in page-bounded chunks, and each string (at most ARG_SIZE
 * bytes). Stops early, marking argv_truncated, when the line is nearly
 * full. */
static void argv_field(struct line *l, const sandlock_event *ev, uint64_t array)
{
    char arg[ARG_SIZE];
    uint64_t ptrs[ARGV_CHUNK];
    size_t have = 0, first = 0;     /* ptrs holds entries first..first+have-1 */
    struct page_cache cache;
    cache.state = page_size <= PAGE_CACHE_MAX ? 0 : -1;
    int truncated = 0;
    long err = 0;
    field(l, "argv");
    line_add(l, "[");
    for (size_t i = 0; array != 0; i++) {
        if (i >= first + have) {
            uint64_t at = array + i * sizeof(uint64_t);
            size_t room = (size_t)(page_size - at % page_size) / sizeof(uint64_t);
            size_t want = MAX_ARGV + 1 - i;     /* entry MAX_ARGV only tells whether there are more */
            if (want > ARGV_CHUNK)
                want = ARGV_CHUNK;
            if (room == 0)
                room = 1;                       /* one entry straddles the page end */
            if (want > room)
                want = room;
            ssize_t r = host->mem_read(ev->handle, at, ptrs, want * sizeof(uint64_t));
            if (r < 0) {
                err = -r;
                break;
            }
            first = i;
            have = want;
        }
        uint64_t ptr = ptrs[i - first];
        if (ptr == 0)
            break;
        if (i == MAX_ARGV || l->len + 2 * LINE_RESERVE > l->cap) {
            truncated = 1;
            break;
        }
        const char *text = page_string(ev, &cache, ptr);
        ssize_t r;
        if (text) {
            r = (ssize_t)strlen(text);
        } else {
            arg[0] = '\0';
            r = host->mem_read_string(ev->handle, ptr, arg, sizeof(arg));
            if (r < 0 && r != -ENAMETOOLONG) {
                err = -r;
                break;
            }
            text = arg;
        }
        if (i > 0)
            line_add(l, l->format == FORMAT_JSON ? "," : " ");
        if (!string_value(l, text, r < 0 ? strlen(text) : (size_t)r) || r < 0)
            truncated = 1;
    }
    line_add(l, "]");
    if (truncated)
        truncated_flag(l, "argv");
    if (err)
        error_field(l, "argv", err);
}

/* Decodes the socket address at argument `addr` with length argument
 * `lenarg`, read by its own family (the host's decoder, ABI 1.8); a NULL
 * address (sendto on a connected socket) adds nothing. */
static void sockaddr_field(struct line *l, const sandlock_event *ev, int addr, int lenarg)
{
    unsigned char sa[128];
    char text[256];
    uint64_t len = (uint32_t)ev->args[lenarg];
    if (ev->args[addr] == 0)
        return;
    if (len > sizeof(sa))
        len = sizeof(sa);   /* the kernel refuses more than this anyway */
    ssize_t r = len ? host->mem_read(ev->handle, ev->args[addr], sa, (size_t)len) : 0;
    if (r < 0) {
        error_field(l, "addr", -r);
        return;
    }
    sandlock_sockaddr d = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(d) };
    if (host->sockaddr_decode(sa, (size_t)len, 0, SANDLOCK_SA_AS_GIVEN, 0, &d) < 0)
        d.kind = SANDLOCK_SA_OTHER;     /* too short for its family: named by the family */
    size_t n = format_sockaddr(&d, (size_t)len, text, sizeof(text));
    field(l, "addr");
    string_value(l, text, n);
}

/* Adds the decoded fields: the path arguments (the host says where they
 * are), a symlink's target, an exec's argv, a socket address. */
static void decode(struct audit_state *st, struct line *l, struct holes *holes, const sandlock_event *ev,
                   const char *name)
{
    sandlock_syscall_paths sp = { .abi_version = SANDLOCK_ABI_VERSION, .struct_size = sizeof(sp) };
    host->syscall_paths(ev, &sp);     /* on an error the paths are there to log, or count is 0 */
    int exec = sp.count && strncmp(name, "execve", 6) == 0;
    if (sp.count && strncmp(name, "symlink", 7) == 0)
        string_field(l, ev, "target", ev->args[0]);
    for (uint32_t i = 0; i < sp.count; i++)
        /* An exec's path stays in handle(): argv's room depends on its length. */
        path_field(st, l, exec ? NULL : holes, ev, i ? "newpath" : "path", &sp.path[i]);
    if (exec)
        argv_field(l, ev, ev->args[sp.next_arg]);
    const struct sockaddr_call *sc = sp.count ? NULL : find_sockaddr_call(name);
    if (sc)
        sockaddr_field(l, ev, sc->addr, sc->len);
}

/* Logs the call and lets it run. */
/* A session record, so that runs appended to one log can be told apart:
 * "start" (from init: sandlock's pid, the configuration file, the command)
 * and "end" (from fini: the status sandlock exits with). Nothing under
 * `sandlock check` or from a host before ABI 1.5. */
static void session_record(struct audit_state *st, const char *event)
{
    const sandlock_session *s = SANDLOCK_HOST_HAS(host, session) ? host->session() : NULL;
    if (!s || s->struct_size < offsetof(sandlock_session, status) + sizeof(s->status))
        return;
    char buf[LINE_SIZE];
    struct line l;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    line_init(&l, buf, sizeof(buf), st->format);
    int json = st->format == FORMAT_JSON;
    line_add(&l, json ? "{\"time\":\"" : "");
    line_time(&l, &now);
    line_add(&l, json ? "\",\"session\":\"" : " session=");
    line_add(&l, event);
    line_add(&l, json ? "\",\"sandlock_pid\":" : " sandlock_pid=");
    line_dec(&l, s->pid);
    if (st->container) {
        field(&l, "container");
        string_value(&l, st->container, strlen(st->container));
    }
    if (strcmp(event, "start") == 0) {
        int truncated = 0;
        field(&l, "config");
        string_value(&l, s->config, strlen(s->config));
        field(&l, "command");
        line_add(&l, "[");
        for (size_t i = 0; s->argv && s->argv[i]; i++) {
            if (i == MAX_ARGV || l.len + 2 * LINE_RESERVE > l.cap) {
                truncated = 1;
                break;
            }
            line_add(&l, i == 0 ? "" : json ? "," : " ");
            truncated |= !string_value(&l, s->argv[i], strlen(s->argv[i]));
        }
        line_add(&l, "]");
        if (truncated)
            truncated_flag(&l, "command");
        st->started = 1;
    } else {
        field(&l, "status");
        line_addf(&l, "%d", (int)s->status);
    }
    line_add(&l, json ? "}\n" : "\n");
    log_writer_put(st->writer, l.buf, l.len);
}

static int audit_handle(void *state, const sandlock_event *ev, sandlock_response *response)
{
    struct audit_state *st = state;
    char buf[LINE_SIZE];
    struct line l;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    line_init(&l, buf, sizeof(buf), st->format);
    const char *name = ev->syscall_name ? ev->syscall_name : "?";
    int json = st->format == FORMAT_JSON;
    line_add(&l, json ? "{\"time\":\"" : "");
    line_time(&l, &now);
    line_add(&l, json ? "\",\"pid\":" : " pid=");
    line_dec(&l, ev->pid);
    if (st->container) {
        field(&l, "container");
        string_value(&l, st->container, strlen(st->container));
    }
    line_add(&l, json ? ",\"syscall\":\"" : " syscall=");
    line_escape(&l, name, strlen(name));
    line_add(&l, json ? "\",\"args\":[" : " args=");
    for (int i = 0; i < 6; i++) {
        line_add(&l, i == 0 ? "" : ",");
        line_add(&l, json ? "\"" : "");
        line_hex(&l, ev->args[i]);
        line_add(&l, json ? "\"" : "");
    }
    line_add(&l, json ? "]" : "");
    struct holes holes;
    holes.n = 0;
    decode(st, &l, &holes, ev, name);
    line_add(&l, st->format == FORMAT_JSON ? "}\n" : "\n");
    if (holes.n == 0) {
        log_writer_put(st->writer, l.buf, l.len);
    } else {
        struct record_head head = { (uint32_t)l.len, (uint32_t)holes.n };
        struct iovec parts[2 + 2 * MAX_HOLES] = { { &head, sizeof(head) }, { l.buf, l.len } };
        int n = 2;
        for (int i = 0; i < holes.n; i++) {
            parts[n++] = (struct iovec){ &holes.hole[i], sizeof(holes.hole[i]) };
            parts[n++] = (struct iovec){ holes.rel[i], holes.hole[i].rel_len + 1 };
        }
        log_writer_put_record(st->writer, parts, n);
    }
    sandlock_respond_continue(response);
    return SANDLOCK_OK;
}

/* The writer thread's half of a record (see path_hole): the line with each
 * hole filled by the named path (or its error). Every kept directory is
 * released here, also when the line is then lost. */
static size_t render_record(void *arg, const char *record, size_t len, char *out, size_t cap)
{
    struct audit_state *st = arg;
    struct record_head head;
    memcpy(&head, record, sizeof(head));
    const char *text = record + sizeof(head), *end = text + head.line_len;
    const char *next = end;     /* the holes after the line */
    struct line l;
    line_init(&l, out, cap, st->format);
    for (uint32_t i = 0; i < head.holes && next < record + len; i++) {
        struct hole h;
        memcpy(&h, next, sizeof(h));
        const char *rel = next + sizeof(h);
        next = rel + h.rel_len + 1;
        const char *mark = memchr(text, HOLE_MARK[0], (size_t)(end - text));
        char path[PATH_SIZE];
        path[0] = '\0';
        ssize_t n = host->resolve_path_end(&h.held, rel, path, sizeof(path));
        atomic_fetch_sub_explicit(&st->held, 1, memory_order_relaxed);
        if (!mark)
            continue;
        line_add_bytes(&l, text, (size_t)(mark - text));
        read_result(&l, h.name, path, n);
        text = mark + 1;
    }
    line_add_bytes(&l, text, (size_t)(end - text));
    return l.len;
}

static const sandlock_plugin audit_plugin = {
    .abi_version = SANDLOCK_ABI_VERSION,
    .struct_size = sizeof(sandlock_plugin),
    .name = "audit",
    .version = SANDLOCK_BUNDLED_VERSION,
    .description = "logs every intercepted call (JSON or text lines) and lets it run",
    .init = audit_init,
    .syscalls = audit_syscalls,
    .handle = audit_handle,
    .fini = audit_fini,
    .keys = audit_keys,
};

SANDLOCK_PLUGIN_DEFINE(h)
{
    host = h;
    host_has_any_dirfd = SANDLOCK_HOST_HAS(h, resolve_path_flags);
    host_has_begin = SANDLOCK_HOST_HAS(h, resolve_path_begin) && SANDLOCK_HOST_HAS(h, resolve_path_end);
    /* Its keys are declared (ABI 1.6); the host decodes its arguments (1.8). */
    return SANDLOCK_HOST_HAS(h, config_error) && SANDLOCK_HOST_HAS(h, syscall_paths) &&
                   SANDLOCK_HOST_HAS(h, sockaddr_decode)
               ? &audit_plugin
               : NULL;
}
