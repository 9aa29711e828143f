/* session.c -- see session.h. */
#include "config.h"
#include "session.h"

#include <unistd.h>

sandlock_session sl_session;

void sl_session_begin(char *const *argv)
{
    sl_session = (sandlock_session){
        .abi_version = SANDLOCK_ABI_VERSION,
        .struct_size = sizeof(sandlock_session),
        .argv = (const char *const *)argv,
        .config = "<built-in>",
        .pid = (uint32_t)getpid(),
        .status = 125,      /* sandlock's own error, until the command's is known */
    };
}

const sandlock_session *sl_session_get(void)
{
    return sl_session.argv ? &sl_session : NULL;
}
