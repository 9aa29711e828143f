# idprobe.py -- the id calls of an unprivileged process, each printed as
# "CALL: ok" or "CALL: ENAME", so that a run inside an unprivileged sandbox
# (a user namespace mapping only the invoking user and group) can be
# compared with the same run bare. argv: FILE (owned by the caller),
# OTHER_GID (a supplementary group of the caller, or -1).
import errno, os, sys

path, group = sys.argv[1], int(sys.argv[2])
me, mygid = os.getuid(), os.getgid()
fd = os.open(path, os.O_RDONLY)
calls = [
    ("chown other user", lambda: os.chown(path, 0, -1)),
    ("chown other user, same group", lambda: os.chown(path, 1, mygid)),
    ("chown other group", lambda: os.chown(path, -1, 0)),
    ("chown self", lambda: os.chown(path, me, mygid)),
    ("chown -1 -1", lambda: os.chown(path, -1, -1)),
    ("lchown other user", lambda: os.lchown(path, 0, -1)),
    ("fchown other user", lambda: os.fchown(fd, 2, -1)),
    ("fchownat other group", lambda: os.chown(os.path.basename(path), -1, 2, dir_fd=os.open(os.path.dirname(path), os.O_RDONLY))),
    ("setuid other", lambda: os.setuid(0)),
    ("setuid self", lambda: os.setuid(me)),
    ("setgid other", lambda: os.setgid(0)),
    ("setreuid other", lambda: os.setreuid(-1, 1)),
    ("setregid other", lambda: os.setregid(1, -1)),
    ("setresuid other saved", lambda: os.setresuid(-1, -1, 3)),
    ("setresgid other", lambda: os.setresgid(-1, 3, -1)),
    ("setresuid self", lambda: os.setresuid(me, me, me)),
    ("setgroups", lambda: os.setgroups([mygid])),
]
if group >= 0:
    calls.append(("chown supplementary group", lambda: os.chown(path, -1, group)))
for name, call in calls:
    try:
        call()
        print(f"{name}: ok")
    except OSError as e:
        print(f"{name}: {errno.errorcode.get(e.errno, e.errno)}")
