/* test_abi.c -- sl_check_vtable(): the ABI checks made on the vtable a
 * plugin's entry point returns. */
#include "config.h"
#include "loader.h"
#include "tap.h"

#include <string.h>

static int f_init(const sandlock_host *h, const sandlock_config *c, void **s, char *e)
{
    return SANDLOCK_OK;
}
static const char *const *f_syscalls(void *s) { return NULL; }
static int f_handle(void *s, const sandlock_event *e, sandlock_response *r) { return SANDLOCK_OK; }
static void f_fini(void *s) {}

static sandlock_plugin good(void)
{
    sandlock_plugin vt = {
        .abi_version = SANDLOCK_ABI_VERSION,
        .struct_size = sizeof(sandlock_plugin),
        .name = "good",
        .version = "1.0",
        .description = "d",
        .init = f_init,
        .syscalls = f_syscalls,
        .handle = f_handle,
        .fini = f_fini,
    };
    return vt;
}

static char err[512];

static int check(const sandlock_plugin *vt, sandlock_plugin *out)
{
    err[0] = '\0';
    memset(out, 0xAA, sizeof(*out));
    return sl_check_vtable(vt, out, err, sizeof(err));
}

/* A plugin of ABI 1.5 would have a longer vtable with appended members. */
struct vtable_1_5 {
    sandlock_plugin base;
    void (*added_in_1_1)(void);
    void (*added_in_1_5)(void);
    char tail[64];
};

int main(void)
{
    sandlock_plugin vt, out;

    vt = good();
    is_int(check(&vt, &out), 0, "a 1.0 vtable is accepted (%s)", err);
    ok(out.init == f_init && out.syscalls == f_syscalls && out.handle == f_handle &&
       out.fini == f_fini && !strcmp(out.name, "good"), "copied");

    vt = good();
    vt.fini = NULL;
    vt.version = NULL;
    vt.description = NULL;
    is_int(check(&vt, &out), 0, "fini, version and description are optional");
    ok(out.fini == NULL, "missing fini stays NULL");
    is_str(out.version, "", "missing version becomes \"\"");
    is_str(out.description, "", "missing description becomes \"\"");

    vt = good();
    vt.abi_version = 0 << 16 | 9;
    ok(check(&vt, &out) != 0, "major 0 (too old) rejected");
    has_str(err, "incompatible plugin ABI 0.9", "message names the plugin's ABI");
    has_str(err, "supports 1.x", "message names the host's ABI");

    vt = good();
    vt.abi_version = 2 << 16;
    ok(check(&vt, &out) != 0, "major 2 (too new) rejected");
    has_str(err, "incompatible plugin ABI 2.0", "message names ABI 2.0");

    vt = good();
    vt.struct_size = offsetof(sandlock_plugin, fini);
    ok(check(&vt, &out) != 0, "struct_size without room for fini rejected");
    has_str(err, "vtable too small", "message says too small");

    vt = good();
    vt.struct_size = 8;
    ok(check(&vt, &out) != 0, "struct_size 8 rejected");

    vt = good();
    vt.init = NULL;
    vt.syscalls = NULL;
    vt.handle = NULL;
    ok(check(&vt, &out) != 0, "no init/syscalls/handle rejected");
    has_str(err, "missing required callbacks: init syscalls handle", "message lists all three");

    vt = good();
    vt.handle = NULL;
    ok(check(&vt, &out) != 0, "no handle rejected");
    has_str(err, "missing required callbacks: handle", "message lists handle");
    ok(strstr(err, "init") == NULL, "and not init");

    vt = good();
    vt.syscalls = NULL;
    ok(check(&vt, &out) != 0, "no syscalls rejected");
    has_str(err, "missing required callbacks: syscalls", "message lists syscalls");

    vt = good();
    vt.init = NULL;
    ok(check(&vt, &out) != 0, "no init rejected");
    has_str(err, "missing required callbacks: init", "message lists init");

    vt = good();
    vt.name = NULL;
    ok(check(&vt, &out) != 0, "no name rejected");
    has_str(err, "no module name", "message says no name");
    vt.name = "";
    ok(check(&vt, &out) != 0, "empty name rejected");

    /* A newer minor revision with a bigger vtable. */
    struct vtable_1_5 big;
    memset(&big, 0x55, sizeof(big));
    big.base = good();
    big.base.abi_version = 1 << 16 | 5;
    big.base.struct_size = sizeof(big);
    struct {
        sandlock_plugin out;
        unsigned char canary[64];
    } guarded;
    memset(&guarded, 0xAA, sizeof(guarded));
    err[0] = '\0';
    is_int(sl_check_vtable(&big.base, &guarded.out, err, sizeof(err)), 0,
           "ABI 1.5 with a bigger struct is accepted (%s)", err);
    ok(guarded.out.handle == f_handle && !strcmp(guarded.out.name, "good"), "1.5: 1.0 members copied");
    int intact = 1;
    for (size_t i = 0; i < sizeof(guarded.canary); i++)
        intact &= guarded.canary[i] == 0xAA;
    ok(intact, "1.5: only sizeof(sandlock_plugin) bytes written");

    /* Zero-extension: an older, shorter struct (1.0 with the members up to
     * fini) is copied into a zeroed local; whatever the destination held
     * before and whatever follows the plugin's struct is not seen. */
    struct {
        sandlock_plugin vt;
        unsigned char garbage[32];
    } padded;
    memset(&padded, 0x77, sizeof(padded));
    padded.vt = good();
    padded.vt.fini = NULL;
    padded.vt.struct_size = offsetof(sandlock_plugin, fini) + sizeof(padded.vt.fini);
    is_int(check(&padded.vt, &out), 0, "minimal 1.0 struct accepted");
    ok(out.fini == NULL && out.abi_version == SANDLOCK_ABI_VERSION,
       "zero-extended copy: fini NULL, not the destination's old bytes");
    return tap_done();
}
