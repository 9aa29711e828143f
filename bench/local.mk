# bench/ -- `make bench`: the latency benchmark (bench/README.md). The
# programs are check_PROGRAMS so that `make check` compiles them (and
# catches breakage), but nothing runs them there: a benchmark is not a test.
check_PROGRAMS += bench/bench-notify bench/bench-child bench/bench-launch bench/bench-child-static

BENCH_COMMON = bench/bare.c bench/bare.h
bench_bench_notify_SOURCES = bench/bench-notify.c $(BENCH_COMMON)
bench_bench_notify_LDADD = -lm
bench_bench_child_SOURCES = bench/bench-child.c $(BENCH_COMMON)
bench_bench_launch_SOURCES = bench/bench-launch.c $(BENCH_COMMON)
# bench-child in a container (bench/agent.sh), whose rootfs holds it alone:
# static, without the sanitizers.
bench_bench_child_static_SOURCES = bench/bench-child.c $(BENCH_COMMON)
bench_bench_child_static_CFLAGS = $(WARN_CFLAGS)
bench_bench_child_static_LDFLAGS = -all-static

EXTRA_DIST += bench/README.md bench/workloads.sh bench/agent.sh

# Extra arguments, e.g. `make bench BENCH_FLAGS='-r 11 -n 50000'`
# or `make bench-workloads BENCH_FLAGS='-r 3'`.
BENCH_FLAGS =

# The python row, when the python plugin is built: a handler answering
# Continue (bench/continue.py).
if HAVE_PYTHON_EMBED
BENCH_PYTHON_DEPS = plugins/python.la
BENCH_PYTHON_FLAGS = --python-handler $(abs_srcdir)/bench/continue.py
endif
EXTRA_DIST += bench/continue.py

# The agent's rows (bench/agent.sh): a runc container served by `sandlock
# agent`, against its own floor; root and runc, else a line saying why.
BENCH_AGENT = bash $(abs_srcdir)/bench/agent.sh --sandlock $(abs_builddir)/sandlock$(EXEEXT) \
	--floor $(abs_builddir)/bench/bench-notify$(EXEEXT) \
	--child $(abs_builddir)/bench/bench-child-static$(EXEEXT) --oci-lib $(abs_srcdir)/tests/oci/lib.sh

.PHONY: bench
bench: sandlock$(EXEEXT) plugins/verdict.la $(BENCH_PYTHON_DEPS) bench/bench-notify$(EXEEXT) \
		bench/bench-child$(EXEEXT) bench/bench-launch$(EXEEXT) bench/bench-child-static$(EXEEXT)
	$(builddir)/bench/bench-notify --sandlock $(abs_builddir)/sandlock$(EXEEXT) \
		--child $(abs_builddir)/bench/bench-child$(EXEEXT) \
		--launcher $(abs_builddir)/bench/bench-launch$(EXEEXT) \
		--default-config $(abs_srcdir)/examples/sandlock.ini $(BENCH_PYTHON_FLAGS) $(BENCH_FLAGS)
	$(BENCH_AGENT) $(BENCH_FLAGS)

# One agent, 100 idle containers and a busy one (bench/README.md); e.g.
# `make bench-agent-scale BENCH_FLAGS='-r 5'` or BENCH_IDLE=10.
BENCH_IDLE = 100
.PHONY: bench-agent-scale
bench-agent-scale: sandlock$(EXEEXT) plugins/verdict.la bench/bench-notify$(EXEEXT) \
		bench/bench-child-static$(EXEEXT)
	$(BENCH_AGENT) --idle $(BENCH_IDLE) $(BENCH_FLAGS)

# Real work (a compile, tar, find, git, python) bare, under the default
# configuration, without plugins and under bubblewrap; also as nobody when
# run as root. Not part of make check either.
.PHONY: bench-workloads
bench-workloads: sandlock$(EXEEXT) plugins/audit.la plugins/vfile.la plugins/fsdeny.la \
		plugins/netguard.la bench/bench-launch$(EXEEXT)
	bash $(abs_srcdir)/bench/workloads.sh --sandlock $(abs_builddir)/sandlock$(EXEEXT) \
		--launcher $(abs_builddir)/bench/bench-launch$(EXEEXT) \
		--default-config $(abs_srcdir)/examples/sandlock.ini $(BENCH_FLAGS)
