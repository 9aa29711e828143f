/* session.h -- the run plugins may ask about (host->session, ABI 1.5):
 * the command, the configuration file, sandlock's pid and, before fini(),
 * the exit status. Each run (ctx.c) owns its record; this is the record of
 * the run that is loading, running or ending its plugins now (one at a
 * time in a process, see sandlock(3)). */
#ifndef SANDLOCK_SESSION_H
#define SANDLOCK_SESSION_H

#include <sandlock/plugin.h>

/* Fills the record of a run of `argv` with configuration `config`. */
void sl_session_init(sandlock_session *s, char *const *argv, const char *config);

/* The run whose plugins are being called from now on, or NULL. */
void sl_session_set(const sandlock_session *s);

/* host->session(): NULL outside a run. */
const sandlock_session *sl_session_get(void);

#endif
