/* hostview.h -- what the sandbox sees of the host's kernel interfaces.
 *
 * The deny list refuses the system calls that change the host (sethostname,
 * swapon, init_module, mount ...), but a root command reaches the same
 * kernel through files: /proc/sys/kernel/hostname renames the host,
 * /proc/sys/kernel/core_pattern names a program the kernel runs as root
 * outside any sandbox, a cgroup's release_agent likewise, and a block device
 * under /dev holds every file's bytes whatever path a plugin denies. In the
 * sandbox's own mount namespace (the one the plugins' masks live in) the
 * stub therefore makes, the way systemd's ProtectKernelTunables= and
 * PrivateDevices= and bubblewrap's --dev do:
 *
 *   protect_kernel = yes (default): /proc/sys, /proc/sysrq-trigger,
 *     /proc/irq, /proc/bus, /proc/fs and the whole of /sys (with the
 *     cgroup, tracing, debug ... file systems mounted below it) read-only,
 *     and /proc/kcore (kernel memory) hidden;
 *   devices = minimal (default): /dev a tmpfs with only null, zero, full,
 *     random, urandom and tty of the host, a devpts of its own (pts, ptmx),
 *     a private shm, the fd/stdin/stdout/stderr links and the host's log
 *     socket; no disk, no memory device, no other terminal.
 *
 * Every way to change mounts is on the deny list, and mknod(2) of a device
 * node is refused by its arguments (argdeny.c), so the command can neither
 * undo this nor make a node of its own. Without a mount namespace (the
 * fallback of a sandlock that may not create one) nothing of this applies;
 * sandlock(1) says so. */
#ifndef SANDLOCK_HOSTVIEW_H
#define SANDLOCK_HOSTVIEW_H

/* Set before the sandbox starts (from [sandlock] protect_kernel and
 * devices). */
void sl_hostview_configure(int protect_kernel, int minimal_devices);

/* In the stub, in its own mount namespace, before the plugins' masks:
 * replaces /dev. Returns 0, or -1 with errno and *failed set to the path
 * that could not be made. Allocates nothing. */
int sl_hostview_devices(const char **failed);

/* In the stub, after the sandbox's own /proc is mounted: the read-only
 * and hidden kernel interfaces. Same contract. */
int sl_hostview_kernel(const char **failed);

/* For `sandlock check`: one line each. */
const char *sl_hostview_kernel_summary(void);
const char *sl_hostview_devices_summary(void);

#endif
