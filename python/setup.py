# The extension `sandlock`: python/run.c and the python plugin's glue
# (../plugins/python: module.c, handler.c, traceback.c, sockcall.c --
# compiled as they are, so the package builds from the sandlock source tree
# only),
# linked with libsandlock, found in one of two ways:
#   SANDLOCK_BUILD_DIR=DIR  a configured and built tree (DIR/core/.libs,
#                           headers from this source tree); the module
#                           finds the library there at run time (rpath)
#   otherwise               the installed one: pkg-config sandlock
import os
import re
import shlex
import subprocess
import sys

from setuptools import Extension, setup

here = os.path.dirname(os.path.abspath(__file__))
top = os.path.dirname(here)
glue = os.path.join(top, "plugins", "python")


def fail(msg):
    sys.exit(f"sandlock: {msg}")


def version():
    with open(os.path.join(top, "configure.ac")) as f:
        m = re.search(r"AC_INIT\(\[sandlock\], \[([^]]+)\]", f.read())
    return m.group(1) if m else "0"


def libsandlock():
    build = os.environ.get("SANDLOCK_BUILD_DIR")
    if build:
        libdir = os.path.join(os.path.abspath(build), "core", ".libs")
        if not os.path.exists(os.path.join(libdir, "libsandlock.so")):
            fail(f"SANDLOCK_BUILD_DIR={build}: no core/.libs/libsandlock.so (run make there first)")
        return dict(include_dirs=[os.path.join(top, "sdk")], library_dirs=[libdir],
                    runtime_library_dirs=[libdir], libraries=["sandlock"])
    try:
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "sandlock"], check=True,
                               capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        fail(f"pkg-config sandlock: {e} (install libsandlock's development files, "
             "or set SANDLOCK_BUILD_DIR to a built tree)")
    kw = dict(include_dirs=[], library_dirs=[], libraries=[])
    for flag in shlex.split(flags):
        key = {"-I": "include_dirs", "-L": "library_dirs", "-l": "libraries"}.get(flag[:2])
        if key:
            kw[key].append(flag[2:])
    return kw


if not os.path.exists(os.path.join(glue, "module.c")):
    fail(f"{glue}: missing; build from the sandlock source tree")

lib = libsandlock()
sources = ["run.c"] + [os.path.relpath(os.path.join(glue, f), here)
                       for f in ("module.c", "handler.c", "traceback.c", "sockcall.c")]
setup(
    version=version(),
    ext_modules=[Extension(
        "sandlock", sources=sources,
        include_dirs=[glue] + lib["include_dirs"],
        library_dirs=lib["library_dirs"], libraries=lib["libraries"],
        runtime_library_dirs=lib.get("runtime_library_dirs", []),
        extra_compile_args=["-Wall", "-Wextra", "-std=gnu11"],
        depends=[os.path.relpath(os.path.join(glue, f), here) for f in ("pyplugin.h", "verdicts.py.h")],
    )],
)
