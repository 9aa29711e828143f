#!/usr/bin/env bash
. "$top_srcdir/tests/integration/common.sh"
done_testing
