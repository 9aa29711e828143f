/* masks.h -- path policy enforced by the kernel (SDK 1.4 host->mask_path):
 * mounts made in the sandbox's own mount namespace before the command
 * starts, the way systemd's InaccessiblePaths=/BindReadOnlyPaths= and
 * bubblewrap's --tmpfs/--ro-bind do. A masked path costs nothing per call
 * and follows renames of its ancestors (a mount belongs to the directory
 * entry, not to a name); every way to change mounts is on the deny list.
 *
 * The life of a mask:
 *   1. a plugin's init() asks for it (sl_mask_path, through the host
 *      table); the host records it when masks can be made at all;
 *   2. after every init(), sl_masks_prepare() orders the masks and sizes
 *      the staging tmpfs; the stub reads them (paths, options, a fixed
 *      content's bytes) in sandlock's memory and allocates nothing;
 *   3. the stub, PID 1 of the sandbox in its new mount namespace, calls
 *      sl_masks_apply() before it starts the command; a failure ends the
 *      start (nothing runs unmasked).                                     */
#ifndef SANDLOCK_MASKS_H
#define SANDLOCK_MASKS_H

#include <sandlock/plugin.h>
#include <stddef.h>
#include <stdio.h>

/* Whether masks are made at all: [sandlock] masks = no turns them off (the
 * plugins then keep their notification path), and so does a sandlock that
 * may not create a mount namespace. */
void sl_masks_enable(int enabled);
int sl_masks_available(void);

/* Whether the sandbox gets PID and mount namespaces of its own (root, or
 * an unprivileged user namespace): what masks and hostview.h need. */
int sl_namespaces_possible(void);

/* The host service (see plugin.h). `cfg` names the asking instance. */
int sl_mask_path(const sandlock_config *cfg, const char *path, int how, const void *content,
                 size_t len);

/* How many masks were recorded (0: the sandbox needs no mount namespace of
 * its own for them). */
size_t sl_masks_count(void);

/* How many masks instance `name` asked for. */
size_t sl_masks_of(const char *name);

/* Orders the masks and sizes what the stub needs. 0, or -1 with a message. */
int sl_masks_prepare(char *err, size_t errlen);

/* In the stub (its own mount namespace, nothing allocated): mounts every
 * mask. Returns 0, or the index + 1 of the mask that failed, with errno. */
int sl_masks_apply(void);

/* The path of mask `index` (for the message of a failed apply). */
const char *sl_mask_path_of(int index);

/* For `sandlock check`: the masks of instance `name`, one per line. */
void sl_masks_print(FILE *out, const char *name, const char *indent);

/* The same, one mask at a time (for check --json): mask `index` (0..)
 * of instance `name`; 0 and *path, *how ("hidden", "read-only", "fixed
 * content", "exception") and *applied set, or -1 past the last. */
int sl_masks_get(const char *name, size_t index, const char **path, const char **how, int *applied);

/* A session's own set (here.h: sl_here->masks), empty; NULL when memory
 * ran out. The functions of this file use the calling thread's session's.
 * sl_masks_delete() frees it after sl_masks_free(). */
struct sl_masks *sl_masks_new(void);
void sl_masks_delete(struct sl_masks *m);

/* Closes and frees everything (sandlock's copy; the mounts stay). */
void sl_masks_free(void);

#endif
