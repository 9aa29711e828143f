/* session.h -- the run plugins may ask about (host->session, ABI 1.5):
 * the command, the configuration file, sandlock's pid and, before fini(),
 * the exit status. Each run (ctx.c) owns its record, in its sl_here
 * (here.h): host->session() answers with the record of the run the calling
 * thread works for. Several runs may be under way in a process at once
 * (sandlock(3)). */
#ifndef SANDLOCK_SESSION_H
#define SANDLOCK_SESSION_H

#include <sandlock/plugin.h>
#include "here.h"

/* Fills the record of a run of `argv` with configuration `config`. */
void sl_session_init(sandlock_session *s, char *const *argv, const char *config);

/* A run begins or ends (between them its sl_here is live). While exactly
 * one run is under way, a thread that works for none (a plugin's own)
 * gets that run's record from host->session(), as before runs could
 * overlap; with several it gets NULL. */
void sl_here_begin(struct sl_here *h);
void sl_here_end(struct sl_here *h);

/* host->session(): the calling thread's run, NULL outside one. */
const sandlock_session *sl_session_get(void);

#endif
