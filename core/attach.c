/* attach.c -- see attach.h. */
#include "config.h"
#include "attach.h"
#include "denial.h"
#include "deputy.h"
#include "placeholders.h"
#include "sandbox.h"
#include "session.h"
#include "supervisor.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char *const no_command[] = { NULL };

/* Until no task uses the listener's filter: POLLHUP (never POLLIN:
 * receiving is the workers'). */
static void wait_hangup(int listener)
{
    struct pollfd p = { .fd = listener, .events = 0 };
    for (;;) {
        int rc = poll(&p, 1, -1);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0 || (p.revents & (POLLHUP | POLLERR | POLLNVAL)))
            return;
    }
}

int sl_ctx_attach(struct sandlock_ctx *ctx, int listener, const struct sl_container_identity *who)
{
    if (ctx->started || ctx->open) {
        close(listener);
        snprintf(ctx->errmsg, sizeof(ctx->errmsg), "the context is running already");
        return -1;
    }
    *ctx->errmsg = '\0';
    if (!ctx->cfg) {
        close(listener);
        snprintf(ctx->errmsg, sizeof(ctx->errmsg), "no configuration loaded");
        return -1;
    }
    struct sl_placeholder_values values = { .id = who->id, .bundle = who->bundle, .annotations = who->annotations };
    if (sl_placeholders_expand(ctx->cfg, &values, 0, ctx->errmsg, sizeof(ctx->errmsg))) {
        close(listener);
        return -1;
    }
    ctx->cfg->masks = 0;             /* paths cannot be masked in a container */
    ctx->keep_process_state = 1;     /* the agent's supervisor process is this run's */
    sl_session_init(&ctx->session, no_command, ctx->cfg->source);
    ctx->session.container_id = who->id;
    ctx->session.container_bundle = who->bundle;
    ctx->session.container_annotations = who->annotations;
    ctx->session.container_pid = (uint32_t)who->init_pid;
    ctx->here.session = &ctx->session;   /* for the instances' init() */
    if (sl_ctx_open(ctx)) {
        close(listener);
        return -1;
    }
    int rc = -1;
    if (!(ctx->sandbox = sl_sandbox_new(1)))
        snprintf(ctx->errmsg, sizeof(ctx->errmsg), "out of memory");
    else {
        sl_sandbox_adopt(ctx->sandbox, who->init_pidfd, who->pidns);
        struct sl_supervisor_options sopts = sl_ctx_supervisor_options(ctx);
        ctx->sup = sl_supervisor_start(&ctx->chains, &sopts, ctx->sandbox, &ctx->here, ctx->errmsg,
                                       sizeof(ctx->errmsg));
    }
    if (ctx->sup) {
        rc = 0;
        ctx->started = 1;
        sl_supervisor_attach(ctx->sup, listener);   /* SYNC_WAKE_UP where the kernel has it */
        wait_hangup(listener);
        if (who->hangup)
            who->hangup(who->hangup_arg);
        sl_supervisor_stop(ctx->sup);               /* closes the listener */
        sl_deputy_close_run(sl_sandbox_id(ctx->sandbox));
        sl_denials_flush(&ctx->plugins);
        ctx->started = 0;
    } else {
        close(listener);
    }
    ctx->session.status = 0;   /* the runtime reaps the container: no status here */
    sl_ctx_close(ctx);
    sl_supervisor_free(ctx->sup);
    if (ctx->sandbox)
        sl_sandbox_adopt(ctx->sandbox, -1, 0);   /* the pidfd is the caller's */
    sl_sandbox_free(ctx->sandbox);
    ctx->sup = NULL;
    ctx->sandbox = NULL;
    return rc;
}
