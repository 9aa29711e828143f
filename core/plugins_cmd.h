/* plugins_cmd.h -- `sandlock plugins`: every module in the plugin path with
 * its version, description and declared keys. */
#ifndef SANDLOCK_PLUGINS_CMD_H
#define SANDLOCK_PLUGINS_CMD_H

/* argv[0] is "plugins". Returns the exit status. */
int sl_cmd_plugins(int argc, char **argv);

#endif
