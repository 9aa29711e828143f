/* session.c -- see session.h. */
#include "config.h"
#include "session.h"

#include <unistd.h>

static const sandlock_session *current;

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

void sl_session_set(const sandlock_session *s)
{
    current = s;
}

const sandlock_session *sl_session_get(void)
{
    return current;
}
