/* services.c -- notification services not implemented yet; they fail
 * cleanly until then. */
#include "config.h"
#include "services.h"

#include <errno.h>

int sl_defer(sandlock_handle h) { return -EAGAIN; }
int sl_answer(sandlock_handle h, const sandlock_response *response) { return -ESRCH; }
