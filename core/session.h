/* session.h -- the run plugins may ask about (host->session, ABI 1.5):
 * the command, the configuration file, sandlock's pid and, before fini(),
 * the exit status. Set by `sandlock run` only. */
#ifndef SANDLOCK_SESSION_H
#define SANDLOCK_SESSION_H

#include <sandlock/plugin.h>

extern sandlock_session sl_session;

/* Starts the record of a run of `argv` (before the plugins are loaded). */
void sl_session_begin(char *const *argv);

/* host->session(): NULL outside a run. */
const sandlock_session *sl_session_get(void);

#endif
