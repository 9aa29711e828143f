/* agent.h -- `sandlock agent` (sandlock-agent(8)): the OCI seccomp agent
 * command, one supervisor process per container (agent.c). */
#ifndef SANDLOCK_AGENT_H
#define SANDLOCK_AGENT_H

/* `sandlock agent --socket PATH [-c FILE]` (argv[0] is "agent").
 * Returns the exit status. */
int sl_agent_main(int argc, char **argv);

#endif
