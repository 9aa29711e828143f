/* session.c -- see session.h. */
#include "config.h"
#include "session.h"

#include <pthread.h>
#include <unistd.h>

__thread struct sl_here *sl_here;

static pthread_mutex_t runs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sl_here *first_run;
static unsigned nruns;

void sl_session_init(sandlock_session *s, char *const *argv, const char *config)
{
    *s = (sandlock_session){
        .abi_version = SANDLOCK_ABI_VERSION,
        .struct_size = sizeof(sandlock_session),
        .argv = (const char *const *)argv,
        .config = config,
        .pid = (uint32_t)getpid(),
        .status = 125,      /* sandlock's own error, until the command's is known */
    };
}

void sl_here_begin(struct sl_here *h)
{
    pthread_mutex_lock(&runs_lock);
    if (nruns++ == 0)
        first_run = h;
    pthread_mutex_unlock(&runs_lock);
}

void sl_here_end(struct sl_here *h)
{
    pthread_mutex_lock(&runs_lock);
    nruns--;
    if (first_run == h || nruns == 0)
        first_run = NULL;
    pthread_mutex_unlock(&runs_lock);
}

const sandlock_session *sl_session_get(void)
{
    if (sl_here)
        return sl_here->session;
    pthread_mutex_lock(&runs_lock);
    const sandlock_session *s = nruns == 1 && first_run ? first_run->session : NULL;
    pthread_mutex_unlock(&runs_lock);
    return s;
}
