/* test_argdeny.c -- the built-in argument rules: each syscall's rules are
 * found together (the supervisor applies only that slice), and matching
 * reads only the bits the kernel reads. */
#include "config.h"
#include "argdeny.h"
#include "idrules.h"
#include "tap.h"

#include <errno.h>
#include <linux/sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

static int deny(int nr, __u64 a0, __u64 a1)
{
    size_t n;
    const struct sl_arg_rule *r = sl_arg_rules_for(nr, &n);
    const __u64 args[6] = { a0, a1, 0, 0, 0, 0 };
    return sl_arg_rules_match(r, n, args);
}

/* What the id rules of user 1000, group 100 answer for syscall nr. */
static int id_deny(int nr, __u64 a0, __u64 a1, __u64 a2, __u64 a3)
{
    struct sl_arg_rule ids[SL_ID_RULES_MAX];
    size_t n = sl_id_rules(ids, 1000, 100), i = 0, slice = 0;
    while (i < n && ids[i].nr != nr)
        i++;
    while (i + slice < n && ids[i + slice].nr == nr)
        slice++;
    const __u64 args[6] = { a0, a1, a2, a3, 0, 0 };
    return sl_arg_rules_match(&ids[i], slice, args);
}

int main(void)
{
    size_t total, found = 0;
    const struct sl_arg_rule *all = sl_arg_rules_all(&total);
    for (size_t i = 0; i < total; i++) {
        if (i && all[i].nr == all[i - 1].nr)
            continue;
        size_t n;
        sl_arg_rules_for(all[i].nr, &n);
        found += n;
    }
    is_int(found, total, "every rule is in its syscall's slice (rules of one syscall are adjacent)");

    size_t n = 1;
    ok(sl_arg_rules_for(SYS_getppid, &n) == NULL && n == 0, "getppid: no rules");
    is_int(deny(SYS_getppid, 0, 0), 0, "no rules: nothing denied");

    is_int(deny(SYS_ioctl, 0, TIOCSTI), EPERM, "ioctl(TIOCSTI): EPERM");
    is_int(deny(SYS_ioctl, 0, (1ull << 32) | TIOCSTI), EPERM, "ioctl(TIOCSTI) with bits above 32: EPERM");
    is_int(deny(SYS_ioctl, 0, TCGETS), 0, "ioctl(TCGETS): allowed");

    is_int(deny(SYS_clone, CLONE_NEWUSER | 17 /* SIGCHLD */, 0), EPERM, "clone(CLONE_NEWUSER): EPERM");
    is_int(deny(SYS_clone, CLONE_VM | CLONE_NEWNET, 0), EPERM, "clone(CLONE_VM|CLONE_NEWNET): EPERM");
    is_int(deny(SYS_clone, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
                               CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID, 0),
           0, "clone of a thread: allowed");
    is_int(deny(SYS_clone, 0x80 /* exit signal bits, not CLONE_NEWTIME */, 0), 0, "clone(0x80): allowed");
    is_int(deny(SYS_clone3, 0, 0), ENOSYS, "clone3: ENOSYS");

    is_int(deny(SYS_socket, AF_INET, SOCK_RAW | SOCK_CLOEXEC), EPERM, "socket(AF_INET, SOCK_RAW|SOCK_CLOEXEC)");
    is_int(deny(SYS_socket, (1ull << 32) | AF_INET6, SOCK_RAW), EPERM, "socket(AF_INET6 + high bits, SOCK_RAW)");
    is_int(deny(SYS_socket, AF_PACKET, SOCK_DGRAM), EPERM, "socket(AF_PACKET, SOCK_DGRAM)");
    is_int(deny(SYS_socket, AF_INET, SOCK_PACKET), EPERM, "socket(AF_INET, SOCK_PACKET)");
    is_int(deny(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK), 0, "socket(AF_INET, SOCK_DGRAM): allowed");
    is_int(deny(SYS_socket, AF_UNIX, SOCK_RAW), 0, "socket(AF_UNIX, SOCK_RAW): allowed");

    /* The user namespace's id rules (idrules.h). */
    const __u64 none = 0xffffffffu;
    is_int(id_deny(SYS_fchown, 3, 0, none, 0), EPERM, "fchown to another user: EPERM");
    is_int(id_deny(SYS_fchown, 3, none, 0, 0), EPERM, "fchown to another group: EPERM");
    is_int(id_deny(SYS_fchown, 3, 1000, 100, 0), 0, "fchown to the mapped ids: left to the kernel");
    is_int(id_deny(SYS_fchown, 3, none, none, 0), 0, "fchown(-1, -1): left to the kernel");
    is_int(id_deny(SYS_fchown, 3, (1ull << 32) | 1000, none, 0), 0, "the kernel reads 32 bits of an id");
    is_int(id_deny(SYS_fchownat, 3, 0, 1000, 100), 0, "fchownat's ids are arguments 2 and 3");
    is_int(id_deny(SYS_fchownat, 3, 0, 1000, 7), EPERM, "fchownat to another group: EPERM");
    is_int(id_deny(SYS_setresuid, none, none, 5, 0), EPERM, "setresuid with another saved uid: EPERM");
    is_int(id_deny(SYS_setresuid, 1000, none, 1000, 0), 0, "setresuid to the mapped uid: left to the kernel");
    is_int(id_deny(SYS_setuid, none, 0, 0, 0), 0, "setuid(-1): left to the kernel (EINVAL both ways)");
    is_int(id_deny(SYS_setgid, 0, 0, 0, 0), EPERM, "setgid(0): EPERM");
    is_int(id_deny(SYS_setregid, 100, 3, 0, 0), EPERM, "setregid to another effective gid: EPERM");
    return tap_done();
}
