/* masking.h -- which of fsdeny's deny rules the kernel enforces with the
 * host's masks (SDK 1.4 mask_path, in the sandbox's own mount namespace)
 * and which stay on the notification path.
 *
 * A deny rule is masked when it names a path that exists now (a literal
 * path, or with created_later = allow every current match of a pattern)
 * and every allow exception inside it is an existing path (put back inside
 * the mask). Everything else keeps notifications: a path that does not
 * exist now or a pattern (either may match something created later) unless
 * created_later = allow, '**' and '\' patterns, exceptions that are
 * patterns or missing, an errno the kernel cannot give, a sandlock without
 * masks. */
#ifndef FSDENY_MASKING_H
#define FSDENY_MASKING_H

#include <sandlock/plugin.h>

#include "rules.h"

/* Masks what the kernel can enforce of `all` and copies into `notify` the
 * rules left for notifications (those deny rules and every allow rule; none
 * at all when no deny rule is left), logging each deny rule's mode at info
 * level. `no_masks`: why masks may not be used at all, or NULL. Returns 0,
 * or -1 with errbuf set. */
int fsdeny_mask_rules(const sandlock_host *host, const sandlock_config *cfg, const struct fsdeny_rules *all,
                      int later_allowed, const char *no_masks, struct fsdeny_rules *notify, char *errbuf);

#endif
