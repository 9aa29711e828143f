/* legacy_syscalls.h -- the path syscalls that only some architectures have.
 * x86_64 and i386 keep the calls older than their *at forms (open, stat,
 * rename, ...); architectures with the generic syscall table (arm64,
 * riscv64, loongarch64) never had them, only the *at forms, which the
 * plugins cover as well. There each missing one is given a distinct
 * negative number: its table row then matches no event (the filter only
 * notifies numbers the loader resolved, never a negative one), a switch
 * may still name it, and the loader skips its name ("does not exist on
 * this architecture"). Include after <sys/syscall.h>. */
#ifndef SANDLOCK_LEGACY_SYSCALLS_H
#define SANDLOCK_LEGACY_SYSCALLS_H

#ifndef __NR_open
#define __NR_open (-101)
#endif
#ifndef __NR_creat
#define __NR_creat (-102)
#endif
#ifndef __NR_stat
#define __NR_stat (-103)
#endif
#ifndef __NR_lstat
#define __NR_lstat (-104)
#endif
#ifndef __NR_access
#define __NR_access (-105)
#endif
#ifndef __NR_readlink
#define __NR_readlink (-106)
#endif
#ifndef __NR_unlink
#define __NR_unlink (-107)
#endif
#ifndef __NR_rmdir
#define __NR_rmdir (-108)
#endif
#ifndef __NR_rename
#define __NR_rename (-109)
#endif
#ifndef __NR_link
#define __NR_link (-110)
#endif
#ifndef __NR_symlink
#define __NR_symlink (-111)
#endif
#ifndef __NR_mkdir
#define __NR_mkdir (-112)
#endif
#ifndef __NR_mknod
#define __NR_mknod (-113)
#endif
#ifndef __NR_chmod
#define __NR_chmod (-114)
#endif
#ifndef __NR_chown
#define __NR_chown (-115)
#endif
#ifndef __NR_lchown
#define __NR_lchown (-116)
#endif
#ifndef __NR_utime
#define __NR_utime (-117)
#endif
#ifndef __NR_utimes
#define __NR_utimes (-118)
#endif
#ifndef __NR_futimesat
#define __NR_futimesat (-119)
#endif

#endif
