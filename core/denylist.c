/* denylist.c -- see denylist.h. */
#include "config.h"
#include "denylist.h"

#include <seccomp.h>

/* The reason for each entry is in sandlock.ini(5); the argument rules
 * (ioctl, clone, clone3, socket) are in argdeny.c. */
const char *const sl_builtin_deny[] = {
    "mount", "umount2", "mount_setattr", "move_mount", "open_tree", "fsopen",
    "fsconfig", "fsmount", "fspick", "pivot_root", "chroot", "ptrace",
    "process_vm_readv", "process_vm_writev", "bpf", "perf_event_open",
    "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "reboot", "swapon", "swapoff", "acct", "quotactl",
    "quotactl_fd", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "syslog", "sethostname", "setdomainname", "setns", "unshare", "userfaultfd",
    "keyctl", "add_key", "request_key", "open_by_handle_at", "name_to_handle_at",
    "iopl", "ioperm", "vhangup", "lookup_dcookie", "uselib", "nfsservctl", "kcmp",
    "pidfd_getfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "fanotify_init",
    NULL,
};

size_t sl_builtin_deny_resolve(int *nrs, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; sl_builtin_deny[i] && n < cap; i++) {
        int nr = seccomp_syscall_resolve_name(sl_builtin_deny[i]);
        if (nr >= 0)
            nrs[n++] = nr;
    }
    return n;
}
